import { RegistryError } from '../domain/errors.ts';

/** PEM armour (RFC 7468) around DER bytes, 64 base64 characters a line. */
export function toPem(der: ArrayBuffer | Uint8Array, label: string): string {
  const b64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * The DER bytes of the first PEM block with this label. Throws RegistryError('invalid', …,
 * 'pki.pem.malformed'); the message names the label, never the content (it may be a key).
 */
export function fromPem(pem: string, label: string): Uint8Array {
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  const start = pem.indexOf(begin);
  const stop = start < 0 ? -1 : pem.indexOf(end, start + begin.length);
  const body = stop < 0 ? '' : pem.slice(start + begin.length, stop).replace(/\s+/g, '');
  if (body === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
    throw new RegistryError('invalid', `not a PEM ${label}`, 'pki.pem.malformed');
  }
  return new Uint8Array(Buffer.from(body, 'base64'));
}

export const CERTIFICATE_LABEL = 'CERTIFICATE';
/** PKCS #8 private key. */
export const PRIVATE_KEY_LABEL = 'PRIVATE KEY';
/**
 * OpenSSL's label for a CRL, which node:tls (`crl` option) requires; `@peculiar/x509` writes
 * `CRL`, so CRLs are re-armoured with this one.
 */
export const CRL_LABEL = 'X509 CRL';

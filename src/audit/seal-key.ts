import { X509Certificate, createHash, verify, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryError } from '../domain/errors.ts';
import type { AccessLogSeal, HexHash } from '../domain/audit/access-log.ts';
import { canonicalSealBytes, type Sha256 } from '../domain/audit/canonical.ts';
import { nodeIdentityFromCertificate } from '../pki/node-identity-from-certificate.ts';
import { formatNodeName } from '../pki/NodeIdentity.ts';
import { pemKeyHandle, type KeyHandle } from '../pki/key-store/KeyStore.ts';
import { openNodeKey } from '../pki/pki-directory.ts';

/** SHA-256 as the domain's chain wants it: lowercase hex. */
export const sha256: Sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/**
 * The node's key and certificate, for sealing (what `juki pki issue` wrote to its bundle). The key
 * is a key-store handle: sealing signs through it and never sees the key (which may sit in an
 * HSM).
 */
export type SealKey = {
  /** The node the certificate names, e.g. `cs:131016`. */
  readonly node: string;
  readonly certificatePem: string;
  readonly certFingerprint: HexHash;
  readonly signer: KeyHandle;
};

/** A certificate a seal may have been signed with (the node's current one, or an earlier one). */
export type SealCertificate = {
  readonly node: string | undefined;
  readonly fingerprint: HexHash;
  readonly publicKey: KeyObject;
};

/** SHA-256 of the certificate's DER, lowercase hex. */
export function certificateFingerprint(certificatePem: string): HexHash {
  return createHash('sha256').update(parseCertificate(certificatePem).raw).digest('hex');
}

function parseCertificate(pemOrDer: string | Uint8Array): X509Certificate {
  try {
    return new X509Certificate(typeof pemOrDer === 'string' ? pemOrDer : Buffer.from(pemOrDer));
  } catch (e) {
    throw new RegistryError(
      'invalid',
      '証明書を読めません / not an X.509 certificate',
      'audit.certificate',
      { cause: e },
    );
  }
}

/** A certificate as PEM, or as the DER a TLS peer presented. */
export function sealCertificate(certificatePem: string | Uint8Array): SealCertificate {
  const cert = parseCertificate(certificatePem);
  let node: string | undefined;
  try {
    node = formatNodeName(nodeIdentityFromCertificate(certificatePem));
  } catch {
    node = undefined;
  }
  return {
    node,
    fingerprint: createHash('sha256').update(cert.raw).digest('hex'),
    publicKey: cert.publicKey,
  };
}

/** A seal key from a certificate and its key's PEM (tests, tools holding a freshly issued key). */
export function sealKey(certificatePem: string, keyPem: string): SealKey {
  return sealKeyFromHandle(certificatePem, pemKeyHandle('seal', keyPem, 'the given key'));
}

/**
 * A seal key from a certificate and a key-store handle. Throws RegistryError('invalid', …,
 * 'audit.certificate') when the certificate names no node or is not the handle's key's.
 */
export function sealKeyFromHandle(certificatePem: string, signer: KeyHandle): SealKey {
  const c = sealCertificate(certificatePem);
  if (c.node === undefined)
    throw new RegistryError(
      'invalid',
      '証明書がノードを示していません / the certificate names no node',
      'audit.certificate',
    );
  const spki = c.publicKey.export({ type: 'spki', format: 'der' });
  if (!Buffer.from(signer.publicKey).equals(spki))
    throw new RegistryError(
      'invalid',
      `証明書が鍵 ${signer.id} のものではありません / the certificate is not for key ${signer.id}`,
      'audit.certificate',
    );
  return { node: c.node, certificatePem, certFingerprint: c.fingerprint, signer };
}

/** The seal key from a node's installed bundle directory (node.crt, node.key via its key store). */
export async function sealKeyFromBundle(dir: string): Promise<SealKey> {
  const certificatePem = await readFile(join(dir, 'node.crt'), 'utf8');
  return sealKeyFromHandle(certificatePem, await openNodeKey(dir));
}

/** ECDSA P-256 / SHA-256 over the seal's canonical bytes, DER, base64. */
export async function signSeal(
  seal: Omit<AccessLogSeal, 'signature'>,
  key: SealKey,
): Promise<string> {
  return Buffer.from(await key.signer.sign(canonicalSealBytes(seal))).toString('base64');
}

export function sealSignatureValid(seal: AccessLogSeal, cert: SealCertificate): boolean {
  try {
    return verify(
      'sha256',
      canonicalSealBytes(seal),
      cert.publicKey,
      Buffer.from(seal.signature, 'base64'),
    );
  } catch {
    return false;
  }
}

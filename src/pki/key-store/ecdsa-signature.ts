import { EC_KEY_ALGORITHM, x509 } from '../x509.ts';

/**
 * ECDSA signatures come in two encodings: DER (ECDSA-Sig-Value, RFC 3279: X.509, node:crypto's
 * `sign`/`verify`, PKCS #11 modules after wrapping) and IEEE P1363 r‖s, 64 bytes for P-256
 * (WebCrypto's `subtle.sign`/`verify`, PKCS #11's raw CKM_ECDSA output). `KeyHandle.sign` speaks
 * DER; these convert at the edges.
 */
const formatter = new x509.AsnEcSignatureFormatter();

/** DER → IEEE P1363 (64 bytes for P-256). Throws on bytes that are not an ECDSA-Sig-Value. */
export function derToP1363(der: Uint8Array): Uint8Array {
  const web = formatter.toWebSignature(EC_KEY_ALGORITHM, der);
  if (web === null) throw new RangeError('not an ECDSA signature');
  return new Uint8Array(web);
}

/** IEEE P1363 (r‖s) → DER. */
export function p1363ToDer(p1363: Uint8Array): Uint8Array {
  const der = formatter.toAsnSignature(EC_KEY_ALGORITHM, p1363);
  if (der === null) throw new RangeError('not an ECDSA signature');
  return new Uint8Array(der);
}

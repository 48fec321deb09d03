import {
  X509Certificate,
  createHash,
  createPrivateKey,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { RegistryError } from '../domain/errors.ts';
import type { AccessLogSeal, HexHash } from '../domain/audit/access-log.ts';
import { canonicalSealBytes, type Sha256 } from '../domain/audit/canonical.ts';
import { nodeIdentityFromCertificate } from '../pki/node-identity-from-certificate.ts';
import { formatNodeName } from '../pki/NodeIdentity.ts';
import { readNodeBundle } from '../pki/pki-directory.ts';

/** SHA-256 as the domain's chain wants it: lowercase hex. */
export const sha256: Sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** The node's key and certificate, for sealing (what `juki pki issue` wrote to its bundle). */
export type SealKey = {
  /** The node the certificate names, e.g. `cs:131016`. */
  readonly node: string;
  readonly certificatePem: string;
  readonly certFingerprint: HexHash;
  readonly privateKey: KeyObject;
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

export function sealKey(certificatePem: string, keyPem: string): SealKey {
  const c = sealCertificate(certificatePem);
  if (c.node === undefined)
    throw new RegistryError(
      'invalid',
      '証明書がノードを示していません / the certificate names no node',
      'audit.certificate',
    );
  return {
    node: c.node,
    certificatePem,
    certFingerprint: c.fingerprint,
    privateKey: createPrivateKey(keyPem),
  };
}

/** The seal key from a node's installed bundle directory (node.crt, node.key). */
export async function sealKeyFromBundle(dir: string): Promise<SealKey> {
  const bundle = await readNodeBundle(dir);
  return sealKey(bundle.certPem, bundle.keyPem);
}

/** ECDSA P-256 / SHA-256 over the seal's canonical bytes, DER, base64. */
export function signSeal(seal: Omit<AccessLogSeal, 'signature'>, key: SealKey): string {
  return sign('sha256', canonicalSealBytes(seal), key.privateKey).toString('base64');
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

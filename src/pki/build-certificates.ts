import { createHash } from 'node:crypto';
import type { Validity } from './certificate-profile.ts';
import { NETWORK_ORGANIZATION } from './certificate-profile.ts';
import { formatNodeName, nodeDnsName, nodeUri, type NodeIdentity } from './NodeIdentity.ts';
import type { KeyHandle } from './key-store/KeyStore.ts';
import { x509Signing } from './key-signer.ts';
import { toPem, PRIVATE_KEY_LABEL } from './pem.ts';
import {
  EC_KEY_ALGORITHM,
  nodeWebCrypto,
  SIGNING_ALGORITHM,
  x509,
  type CryptoKey,
  type CryptoKeyPair,
} from './x509.ts';

/**
 * Building the two kinds of certificate of the network (docs/PKI.md, "Certificate profile").
 * These functions sign what they are given; the rules (validity bounds, identity checks, serials)
 * are applied by their callers in network-ca.ts.
 */

const subtle = nodeWebCrypto.subtle;

/** A fresh ECDSA P-256 key pair, extractable so that the private key can be exported once. */
export const generateKeyPair = (): Promise<CryptoKeyPair> =>
  subtle.generateKey(EC_KEY_ALGORITHM, true, ['sign', 'verify']);

/**
 * Subject key identifier, RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits. For
 * P-256 the SubjectPublicKeyInfo is 91 bytes and the key (an uncompressed point) its last 65.
 */
export async function subjectKeyId(publicKey: CryptoKey | Uint8Array): Promise<string> {
  const spki =
    publicKey instanceof Uint8Array
      ? publicKey
      : new Uint8Array(await subtle.exportKey('spki', publicKey));
  if (spki.length !== 91) throw new RangeError('expected a P-256 public key');
  return createHash('sha1').update(spki.subarray(26)).digest('hex');
}

/** The PKCS #8 PEM of a private key (the only place keys are serialised). */
export async function exportPrivateKeyPem(privateKey: CryptoKey): Promise<string> {
  return toPem(await subtle.exportKey('pkcs8', privateKey), PRIVATE_KEY_LABEL);
}

export type CaCertificateParams = {
  readonly commonName: string;
  readonly organization: string;
  readonly serialNumber: string;
  readonly validity: Validity;
  /** The CA's own key: the certificate carries its public key and is signed with it. */
  readonly signer: KeyHandle;
};

/**
 * The self-signed root: basicConstraints CA:true pathLen 0 (critical: it signs node certificates
 * only, no intermediate CA), keyUsage keyCertSign + cRLSign (critical), subject key identifier.
 */
export async function buildCaCertificate(p: CaCertificateParams): Promise<x509.X509Certificate> {
  const name: Record<string, string[]>[] = [{ CN: [p.commonName] }, { O: [p.organization] }];
  const { signingKey, crypto } = x509Signing(p.signer);
  return x509.X509CertificateGenerator.create(
    {
      serialNumber: p.serialNumber,
      subject: name,
      issuer: name,
      notBefore: p.validity.notBefore,
      notAfter: p.validity.notAfter,
      publicKey: p.signer.publicKey,
      signingKey,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
        new x509.SubjectKeyIdentifierExtension(await subjectKeyId(p.signer.publicKey)),
      ],
    },
    crypto,
  );
}

export type NodeCertificateParams = {
  readonly identity: NodeIdentity;
  readonly serialNumber: string;
  readonly validity: Validity;
  readonly publicKey: CryptoKey;
  readonly issuer: {
    /** The CA's subject as it is encoded in the CA certificate (byte-identical issuer). */
    readonly name: x509.Name;
    readonly keyId: string;
    /** The CA's key. */
    readonly signer: KeyHandle;
  };
};

/**
 * A node's certificate: subject `CN=<role>:<code>, OU=<role>, O=jukinet`; SAN URI
 * `urn:jukinet:node:<role>:<code>` (authoritative) and DNS `<role>-<code>.jukinet.invalid`;
 * keyUsage digitalSignature + keyAgreement (critical); extKeyUsage serverAuth + clientAuth (a
 * node both accepts and opens connections); basicConstraints CA:false (critical); subject and
 * authority key identifiers.
 */
export async function buildNodeCertificate(
  p: NodeCertificateParams,
): Promise<x509.X509Certificate> {
  const { signingKey, crypto } = x509Signing(p.issuer.signer);
  return x509.X509CertificateGenerator.create(
    {
      serialNumber: p.serialNumber,
      subject: [
        { CN: [formatNodeName(p.identity)] },
        { OU: [p.identity.role] },
        { O: [NETWORK_ORGANIZATION] },
      ],
      issuer: p.issuer.name,
      notBefore: p.validity.notBefore,
      notAfter: p.validity.notAfter,
      publicKey: p.publicKey,
      signingKey,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement,
          true,
        ),
        new x509.ExtendedKeyUsageExtension([
          x509.ExtendedKeyUsage.serverAuth,
          x509.ExtendedKeyUsage.clientAuth,
        ]),
        new x509.SubjectAlternativeNameExtension([
          { type: 'url', value: nodeUri(p.identity) },
          { type: 'dns', value: nodeDnsName(p.identity) },
        ]),
        new x509.SubjectKeyIdentifierExtension(await subjectKeyId(p.publicKey)),
        new x509.AuthorityKeyIdentifierExtension(p.issuer.keyId),
      ],
    },
    crypto,
  );
}

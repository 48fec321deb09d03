import type { SecureContextOptions } from 'node:tls';
import type { TlsPrivateKey } from './key-store/KeyStore.ts';

/**
 * TLS settings that match the PKI (R9), for the transport to spread into `tls.createServer` /
 * `tls.connect` options:
 *
 * - TLS 1.3 only: every connection runs a fresh (EC)DHE exchange, so each has its own session
 *   keys, discarded when it ends (R9's "fresh symmetric session key").
 * - Cipher suites AES-GCM only (CRYPTREC e-Government recommended ciphers; ChaCha20-Poly1305 is
 *   not on that list), key exchange on P-256 / P-384, signatures ECDSA P-256 / SHA-256 (the
 *   certificates are all P-256).
 */
export const TLS_PROFILE = {
  minVersion: 'TLSv1.3',
  maxVersion: 'TLSv1.3',
  // node:tls takes TLS 1.3 suites in `ciphers`; with TLS 1.3 only, these are all there are.
  ciphers: 'TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256',
  ecdhCurve: 'P-256:P-384',
  sigalgs: 'ecdsa_secp256r1_sha256',
} as const satisfies SecureContextOptions;

/**
 * What a node needs for mutual TLS: its certificate and key, the CA, the current CRL. The key is
 * either its PEM (`keyPem`: a freshly issued certificate, tests) or what its key store's handle
 * gives node:tls (`tlsKey`: `{ key }` from a file, an engine reference from an HSM), which is
 * how an installed bundle is read (`readNodeBundle`).
 */
export type NodeTlsCredentials = {
  readonly certPem: string;
  readonly caPem: string;
  readonly crlPem: string;
} & (
  | { readonly keyPem: string; readonly tlsKey?: undefined }
  | { readonly tlsKey: TlsPrivateKey; readonly keyPem?: undefined }
);

/**
 * node:tls secure-context options for a node: own certificate and key, trust only the network CA
 * (not the system roots), and check revocation against the CRL (node:tls then checks every
 * certificate of the chain and refuses all peers once the CRL is past its nextUpdate: refresh
 * it). Combine with `requestCert: true, rejectUnauthorized: true` on the server and
 * `rejectUnauthorized: true` on the client.
 */
export function nodeSecureContextOptions(c: NodeTlsCredentials): SecureContextOptions {
  const key: TlsPrivateKey = c.tlsKey === undefined ? { key: c.keyPem } : c.tlsKey;
  return { ...TLS_PROFILE, cert: c.certPem, ...key, ca: c.caPem, crl: c.crlPem };
}

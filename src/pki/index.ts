/**
 * The network's PKI (R9, R11; docs/PKI.md): node identities, the CA, node certificates,
 * revocation and CRLs, key stores, the on-disk layout used by `juki pki`, and the TLS settings
 * that go with them. Import from here.
 */
export {
  NODE_ROLES,
  NATIONAL_SERVER_CODE,
  NODE_URI_PREFIX,
  NODE_DNS_DOMAIN,
  isNodeRole,
  nodeIdentityProblem,
  parseNodeIdentity,
  formatNodeName,
  parseNodeName,
  nodeUri,
  parseNodeUri,
  nodeSlug,
  nodeDnsName,
  sameNode,
  prefectureCodeOfNode,
  type NodeRole,
  type NodeIdentity,
} from './NodeIdentity.ts';
export { assertNodeIdentityInTable } from './node-identity-table.ts';
export { nodeIdentityFromCertificate } from './node-identity-from-certificate.ts';
export {
  CLOCK_SKEW_MS,
  NODE_VALIDITY_DAYS,
  CA_VALIDITY_YEARS,
  CRL_VALIDITY_HOURS,
  REVOCATION_REASONS,
  isRevocationReason,
  parseRevocationReason,
  type RevocationReason,
} from './certificate-profile.ts';
export {
  createNetworkCa,
  loadNetworkCa,
  type CreateNetworkCaOptions,
  type LoadNetworkCaOptions,
} from './create-network-ca.ts';
export {
  NetworkCa,
  type CaState,
  type IssueOptions,
  type RevokeOptions,
  type CrlOptions,
  type IssuedCertificate,
  type NodeCertificate,
} from './network-ca.ts';
export { readCrl, verifyCrlSignature, type CrlSummary } from './build-crl.ts';
export { checkCrlUpdate, compareCrlAge } from './crl-check.ts';
export { normalizeSerialNumber } from './serial-number.ts';
export { createTestPki, type TestPki } from './test-pki.ts';
export { TLS_PROFILE, nodeSecureContextOptions, type NodeTlsCredentials } from './tls-profile.ts';
export type { KeyHandle, KeyStore, TlsPrivateKey } from './key-store/KeyStore.ts';
export { FileKeyStore, readPrivateKeyFile } from './key-store/file-key-store.ts';
export { MemoryKeyStore } from './key-store/memory-key-store.ts';
export {
  PkiDirectory,
  DEFAULT_PKI_DIR,
  type InitOptions,
  type IssuedNodeFiles,
  type NodeBundlePaths,
} from './pki-directory.ts';

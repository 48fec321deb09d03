import type { RevocationReason } from './certificate-profile.ts';
import { createNetworkCa, type CreateNetworkCaOptions } from './create-network-ca.ts';
import { type IssueOptions, type NetworkCa, type NodeCertificate } from './network-ca.ts';
import { parseNodeName, type NodeIdentity } from './NodeIdentity.ts';
import type { NodeTlsCredentials } from './tls-profile.ts';

/**
 * An in-memory PKI for tests and the test harness: a CA made in a few milliseconds, node
 * certificates issued by name (`cs:131016`), revocation, and TLS credentials that always carry
 * the CA's current CRL. Nothing touches the disk.
 */
export type TestPki = {
  readonly ca: NetworkCa;
  readonly caPem: string;
  /** Issues a certificate (fresh key) for a node given as `role:code` or an identity. */
  issue(node: string | NodeIdentity, options?: IssueOptions): Promise<NodeCertificate>;
  revoke(serial: string, reason?: RevocationReason): Promise<void>;
  /** The current CRL. */
  crlPem(): string;
  /** Certificate, key, CA and current CRL of an issued node certificate, for node:tls. */
  credentials(cert: NodeCertificate): NodeTlsCredentials;
};

export async function createTestPki(options: CreateNetworkCaOptions = {}): Promise<TestPki> {
  const ca = await createNetworkCa(options);
  return {
    ca,
    caPem: ca.certificatePem,
    issue: (node, issueOptions) =>
      ca.issue(typeof node === 'string' ? parseNodeName(node) : node, issueOptions),
    revoke: async (serial, reason) => {
      await ca.revoke(serial, reason === undefined ? {} : { reason });
    },
    crlPem: () => ca.crlPem,
    credentials: (cert) => ({
      certPem: cert.certPem,
      keyPem: cert.keyPem,
      caPem: ca.certificatePem,
      crlPem: ca.crlPem,
    }),
  };
}

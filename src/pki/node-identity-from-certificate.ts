import { X509Certificate } from 'node:crypto';
import { RegistryError } from '../domain/errors.ts';
import {
  formatNodeName,
  NODE_URI_PREFIX,
  nodeDnsName,
  parseNodeUri,
  type NodeIdentity,
} from './NodeIdentity.ts';

const fail = (message: string, reason: string): RegistryError =>
  new RegistryError('invalid', `certificate: ${message}`, reason);

/**
 * The node a certificate names. The SAN URI `urn:jukinet:node:<role>:<code>` is authoritative;
 * the subject CN must say the same `<role>:<code>`, the OU the role, and every DNS name must be
 * `<role>-<code>.jukinet.invalid`. A CA certificate names no node.
 *
 * This reads names only: that the certificate chains to the network CA, is in date and is not
 * revoked is node:tls's job (see pki-tls.int.test.ts), so call this on the peer certificate of
 * an authorised TLS socket (`socket.getPeerCertificate().raw`).
 *
 * Uses node:crypto's native X.509 parser (tens of microseconds; it runs on every connection).
 * Throws RegistryError('invalid', …) with reason `pki.certificate.{unparsable, is-ca,
 * no-node-uri, several-node-uris, name-mismatch}` or `node-identity.*`.
 */
export function nodeIdentityFromCertificate(pemOrDer: string | Uint8Array): NodeIdentity {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(typeof pemOrDer === 'string' ? pemOrDer : Buffer.from(pemOrDer));
  } catch {
    throw fail('not an X.509 certificate (PEM or DER)', 'pki.certificate.unparsable');
  }
  if (cert.ca) throw fail('a CA certificate names no node', 'pki.certificate.is-ca');

  // node:crypto lists SAN entries as `URI:…, DNS:…`; a value with special characters would be
  // quoted, and then fail the strict node-URI parse below, as it should.
  const san = (cert.subjectAltName ?? '').split(', ').filter((e) => e !== '');
  const uris = san.filter((e) => e.startsWith(`URI:${NODE_URI_PREFIX}`));
  if (uris.length === 0) {
    throw fail(`no ${NODE_URI_PREFIX}… name in subjectAltName`, 'pki.certificate.no-node-uri');
  }
  if (uris.length > 1) {
    throw fail('several node names in subjectAltName', 'pki.certificate.several-node-uris');
  }
  const identity = parseNodeUri(uris[0]!.slice('URI:'.length));

  const name = formatNodeName(identity);
  const subject = cert.subject.split('\n');
  const cn = subject.filter((l) => l.startsWith('CN='));
  const ou = subject.filter((l) => l.startsWith('OU='));
  if (cn.length !== 1 || cn[0] !== `CN=${name}`) {
    throw fail(
      `subject CN does not match the SAN node name ${name}`,
      'pki.certificate.name-mismatch',
    );
  }
  if (ou.length !== 1 || ou[0] !== `OU=${identity.role}`) {
    throw fail(
      `subject OU does not match the role ${identity.role}`,
      'pki.certificate.name-mismatch',
    );
  }
  const dns = san.filter((e) => e.startsWith('DNS:'));
  if (dns.some((d) => d !== `DNS:${nodeDnsName(identity)}`)) {
    throw fail(
      `a DNS name does not match ${nodeDnsName(identity)}`,
      'pki.certificate.name-mismatch',
    );
  }
  return identity;
}

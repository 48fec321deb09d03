import { X509Certificate } from 'node:crypto';
import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import { readCrl, verifyCrlSignature } from '../pki/build-crl.ts';
import { nodeIdentityFromCertificate } from '../pki/node-identity-from-certificate.ts';
import { normalizeSerialNumber } from '../pki/serial-number.ts';

const refuse = (reason: string, message: string): RegistryError =>
  new RegistryError('forbidden', `受領者の証明書: ${message}`, reason);

/**
 * Before a media file is sealed to a certificate (R22), the providing node checks that it is the
 * recipient's own: issued by the network CA this node trusts, in date, not on the CRL, and naming
 * the node the register records for the recipient (`agency:mhlw-pension`). A recipient without a
 * node on the network has no such certificate: its files are sealed with a password. Throws
 * RegistryError('forbidden', …) with reason `media.certificate-untrusted`, `-expired`,
 * `-revoked`, `-recipient`; `invalid` / `media.certificate` when it is not a certificate.
 */
export async function checkRecipientCertificate(
  certificatePem: string,
  trust: { readonly caPem: string; readonly crlPem: string },
  recipient: { readonly id: string; readonly node?: NodeRef | undefined },
  now: Date,
): Promise<void> {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificatePem);
  } catch {
    throw new RegistryError(
      'invalid',
      '受領者の証明書を読めません (not an X.509 certificate)',
      'media.certificate',
    );
  }
  const ca = new X509Certificate(trust.caPem);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey))
    throw refuse(
      'media.certificate-untrusted',
      'ネットワーク CA が発行したものではありません (not issued by the network CA)',
    );
  if (now < new Date(cert.validFrom) || now > new Date(cert.validTo))
    throw refuse(
      'media.certificate-expired',
      `有効期間外です (valid ${cert.validFrom} – ${cert.validTo})`,
    );
  if (!(await verifyCrlSignature(trust.crlPem, trust.caPem)))
    throw refuse(
      'media.certificate-untrusted',
      '失効リストの署名が不正です (the CRL is not the CA’s)',
    );
  const serial = normalizeSerialNumber(cert.serialNumber);
  if (readCrl(trust.crlPem).revoked.some((r) => normalizeSerialNumber(r.serial) === serial))
    throw refuse('media.certificate-revoked', '失効しています (revoked)');
  if (recipient.node === undefined)
    throw refuse(
      'media.certificate-recipient',
      `提供先 ${recipient.id} はネットワーク上のノードを持ちません: パスワードで暗号化してください (the recipient has no node certificate: seal with a password)`,
    );
  const named = nodeIdentityFromCertificate(certificatePem);
  if (named.role !== recipient.node.role || named.code !== recipient.node.code)
    throw refuse(
      'media.certificate-recipient',
      `証明書は ${nodeName(named)} のもので、提供先 ${recipient.id} (${nodeName(recipient.node)}) のものではありません (the certificate names another node)`,
    );
}

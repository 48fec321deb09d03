import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../domain/errors.ts';
import { generateKeyPair } from './build-certificates.ts';
import { x509Signing } from './key-signer.ts';
import { nodeIdentityFromCertificate } from './node-identity-from-certificate.ts';
import { parseNodeName } from './NodeIdentity.ts';
import { createTestPki, type TestPki } from './test-pki.ts';
import { SIGNING_ALGORITHM, x509 } from './x509.ts';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
});

const reasonOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof RegistryError) return e.reason;
    throw e;
  }
  return undefined;
};

/** A certificate signed by the test CA with whatever names a forger would like. */
async function forged(
  subject: string,
  san: { type: 'url' | 'dns'; value: string }[],
): Promise<string> {
  const keys = await generateKeyPair();
  const { signingKey, crypto } = x509Signing(pki.ca.signer);
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: '01',
      subject,
      issuer: pki.ca.certificate.subjectName,
      publicKey: keys.publicKey,
      signingKey,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [new x509.SubjectAlternativeNameExtension(san)],
    },
    crypto,
  );
  return cert.toString('pem');
}

describe('nodeIdentityFromCertificate', () => {
  it('R9: reads back the role and code of every role, from PEM and from DER', async () => {
    for (const name of [
      'cs:131016',
      'prefecture:13',
      'national:jlis',
      'agency:mhlw-pension',
      'switch:east-1',
    ]) {
      const issued = await pki.issue(name);
      expect(nodeIdentityFromCertificate(issued.certPem)).toEqual(parseNodeName(name));
      const der = new X509Certificate(issued.certPem).raw;
      expect(nodeIdentityFromCertificate(der)).toEqual(parseNodeName(name));
    }
  });

  it('R9: refuses a certificate whose CN or OU disagrees with its SAN URI', async () => {
    const uri = { type: 'url' as const, value: 'urn:jukinet:node:cs:131016' };
    expect(reasonOf(() => nodeIdentityFromCertificate('x'))).toBe('pki.certificate.unparsable');
    const cnMismatch = await forged('CN=cs:131024, OU=cs, O=jukinet', [uri]);
    expect(reasonOf(() => nodeIdentityFromCertificate(cnMismatch))).toBe(
      'pki.certificate.name-mismatch',
    );
    const ouMismatch = await forged('CN=cs:131016, OU=national, O=jukinet', [uri]);
    expect(reasonOf(() => nodeIdentityFromCertificate(ouMismatch))).toBe(
      'pki.certificate.name-mismatch',
    );
    const twoCn = await forged('CN=cs:131016, CN=national:jlis, OU=cs, O=jukinet', [uri]);
    expect(reasonOf(() => nodeIdentityFromCertificate(twoCn))).toBe(
      'pki.certificate.name-mismatch',
    );
    const dnsMismatch = await forged('CN=cs:131016, OU=cs, O=jukinet', [
      uri,
      { type: 'dns', value: 'national-jlis.jukinet.invalid' },
    ]);
    expect(reasonOf(() => nodeIdentityFromCertificate(dnsMismatch))).toBe(
      'pki.certificate.name-mismatch',
    );
  });

  it('R9: refuses a certificate with no node URI, two of them, or a malformed one', async () => {
    const none = await forged('CN=cs:131016, OU=cs, O=jukinet', [
      { type: 'dns', value: 'cs-131016.jukinet.invalid' },
    ]);
    expect(reasonOf(() => nodeIdentityFromCertificate(none))).toBe('pki.certificate.no-node-uri');
    const two = await forged('CN=cs:131016, OU=cs, O=jukinet', [
      { type: 'url', value: 'urn:jukinet:node:cs:131016' },
      { type: 'url', value: 'urn:jukinet:node:national:jlis' },
    ]);
    expect(reasonOf(() => nodeIdentityFromCertificate(two))).toBe(
      'pki.certificate.several-node-uris',
    );
    const bad = await forged('CN=cs:131017, OU=cs, O=jukinet', [
      { type: 'url', value: 'urn:jukinet:node:cs:131017' },
    ]);
    expect(reasonOf(() => nodeIdentityFromCertificate(bad))).toBe('node-identity.check-digit');
  });

  it('R9: the CA certificate names no node', () => {
    expect(reasonOf(() => nodeIdentityFromCertificate(pki.caPem))).toBe('pki.certificate.is-ca');
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../domain/errors.ts';
import type { NodeRef } from '../domain/network/NodeRef.ts';
import { createTestPki, type TestPki } from '../pki/test-pki.ts';
import { checkRecipientCertificate } from './media-certificate.ts';

const PENSION: { id: string; node: NodeRef } = {
  id: 'mhlw-pension',
  node: { role: 'agency', code: 'mhlw-pension' },
};

describe('R22: the certificate a media file is sealed to', () => {
  let pki: TestPki;
  let foreign: TestPki;
  beforeAll(async () => {
    pki = await createTestPki();
    foreign = await createTestPki();
  });
  const trust = () => ({ caPem: pki.caPem, crlPem: pki.crlPem() });
  const reasonOf = (p: Promise<unknown>) =>
    p.then(
      () => 'accepted',
      (e: unknown) => (e instanceof RegistryError ? `${e.code}/${e.reason}` : String(e)),
    );

  it('accepts the recipient’s own node certificate from the network CA', async () => {
    const cert = await pki.issue('agency:mhlw-pension');
    expect(
      await reasonOf(checkRecipientCertificate(cert.certPem, trust(), PENSION, new Date())),
    ).toBe('accepted');
  });

  it('refuses a certificate of another CA, of another node, revoked, expired, or for a recipient without a node', async () => {
    const stranger = await foreign.issue('agency:mhlw-pension');
    expect(
      await reasonOf(checkRecipientCertificate(stranger.certPem, trust(), PENSION, new Date())),
    ).toBe('forbidden/media.certificate-untrusted');
    const other = await pki.issue('agency:mofa-passport');
    expect(
      await reasonOf(checkRecipientCertificate(other.certPem, trust(), PENSION, new Date())),
    ).toBe('forbidden/media.certificate-recipient');
    const revoked = await pki.issue('agency:mhlw-pension');
    await pki.revoke(revoked.serial, 'keyCompromise');
    expect(
      await reasonOf(checkRecipientCertificate(revoked.certPem, trust(), PENSION, new Date())),
    ).toBe('forbidden/media.certificate-revoked');
    const old = await pki.issue('agency:mhlw-pension', {
      validityDays: 1,
      now: new Date(Date.now() - 3 * 86_400_000),
    });
    expect(
      await reasonOf(checkRecipientCertificate(old.certPem, trust(), PENSION, new Date())),
    ).toBe('forbidden/media.certificate-expired');
    const fresh = await pki.issue('agency:mhlw-pension');
    expect(
      await reasonOf(
        checkRecipientCertificate(fresh.certPem, trust(), { id: 'tokyo-governor' }, new Date()),
      ),
    ).toBe('forbidden/media.certificate-recipient');
    expect(await reasonOf(checkRecipientCertificate('junk', trust(), PENSION, new Date()))).toBe(
      'invalid/media.certificate',
    );
  });
});

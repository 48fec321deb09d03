import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { RegistryError } from '../domain/errors.ts';
import { readCrl, verifyCrlSignature } from './build-crl.ts';
import { MemoryKeyStore } from './key-store/memory-key-store.ts';
import { createNetworkCa, loadNetworkCa } from './create-network-ca.ts';
import { parseNodeName } from './NodeIdentity.ts';
import { x509 } from './x509.ts';

const now = new Date('2026-04-01T00:00:00Z');
const cs = parseNodeName('cs:131016');

async function reasonOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RegistryError) return `${e.code}/${e.reason}`;
    throw e;
  }
  return undefined;
}

describe('network CA', () => {
  it('R9: is a self-signed ECDSA P-256 / SHA-256 root that may sign node certificates only', async () => {
    const ca = await createNetworkCa({ now, commonName: 'test network CA', organization: 'J-LIS' });
    const native = new X509Certificate(ca.certificatePem);
    expect(native.ca).toBe(true);
    expect(native.subject).toBe('CN=test network CA\nO=J-LIS');
    expect(native.issuer).toBe(native.subject);
    expect(native.verify(native.publicKey)).toBe(true);
    expect(native.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(new Date(native.validTo).toISOString()).toBe('2036-04-01T00:00:00.000Z');

    const cert = new x509.X509Certificate(ca.certificatePem);
    expect(cert.signatureAlgorithm).toMatchObject({ name: 'ECDSA', hash: { name: 'SHA-256' } });
    const bc = cert.getExtension(x509.BasicConstraintsExtension)!;
    expect([bc.ca, bc.pathLength, bc.critical]).toEqual([true, 0, true]);
    const ku = cert.getExtension(x509.KeyUsagesExtension)!;
    expect(ku.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(ku.critical).toBe(true);
    expect(cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toBe(ca.keyId);
  });

  it('R9: refuses a CA validity over 20 years', async () => {
    expect(await reasonOf(createNetworkCa({ validityYears: 30 }))).toBe(
      'invalid/pki.validity.out-of-range',
    );
  });

  it('R9: issues a node certificate with the network profile and a fresh key', async () => {
    const ca = await createNetworkCa({ now });
    const issued = await ca.issue(cs, { now });
    const native = new X509Certificate(issued.certPem);
    expect(native.subject).toBe('CN=cs:131016\nOU=cs\nO=jukinet');
    expect(native.subjectAltName).toBe(
      'URI:urn:jukinet:node:cs:131016, DNS:cs-131016.jukinet.invalid',
    );
    expect(native.ca).toBe(false);
    expect(native.checkIssued(new X509Certificate(ca.certificatePem))).toBe(true);
    expect(native.verify(new X509Certificate(ca.certificatePem).publicKey)).toBe(true);
    expect(native.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']); // extKeyUsage
    expect(native.serialNumber.toLowerCase()).toBe(issued.serial);
    expect(new Date(native.validTo)).toEqual(issued.notAfter);
    // First byte 0x01–0x7f (positive, minimal DER), then 15 random bytes.
    expect(issued.serial).toMatch(/^(0[1-9a-f]|[1-7][0-9a-f])[0-9a-f]{30}$/);
    expect(issued.notBefore.toISOString()).toBe('2026-03-31T23:55:00.000Z');
    expect(issued.notAfter.toISOString()).toBe('2027-05-03T00:00:00.000Z');

    const cert = new x509.X509Certificate(issued.certPem);
    const bc = cert.getExtension(x509.BasicConstraintsExtension)!;
    expect([bc.ca, bc.critical]).toEqual([false, true]);
    expect(cert.getExtension(x509.KeyUsagesExtension)!.usages).toBe(
      x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement,
    );
    expect(cert.getExtension(x509.AuthorityKeyIdentifierExtension)!.keyId).toBe(ca.keyId);

    // The key handed out is the certificate's key, and a second certificate gets another.
    const publicOfKey = createPrivateKey(issued.keyPem).export({ format: 'jwk' });
    const publicOfCert = native.publicKey.export({ format: 'jwk' });
    expect([publicOfKey.x, publicOfKey.y]).toEqual([publicOfCert.x, publicOfCert.y]);
    const renewed = await ca.issue(cs, { now });
    expect(renewed.serial).not.toBe(issued.serial);
    expect(new X509Certificate(renewed.certPem).publicKey.equals(native.publicKey)).toBe(false);
    expect(ca.certificates().map((c) => c.serial)).toEqual([issued.serial, renewed.serial]);
  });

  it('R9: keeps the private key out of JSON, logs and spreads', async () => {
    const ca = await createNetworkCa();
    const issued = await ca.issue(cs);
    expect(issued.keyPem).toContain('BEGIN PRIVATE KEY');
    expect(JSON.stringify(issued)).not.toContain('PRIVATE KEY');
    expect(JSON.stringify({ ...issued })).not.toContain('PRIVATE KEY');
    expect(Object.keys(issued)).not.toContain('keyPem');
  });

  it('R9: refuses an invalid node, a validity over 825 days, or one beyond the CA', async () => {
    const ca = await createNetworkCa({ now, validityYears: 1 });
    expect(await reasonOf(ca.issue({ role: 'cs', code: '131017' }))).toBe(
      'invalid/node-identity.check-digit',
    );
    expect(await reasonOf(ca.issue(cs, { now, validityDays: 826 }))).toBe(
      'invalid/pki.validity.out-of-range',
    );
    expect(await reasonOf(ca.issue(cs, { now, validityDays: 397 }))).toBe(
      'invalid/pki.validity.beyond-ca',
    );
    expect(ca.certificates()).toEqual([]);
  });

  it('R9: issues a key and certificate in a few milliseconds', async () => {
    const ca = await createNetworkCa();
    await ca.issue(cs); // warm-up
    const started = performance.now();
    for (let i = 0; i < 20; i++) await ca.issue(cs);
    const perCertificate = (performance.now() - started) / 20;
    // Measured ~4–5 ms on the project's 2-core machine; the bound only catches a regression.
    expect(perCertificate).toBeLessThan(50);
  });
});

describe('revocation and CRL', () => {
  it('R11: a new CA publishes an empty CRL number 1 signed by itself, valid one day', async () => {
    const ca = await createNetworkCa({ now });
    const crl = readCrl(ca.crlPem);
    expect(ca.crlPem).toMatch(/^-----BEGIN X509 CRL-----\n/);
    expect(crl).toMatchObject({ crlNumber: 1, revoked: [] });
    expect(crl.thisUpdate.toISOString()).toBe('2026-03-31T23:55:00.000Z');
    expect(crl.nextUpdate?.toISOString()).toBe('2026-04-02T00:00:00.000Z');
    expect(await verifyCrlSignature(ca.crlPem, ca.certificatePem)).toBe(true);
  });

  it('R11: revoking lists the serial with its reason under the next CRL number', async () => {
    const ca = await createNetworkCa({ now });
    const a = await ca.issue(cs, { now });
    const b = await ca.issue(parseNodeName('prefecture:13'), { now });
    const later = new Date('2026-04-02T00:00:00Z');
    const revoked = await ca.revoke(a.serial.toUpperCase(), {
      reason: 'keyCompromise',
      now: later,
    });
    expect(revoked).toMatchObject({ serial: a.serial, revokedAt: later, reason: 'keyCompromise' });
    await ca.revoke(b.serial, { now: later }); // unspecified: no reason code (RFC 5280)
    const crl = readCrl(ca.crlPem);
    expect(crl.crlNumber).toBe(3);
    expect(crl.revoked).toEqual([
      { serial: a.serial, revokedAt: later, reason: 'keyCompromise' },
      { serial: b.serial, revokedAt: later, reason: undefined },
    ]);
    expect(await verifyCrlSignature(ca.crlPem, ca.certificatePem)).toBe(true);
    await ca.refreshCrl({ now: later, validityHours: 48 });
    expect(readCrl(ca.crlPem)).toMatchObject({ crlNumber: 4 });
    expect(readCrl(ca.crlPem).revoked).toHaveLength(2);
  });

  it('R11: refuses to revoke an unknown serial or one already revoked, and keeps the CRL', async () => {
    const ca = await createNetworkCa();
    const a = await ca.issue(cs);
    expect(await reasonOf(ca.revoke('7fffffffffffffffffffffffffffffff'))).toBe(
      'not-found/pki.revocation.unknown-serial',
    );
    expect(await reasonOf(ca.revoke('not-hex'))).toBe('invalid/pki.serial.malformed');
    await ca.revoke(a.serial);
    const crlBefore = ca.crlPem;
    expect(await reasonOf(ca.revoke(a.serial))).toBe('conflict/pki.revocation.already-revoked');
    expect(ca.crlPem).toBe(crlBefore);
  });

  it('R11: cutting a node off revokes all its valid certificates at once', async () => {
    const ca = await createNetworkCa({ now });
    const first = await ca.issue(cs, { now });
    const second = await ca.issue(cs, { now });
    const other = await ca.issue(parseNodeName('cs:131024'), { now });
    const revoked = await ca.revokeNode(cs, { reason: 'privilegeWithdrawn', now });
    expect(revoked.map((r) => r.serial)).toEqual([first.serial, second.serial]);
    expect(readCrl(ca.crlPem)).toMatchObject({ crlNumber: 2 });
    expect(ca.findCertificate(other.serial)?.revokedAt).toBeUndefined();
    expect(await reasonOf(ca.revokeNode(cs, { now }))).toBe(
      'not-found/pki.revocation.no-active-certificate',
    );
  });

  it('R9: a CA reloaded from its key store and state goes on where it stopped', async () => {
    const keyStore = new MemoryKeyStore();
    const ca = await createNetworkCa({ keyStore, keyId: 'ca' });
    const a = await ca.issue(cs);
    await ca.revoke(a.serial);
    const reloaded = await loadNetworkCa({
      certificatePem: ca.certificatePem,
      keyStore,
      keyId: 'ca',
      state: ca.snapshot(),
    });
    expect(reloaded.keyId).toBe(ca.keyId);
    await reloaded.refreshCrl();
    expect(readCrl(reloaded.crlPem).crlNumber).toBe(3);
    expect(await verifyCrlSignature(reloaded.crlPem, ca.certificatePem)).toBe(true);
  });

  it('R9: refuses to load a CA with a key that is not its own', async () => {
    const keyStore = new MemoryKeyStore();
    const ca = await createNetworkCa();
    await createNetworkCa({ keyStore, keyId: 'other' });
    expect(
      await reasonOf(
        loadNetworkCa({
          certificatePem: ca.certificatePem,
          keyStore,
          keyId: 'other',
          state: ca.snapshot(),
        }),
      ),
    ).toBe('invalid/pki.ca.key-mismatch');
  });
});

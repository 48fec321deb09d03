import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryError } from '../domain/errors.ts';
import { readCrl } from './build-crl.ts';
import { nodeIdentityFromCertificate } from './node-identity-from-certificate.ts';
import { parseNodeName } from './NodeIdentity.ts';
import { PkiDirectory } from './pki-directory.ts';

let root: string;
let dir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'juki-pki-'));
  dir = join(root, 'pki');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;
const cs = parseNodeName('cs:131016');

async function failure(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RegistryError) return e;
    throw e;
  }
  throw new Error('expected a RegistryError');
}

describe('PkiDirectory', () => {
  it('R9: init lays out the CA with its key 0600 in 0700 directories', async () => {
    const { pki, ca } = await PkiDirectory.init(dir, { commonName: 'test CA' });
    const p = pki.paths;
    expect(await modeOf(dir)).toBe(0o700);
    expect(await modeOf(p.caDir)).toBe(0o700);
    expect(await modeOf(p.caKey)).toBe(0o600);
    expect(await readFile(p.caCertificate, 'utf8')).toBe(ca.certificatePem);
    expect(readCrl(await readFile(p.crl, 'utf8')).crlNumber).toBe(1);
    const index = JSON.parse(await readFile(p.index, 'utf8')) as Record<string, unknown>;
    expect(index).toMatchObject({
      format: 'jukinet-pki-index',
      version: 1,
      crlNumber: 1,
      certificates: [],
    });
    expect(await readdir(dir)).not.toContain('.lock');
  });

  it('R9: init twice is refused and leaves the existing CA byte for byte', async () => {
    const { pki } = await PkiDirectory.init(dir);
    const before = await Promise.all(
      [pki.paths.caCertificate, pki.paths.caKey, pki.paths.index].map((f) => readFile(f)),
    );
    const e = await failure(PkiDirectory.init(dir));
    expect([e.code, e.reason]).toEqual(['conflict', 'pki.ca-exists']);
    const after = await Promise.all(
      [pki.paths.caCertificate, pki.paths.caKey, pki.paths.index].map((f) => readFile(f)),
    );
    expect(after).toEqual(before);
  });

  it('R9: init with force retires the old CA instead of deleting it', async () => {
    const first = await PkiDirectory.init(dir);
    await first.pki.issue(cs);
    const now = new Date('2026-04-01T00:00:00Z');
    const second = await PkiDirectory.init(dir, { force: true, now });
    expect(second.ca.serial).not.toBe(first.ca.serial);
    const retired = join(dir, 'retired', '2026-04-01T00-00-00-000Z');
    expect((await readdir(retired)).sort()).toEqual(['ca', 'certs', 'index.json', 'nodes']);
    expect(await readFile(join(retired, 'ca', 'ca.crt'), 'utf8')).toBe(first.ca.certificatePem);
    expect(await second.pki.list()).toEqual([]);
  });

  it('R9: issue writes the node bundle and records the certificate; renewal adds another', async () => {
    const { pki, ca } = await PkiDirectory.init(dir);
    const first = await pki.issue(cs);
    const files = first.files;
    expect(files.dir).toBe(join(dir, 'nodes', 'cs-131016'));
    expect(await modeOf(files.dir)).toBe(0o700);
    expect(await modeOf(files.key)).toBe(0o600);
    expect(await readFile(files.caCertificate, 'utf8')).toBe(ca.certificatePem);
    expect(nodeIdentityFromCertificate(await readFile(files.certificate, 'utf8'))).toEqual(cs);
    expect(await readFile(join(dir, 'certs', `${first.serial}.crt`), 'utf8')).toBe(
      await readFile(files.certificate, 'utf8'),
    );
    const second = await pki.issue(cs, { validityDays: 30 });
    expect((await pki.list()).map((c) => c.serial)).toEqual([first.serial, second.serial]);
    const credentials = await pki.nodeCredentials(cs);
    expect(credentials.certPem).toBe(
      await readFile(join(dir, 'certs', `${second.serial}.crt`), 'utf8'),
    );
    expect(credentials.keyPem).toBeUndefined(); // the key comes as its store's handle gives it to node:tls
    const tlsKey = credentials.tlsKey;
    expect(tlsKey !== undefined && 'key' in tlsKey && tlsKey.key).toContain('BEGIN PRIVATE KEY');
  });

  it('R11: revoke records the revocation and sends the new CRL to the CA and every node bundle', async () => {
    const { pki } = await PkiDirectory.init(dir);
    const a = await pki.issue(cs);
    const b = await pki.issue(parseNodeName('prefecture:13'));
    const result = await pki.revoke(a.serial, { reason: 'keyCompromise' });
    expect(result.crlNumber).toBe(2);
    expect(result.revoked.map((r) => [r.serial, r.reason])).toEqual([[a.serial, 'keyCompromise']]);
    for (const crlFile of [pki.paths.crl, a.files.crl, b.files.crl]) {
      const crl = readCrl(await readFile(crlFile, 'utf8'));
      expect(crl.crlNumber).toBe(2);
      expect(crl.revoked.map((r) => r.serial)).toEqual([a.serial]);
    }
    expect((await pki.list()).find((c) => c.serial === a.serial)?.reason).toBe('keyCompromise');
    const refreshed = await pki.refreshCrl({ validityHours: 48 });
    expect(refreshed.crlNumber).toBe(3);
    expect(readCrl(await readFile(b.files.crl, 'utf8')).crlNumber).toBe(3);
  });

  it('R11: revoking an unknown serial changes nothing', async () => {
    const { pki } = await PkiDirectory.init(dir);
    await pki.issue(cs);
    const before = await readFile(pki.paths.index, 'utf8');
    const e = await failure(pki.revoke('7fffffffffffffffffffffffffffffff'));
    expect([e.code, e.reason]).toEqual(['not-found', 'pki.revocation.unknown-serial']);
    expect(await readFile(pki.paths.index, 'utf8')).toBe(before);
  });

  it('R9: concurrent issues are serialised by the lock and all recorded', async () => {
    const { pki } = await PkiDirectory.init(dir);
    const issued = await Promise.all(
      ['cs:131016', 'cs:131024', 'cs:131032', 'prefecture:13'].map((n) =>
        pki.issue(parseNodeName(n)),
      ),
    );
    expect((await pki.list()).map((c) => c.serial).sort()).toEqual(
      issued.map((i) => i.serial).sort(),
    );
  });

  it('R9: opening a directory without a CA says how to make one', async () => {
    const e = await failure(PkiDirectory.open(dir));
    expect([e.code, e.reason]).toEqual(['not-found', 'pki.not-initialized']);
    expect(e.message).toContain('juki pki init');
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NewCredential } from './credential-records.ts';
import { openCredentialStore } from './open-credential-store.ts';
import type { CredentialStore } from './ports.ts';
import { createTestDatabaseOrSkip, storeSelected } from './postgres/test-database.ts';

const T0 = '2026-11-24T10:00:00.000Z';
const T1 = '2026-11-24T10:05:00.000Z';
const T2 = '2026-11-24T10:20:00.000Z';

const token = (id: string, operatorId = 'op-1') => ({
  tokenId: id,
  operatorId,
  secretHash: new Uint8Array(32).fill(7),
  issuedBy: 'admin-1',
  issuedAt: T0,
  expiresAt: '2026-11-24T10:15:00.000Z',
});

const credential = (id: string, over: Partial<NewCredential> = {}): NewCredential => ({
  credentialId: id,
  operatorId: 'op-1',
  publicKey: new Uint8Array([1, 2, 3, 250]),
  counter: 0,
  transports: ['internal', 'usb'],
  createdAt: T1,
  ...over,
});

function describeCredentialStore(name: string, open: () => Promise<CredentialStore>): void {
  describe(name, () => {
    it('R15: a credential is registered only by spending an unused, unexpired token of its operator', async () => {
      const store = await open();
      await store.addEnrollment(token('tok-a'));
      expect(await store.enrollment('tok-a')).toEqual({ ...token('tok-a'), usedAt: undefined });
      // Another operator's token, an unknown token: nothing written.
      expect(
        await store.registerCredential(credential('c1', { operatorId: 'op-2' }), 'tok-a'),
      ).toBe(false);
      expect(await store.registerCredential(credential('c1'), 'no-such')).toBe(false);
      expect(await store.registerCredential(credential('c1'), 'tok-a')).toBe(true);
      expect((await store.enrollment('tok-a'))?.usedAt).toBe(T1);
      // Spent: a second registration with it is refused.
      expect(await store.registerCredential(credential('c2'), 'tok-a')).toBe(false);
      // Expired at the time of registration.
      await store.addEnrollment(token('tok-b'));
      expect(await store.registerCredential(credential('c3', { createdAt: T2 }), 'tok-b')).toBe(
        false,
      );
      expect((await store.enrollment('tok-b'))?.usedAt).toBeUndefined();
      expect(await store.credential('c1')).toEqual({
        ...credential('c1'),
        publicKey: new Uint8Array([1, 2, 3, 250]),
        lastUsedAt: undefined,
      });
      expect(await store.credential('c2')).toBeUndefined();
      expect((await store.credentialsOf('op-1')).map((c) => c.credentialId)).toEqual(['c1']);
      await store.close();
    });

    it('R15: a credential id registered twice is a conflict, and the token stays unspent', async () => {
      const store = await open();
      await store.addEnrollment(token('tok-c'));
      await store.addEnrollment(token('tok-d'));
      expect(await store.registerCredential(credential('dup'), 'tok-c')).toBe(true);
      await expect(store.registerCredential(credential('dup'), 'tok-d')).rejects.toMatchObject({
        code: 'conflict',
        reason: 'webauthn.credential-exists',
      });
      expect((await store.enrollment('tok-d'))?.usedAt).toBeUndefined();
      await store.close();
    });

    it('R15: the sign counter only moves forward (0 stays allowed for counterless keys)', async () => {
      const store = await open();
      await store.addEnrollment(token('tok-e'));
      await store.addEnrollment(token('tok-f'));
      await store.registerCredential(credential('k-counter'), 'tok-e');
      await store.registerCredential(credential('k-zero'), 'tok-f');
      expect(await store.recordUse('k-counter', 5, T1)).toBe(true);
      expect(await store.recordUse('k-counter', 5, T1)).toBe(false);
      expect(await store.recordUse('k-counter', 4, T1)).toBe(false);
      expect(await store.recordUse('k-counter', 6, T2)).toBe(true);
      expect(await store.credential('k-counter')).toMatchObject({ counter: 6, lastUsedAt: T2 });
      expect(await store.recordUse('k-zero', 0, T2)).toBe(true);
      expect(await store.recordUse('unknown', 1, T2)).toBe(false);
      await store.close();
    });

    it('R15, R31: a lost card is revoked once, by its own operator id only, and kept with who, when and why', async () => {
      const store = await open();
      await store.addEnrollment(token('tok-g'));
      await store.addEnrollment(token('tok-h'));
      await store.registerCredential(credential('lost'), 'tok-g');
      await store.registerCredential(credential('kept'), 'tok-h');
      const revocation = { credentialId: 'lost', at: T2, by: 'admin-1', reason: '紛失 / lost' };
      // Another operator's id, an unknown credential: nothing written.
      expect(await store.revokeCredential({ ...revocation, operatorId: 'op-2' })).toBe(false);
      expect(
        await store.revokeCredential({ ...revocation, operatorId: 'op-1', credentialId: 'none' }),
      ).toBe(false);
      expect(await store.credential('lost')).not.toHaveProperty('revoked');
      expect(await store.revokeCredential({ ...revocation, operatorId: 'op-1' })).toBe(true);
      // Once: the first revocation's record stays.
      expect(
        await store.revokeCredential({ ...revocation, operatorId: 'op-1', by: 'security-1' }),
      ).toBe(false);
      expect(await store.credential('lost')).toMatchObject({
        revoked: { at: T2, by: 'admin-1', reason: '紛失 / lost' },
      });
      // The row stays (the record of the card), beside the operator's other card.
      expect(
        (await store.credentialsOf('op-1')).map((c) => [c.credentialId, c.revoked?.by]),
      ).toEqual(
        expect.arrayContaining([
          ['lost', 'admin-1'],
          ['kept', undefined],
        ]),
      );
      await store.close();
    });

    it('R15: login locks are kept, replaced and cleared per operator', async () => {
      const store = await open();
      expect(await store.loginLock('op-1')).toBeUndefined();
      await store.saveLoginLock({
        operatorId: 'op-1',
        failures: 1,
        firstFailureAt: T0,
        lockedUntil: undefined,
      });
      await store.saveLoginLock({
        operatorId: 'op-1',
        failures: 5,
        firstFailureAt: T0,
        lockedUntil: T2,
      });
      expect(await store.loginLock('op-1')).toEqual({
        operatorId: 'op-1',
        failures: 5,
        firstFailureAt: T0,
        lockedUntil: T2,
      });
      await store.clearLoginLock('op-1');
      expect(await store.loginLock('op-1')).toBeUndefined();
      await store.close();
    });
  });
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!storeSelected('sqlite'))('SQLite', () => {
  describeCredentialStore('SqliteCredentialStore', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jukinet-credentials-'));
    dirs.push(dir);
    return openCredentialStore(`sqlite:${join(dir, 'node.sqlite')}`);
  });
});

const database = storeSelected('postgres')
  ? await createTestDatabaseOrSkip('jukinet_credentials')
  : undefined;
afterAll(async () => database?.drop());
let schemas = 0;
describe.skipIf(database === undefined)('PostgreSQL', () => {
  describeCredentialStore('PostgresCredentialStore', () =>
    openCredentialStore(database!.url, { schema: `credentials${++schemas}` }),
  );
});

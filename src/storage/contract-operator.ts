import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryError } from '../domain/errors.ts';
import { BOOTSTRAP, type Grant } from '../domain/operator/operator.ts';
import type { OperatorStore } from './ports.ts';

const T = (n: number) => `2026-11-24T0${n}:00:00.000Z`;

export const contractGrant = (over: Partial<Grant> = {}): Grant => ({
  id: 'admin-1',
  node: 'cs:131016',
  name: '千代田 太郎',
  cardType: 'administrator',
  grantedBy: BOOTSTRAP,
  grantedAt: T(1),
  ...over,
});

const refusal = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    if (e instanceof RegistryError) return `${e.code} ${e.reason}`;
    throw e;
  }
  throw new Error('expected a refusal');
};

/**
 * The contract every OperatorStore passes (SQLite and PostgreSQL): the operator register (R15,
 * R31), its rules checked inside the write, its history append-only (docs/OPERATORS.md).
 */
export function describeOperatorStoreContract(
  name: string,
  open: () => Promise<{ store: OperatorStore; cleanup: () => Promise<void> }>,
): void {
  describe(`OperatorStore contract: ${name}`, () => {
    let store: OperatorStore;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => cleanup());

    const clerk = contractGrant({
      id: 'clerk-1',
      name: '窓口 花子',
      cardType: 'counter-clerk',
      grantedBy: 'admin-1',
      grantedAt: T(2),
    });

    it('R31: bootstraps the first administrator, who then grants; find and list return them', async () => {
      const admin = await store.grant(contractGrant());
      expect(admin).toEqual({ ...contractGrant(), revoked: undefined });
      expect(await store.grant(clerk)).toEqual({ ...clerk, revoked: undefined });
      expect(await store.find('clerk-1')).toEqual({ ...clerk, revoked: undefined });
      expect(await store.find('nobody')).toBeUndefined();
      expect((await store.list({ includeRevoked: false })).map((o) => o.id)).toEqual([
        'admin-1',
        'clerk-1',
      ]);
    });

    it('R31: bootstrap works only on an empty register; later grants need an active administrator of the node', async () => {
      await store.grant(contractGrant());
      expect(await refusal(store.grant(contractGrant({ id: 'admin-2' })))).toBe(
        'forbidden operator.bootstrap-used',
      );
      expect(await refusal(store.grant({ ...clerk, grantedBy: 'nobody' }))).toBe(
        'forbidden operator.not-authorized',
      );
      expect(await refusal(store.grant({ ...clerk, node: 'cs:131024' }))).toBe(
        'forbidden operator.not-authorized',
      );
      await store.grant(clerk);
      expect(await refusal(store.grant({ ...clerk, id: 'clerk-2', grantedBy: 'clerk-1' }))).toBe(
        'forbidden operator.not-authorized',
      );
      expect(await refusal(store.grant({ ...clerk, name: '別人' }))).toBe(
        'conflict operator.exists',
      );
      expect(await store.list({ includeRevoked: true })).toHaveLength(2);
    });

    it('R31: a revoked operator stays revoked, their id is never reused, the history keeps both events', async () => {
      await store.grant(contractGrant());
      await store.grant(clerk);
      const revoked = await store.revoke('clerk-1', 'admin-1', '異動のため', T(3));
      expect(revoked.revoked).toEqual({ by: 'admin-1', reason: '異動のため', at: T(3) });
      expect(await refusal(store.revoke('clerk-1', 'admin-1', 'again', T(4)))).toBe(
        'conflict operator.revoked',
      );
      expect(await refusal(store.grant({ ...clerk, grantedAt: T(4) }))).toBe(
        'conflict operator.revoked',
      );
      expect((await store.list({ includeRevoked: false })).map((o) => o.id)).toEqual(['admin-1']);
      expect((await store.list({ includeRevoked: true })).map((o) => o.id)).toEqual([
        'admin-1',
        'clerk-1',
      ]);
      const events = (await store.history()).map((e) => [
        e.operatorId,
        e.kind,
        e.by,
        e.at,
        e.detail,
      ]);
      expect(events).toEqual([
        ['admin-1', 'granted', BOOTSTRAP, T(1), 'administrator'],
        ['clerk-1', 'granted', 'admin-1', T(2), 'counter-clerk'],
        ['clerk-1', 'revoked', 'admin-1', T(3), '異動のため'],
      ]);
      expect((await store.history({ operatorId: 'clerk-1' })).map((e) => e.kind)).toEqual([
        'granted',
        'revoked',
      ]);
    });

    it('R31: revoked by an administrator or security officer of the node only; never the last administrator', async () => {
      await store.grant(contractGrant());
      await store.grant(clerk);
      await store.grant({ ...clerk, id: 'sec-1', cardType: 'security-officer' });
      expect(await refusal(store.revoke('sec-1', 'clerk-1', 'no', T(3)))).toBe(
        'forbidden operator.not-authorized',
      );
      expect(await refusal(store.revoke('admin-1', 'sec-1', '退職', T(3)))).toBe(
        'forbidden operator.last-administrator',
      );
      expect(await refusal(store.revoke('ghost', 'admin-1', '退職', T(3)))).toBe(
        'not-found operator.unknown',
      );
      expect((await store.revoke('clerk-1', 'sec-1', '不審な操作', T(3))).revoked?.by).toBe(
        'sec-1',
      );
      await store.grant({
        ...contractGrant({ id: 'admin-2', grantedBy: 'admin-1', grantedAt: T(4) }),
      });
      expect((await store.revoke('admin-1', 'admin-2', '退職', T(5))).revoked?.at).toBe(T(5));
      expect(await refusal(store.grant({ ...clerk, id: 'clerk-9', grantedAt: T(6) }))).toBe(
        'forbidden operator.not-authorized',
      );
      expect(await store.history()).toHaveLength(6);
    });

    it('refuses malformed grants before writing anything', async () => {
      expect(await refusal(store.grant(contractGrant({ cardType: 'root' as never })))).toBe(
        'invalid operator.card-type',
      );
      expect(await refusal(store.grant(contractGrant({ name: 'a\tb' })))).toBe(
        'invalid operator.name',
      );
      expect(await refusal(store.grant(contractGrant({ id: 'x', grantedBy: 'x' })))).toBe(
        'forbidden operator.self-grant',
      );
      expect(await store.list({ includeRevoked: true })).toEqual([]);
      expect(await store.history()).toEqual([]);
    });
  });
}

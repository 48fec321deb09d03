import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { IntegrityScope } from '../domain/integrity/IntegrityScope.ts';
import { parseLocalGovernmentCode } from '../domain/local-government/LocalGovernmentCode.ts';
import type { IdentityRecord } from '../domain/resident/IdentityInfo.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import {
  CHIYODA,
  change,
  date,
  individualNumber,
  loadedRecord,
  moveIn,
  person,
  recode,
  residentCode,
  type StoreUnderTest,
} from './contract-fixtures.ts';
import type { IntegrityCheckRecord, RepairRecord } from './integrity-records.ts';
import type { IdentityStore } from './ports.ts';

const CHUO = parseLocalGovernmentCode('13102'); // 東京都中央区: same prefecture, another municipality
const OSAKA_KITA = parseLocalGovernmentCode('27127'); // 大阪市北区: another prefecture
const chiyoda: IntegrityScope = { kind: 'municipality', code: CHIYODA };
const tokyo: IntegrityScope = { kind: 'prefecture', code: '13' };
const at = { today: date('2024-04-01') };

const collect = async (it: AsyncIterable<IdentityRecord>): Promise<string[]> => {
  const out: string[] = [];
  for await (const r of it) out.push(r.residentCode);
  return out;
};

const repairOf = (r: IdentityRecord): RepairRecord => ({
  residentCode: r.residentCode,
  ...(r.individualNumber === undefined ? {} : { individualNumber: r.individualNumber }),
  name: r.name,
  sex: r.sex,
  birthDate: r.birthDate,
  address: r.address,
  localGovernmentCode: r.localGovernmentCode,
  lastChange: r.lastChange,
});

export function checkRecord(overrides: Partial<IntegrityCheckRecord> = {}): IntegrityCheckRecord {
  return {
    checkId: 'chk-1',
    role: 'receiver',
    peer: 'cs:131016',
    scope: chiyoda,
    startedAt: '2024-04-01T01:02:03.456Z',
    finishedAt: '2024-04-01T01:02:09.000Z',
    localCount: 57_999,
    peerCount: 58_000,
    depth: 8,
    matching: false,
    differenceCounts: { missingAtReceiver: 1, extraAtReceiver: 0, differingValues: 2 },
    differences: {
      missingAtReceiver: [residentCode(1)],
      extraAtReceiver: [],
      differingValues: [residentCode(2), residentCode(3)],
    },
    truncated: false,
    bytesSent: 1234,
    bytesReceived: 5678,
    repaired: { inserted: 0, updated: 0, removed: 0, conflicts: 0 },
    ...overrides,
  };
}

/**
 * The integrity-check part of the storage contract (R20, docs/INTEGRITY.md); run from
 * `describeIdentityStoreContract` for every store.
 */
export function describeIntegrityStoreContract(
  name: string,
  makeStore: () => Promise<StoreUnderTest>,
): void {
  describe(`${name}: integrity check (R20)`, () => {
    let sut: StoreUnderTest;
    let store: IdentityStore;
    beforeEach(async () => {
      sut = await makeStore();
      store = sut.store;
    });
    afterEach(async () => {
      await sut.cleanup();
    });

    it('R20: scanScope yields the residents of a municipality or prefecture in code order; removed records are out of scope', async () => {
      const rows = [
        loadedRecord(5),
        loadedRecord(3),
        loadedRecord(9, { localGovernmentCode: CHUO, address: '東京都中央区銀座1番地' }),
        loadedRecord(7, { localGovernmentCode: OSAKA_KITA, address: '大阪府大阪市北区梅田1番地' }),
        loadedRecord(1),
      ];
      await store.loadBatch(rows.map((record, i) => ({ line: i + 1, record })));
      await store.applyChange(change('death', person(1), date('2023-01-01')), at);
      expect(await collect(store.scanScope(chiyoda))).toEqual([residentCode(3), residentCode(5)]);
      expect(await collect(store.scanScope(tokyo))).toEqual([
        residentCode(3),
        residentCode(5),
        residentCode(9),
      ]);
      expect(await store.countScope(chiyoda)).toBe(2);
      expect(await store.countScope(tokyo)).toBe(3);
      expect(await store.countScope({ kind: 'prefecture', code: '27' })).toBe(1);
      // A range: from inclusive, to exclusive.
      expect(
        await collect(
          store.scanScope(tokyo, { fromCode: residentCode(5), toCode: residentCode(9) }),
        ),
      ).toEqual([residentCode(5)]);
      expect(await collect(store.scanScope(tokyo, { fromCode: residentCode(4) }))).toEqual([
        residentCode(5),
        residentCode(9),
      ]);
      const [record] = await collect(store.scanScope(chiyoda, { toCode: residentCode(4) }));
      expect(record).toBe(residentCode(3));
    });

    it('R20: scanScope streams past its page size in order, merges a prefecture’s municipalities, and a scan stopped early leaves the store usable', async () => {
      const n = 4500;
      const places = [CHIYODA, CHUO, parseLocalGovernmentCode('13103')];
      const batch = Array.from({ length: n }, (_, i) => ({
        line: i + 1,
        record: loadedRecord(1000 + i * 7919, {
          individualNumber: undefined,
          localGovernmentCode: places[i % 3]!,
        }),
      }));
      await store.loadBatch(batch);
      const all = await collect(store.scanScope(tokyo));
      expect(all).toHaveLength(n);
      expect(all).toEqual(batch.map((b) => b.record.residentCode).sort());
      const codes = await collect(store.scanScope(chiyoda));
      const inChiyoda = new Set<string>(
        batch
          .filter((b) => b.record.localGovernmentCode === CHIYODA)
          .map((b) => b.record.residentCode),
      );
      expect(codes).toEqual(all.filter((c) => inChiyoda.has(c)));
      expect(codes).toHaveLength(n / 3);
      const middle = await collect(
        store.scanScope(tokyo, { fromCode: all[1000], toCode: all[3000] }),
      );
      expect(middle).toEqual(all.slice(1000, 3000));
      for (const scope of [chiyoda, tokyo]) {
        let seen = 0;
        for await (const _ of store.scanScope(scope)) if (++seen === 10) break;
        expect(seen).toBe(10);
      }
      expect(await store.countScope(tokyo)).toBe(n);
      expect(await store.countScope(chiyoda)).toBe(n / 3);
    });

    it('R20: repairIdentities writes what differs as residents, removes extras, logs each code, invents no history', async () => {
      await store.applyChange(moveIn(person(1), date('2020-04-01')), at); // will be updated
      await store.applyChange(moveIn(person(2), date('2020-04-01')), at); // removed, re-registered
      await store.applyChange(change('move-out', person(2), date('2021-04-01')), at);
      await store.applyChange(moveIn(person(4), date('2020-04-01')), at); // extra: removed
      await store.applyChange(
        moveIn(
          person(5, { localGovernmentCode: CHUO, address: '東京都中央区1番地' }),
          date('2020-04-01'),
        ),
        at,
      ); // resident of another municipality: a conflict
      await store.applyChange(moveIn(person(6), date('2020-04-01')), at);
      await store.applyChange(recode(person(6), residentCode(60), date('2021-04-01')), at); // 6 used
      await store.applyChange(moveIn(person(7), date('2020-04-01')), at); // holds number 7
      const version1 = (await store.getIdentity(residentCode(1))).version;
      const history = await sut.countRows('identity_history');
      await store.recordIntegrityCheck(checkRecord({ checkId: 'chk-r' }));

      const target = (n: number, o: Partial<IdentityRecord> = {}) =>
        repairOf(loadedRecord(n, { address: `東京都千代田区修復${n}番地`, ...o }));
      const report = await store.repairIdentities('chk-r', {
        scope: chiyoda,
        upsert: [
          target(1),
          target(2),
          target(3),
          target(5),
          target(6),
          target(8, { individualNumber: individualNumber(7) }),
          target(9, { localGovernmentCode: OSAKA_KITA }),
        ],
        notResident: [residentCode(4), residentCode(10)],
      });
      expect(report).toEqual({
        inserted: 1,
        updated: 2,
        removed: 1,
        unchanged: 1,
        conflicts: 4,
        conflictCodes: [residentCode(5), residentCode(6), residentCode(8), residentCode(9)],
      });
      const updated = await store.getIdentity(residentCode(1));
      expect(updated).toMatchObject({ address: '東京都千代田区修復1番地', status: 'resident' });
      expect(updated.version).toBe(version1);
      expect(await store.getIdentity(residentCode(2))).toMatchObject({ status: 'resident' });
      expect(await store.getIdentity(residentCode(3))).toMatchObject({
        status: 'resident',
        version: 0,
        lastChange: { reason: 'move-in', date: '2015-04-01' },
      });
      expect(await store.isResidentCodeUsed(residentCode(3))).toBe(true);
      expect((await store.getIdentity(residentCode(4))).status).toBe('removed');
      expect((await store.getIdentity(residentCode(5))).localGovernmentCode).toBe(CHUO);
      expect(await store.findIdentity(residentCode(6))).toBeUndefined();
      expect(await store.findIdentity(residentCode(8))).toBeUndefined();
      expect(await sut.countRows('identity_history')).toBe(history);
      const log = await store.listIntegrityRepairs('chk-r');
      expect(Object.fromEntries(log.map((l) => [l.residentCode, l.action]))).toEqual({
        [residentCode(1)]: 'updated',
        [residentCode(2)]: 'updated',
        [residentCode(3)]: 'inserted',
        [residentCode(4)]: 'removed',
        [residentCode(5)]: 'conflict',
        [residentCode(6)]: 'conflict',
        [residentCode(8)]: 'conflict',
        [residentCode(9)]: 'conflict',
        [residentCode(10)]: 'unchanged',
      });
      expect(log.every((l) => l.checkId === 'chk-r' && /^\d{4}-\d\d-\d\dT/.test(l.at))).toBe(true);
      const [recorded] = await store.listIntegrityChecks(1);
      expect(recorded!.repaired).toEqual({ inserted: 1, updated: 2, removed: 1, conflicts: 4 });

      // Retried under the same check: every code is already logged, nothing changes.
      const again = await store.repairIdentities('chk-r', {
        scope: chiyoda,
        upsert: [target(1, { address: '東京都千代田区別1番地' }), target(3)],
        notResident: [residentCode(4)],
      });
      expect(again).toMatchObject({ inserted: 0, updated: 0, removed: 0, unchanged: 3 });
      expect((await store.getIdentity(residentCode(1))).address).toBe('東京都千代田区修復1番地');
      expect(await store.listIntegrityRepairs('chk-r')).toHaveLength(log.length);
      expect(await store.listIntegrityRepairs('chk-other')).toEqual([]);
    });

    it('R20: recordIntegrityCheck keeps each end’s record once; listIntegrityChecks gives them newest first', async () => {
      const first = checkRecord({ checkId: 'chk-a' });
      const second = checkRecord({
        checkId: 'chk-b',
        role: 'sender',
        peer: 'prefecture:13',
        scope: tokyo,
        matching: true,
        differenceCounts: { missingAtReceiver: 0, extraAtReceiver: 0, differingValues: 0 },
        differences: { missingAtReceiver: [], extraAtReceiver: [], differingValues: [] },
        truncated: true,
        repaired: { inserted: 1, updated: 2, removed: 3, conflicts: 4 },
      });
      await store.recordIntegrityCheck(first);
      await store.recordIntegrityCheck(second);
      await store.recordIntegrityCheck({ ...first, matching: true }); // same (checkId, role): ignored
      expect(await store.listIntegrityChecks(10)).toEqual([second, first]);
      expect(await store.listIntegrityChecks(1)).toEqual([second]);
      const codes: ResidentCode[] = (await store.listIntegrityChecks(10)).flatMap((c) => [
        ...c.differences.missingAtReceiver,
        ...c.differences.differingValues,
      ]);
      expect(codes).toEqual([residentCode(1), residentCode(2), residentCode(3)]);
    });
  });
}

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyChange } from '../domain/change/apply-change.ts';
import { validateChange } from '../domain/change/validate-change.ts';
import { RegistryError } from '../domain/errors.ts';
import {
  change,
  date,
  individualNumber,
  loadedRecord,
  moveIn,
  moveWithin,
  person,
  recode,
  residentCode,
  snapshotCounts,
  txid,
  type StoreUnderTest,
} from './contract-fixtures.ts';
import type { IdentityRecord } from '../domain/resident/IdentityInfo.ts';
import type { IdentityStore } from './ports.ts';
import { describeIntegrityStoreContract } from './contract-integrity.ts';
import { describeSearchContract } from './contract-search.ts';

export type { StoreTable, StoreUnderTest } from './contract-fixtures.ts';

const TODAY = date('2024-04-01');
const opts = { today: TODAY };

/**
 * The one contract every IdentityStore passes (SQLite and PostgreSQL alike). `makeStore` gives
 * each test a store on fresh, empty tables, a raw row counter on a separate connection, and a
 * cleanup. Expected rejections come from the domain validator itself: the store must return
 * exactly what the domain decided, and change nothing.
 */
export function describeIdentityStoreContract(
  name: string,
  makeStore: () => Promise<StoreUnderTest>,
): void {
  describe(`${name}: IdentityStore contract`, () => {
    let sut: StoreUnderTest;
    let store: IdentityStore;
    beforeEach(async () => {
      sut = await makeStore();
      store = sut.store;
    });
    afterEach(async () => {
      await sut.cleanup();
    });

    it('findIdentity answers undefined and getIdentity throws not-found for an unknown code', async () => {
      expect(await store.findIdentity(residentCode(404))).toBeUndefined();
      const error = await store.getIdentity(residentCode(404)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryError);
      expect((error as RegistryError).code).toBe('not-found');
      expect(await store.history(residentCode(404))).toEqual([]);
      expect(await store.isResidentCodeUsed(residentCode(404))).toBe(false);
      expect(await store.countIdentities()).toBe(0);
    });

    it('R19: applies an accepted change: stores the record the domain computed, found by its code', async () => {
      const event = moveIn(person(1), date('2020-04-01'));
      const outcome = await store.applyChange(event, opts);
      const expected = applyChange(undefined, event);
      if (outcome.status !== 'applied') throw new Error(`expected applied, got ${outcome.status}`);
      expect(outcome.record).toEqual(expected);
      expect(Number.isInteger(outcome.sequence)).toBe(true);
      expect((await store.history(residentCode(1)))[0]!.sequence).toBe(outcome.sequence);
      expect(await store.findIdentity(residentCode(1))).toEqual(expected);
      expect(await store.getIdentity(residentCode(1))).toEqual(expected);
      // Names come back with the same code points (variant kanji, IVS), not normalised.
      expect((await store.getIdentity(residentCode(1))).name).toEqual(person(1).name);
      expect(await store.isResidentCodeUsed(residentCode(1))).toBe(true);
      expect(await store.countIdentities()).toBe(1);
    });

    it('R19: a change retried with the same transaction id is a duplicate and changes nothing', async () => {
      const event = moveIn(person(2), date('2020-04-01'));
      const first = await store.applyChange(event, { today: TODAY, outbox: true });
      if (first.status !== 'applied') throw new Error(`expected applied, got ${first.status}`);
      const before = await snapshotCounts(sut);
      expect(await store.applyChange(event, { today: TODAY, outbox: true })).toEqual({
        status: 'duplicate',
        sequence: first.sequence,
      });
      // The transaction id is the idempotency key: different content under it is not applied either.
      const altered = {
        ...event,
        values: { ...event.values, address: '東京都千代田区永田町1番地' },
      };
      expect(await store.applyChange(altered, opts)).toEqual({
        status: 'duplicate',
        sequence: first.sequence,
      });
      expect(await snapshotCounts(sut)).toEqual(before);
      expect(await store.getIdentity(residentCode(2))).toEqual(first.record);
    });

    it('R19: rejects 転入 for a resident who already exists, with the domain rule, storing nothing', async () => {
      await store.applyChange(moveIn(person(3), date('2020-04-01')), opts);
      const current = await store.getIdentity(residentCode(3));
      const again = moveIn(person(3, { address: '東京都千代田区丸の内1番地' }), date('2021-04-01'));
      const expected = validateChange(current, again, { today: TODAY });
      expect(expected).toBeDefined();
      const before = await snapshotCounts(sut);
      const outcome = await store.applyChange(again, { today: TODAY, outbox: true });
      expect(outcome).toEqual({ status: 'rejected', rejection: expected });
      expect(await store.getIdentity(residentCode(3))).toEqual(current);
      expect(await store.history(residentCode(3))).toHaveLength(1);
      const after = await snapshotCounts(sut);
      expect({ ...after, rejected_change: before.rejected_change }).toEqual(before);
      // Retried, the rejected change gets the same answer, even if the data changed meanwhile.
      await store.applyChange(
        moveWithin(current, '東京都千代田区大手町1番地', date('2022-04-01')),
        opts,
      );
      expect(await store.applyChange(again, opts)).toEqual({
        status: 'rejected',
        rejection: expected,
      });
    });

    it('R19: rejects 転居 that changes more than the address, and nothing changes', async () => {
      await store.applyChange(moveIn(person(4), date('2020-04-01')), opts);
      const current = await store.getIdentity(residentCode(4));
      const bad = change(
        'move-within',
        {
          ...person(4),
          address: '東京都千代田区内幸町1番地',
          name: { kanji: '別人\u3000花子', kana: 'ベツジン\u3000ハナコ' },
        },
        date('2021-04-01'),
      );
      const expected = validateChange(current, bad, { today: TODAY });
      expect(expected).toBeDefined();
      const before = await snapshotCounts(sut);
      expect(await store.applyChange(bad, { today: TODAY, outbox: true })).toEqual({
        status: 'rejected',
        rejection: expected,
      });
      expect(await store.getIdentity(residentCode(4))).toEqual(current);
      const after = await snapshotCounts(sut);
      expect(after).toEqual({ ...before, rejected_change: before.rejected_change + 1 });
    });

    it('R19: a change that would give a person the individual number of another fails as conflict, storing nothing', async () => {
      await store.applyChange(moveIn(person(14), date('2020-04-01')), opts);
      const before = await snapshotCounts(sut);
      const clash = moveIn(
        person(15, { individualNumber: individualNumber(14) }),
        date('2020-04-01'),
      );
      const error = await store
        .applyChange(clash, { today: TODAY, outbox: true })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryError);
      expect(error).toMatchObject({ code: 'conflict', reason: 'individual-number.taken' });
      expect((error as Error).message).not.toContain(individualNumber(14));
      expect(await snapshotCounts(sut)).toEqual(before);
      expect(await store.findIdentity(residentCode(15))).toBeUndefined();
    });

    it('R1: history keeps every accepted change with the values before it, oldest first', async () => {
      const first = moveIn(person(5), date('2019-04-01'));
      const second = moveWithin(person(5), '東京都千代田区神田1番地', date('2020-05-01'));
      const third = moveWithin(second.values, '東京都千代田区神田2番地', date('2021-06-01'));
      for (const e of [first, second, third])
        expect((await store.applyChange(e, opts)).status).toBe('applied');
      const history = await store.history(residentCode(5));
      expect(history.map((h) => h.event)).toEqual([first, second, third]);
      expect(history[0]!.before).toBeUndefined();
      expect(history[1]!.before).toEqual(first.values);
      expect(history[2]!.before).toEqual(second.values);
      expect(history[0]!.sequence).toBeLessThan(history[1]!.sequence);
      expect(history[1]!.sequence).toBeLessThan(history[2]!.sequence);
      expect((await store.getIdentity(residentCode(5))).version).toBe(3);
    });

    it('R1, R2: keeps only 本人確認情報: other items a sender put on an event are not stored', async () => {
      const clean = moveIn(person(13), date('2020-04-01'));
      const smuggled = {
        ...clean,
        registeredDomicile: '東京都千代田区千代田1番',
        values: { ...clean.values, relationship: '世帯主', household: { head: true } },
      };
      await store.applyChange(smuggled, { today: TODAY, outbox: true });
      const [entry] = await store.history(residentCode(13));
      expect(entry!.event).toEqual(clean);
      expect(JSON.stringify(entry!.event)).not.toMatch(
        /registeredDomicile|relationship|household|世帯主/,
      );
      const [queued] = await store.pendingOutbox(1);
      expect(JSON.stringify(queued!.event)).not.toMatch(
        /registeredDomicile|relationship|household|世帯主/,
      );
      expect(JSON.stringify(await store.getIdentity(residentCode(13)))).not.toMatch(/世帯主/);
    });

    it('R7: a re-code moves the record to the new code, history follows the person, the old code stays used', async () => {
      const oldCode = residentCode(6);
      const newCode = residentCode(60);
      await store.applyChange(moveIn(person(6), date('2019-04-01')), opts);
      const event = recode(person(6), newCode, date('2020-04-01'));
      const outcome = await store.applyChange(event, opts);
      expect(outcome.status).toBe('applied');
      expect(await store.findIdentity(oldCode)).toBeUndefined();
      expect((await store.getIdentity(newCode)).residentCode).toBe(newCode);
      expect(await store.countIdentities()).toBe(1);
      expect(await store.isResidentCodeUsed(oldCode)).toBe(true);
      expect(await store.isResidentCodeUsed(newCode)).toBe(true);
      const viaNew = await store.history(newCode);
      expect(viaNew.map((h) => h.event.transactionId)).toHaveLength(2);
      expect(viaNew[1]!.before?.residentCode).toBe(oldCode);
      expect(await store.history(oldCode)).toEqual(viaNew);
      // The old code is never reissued: a re-code of someone else onto it is refused.
      await store.applyChange(moveIn(person(7), date('2019-04-01')), opts);
      const steal = recode(person(7), oldCode, date('2021-04-01'));
      const current7 = await store.getIdentity(residentCode(7));
      const expected = validateChange(current7, steal, { today: TODAY, newCodeAlreadyUsed: true });
      expect(expected).toBeDefined();
      expect(await store.applyChange(steal, opts)).toEqual({
        status: 'rejected',
        rejection: expected,
      });
      expect(await store.getIdentity(residentCode(7))).toEqual(current7);
    });

    it('R19: the outbox queues applied changes when asked, oldest first, counts attempts, deletes on ack', async () => {
      const a = moveIn(person(8), date('2020-04-01'));
      const b = moveIn(person(9), date('2020-04-02'));
      const c = moveWithin(person(8), '東京都千代田区麹町1番地', date('2020-04-03'));
      const quiet = moveIn(person(10), date('2020-04-04'));
      for (const e of [a, b, c]) await store.applyChange(e, { today: TODAY, outbox: true });
      await store.applyChange(quiet, opts);
      await store.applyChange(a, { today: TODAY, outbox: true }); // duplicate: not queued again
      const pending = await store.pendingOutbox(10);
      expect(pending.map((p) => p.event)).toEqual([a, b, c]);
      expect(await store.countOutbox()).toBe(3);
      expect(pending.map((p) => p.attempts)).toEqual([0, 0, 0]);
      expect((await store.pendingOutbox(2)).map((p) => p.id)).toEqual(
        pending.slice(0, 2).map((p) => p.id),
      );
      await store.recordOutboxAttempts([pending[0]!.id]);
      await store.recordOutboxAttempts([pending[0]!.id, pending[1]!.id]);
      expect((await store.pendingOutbox(10)).map((p) => p.attempts)).toEqual([2, 1, 0]);
      await store.acknowledgeOutbox([pending[0]!.id, pending[1]!.id]);
      await store.acknowledgeOutbox([]);
      expect((await store.pendingOutbox(10)).map((p) => p.event)).toEqual([c]);
      expect(await sut.countRows('outbox')).toBe(1);
      expect(await store.countOutbox()).toBe(1);
    });

    it('R19: applyChanges applies a batch in order in one transaction, each event with its own outcome', async () => {
      const a = moveIn(person(12), date('2020-04-01'));
      const unknown = moveWithin(person(13), '東京都千代田区麹町2番地', date('2020-04-02'));
      const moved = moveWithin(person(12), '東京都千代田区麹町3番地', date('2020-04-03'));
      const outcomes = await store.applyChanges([a, a, unknown, moved], {
        today: TODAY,
        outbox: true,
      });
      expect(outcomes.map((o) => o.status)).toEqual([
        'applied',
        'duplicate',
        'rejected',
        'applied',
      ]);
      expect(outcomes[2]).toMatchObject({ rejection: { rule: 'record.unknown' } });
      expect((await store.getIdentity(person(12).residentCode)).address).toBe(
        '東京都千代田区麹町3番地',
      );
      // Queued for the next node in order; the duplicate and the rejection are not.
      expect((await store.pendingOutbox(10)).map((p) => p.event)).toEqual([a, moved]);
      // The same outcomes as one at a time: a retried batch is all duplicates / the same refusal.
      const again = await store.applyChanges([a, unknown, moved], { today: TODAY, outbox: true });
      expect(again.map((o) => o.status)).toEqual(['duplicate', 'rejected', 'duplicate']);
      expect(await store.applyChanges([], opts)).toEqual([]);
    });

    it('R19: loadBatch stores new rows, refuses duplicates with their line numbers, overwrites nothing', async () => {
      await store.applyChange(moveIn(person(11), date('2019-04-01')), opts);
      await store.applyChange(moveIn(person(12), date('2019-04-01')), opts);
      await store.applyChange(recode(person(12), residentCode(120), date('2020-04-01')), opts);
      const stored11 = await store.getIdentity(residentCode(11));
      const history11 = await store.history(residentCode(11));
      const batch = [
        { line: 2, record: loadedRecord(21) },
        { line: 3, record: loadedRecord(11, { address: '東京都千代田区上書き1番地' }) },
        { line: 5, record: loadedRecord(12) },
        { line: 7, record: loadedRecord(21, { individualNumber: individualNumber(721) }) },
        { line: 8, record: loadedRecord(22, { individualNumber: individualNumber(11) }) },
        { line: 9, record: loadedRecord(23) },
        { line: 10, record: loadedRecord(24, { individualNumber: individualNumber(23) }) },
        { line: 11, record: loadedRecord(25, { individualNumber: undefined }) },
      ];
      const report = await store.loadBatch(batch);
      expect(report.refused).toEqual([
        { line: 3, residentCode: residentCode(11), reason: 'resident-code.already-stored' },
        { line: 5, residentCode: residentCode(12), reason: 'resident-code.used' },
        { line: 7, residentCode: residentCode(21), reason: 'resident-code.duplicate-in-batch' },
        { line: 8, residentCode: residentCode(22), reason: 'individual-number.already-stored' },
        {
          line: 10,
          residentCode: residentCode(24),
          reason: 'individual-number.duplicate-in-batch',
        },
      ]);
      expect(report.loaded).toBe(3);
      expect(await store.getIdentity(residentCode(11))).toEqual(stored11);
      expect(await store.history(residentCode(11))).toEqual(history11);
      expect(await store.findIdentity(residentCode(12))).toBeUndefined();
      expect(await store.findIdentity(residentCode(22))).toBeUndefined();
      expect(await store.getIdentity(residentCode(21))).toEqual(loadedRecord(21));
      expect(await store.getIdentity(residentCode(25))).toEqual(
        loadedRecord(25, { individualNumber: undefined }),
      );
      expect(await store.isResidentCodeUsed(residentCode(23))).toBe(true);
      expect(await store.countIdentities()).toBe(2 + 3);
      expect(await store.loadBatch([])).toEqual({ loaded: 0, refused: [] });
      // A second run of the same file loads nothing more and overwrites nothing.
      const rerun = await store.loadBatch(batch);
      expect(rerun.loaded).toBe(0);
      expect(await store.countIdentities()).toBe(5);
    });

    it('R19: a batch with a row the schema refuses fails as invalid, names no identity data, stores nothing', async () => {
      await store.applyChange(moveIn(person(16), date('2020-04-01')), opts);
      const before = await snapshotCounts(sut);
      const broken = { ...loadedRecord(17), sex: 'unknown' } as unknown as IdentityRecord;
      const error = await store
        .loadBatch([
          { line: 1, record: loadedRecord(18) },
          { line: 2, record: broken },
        ])
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'invalid' });
      expect((error as Error).message).not.toContain(broken.name.kanji);
      expect((error as Error).message).not.toContain(broken.address);
      expect(await snapshotCounts(sut)).toEqual(before);
    });

    it('R1, R33: eraseExpired really deletes due history and removed records, reports counts and period only', async () => {
      const today = date('2020-06-01');
      const policy = { historyYears: 5, overseasYears: 10 };
      const at = { today };
      // A: still a resident; two old entries are due, the newest never is.
      const a1 = moveIn(person(31), date('2010-01-01'));
      const a2 = moveWithin(a1.values, '東京都千代田区一番町1番地', date('2012-05-01'));
      const a3 = moveWithin(a2.values, '東京都千代田区二番町1番地', date('2020-01-01'));
      // B: died in 2014: record and all its history are due (2014 + 5 <= 2020).
      const b1 = moveIn(person(32), date('2000-04-01'));
      const b2 = change('death', person(32), date('2014-03-01'));
      // C: moved abroad in 2014: the record, and with it all its history, is kept for 10 years.
      const c1 = moveIn(person(33), date('2014-01-01'));
      const c2 = change('move-out', person(33), date('2014-06-01'), { movedOverseas: true });
      for (const e of [a1, a2, a3, b1, b2, c1, c2])
        expect((await store.applyChange(e, at)).status).toBe('applied');
      expect(
        (await store.applyChange(recode(a3.values, residentCode(310), date('2020-02-01')), at))
          .status,
      ).toBe('applied');
      // An old rejected change (転入 of a resident who exists): its idempotency record is due too.
      const refused = moveIn({ ...a3.values, residentCode: residentCode(310) }, date('2013-01-01'));
      expect((await store.applyChange(refused, at)).status).toBe('rejected');
      expect(await sut.countRows('identity_history')).toBe(8);
      expect(await sut.countRows('rejected_change')).toBe(1);

      const report = await store.eraseExpired(policy, today);

      expect(report).toEqual({
        erasedHistoryEntries: 4,
        erasedRecords: 1,
        oldestErased: date('2000-04-01'),
        newestErased: date('2014-03-01'),
      });
      expect(Object.keys(report).sort()).toEqual([
        'erasedHistoryEntries',
        'erasedRecords',
        'newestErased',
        'oldestErased',
      ]);
      expect(JSON.stringify(report)).not.toMatch(/\d{11}/);
      // Really gone: raw counts, not a flag.
      expect(await sut.countRows('identity')).toBe(2);
      expect(await sut.countRows('identity_history')).toBe(4);
      expect(await sut.countRows('rejected_change')).toBe(0);
      expect(await store.findIdentity(residentCode(32))).toBeUndefined();
      expect(await store.history(residentCode(32))).toEqual([]);
      expect((await store.history(residentCode(310))).map((h) => h.event.changeDate)).toEqual([
        date('2020-01-01'),
        date('2020-02-01'),
      ]);
      expect((await store.history(residentCode(33))).map((h) => h.event)).toEqual([c1, c2]);
      expect((await store.getIdentity(residentCode(33))).movedOverseas).toBe(true);
      // R7: an erased person's code is still never reissued.
      expect(await store.isResidentCodeUsed(residentCode(32))).toBe(true);
      expect(await sut.countRows('used_resident_code')).toBe(4);
      // Nothing more is due on the same day.
      expect(await store.eraseExpired(policy, today)).toEqual({
        erasedHistoryEntries: 0,
        erasedRecords: 0,
        oldestErased: undefined,
        newestErased: undefined,
      });
      // Both runs are recorded: counts, periods and the policy, newest first.
      const runs = await store.listErasures(10);
      expect(runs.map((r) => [r.asOf, r.erasedHistoryEntries, r.erasedRecords])).toEqual([
        [today, 0, 0],
        [today, 4, 1],
      ]);
      expect(runs[1]).toMatchObject({ policy, oldestErased: report.oldestErased });
      expect(runs[0]!.ranAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    });

    it('R19: concurrent changes of one resident are applied one after the other', async () => {
      await store.applyChange(moveIn(person(40), date('2020-04-01')), opts);
      const moves = Array.from({ length: 10 }, (_, i) =>
        moveWithin(person(40), `東京都千代田区紀尾井町${i + 1}番地`, date('2021-04-01')),
      );
      const outcomes = await Promise.all(moves.map((m) => store.applyChange(m, opts)));
      expect(outcomes.map((o) => o.status)).toEqual(moves.map(() => 'applied'));
      const history = await store.history(residentCode(40));
      expect(history).toHaveLength(11);
      for (let i = 1; i < history.length; i++) {
        // Each change saw the one before it: its "before" is the previous change's "after".
        expect(history[i]!.before).toEqual(history[i - 1]!.event.values);
        expect(history[i]!.sequence).toBeGreaterThan(history[i - 1]!.sequence);
      }
      const record = await store.getIdentity(residentCode(40));
      expect(record.version).toBe(11);
      expect(record.address).toBe(history[10]!.event.values.address);
    });

    it('R19: the same change delivered concurrently is applied exactly once', async () => {
      await store.applyChange(moveIn(person(41), date('2020-04-01')), opts);
      const move = moveWithin(person(41), '東京都千代田区隼町1番地', date('2021-04-01'));
      const creation = { ...moveIn(person(42), date('2020-04-01')), transactionId: txid('race') };
      const outcomes = await Promise.all([
        ...Array.from({ length: 5 }, () => store.applyChange(move, { today: TODAY, outbox: true })),
        ...Array.from({ length: 5 }, () =>
          store.applyChange(creation, { today: TODAY, outbox: true }),
        ),
      ]);
      for (const group of [outcomes.slice(0, 5), outcomes.slice(5)]) {
        const applied = group.filter((o) => o.status === 'applied');
        expect(applied).toHaveLength(1);
        const sequence = (applied[0] as { sequence: number }).sequence;
        expect(group.filter((o) => o.status === 'duplicate')).toEqual(
          Array.from({ length: 4 }, () => ({ status: 'duplicate', sequence })),
        );
      }
      expect((await store.getIdentity(residentCode(41))).version).toBe(2);
      expect(await store.history(residentCode(42))).toHaveLength(1);
      expect(await sut.countRows('outbox')).toBe(2);
    });
  });
  describeIntegrityStoreContract(name, makeStore);
  describeSearchContract(name, makeStore);
}

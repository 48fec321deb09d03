import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEvent, buildIdentity } from '../domain/change/change-builders.ts';
import type { ChangeEvent } from '../domain/change/ChangeEvent.ts';
import { RegistryError } from '../domain/errors.ts';
import type { RegisterOperation } from '../domain/register/operations.ts';
import {
  ADDRESS_B,
  ADDRESS_C,
  MUNICIPALITY,
  TODAY,
  code,
  date,
  moveInForm,
  spouseForm,
} from '../domain/register/register.fixtures.ts';
import { isResidentCode } from '../domain/resident/ResidentCode.ts';
import { importChangesFile } from './import-changes-file.ts';
import type { OpenRegisterOptions } from './open-register.ts';
import type { RegisterStore } from './RegisterStore.ts';

/** The register's tables; the contract counts their rows on a separate connection. */
export type RegisterTable =
  'resident_record' | 'record_history' | 'used_resident_code' | 'change_feed' | 'feed_rejection';
const TABLES: readonly RegisterTable[] = [
  'resident_record',
  'record_history',
  'used_resident_code',
  'change_feed',
  'feed_rejection',
];

/** What an implementation hands the contract for one test: fresh, empty tables. */
export type RegisterUnderTest = {
  /** Opened with the municipality MUNICIPALITY. */
  readonly store: RegisterStore;
  /** Opens another store on the same database. */
  open(options: OpenRegisterOptions): Promise<RegisterStore>;
  countRows(table: RegisterTable): Promise<number>;
  cleanup(): Promise<void>;
};

const opts = { today: TODAY };
const moveIn = (form = moveInForm()): RegisterOperation => ({ reason: 'move-in', form });
const moveWithin = (residentCode = code(1), address = ADDRESS_B): RegisterOperation => ({
  reason: 'move-within',
  form: { residentCode, address, changeDate: date('2024-05-01'), notifiedOn: date('2024-05-01') },
});

/**
 * The one contract every RegisterStore passes (SQLite and PostgreSQL alike): perform is atomic
 * and stores what the domain computed; the feed is ordered, settles once, and shows refusals;
 * imports are all-or-nothing and idempotent.
 */
export function describeRegisterStoreContract(
  name: string,
  makeStore: () => Promise<RegisterUnderTest>,
): void {
  describe(`${name}: RegisterStore contract`, () => {
    let sut: RegisterUnderTest;
    let store: RegisterStore;
    beforeEach(async () => {
      sut = await makeStore();
      store = sut.store;
    });
    afterEach(async () => {
      await sut.cleanup();
    });

    const counts = async (): Promise<Record<RegisterTable, number>> =>
      Object.fromEntries(
        await Promise.all(TABLES.map(async (t) => [t, await sut.countRows(t)] as const)),
      ) as Record<RegisterTable, number>;

    it('an empty register has nothing: no record, household, history, feed or rejection', async () => {
      expect(store.municipality).toBe(MUNICIPALITY);
      expect(await store.getRecord(code(1))).toBeUndefined();
      expect(await store.household('1')).toEqual([]);
      expect(await store.history(code(1))).toEqual([]);
      expect(await store.pendingFeed(10)).toEqual([]);
      expect(await store.listRejections(10)).toEqual([]);
      expect(await store.isResidentCodeUsed(code(1))).toBe(false);
    });

    it('R19: perform stores the 住民票 the domain computed, its history row and the change for the CS, together', async () => {
      const result = await store.perform(moveIn(), opts);
      expect(result.duplicate).toBe(false);
      expect(result.transactionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(result.event?.transactionId).toBe(result.transactionId);
      expect(await store.getRecord(code(1))).toEqual(result.record);
      expect(await store.household(result.record.householdId)).toEqual([result.record]);
      const history = await store.history(code(1));
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({
        transactionId: result.transactionId,
        operation: 'move-in',
        subject: true,
        record: result.record,
      });
      expect(await store.pendingFeed(10)).toEqual([{ id: result.feedId, event: result.event }]);
      expect(await store.isResidentCodeUsed(code(1))).toBe(true);
    });

    it('perform is atomic: a refused operation stores nothing (R19 rule, household rule, unique 個人番号)', async () => {
      await store.perform(moveIn(), opts);
      await store.perform(moveIn(spouseForm('1')), opts);
      const before = await counts();
      // 転入 of someone already resident here
      await expect(store.perform(moveIn(), opts)).rejects.toMatchObject({
        code: 'conflict',
        reason: 'create.already-resident',
      });
      // the head moving away from a member without naming the new head
      await expect(
        store.perform(
          {
            reason: 'move-within',
            form: {
              residentCode: code(1),
              address: ADDRESS_C,
              changeDate: date('2024-05-01'),
              notifiedOn: date('2024-05-01'),
              household: { kind: 'new' },
            },
          },
          opts,
        ),
      ).rejects.toMatchObject({ reason: 'register.household.head-leaves' });
      // the domain accepts it, the table's unique 個人番号 refuses it at the write: rolled back
      const number = '123456789018';
      await store.perform(
        {
          reason: 'correction-by-authority',
          form: {
            residentCode: code(1),
            changeDate: date('2024-05-01'),
            corrections: { individualNumber: number as never },
          },
        },
        opts,
      );
      const afterCorrection = await counts();
      const error = await store
        .perform(
          moveIn(moveInForm({ residentCode: code(3), individualNumber: number as never })),
          opts,
        )
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryError);
      expect(error).toMatchObject({ code: 'conflict', reason: 'individual-number.taken' });
      expect(await counts()).toEqual(afterCorrection);
      expect(afterCorrection.change_feed).toBe(before.change_feed + 1);
      expect(await store.getRecord(code(3))).toBeUndefined();
    });

    it('R7: 出生 draws a new valid code never used; re-coding keeps the person’s history under both codes', async () => {
      await store.perform(moveIn(), opts);
      const born = await store.perform(
        {
          reason: 'birth',
          form: {
            parentCode: code(1),
            name: { kanji: '住基 一郎', kana: 'ジュウキ イチロウ' },
            sex: 'male',
            birthDate: date('2024-05-20'),
            notifiedOn: date('2024-05-21'),
          },
        },
        opts,
      );
      const child = born.record.residentCode;
      expect(isResidentCode(child)).toBe(true);
      expect(born.record).toMatchObject({ householdId: '1', relationship: '子' });
      expect((await store.household('1')).map((m) => m.relationship)).toEqual(['世帯主', '子']);

      const recoded = await store.perform(
        {
          reason: 'code-change-request',
          form: {
            residentCode: child,
            changeDate: date('2024-05-25'),
            notifiedOn: date('2024-05-25'),
          },
        },
        opts,
      );
      const newCode = recoded.record.residentCode;
      expect(newCode).not.toBe(child);
      expect(recoded.event).toMatchObject({
        residentCode: child,
        values: { residentCode: newCode },
      });
      expect(await store.getRecord(child)).toBeUndefined();
      expect((await store.getRecord(newCode))?.name.kanji).toBe('住基 一郎');
      expect(await store.isResidentCodeUsed(child)).toBe(true);
      const viaOld = await store.history(child);
      expect(viaOld.map((h) => h.operation)).toEqual(['birth', 'code-change-request']);
      expect(await store.history(newCode)).toEqual(viaOld);
    });

    it('a head leaving names the new head: the other members’ records are stored in the same transaction', async () => {
      await store.perform(moveIn(), opts);
      await store.perform(moveIn(spouseForm('1')), opts);
      const result = await store.perform(
        {
          reason: 'death',
          form: {
            residentCode: code(1),
            changeDate: date('2024-05-01'),
            notifiedOn: date('2024-05-02'),
            newHeadCode: code(2),
          },
        },
        opts,
      );
      expect(result.householdChanges).toHaveLength(1);
      expect(await store.household('1')).toEqual([result.householdChanges[0]]);
      expect((await store.getRecord(code(1)))?.status).toBe('removed');
      const spouseHistory = await store.history(code(2));
      expect(spouseHistory.at(-1)).toMatchObject({
        transactionId: result.transactionId,
        operation: 'death',
        subject: false,
        record: { relationship: '世帯主', headOfHousehold: '住基 花子' },
      });
      // one change for the CS: the death; the new head is the register's business (R1, R2)
      expect((await store.pendingFeed(10)).map((e) => e.event.reason)).toEqual([
        'move-in',
        'move-in',
        'death',
      ]);
    });

    it('R1/R2: a correction of register items only is stored and sends nothing to the CS', async () => {
      await store.perform(moveIn(), opts);
      const result = await store.perform(
        {
          reason: 'correction-by-authority',
          form: {
            residentCode: code(1),
            changeDate: date('2024-05-01'),
            corrections: { previousAddress: '大阪府大阪市北区梅田2丁目2番2号' },
          },
        },
        opts,
      );
      expect(result.event).toBeUndefined();
      expect(result.feedId).toBeUndefined();
      expect(await sut.countRows('change_feed')).toBe(1);
      expect(await store.history(code(1))).toHaveLength(2);
    });

    it('a transaction id performed before returns what it stored and changes nothing', async () => {
      const first = await store.perform(moveIn(), { ...opts, transactionId: 'counter-42' });
      const before = await counts();
      const again = await store.perform(moveIn(), { ...opts, transactionId: 'counter-42' });
      expect(again).toMatchObject({
        duplicate: true,
        record: first.record,
        event: first.event,
        feedId: first.feedId,
      });
      expect(await counts()).toEqual(before);
    });

    it('R19: the feed is ordered oldest first and honours its limit', async () => {
      await store.perform(moveIn(), opts);
      await store.perform(moveIn(spouseForm('1')), opts);
      await store.perform(moveWithin(code(1)), opts);
      await store.perform(moveWithin(code(2)), opts);
      const feed = await store.pendingFeed(10);
      expect(feed.map((e) => [e.event.reason, e.event.residentCode])).toEqual([
        ['move-in', code(1)],
        ['move-in', code(2)],
        ['move-within', code(1)],
        ['move-within', code(2)],
      ]);
      expect(feed.map((e) => e.id)).toEqual([...feed.map((e) => e.id)].sort((a, b) => a - b));
      expect(await store.pendingFeed(2)).toEqual(feed.slice(0, 2));
    });

    it('R19: settled entries leave the feed; a refusal by the CS becomes a visible rejection; settling twice changes nothing', async () => {
      for (const form of [moveInForm(), spouseForm('1')]) await store.perform(moveIn(form), opts);
      await store.perform(moveWithin(code(1)), opts);
      const [a, b, c] = await store.pendingFeed(10);
      const rejection = { rule: 'values.name-kana', message: 'values.name.kana …' } as const;
      await store.settleFeed([
        { id: a!.id, outcome: 'accepted' },
        { id: b!.id, outcome: { rejected: rejection } },
      ]);
      expect(await store.pendingFeed(10)).toEqual([c]);
      const rejections = await store.listRejections(10);
      expect(rejections).toEqual([
        {
          id: expect.any(Number) as number,
          transactionId: b!.event.transactionId,
          rejectedBy: 'cs',
          rejection,
          event: b!.event,
          recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as string,
        },
      ]);
      await store.settleFeed([{ id: b!.id, outcome: 'duplicate' }]);
      expect(await store.listRejections(10)).toEqual(rejections);
      // an unknown id refuses the whole batch: c stays pending
      await expect(
        store.settleFeed([
          { id: c!.id, outcome: 'duplicate' },
          { id: 999_999, outcome: 'accepted' },
        ]),
      ).rejects.toMatchObject({ code: 'not-found', reason: 'feed.unknown-entry' });
      expect(await store.pendingFeed(10)).toEqual([c]);
    });

    it('R19: an upstream rejection is recorded once per transaction id, newest first', async () => {
      await store.perform(moveIn(), opts);
      const [entry] = await store.pendingFeed(1);
      await store.settleFeed([{ id: entry!.id, outcome: 'accepted' }]);
      const rejection = { rule: 'create.already-resident', message: '現存する住民…' } as const;
      await store.recordUpstreamRejection(entry!.event.transactionId, 'prefecture:13', rejection);
      await store.recordUpstreamRejection(entry!.event.transactionId, 'prefecture:13', rejection);
      await store.recordUpstreamRejection('made-before-the-feed', 'national', rejection);
      const list = await store.listRejections(10);
      expect(list.map((r) => [r.transactionId, r.rejectedBy])).toEqual([
        ['made-before-the-feed', 'national'],
        [entry!.event.transactionId, 'prefecture:13'],
      ]);
      expect(list[0]!.event).toBeUndefined();
      expect(list[1]!.event).toEqual(entry!.event);
      expect(await store.listRejections(1)).toHaveLength(1);
    });

    it('appendChanges: idempotent on transaction id; the same id with other content refuses the whole batch', async () => {
      const e1 = buildEvent('move-in', buildIdentity());
      const e2 = buildEvent('move-within', { ...buildIdentity(), address: ADDRESS_B });
      expect(await store.appendChanges([{ line: 1, event: e1 }])).toEqual({
        appended: 1,
        duplicates: 0,
      });
      expect(
        await store.appendChanges([
          { line: 1, event: e1 },
          { line: 2, event: e2 },
        ]),
      ).toEqual({ appended: 1, duplicates: 1 });
      const before = await counts();
      const reused: ChangeEvent = {
        ...e2,
        changeDate: date('2024-06-01'),
        transactionId: e1.transactionId,
      };
      await expect(
        store.appendChanges([
          { line: 1, event: buildEvent('death', buildIdentity(), { transactionId: 'new-one' }) },
          { line: 2, event: reused },
        ]),
      ).rejects.toMatchObject({ code: 'conflict', reason: 'feed.transaction-id-reused' });
      expect(await counts()).toEqual(before);
      expect((await store.pendingFeed(10)).map((e) => e.event)).toEqual([e1, e2]);
    });

    it('importChangesFile: refuses malformed lines with their numbers and appends nothing; a good file once', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'jukinet-register-'));
      try {
        const good = [1, 2, 3].map((n) =>
          buildEvent(
            'move-in',
            buildIdentity({ residentCode: code(n), individualNumber: undefined }),
          ),
        );
        const file = join(dir, 'changes.jsonl');
        writeFileSync(file, `\uFEFF${good.map((e) => JSON.stringify(e)).join('\n')}\n\n`);
        const bad = join(dir, 'bad.jsonl');
        writeFileSync(
          bad,
          [
            JSON.stringify(good[0]),
            '{"transactionId": "t", "reason": "move-in"',
            JSON.stringify({ ...good[1], residentCode: '12345678901' }),
            JSON.stringify({
              ...good[2],
              values: { ...good[2]!.values, localGovernmentCode: '011002' },
            }),
          ].join('\n'),
        );
        const refused = await importChangesFile(bad, store, { municipality: MUNICIPALITY });
        expect(refused).toMatchObject({ linesRead: 4, appended: 0, refusedCount: 3 });
        expect(refused.refused.map((r) => [r.line, r.reason])).toEqual([
          [2, 'import.not-json'],
          [3, 'resident-code.check-digit'],
          [4, 'import.other-municipality'],
        ]);
        expect(await sut.countRows('change_feed')).toBe(0);

        const first = await importChangesFile(file, store, { municipality: MUNICIPALITY });
        expect(first).toEqual({
          linesRead: 3,
          appended: 3,
          duplicates: 0,
          refused: [],
          refusedCount: 0,
        });
        const second = await importChangesFile(file, store);
        expect(second).toMatchObject({ appended: 0, duplicates: 3 });
        expect((await store.pendingFeed(10)).map((e) => e.event)).toEqual(good);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('the register belongs to one municipality: another or a malformed 団体コード is refused at open', async () => {
      await expect(sut.open({ municipality: '011002' })).rejects.toMatchObject({
        code: 'conflict',
        reason: 'register.municipality-mismatch',
      });
      const same = await sut.open({});
      expect(same.municipality).toBe(MUNICIPALITY);
      await same.close();
      await expect(sut.open({ municipality: '13101' })).rejects.toMatchObject({
        reason: 'local-government-code.malformed',
      });
    });
  });
}

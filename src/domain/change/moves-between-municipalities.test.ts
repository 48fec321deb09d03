import { describe, expect, it } from 'vitest';
import { foldChanges } from './apply-change.ts';
import { buildEvent, buildIdentity, date } from './change-builders.ts';
import type { ChangeEvent } from './ChangeEvent.ts';
import { expectRule, today } from './validate-change.fixtures.ts';

/*
 * A server holding two municipalities (a prefecture server for a move inside it, the national
 * server for any move) receives the old municipality's notices and the new one's independently.
 * Whatever the order, it must end with the person resident at the new municipality.
 */
const atChiyoda = buildIdentity({
  address: '東京都千代田区千代田1番1号',
  localGovernmentCode: '131016',
});
const atYokohama = {
  ...atChiyoda,
  address: '神奈川県横浜市西区みなとみらい2丁目3番1号',
  localGovernmentCode: '141003',
};
const born = buildEvent('birth', atChiyoda, { changeDate: date('2020-04-01') });
const movedWithin = buildEvent(
  'move-within',
  { ...atChiyoda, address: '東京都千代田区丸の内1丁目1番1号' },
  { changeDate: date('2024-03-01') },
);
const movedOut = buildEvent(
  'move-out',
  { ...atChiyoda, address: '東京都千代田区丸の内1丁目1番1号' },
  { changeDate: date('2024-05-31') },
);
const movedIn = buildEvent('move-in', atYokohama, { changeDate: date('2024-06-01') });

const fold = (events: readonly ChangeEvent[]) => foldChanges(events, { today });

describe('moves between municipalities, in any order of arrival', () => {
  it('R19: 転出 then 転入 (the usual order) ends resident at the new municipality', () => {
    const { record, rejected } = fold([born, movedOut, movedIn]);
    expect(rejected).toEqual([]);
    expect(record).toMatchObject({
      status: 'resident',
      localGovernmentCode: '141003',
      lastChange: { reason: 'move-in', date: '2024-06-01' },
    });
  });

  it('R19: 転入 ahead of the old municipality’s 転居 and 転出 ends the same: both are kept as history, neither changes the record', () => {
    const inOrder = fold([born, movedWithin, movedOut, movedIn]).record;
    const { record, rejected } = fold([born, movedIn, movedWithin, movedOut]);
    expect(rejected).toEqual([]);
    expect(record).toMatchObject({
      status: 'resident',
      localGovernmentCode: '141003',
      address: atYokohama.address,
      lastChange: { reason: 'move-in', date: '2024-06-01' },
      version: 4,
    });
    const { version: _a, lastChange: _b, ...sameItems } = inOrder!;
    expect(record).toMatchObject(sameItems);
  });

  it('R19: there and back (A → B → A) with B’s notices arriving last still ends at A', () => {
    const backOut = buildEvent('move-out', atYokohama, { changeDate: date('2024-08-31') });
    const backIn = buildEvent(
      'move-in',
      { ...atChiyoda, address: '東京都千代田区神田2番1号' },
      { changeDate: date('2024-09-01') },
    );
    const inOrder = fold([born, movedOut, movedIn, backOut, backIn]);
    const bLast = fold([born, movedOut, backIn, movedIn, backOut]);
    expect(inOrder.rejected).toEqual([]);
    expect(bLast.rejected).toEqual([]);
    for (const { record } of [inOrder, bLast])
      expect(record).toMatchObject({
        status: 'resident',
        localGovernmentCode: '131016',
        address: '東京都千代田区神田2番1号',
      });
  });

  it('R19: 出生 for a code that is resident elsewhere is refused (create.already-resident), never taken for a move', () => {
    const { record } = fold([born, movedIn]);
    const birthAgain = buildEvent('birth', { ...atChiyoda }, { changeDate: date('2024-01-01') });
    expectRule('create.already-resident', record, birthAgain);
  });

  it('R19: 転入 for a resident of the SAME municipality is still refused (create.already-resident)', () => {
    const atChiyodaAgain = buildEvent(
      'move-in',
      { ...atChiyoda, address: '東京都千代田区神田1番1号' },
      { changeDate: date('2024-06-01') },
    );
    const { record } = fold([born]);
    expectRule('create.already-resident', record, atChiyodaAgain);
  });

  it('R19: a change of the old municipality dated AFTER the move-in is refused, not swallowed', () => {
    const lateChange = buildEvent(
      'move-within',
      { ...atChiyoda, address: '東京都千代田区神田1番1号' },
      { changeDate: date('2024-07-01') },
    );
    const { record } = fold([born, movedIn]);
    expectRule('move-within.changes-other-items', record, lateChange);
  });

  it('R19: a stale change keeps its format checks: a malformed one is refused', () => {
    const { record } = fold([born, movedIn]);
    const badDate = { ...movedOut, changeDate: date('2024-02-30') };
    expectRule('event.change-date', record, badDate);
  });
});

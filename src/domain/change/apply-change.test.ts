import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from '../dates/CalendarDate.ts';
import type { IdentityInfo, IdentityRecord } from '../resident/IdentityInfo.ts';
import { applyChange, foldChanges } from './apply-change.ts';
import { buildEvent, buildIdentity, date, residentCodeOf } from './change-builders.ts';
import type { ChangeEvent } from './ChangeEvent.ts';
import type { ChangeReason } from './ChangeReason.ts';
import { changeKind } from './ChangeReason.ts';

const today = date('2030-12-31');
const v = buildIdentity();
const at = (d: string) => ({ changeDate: date(d) });

describe('applyChange', () => {
  it('R1: a creating change makes a resident record, version 1, with the change information', () => {
    const r = applyChange(undefined, buildEvent('move-in', v, at('2020-04-01')));
    expect(r).toEqual({
      ...v,
      status: 'resident',
      lastChange: { reason: 'move-in', date: '2020-04-01' },
      movedOverseas: false,
      version: 1,
    });
  });

  it('R1: 転出 abroad marks the removed record as an overseas mover; 死亡 never does', () => {
    const r1 = applyChange(undefined, buildEvent('move-in', v, at('2020-04-01')));
    const out = applyChange(
      r1,
      buildEvent('move-out', v, { ...at('2021-01-01'), movedOverseas: true }),
    );
    expect([out.status, out.movedOverseas, out.version]).toEqual(['removed', true, 2]);
    const dead = applyChange(r1, buildEvent('death', v, at('2021-01-01')));
    expect([dead.status, dead.movedOverseas]).toEqual(['removed', false]);
    // coming back clears it
    const back = applyChange(out, buildEvent('move-in', v, at('2022-01-01')));
    expect([back.status, back.movedOverseas, back.version]).toEqual(['resident', false, 3]);
  });

  it('R1: a correction of a removed record keeps it removed and keeps the overseas mark', () => {
    const removed: IdentityRecord = {
      ...v,
      status: 'removed',
      movedOverseas: true,
      lastChange: { reason: 'move-out', date: date('2021-01-01') },
      version: 4,
    };
    const fixed = applyChange(
      removed,
      buildEvent(
        'correction-by-authority',
        { ...v, name: { kanji: '住基 華子', kana: 'ジュウキ ハナコ' } },
        at('2022-02-02'),
      ),
    );
    expect(fixed).toMatchObject({
      status: 'removed',
      movedOverseas: true,
      version: 5,
      name: { kanji: '住基 華子' },
    });
    expect(fixed.lastChange).toEqual({ reason: 'correction-by-authority', date: '2022-02-02' });
  });

  it('R7: a re-code gives the record its new code', () => {
    const r1 = applyChange(undefined, buildEvent('move-in', v, at('2020-04-01')));
    const code = residentCodeOf('5555555555');
    const r2 = applyChange(
      r1,
      buildEvent(
        'code-change-request',
        { ...v, residentCode: code },
        { residentCode: v.residentCode },
      ),
    );
    expect([r2.residentCode, r2.status, r2.lastChange.reason]).toEqual([
      code,
      'resident',
      'code-change-request',
    ]);
  });

  it('R1: stores only the items of 本人確認情報, whatever else the event carries', () => {
    const values = {
      ...v,
      honseki: '東京都千代田区千代田1番',
      relationship: '世帯主',
      name: { ...v.name, extra: 1 },
    } as IdentityInfo;
    const r = applyChange(undefined, buildEvent('move-in', values));
    expect(Object.keys(r).sort()).toEqual([
      'address',
      'birthDate',
      'individualNumber',
      'lastChange',
      'localGovernmentCode',
      'movedOverseas',
      'name',
      'residentCode',
      'sex',
      'status',
      'version',
    ]);
    expect(Object.keys(r.name).sort()).toEqual(['kana', 'kanji']);
    const { individualNumber: _, ...withoutNumber } = v;
    expect('individualNumber' in applyChange(undefined, buildEvent('move-in', withoutNumber))).toBe(
      false,
    );
  });
});

describe('foldChanges', () => {
  it('R19: the record is the fold over accepted changes; refused ones are listed with their rule', () => {
    const events = [
      buildEvent('move-in', v, at('2020-04-01')),
      buildEvent('move-in', { ...v, address: '東京都千代田区丸の内1丁目' }, at('2020-05-01')), // already resident
      buildEvent(
        'move-within',
        { ...v, address: '東京都千代田区丸の内2丁目', sex: 'male' },
        at('2020-06-01'),
      ),
      buildEvent('move-within', { ...v, address: '東京都千代田区丸の内3丁目' }, at('2020-07-01')),
    ];
    const { record, rejected, duplicates } = foldChanges(events, { today });
    expect(record).toMatchObject({
      address: '東京都千代田区丸の内3丁目',
      version: 2,
      status: 'resident',
    });
    expect(rejected.map((r) => r.rejection.rule)).toEqual([
      'create.already-resident',
      'move-within.changes-other-items',
    ]);
    expect(rejected.map((r) => r.event)).toEqual([events[1], events[2]]);
    expect(duplicates).toEqual([]);
  });

  it('R19: a repeated transaction id is applied once', () => {
    const moveIn = buildEvent('move-in', v, at('2020-04-01'));
    const fix = buildEvent(
      'correction-by-authority',
      { ...v, name: { kanji: '住基 華子', kana: 'ジュウキ ハナコ' } },
      at('2020-05-01'),
    );
    const { record, duplicates } = foldChanges([moveIn, fix, fix, moveIn], { today });
    expect(record?.version).toBe(2);
    expect(duplicates).toEqual([fix, moveIn]);
  });

  it('R7: a person can never get back a code they held before', () => {
    const a = v.residentCode;
    const b = residentCodeOf('5555555555');
    const { record, rejected } = foldChanges(
      [
        buildEvent('move-in', v, at('2020-04-01')),
        buildEvent(
          'code-change-request',
          { ...v, residentCode: b },
          { residentCode: a, ...at('2021-01-01') },
        ),
        buildEvent(
          'code-change-request',
          { ...v, residentCode: a },
          { residentCode: b, ...at('2022-01-01') },
        ),
      ],
      { today },
    );
    expect(record?.residentCode).toBe(b);
    expect(rejected.map((r) => r.rejection.rule)).toEqual(['recode.code-already-used']);
  });

  /**
   * A random life: each step picks one of the reasons the current state allows (a valid-sequence
   * generator, independent of the rule table) and builds consistent values for it.
   */
  type Step = { pick: number; days: number; variant: number };
  function validLife(steps: readonly Step[]): ChangeEvent[] {
    const events: ChangeEvent[] = [];
    let state:
      | { status: 'absent' }
      | { status: 'resident' | 'removed'; removedBy?: ChangeReason; values: IdentityInfo } = {
      status: 'absent',
    };
    let day = date('2000-01-01');
    let codes = 0;
    steps.forEach(({ pick, days, variant }, i) => {
      day = addDays(day, days);
      const allowed: ChangeReason[] =
        state.status === 'absent'
          ? ['move-in', 'birth', 'entry-by-authority']
          : state.status === 'resident'
            ? [
                'move-out',
                'death',
                'deletion-by-authority',
                'move-within',
                'correction-by-authority',
                'code-change-request',
                'code-entry-by-authority',
              ]
            : [
                ...(state.removedBy === 'death' ? [] : (['move-in'] as const)),
                'entry-by-authority',
                'correction-by-authority',
              ];
      const reason = allowed[pick % allowed.length]!;
      const before =
        state.status === 'absent'
          ? buildIdentity({ birthDate: reason === 'birth' ? day : date('1990-01-01') })
          : state.values;
      const values: IdentityInfo =
        reason === 'move-within'
          ? { ...before, address: `${before.address.split('の')[0]!}の${i}` }
          : reason === 'correction-by-authority'
            ? { ...before, name: { kanji: `訂正 ${variant}`, kana: 'テイセイ' } }
            : changeKind(reason) === 'recodes'
              ? { ...before, residentCode: residentCodeOf(String(7_000_000_000 + ++codes)) }
              : changeKind(reason) === 'creates' && state.status === 'removed'
                ? { ...before, address: `北海道札幌市中央区${i}`, localGovernmentCode: '011011' }
                : before;
      events.push(
        buildEvent(reason, values, {
          transactionId: `life-${i}`,
          changeDate: day,
          residentCode: before.residentCode,
          ...(reason === 'move-out' ? { movedOverseas: variant % 3 === 0 } : {}),
        }),
      );
      const kind = changeKind(reason);
      state =
        kind === 'creates'
          ? { status: 'resident', values }
          : kind === 'removes'
            ? { status: 'removed', removedBy: reason, values }
            : // the record keeps only its last change: after a correction the removal reason is gone
              ({ ...state, values, removedBy: reason } as typeof state);
    });
    return events;
  }

  it('R19: property — a random valid sequence of changes is accepted in full, and the record is its fold', () => {
    const step = fc.record({
      pick: fc.nat(99),
      days: fc.integer({ min: 0, max: 300 }),
      variant: fc.nat(99),
    });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 30 }), (steps) => {
        const events = validLife(steps);
        const { record, rejected, duplicates } = foldChanges(events, { today });
        expect(rejected.map((r) => `${r.event.reason}: ${r.rejection.rule}`)).toEqual([]);
        expect(duplicates).toEqual([]);
        const reduced = events.reduce<IdentityRecord | undefined>(applyChange, undefined);
        expect(record).toEqual(reduced);
        expect(record?.version).toBe(events.length);
        const last = events[events.length - 1]!;
        expect(record?.lastChange).toEqual({ reason: last.reason, date: last.changeDate });
        expect(record?.residentCode).toBe(last.values.residentCode);
      }),
      { numRuns: 300 },
    );
  });
});

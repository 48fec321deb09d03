import { describe, expect, it } from 'vitest';
import { identityInfoOf } from '../resident/IdentityInfo.ts';
import {
  ADDRESS_B,
  MemoryRegister,
  code,
  context,
  date,
  moveInForm,
  refusal,
  spouseForm,
} from './register.fixtures.ts';
import { death, deletionByAuthority, moveOut } from './removal-operations.ts';

/** 住基 太郎 (head), 住基 花子 (妻), 住基 一郎 (子) in household 1. */
function family() {
  const reg = new MemoryRegister();
  reg.perform({ reason: 'move-in', form: moveInForm() });
  reg.perform({ reason: 'move-in', form: spouseForm('1') });
  reg.perform({
    reason: 'move-in',
    form: spouseForm('1', {
      residentCode: code(3),
      name: { kanji: '住基 一郎', kana: 'ジュウキ イチロウ' },
      sex: 'male',
      birthDate: date('2010-01-01'),
      household: { kind: 'join', householdId: '1', relationship: '子' },
    }),
  });
  return reg;
}

const moveOutForm = (residentCode = code(3)) => ({
  residentCode,
  changeDate: date('2024-05-01'),
  notifiedOn: date('2024-04-25'),
  destination: ADDRESS_B.replace('東京都千代田区', '神奈川県横浜市西区'),
});

describe('転出 (move-out)', () => {
  it('R1: removes the record (除票) with date, reason and 転出先; the CS gets the last 本人確認情報', () => {
    const reg = family();
    const before = reg.get(code(3));
    const { record, event, householdChanges } = reg.perform({
      reason: 'move-out',
      form: moveOutForm(),
    });
    expect(record).toMatchObject({
      status: 'removed',
      removal: {
        reason: 'move-out',
        date: '2024-05-01',
        movedOverseas: false,
        destination: '神奈川県横浜市西区神田神保町2丁目3番地',
      },
      // notified before leaving: 転出 is notified before or after
      notifiedOn: '2024-04-25',
      householdId: '1',
      lastChange: { reason: 'move-out', date: '2024-05-01' },
    });
    expect(event).toMatchObject({
      reason: 'move-out',
      residentCode: code(3),
      movedOverseas: false,
      values: identityInfoOf(before),
    });
    expect(householdChanges).toEqual([]);
    expect(reg.members('1').map((m) => m.residentCode)).toEqual([code(1), code(2)]);
  });

  it('R1: 国外転出 marks the removal and the event as overseas', () => {
    const reg = family();
    const { record, event } = reg.perform({
      reason: 'move-out',
      form: { ...moveOutForm(), destination: 'アメリカ合衆国', overseas: true },
    });
    expect(record.removal?.movedOverseas).toBe(true);
    expect(event?.movedOverseas).toBe(true);
  });

  it('the head leaving members names the new head: the successor becomes 世帯主, every member prints the new name', () => {
    const reg = family();
    const { householdChanges } = reg.perform({
      reason: 'move-out',
      form: { ...moveOutForm(code(1)), newHeadCode: code(2) },
    });
    expect(householdChanges).toHaveLength(2);
    expect(reg.get(code(2))).toMatchObject({
      relationship: '世帯主',
      headOfHousehold: '住基 花子',
    });
    // Relationships relative to the old head are kept (re-stating them is not modelled).
    expect(reg.get(code(3))).toMatchObject({ relationship: '子', headOfHousehold: '住基 花子' });
  });

  it('refuses the head leaving members without naming a resident member as the new head', () => {
    const reg = family();
    expect(
      refusal(() => reg.perform({ reason: 'move-out', form: moveOutForm(code(1)) })),
    ).toMatchObject({ code: 'conflict', reason: 'register.household.head-leaves' });
    expect(
      refusal(() =>
        reg.perform({
          reason: 'move-out',
          form: { ...moveOutForm(code(1)), newHeadCode: code(404) },
        }),
      ),
    ).toMatchObject({ code: 'invalid', reason: 'register.household.new-head-not-member' });
    expect(
      refusal(() =>
        reg.perform({
          reason: 'move-out',
          form: { ...moveOutForm(code(3)), newHeadCode: code(2) },
        }),
      ),
    ).toMatchObject({ reason: 'register.household.new-head-unexpected' });
  });

  it('R19: refuses 転出 of an unknown code and of a record already removed', () => {
    const reg = family();
    expect(refusal(() => moveOut(undefined, moveOutForm(code(404)), context()))).toMatchObject({
      code: 'not-found',
      reason: 'record.unknown',
    });
    reg.perform({ reason: 'move-out', form: moveOutForm() });
    expect(refusal(() => reg.perform({ reason: 'move-out', form: moveOutForm() }))).toMatchObject({
      code: 'conflict',
      reason: 'removed.already-removed',
    });
  });

  it('refuses a 転出 without 転出先 or 届出年月日', () => {
    const reg = family();
    const { destination: _d, ...noDestination } = moveOutForm();
    expect(
      refusal(() => moveOut(reg.get(code(3)), noDestination as never, context())),
    ).toMatchObject({ reason: 'register.form.missing-field' });
    expect(
      refusal(() =>
        moveOut(reg.get(code(3)), { ...moveOutForm(), notifiedOn: undefined }, context()),
      ),
    ).toMatchObject({ reason: 'register.form.missing-field' });
  });
});

describe('死亡 (death)', () => {
  it('removes the record; the death is notified on or after the day it happened', () => {
    const reg = family();
    const { record, event } = reg.perform({
      reason: 'death',
      form: {
        residentCode: code(2),
        changeDate: date('2024-05-10'),
        notifiedOn: date('2024-05-11'),
      },
    });
    expect(record.removal).toEqual({
      reason: 'death',
      date: '2024-05-10',
      movedOverseas: false,
    });
    expect(event).toMatchObject({ reason: 'death', changeDate: '2024-05-10' });
    expect(event).not.toHaveProperty('movedOverseas');
    expect(
      refusal(() =>
        death(
          reg.get(code(3)),
          { residentCode: code(3), changeDate: date('2024-05-10'), notifiedOn: date('2024-05-09') },
          context(),
        ),
      ),
    ).toMatchObject({ reason: 'register.notified-on.before-change' });
  });

  it('R19: refuses a death dated before the last change of the record (change-date.out-of-order)', () => {
    const reg = family();
    const e = refusal(() =>
      death(
        reg.get(code(2)),
        { residentCode: code(2), changeDate: date('2024-03-01'), notifiedOn: date('2024-03-02') },
        context(),
      ),
    );
    expect(e).toMatchObject({ code: 'invalid', reason: 'change-date.out-of-order' });
  });
});

describe('職権消除等 (deletion by authority)', () => {
  it('removes the record without a notification', () => {
    const reg = family();
    const { record } = reg.perform({
      reason: 'deletion-by-authority',
      form: { residentCode: code(3), changeDate: date('2024-05-10') },
    });
    expect(record.status).toBe('removed');
    expect(record).not.toHaveProperty('notifiedOn');
    expect(record.removal?.reason).toBe('deletion-by-authority');
  });

  it('refuses a form field of another operation (destination belongs to 転出)', () => {
    const reg = family();
    const e = refusal(() =>
      deletionByAuthority(
        reg.get(code(3)),
        { residentCode: code(3), changeDate: date('2024-05-10'), destination: 'x' } as never,
        context(),
      ),
    );
    expect(e).toMatchObject({ reason: 'register.form.unknown-field' });
  });
});

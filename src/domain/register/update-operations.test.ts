import { describe, expect, it } from 'vitest';
import { individualNumberOf } from '../change/change-builders.ts';
import { validateChange } from '../change/validate-change.ts';
import { identityInfoOf } from '../resident/IdentityInfo.ts';
import type { RegisterOperation } from './operations.ts';
import {
  ADDRESS_A,
  ADDRESS_B,
  ADDRESS_C,
  MemoryRegister,
  TODAY,
  code,
  context,
  date,
  moveInForm,
  refusal,
  spouseForm,
} from './register.fixtures.ts';
import { identityRecordOf } from './ResidentRecord.ts';
import { correctionByAuthority, moveWithin, recode } from './update-operations.ts';

/** 住基 太郎 (head) and 住基 花子 (妻) in household 1 at ADDRESS_A. */
function family() {
  const reg = new MemoryRegister();
  reg.perform({ reason: 'move-in', form: moveInForm() });
  reg.perform({ reason: 'move-in', form: spouseForm('1') });
  return reg;
}

const move = (
  residentCode = code(1),
  address = ADDRESS_B,
  extra: Partial<Extract<RegisterOperation, { reason: 'move-within' }>['form']> = {},
): RegisterOperation => ({
  reason: 'move-within',
  form: {
    residentCode,
    address,
    changeDate: date('2024-05-01'),
    notifiedOn: date('2024-05-02'),
    ...extra,
  },
});

describe('転居 (move within the municipality)', () => {
  it('R19: changes the address only; the old address becomes 前住所', () => {
    const reg = family();
    const before = reg.get(code(1));
    const { record, event } = reg.perform(move());
    expect(record).toMatchObject({
      address: ADDRESS_B,
      previousAddress: ADDRESS_A,
      addressSetOn: '2024-05-01',
      becameResidentOn: before.becameResidentOn,
      notifiedOn: '2024-05-02',
      householdId: '1',
      relationship: '世帯主',
    });
    expect(event!.values).toEqual({ ...identityInfoOf(before), address: ADDRESS_B });
    expect(validateChange(identityRecordOf(before), event!, { today: TODAY })).toBeUndefined();
  });

  it('a family moves head first; each member follows to the head’s new address (household keep)', () => {
    const reg = family();
    reg.perform(move(code(1)));
    // A member keeping the household must go where the head is now.
    expect(refusal(() => reg.perform(move(code(2), ADDRESS_C)))).toMatchObject({
      reason: 'register.household.address-mismatch',
    });
    const { record } = reg.perform(move(code(2)));
    expect(record).toMatchObject({ address: ADDRESS_B, householdId: '1', relationship: '妻' });
  });

  it('a member moves out of the household into a new one of their own (household new)', () => {
    const reg = family();
    const { record, householdChanges } = reg.perform(
      move(code(2), ADDRESS_C, { household: { kind: 'new' } }),
    );
    expect(record).toMatchObject({
      householdId: '2',
      relationship: '世帯主',
      headOfHousehold: '住基 花子',
    });
    expect(householdChanges).toEqual([]);
    expect(reg.members('1').map((m) => m.residentCode)).toEqual([code(1)]);
  });

  it('the head moving away from members names the new head', () => {
    const reg = family();
    expect(
      refusal(() => reg.perform(move(code(1), ADDRESS_C, { household: { kind: 'new' } }))),
    ).toMatchObject({ reason: 'register.household.head-leaves' });
    const { householdChanges } = reg.perform(
      move(code(1), ADDRESS_C, { household: { kind: 'new' }, newHeadCode: code(2) }),
    );
    expect(householdChanges.map((m) => [m.residentCode, m.relationship])).toEqual([
      [code(2), '世帯主'],
    ]);
  });

  it('R19: refuses 転居 to the same address, also written differently (address match key)', () => {
    const reg = family();
    for (const address of [ADDRESS_A, '東京都 千代田区千代田１番１号']) {
      expect(refusal(() => reg.perform(move(code(1), address)))).toMatchObject({
        code: 'invalid',
        reason: 'move-within.address-unchanged',
      });
    }
  });

  it('R19: refuses 転居 of a removed record and of an unknown code', () => {
    const reg = family();
    reg.perform({
      reason: 'death',
      form: {
        residentCode: code(2),
        changeDate: date('2024-04-10'),
        notifiedOn: date('2024-04-10'),
      },
    });
    expect(refusal(() => reg.perform(move(code(2))))).toMatchObject({
      code: 'conflict',
      reason: 'removed.not-allowed',
    });
    expect(
      refusal(() => moveWithin(undefined, move(code(404)).form as never, context())),
    ).toMatchObject({ code: 'not-found', reason: 'record.unknown' });
  });

  it('refuses joining the household one is already in (that is keep)', () => {
    const reg = family();
    const e = refusal(() =>
      reg.perform(
        move(code(2), ADDRESS_A.replace('1番1号', '1番2号'), {
          household: { kind: 'join', householdId: '1', relationship: '妻' },
        }),
      ),
    );
    expect(e.reason).toBe('register.household.already-member');
  });
});

describe('職権修正等 (correction by authority)', () => {
  const correct = (
    residentCode: ReturnType<typeof code>,
    corrections: Extract<
      RegisterOperation,
      { reason: 'correction-by-authority' }
    >['form']['corrections'],
  ): RegisterOperation => ({
    reason: 'correction-by-authority',
    form: { residentCode, changeDate: date('2024-05-01'), corrections },
  });

  it('a corrected name is a change for the CS; a head’s new name is printed on every member’s record', () => {
    const reg = family();
    const { record, event, householdChanges } = reg.perform(
      correct(code(1), { name: { kanji: '住基 太朗', kana: 'ジュウキ タロウ' } }),
    );
    expect(record).toMatchObject({
      name: { kanji: '住基 太朗' },
      headOfHousehold: '住基 太朗',
      lastChange: { reason: 'correction-by-authority', date: '2024-05-01' },
    });
    expect(record).not.toHaveProperty('notifiedOn'); // by authority: no notification
    expect(event).toMatchObject({
      reason: 'correction-by-authority',
      values: { name: { kanji: '住基 太朗' } },
    });
    expect(householdChanges.map((m) => [m.residentCode, m.headOfHousehold])).toEqual([
      [code(2), '住基 太朗'],
    ]);
  });

  it('R1/R2: a correction of register items only (本籍) sends nothing to the CS and keeps the CS’s last change', () => {
    const reg = family();
    const before = reg.get(code(2));
    const { record, event } = reg.perform(
      correct(code(2), {
        registeredDomicile: {
          address: '北海道札幌市中央区北1条西2丁目',
          headOfFamily: '住基 太郎',
        },
      }),
    );
    expect(event).toBeUndefined();
    expect(record.registeredDomicile?.address).toBe('北海道札幌市中央区北1条西2丁目');
    expect(record.lastChange).toEqual(before.lastChange);
    expect(record.version).toBe(before.version + 1);
  });

  it('removes a wrongly recorded individual number (null), and corrects a removed record', () => {
    const reg = family();
    reg.perform(correct(code(2), { individualNumber: individualNumberOf('12345678901') }));
    const { record, event } = reg.perform(correct(code(2), { individualNumber: null }));
    expect(record.individualNumber).toBeUndefined();
    expect(event!.values).not.toHaveProperty('individualNumber');
    reg.perform({
      reason: 'move-out',
      form: {
        residentCode: code(2),
        changeDate: date('2024-05-02'),
        notifiedOn: date('2024-05-02'),
        destination: ADDRESS_C,
      },
    });
    const removed = reg.perform({
      reason: 'correction-by-authority',
      form: { residentCode: code(2), changeDate: date('2024-05-03'), corrections: { sex: 'male' } },
    });
    expect(removed.record).toMatchObject({ status: 'removed', sex: 'male' });
  });

  it('refuses a correction that changes nothing, makes or unmakes 世帯主, or gives both 本籍 and 国籍', () => {
    const reg = family();
    const spouse = reg.get(code(2));
    expect(refusal(() => reg.perform(correct(code(2), {})))).toMatchObject({
      reason: 'register.correction.nothing',
    });
    expect(refusal(() => reg.perform(correct(code(2), { name: spouse.name })))).toMatchObject({
      reason: 'register.correction.nothing',
    });
    expect(refusal(() => reg.perform(correct(code(2), { relationship: '世帯主' })))).toMatchObject({
      reason: 'register.household.head-by-correction',
    });
    expect(refusal(() => reg.perform(correct(code(1), { relationship: '同居人' })))).toMatchObject({
      reason: 'register.household.head-by-correction',
    });
    expect(refusal(() => reg.perform(correct(code(2), { nationality: '韓国' })))).toMatchObject({
      reason: 'register.domicile.both',
    });
    // A relationship other than 世帯主 is the register's to correct.
    expect(reg.perform(correct(code(2), { relationship: '妻（未届）' })).event).toBeUndefined();
  });

  it('R19: refuses a correction dated after today, with or without a change for the CS', () => {
    const reg = family();
    for (const corrections of [{ sex: 'male' as const }, { relationship: '同居人' }]) {
      const e = refusal(() =>
        correctionByAuthority(
          reg.get(code(2)),
          { residentCode: code(2), changeDate: date('2024-06-02'), corrections },
          context(),
        ),
      );
      expect(e.reason).toBe('change-date.future');
    }
  });
});

describe('住民票コードの記載の変更請求 / 住民票コードの職権記載等 (re-coding, R7)', () => {
  it('R7: the person gets the new code; the event is addressed to the old code and carries the new one', () => {
    const reg = family();
    const before = reg.get(code(2));
    const { record, event } = reg.perform({
      reason: 'code-change-request',
      form: {
        residentCode: code(2),
        changeDate: date('2024-05-01'),
        notifiedOn: date('2024-05-01'),
      },
    });
    expect(record).toMatchObject({
      residentCode: code(9000),
      householdId: '1',
      relationship: '妻',
    });
    expect(event).toMatchObject({
      reason: 'code-change-request',
      residentCode: code(2),
      values: { ...identityInfoOf(before), residentCode: code(9000) },
    });
    expect(reg.usedCodes.has(code(2))).toBe(true);
  });

  it('the request needs its 届出年月日; 職権記載等 does not', () => {
    const reg = family();
    const form = { residentCode: code(2), changeDate: date('2024-05-01') };
    expect(
      refusal(() =>
        recode(
          'code-change-request',
          reg.get(code(2)),
          form,
          context({ newResidentCode: code(77) }),
        ),
      ),
    ).toMatchObject({ reason: 'register.form.missing-field' });
    const { event } = recode(
      'code-entry-by-authority',
      reg.get(code(2)),
      form,
      context({
        newResidentCode: code(77),
      }),
    );
    expect(event?.values.residentCode).toBe(code(77));
  });

  it('R19: refuses re-coding a removed record (removed.not-allowed)', () => {
    const reg = family();
    reg.perform({
      reason: 'deletion-by-authority',
      form: { residentCode: code(2), changeDate: date('2024-04-10') },
    });
    expect(
      refusal(() =>
        reg.perform({
          reason: 'code-entry-by-authority',
          form: { residentCode: code(2), changeDate: date('2024-05-01') },
        }),
      ),
    ).toMatchObject({ code: 'conflict', reason: 'removed.not-allowed' });
  });
});

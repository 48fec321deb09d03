import { describe, expect, it } from 'vitest';
import { validateChange } from '../change/validate-change.ts';
import { identityInfoOf } from '../resident/IdentityInfo.ts';
import { birth, entryByAuthority, moveIn } from './entry-operations.ts';
import {
  ADDRESS_A,
  ADDRESS_B,
  DOMICILE,
  MemoryRegister,
  code,
  context,
  date,
  moveInForm,
  refusal,
  spouseForm,
} from './register.fixtures.ts';
import { identityRecordOf, type ResidentRecord } from './ResidentRecord.ts';

/** A register holding 住基 太郎 (head, household 1) and 住基 花子 (妻). */
function family() {
  const reg = new MemoryRegister();
  reg.perform({ reason: 'move-in', form: moveInForm() });
  reg.perform({ reason: 'move-in', form: spouseForm('1') });
  return reg;
}

describe('転入 (move-in)', () => {
  it('R1: enters the full 住民票 in a new household; the CS gets 本人確認情報 only', () => {
    const { record, event, householdChanges } = moveIn(
      undefined,
      moveInForm(),
      context({ newHouseholdId: '7' }),
    );
    expect(record).toMatchObject({
      residentCode: code(1),
      householdId: '7',
      headOfHousehold: '住基 太郎',
      relationship: '世帯主',
      registeredDomicile: DOMICILE,
      becameResidentOn: '2024-04-01',
      addressSetOn: '2024-04-01',
      previousAddress: '大阪府大阪市北区梅田1丁目1番1号',
      notifiedOn: '2024-04-05',
      localGovernmentCode: '131016',
      status: 'resident',
      lastChange: { reason: 'move-in', date: '2024-04-01' },
      version: 1,
    });
    expect(event).toEqual({
      transactionId: 'tx-1',
      reason: 'move-in',
      changeDate: '2024-04-01',
      residentCode: code(1),
      values: identityInfoOf(record),
    });
    // Nothing of the register's own items travels (R1, R2).
    expect(Object.keys(event!.values).sort()).toEqual(
      ['address', 'birthDate', 'localGovernmentCode', 'name', 'residentCode', 'sex'].sort(),
    );
    expect(validateChange(undefined, event!, { today: date('2024-06-01') })).toBeUndefined();
    expect(householdChanges).toEqual([]);
  });

  it('joins a household at its head’s address, printing the head’s name', () => {
    const reg = family();
    expect(reg.get(code(2))).toMatchObject({
      householdId: '1',
      headOfHousehold: '住基 太郎',
      relationship: '妻',
    });
  });

  it('R7: a person without a resident code (from abroad) gets the new code the I/O layer drew', () => {
    const { record, event } = moveIn(
      undefined,
      moveInForm({ residentCode: undefined, registeredDomicile: undefined, nationality: '韓国' }),
      context({ newResidentCode: code(55), newHouseholdId: '1' }),
    );
    expect(record.residentCode).toBe(code(55));
    expect(record.nationality).toBe('韓国');
    expect(event!.residentCode).toBe(code(55));
  });

  it('re-entry: a person who moved out comes back under the same code, as the same record', () => {
    const reg = family();
    reg.perform({
      reason: 'move-out',
      form: {
        residentCode: code(2),
        changeDate: date('2024-04-10'),
        notifiedOn: date('2024-04-10'),
        destination: '大阪府大阪市北区梅田1丁目1番1号',
      },
    });
    const back = reg.perform({
      reason: 'move-in',
      form: spouseForm('1', { changeDate: date('2024-05-01'), notifiedOn: date('2024-05-02') }),
    });
    expect(back.record).toMatchObject({ status: 'resident', version: 3 });
    expect(back.record).not.toHaveProperty('removal');
    expect(back.record.becameResidentOn).toBe('2024-05-01');
  });

  it('R19: refuses 転入 of someone already resident here (create.already-resident, conflict)', () => {
    const reg = family();
    const e = refusal(() =>
      moveIn(reg.get(code(1)), moveInForm(), context({ newHouseholdId: '9' })),
    );
    expect(e).toMatchObject({ code: 'conflict', reason: 'create.already-resident' });
  });

  it('R19: refuses 転入 of a person whose record here was removed by death (removed.not-allowed)', () => {
    const reg = family();
    reg.perform({
      reason: 'death',
      form: {
        residentCode: code(2),
        changeDate: date('2024-04-10'),
        notifiedOn: date('2024-04-11'),
      },
    });
    const e = refusal(() => reg.perform({ reason: 'move-in', form: spouseForm('1') }));
    expect(e).toMatchObject({ code: 'conflict', reason: 'removed.not-allowed' });
  });

  it('refuses a re-entry whose date of birth or sex differ from the removed record: not the same person', () => {
    const reg = family();
    reg.perform({
      reason: 'move-out',
      form: {
        residentCode: code(2),
        changeDate: date('2024-04-10'),
        notifiedOn: date('2024-04-10'),
        destination: ADDRESS_B,
      },
    });
    const e = refusal(() =>
      reg.perform({
        reason: 'move-in',
        form: spouseForm('1', {
          birthDate: date('1990-01-01'),
          changeDate: date('2024-05-01'),
          notifiedOn: date('2024-05-01'),
        }),
      }),
    );
    expect(e).toMatchObject({ code: 'conflict', reason: 'register.identity-mismatch' });
  });

  it('R7: refuses a code that was used here before by a re-coded person (never given again)', () => {
    const e = refusal(() =>
      moveIn(undefined, moveInForm(), context({ newHouseholdId: '1', formCodeRetired: true })),
    );
    expect(e).toMatchObject({ code: 'conflict', reason: 'register.resident-code.retired' });
  });

  it('refuses an incomplete or inconsistent form, naming the field', () => {
    const ctx = context({ newHouseholdId: '1' });
    const cases: [Partial<Parameters<typeof moveInForm>[0]>, string][] = [
      [{ previousAddress: undefined }, 'register.form.missing-field'], // 転入 states 前住所
      [{ notifiedOn: undefined }, 'register.form.missing-field'], // 転入 is notified
      [{ notifiedOn: date('2024-03-31') }, 'register.notified-on.before-change'], // notified before moving in
      [{ notifiedOn: date('2024-06-02') }, 'register.notified-on.future'],
      [
        { changeDate: date('2024-06-02'), notifiedOn: date('2024-06-01') },
        'register.notified-on.before-change',
      ],
      [{ registeredDomicile: undefined }, 'register.domicile.missing'], // 本籍 or 国籍
      [{ nationality: '米国' }, 'register.domicile.both'],
      [{ name: { kanji: '住基 太郎', kana: 'Juki Taro' } }, 'name.kana-invalid'],
      [{ name: { kanji: ' ', kana: 'ジュウキ' } }, 'name.empty'],
      [{ address: '' }, 'address.empty'],
      [{ birthDate: date('1980-02-30') }, 'date.malformed'],
      [{ residentCode: '12345678901' as never }, 'resident-code.check-digit'],
      [{ household: { kind: 'keep' } }, 'register.form.household-kind'], // keep is for 転居 only
    ];
    for (const [overrides, reason] of cases) {
      const e = refusal(() => moveIn(undefined, moveInForm(overrides), ctx));
      expect(e.code, reason).toBe('invalid');
      expect(e.reason, JSON.stringify(overrides)).toBe(reason);
      expect(e.message).toMatch(/^[\u3000-\u9fff]/u); // Japanese first
    }
  });

  it('R19: refuses a change date after today (the CS would refuse it too)', () => {
    const e = refusal(() =>
      moveIn(
        undefined,
        moveInForm({ changeDate: date('2024-06-02'), notifiedOn: undefined }),
        context({ newHouseholdId: '1' }),
      ),
    );
    expect(e.reason).toBe('register.form.missing-field');
    const e2 = refusal(() =>
      entryByAuthority(
        undefined,
        moveInForm({ changeDate: date('2024-06-02'), notifiedOn: undefined }),
        context({ newHouseholdId: '1' }),
      ),
    );
    expect(e2).toMatchObject({ code: 'invalid', reason: 'change-date.future' });
  });

  it('refuses a field the form does not have (a typo is not silently dropped)', () => {
    const form = { ...moveInForm(), adress: ADDRESS_B } as never;
    const e = refusal(() => moveIn(undefined, form, context({ newHouseholdId: '1' })));
    expect(e).toMatchObject({ code: 'invalid', reason: 'register.form.unknown-field' });
    expect(e.message).toContain('adress');
  });

  it('refuses joining a household that does not exist, is elsewhere, or as a second 世帯主', () => {
    const reg = family();
    const head = reg.get(code(1));
    const household = reg.members('1');
    const join = (householdId: string, relationship: string, address = ADDRESS_A) =>
      refusal(() =>
        moveIn(
          undefined,
          moveInForm({
            residentCode: code(3),
            address,
            household: { kind: 'join', householdId, relationship },
          }),
          context({ joinedHousehold: householdId === '1' ? household : [] }),
        ),
      );
    expect(join('99', '子')).toMatchObject({
      code: 'not-found',
      reason: 'register.household.unknown',
    });
    expect(join('1', '子', ADDRESS_B)).toMatchObject({
      reason: 'register.household.address-mismatch',
    });
    expect(join('1', '世帯主')).toMatchObject({ reason: 'register.household.second-head' });
    // The same address written with full-width digits and spaces is the same address.
    expect(() =>
      moveIn(
        undefined,
        moveInForm({
          residentCode: code(3),
          address: '東京都千代田区千代田１番１号',
          household: { kind: 'join', householdId: '1', relationship: '子' },
        }),
        context({ joinedHousehold: household }),
      ),
    ).not.toThrow();
    expect(head.relationship).toBe('世帯主');
  });
});

describe('職権記載等 (entry by authority)', () => {
  it('enters a person found living here: no notification, no previous address required', () => {
    const { record, event } = entryByAuthority(
      undefined,
      moveInForm({ notifiedOn: undefined, previousAddress: undefined }),
      context({ newHouseholdId: '1' }),
    );
    expect(record.notifiedOn).toBeUndefined();
    expect(record.previousAddress).toBeUndefined();
    expect(event!.reason).toBe('entry-by-authority');
  });

  it('restores a record removed in error (職権消除等 → 職権記載等), as the same person', () => {
    const reg = family();
    reg.perform({
      reason: 'deletion-by-authority',
      form: { residentCode: code(2), changeDate: date('2024-04-10') },
    });
    const { record } = reg.perform({
      reason: 'entry-by-authority',
      form: spouseForm('1', { changeDate: date('2024-04-20'), notifiedOn: undefined }),
    });
    expect(record).toMatchObject({ status: 'resident', relationship: '妻' });
    expect(record).not.toHaveProperty('removal');
  });

  it('R19: refuses 職権記載等 of a current resident (create.already-resident)', () => {
    const reg = family();
    const e = refusal(() =>
      entryByAuthority(
        reg.get(code(2)),
        spouseForm('1'),
        context({ joinedHousehold: reg.members('1') }),
      ),
    );
    expect(e).toMatchObject({ code: 'conflict', reason: 'create.already-resident' });
  });
});

describe('出生 (birth)', () => {
  const birthForm = (parentCode = code(2)) => ({
    parentCode,
    name: { kanji: '住基 一郎', kana: 'ジュウキ イチロウ' },
    sex: 'male' as const,
    birthDate: date('2024-05-20'),
    notifiedOn: date('2024-05-25'),
  });

  it('R7: the child gets a new code and joins the parent’s household as 子, with the parent’s address and 本籍', () => {
    const reg = family();
    const { record, event } = reg.perform({ reason: 'birth', form: birthForm() });
    expect(record).toMatchObject({
      residentCode: code(9000),
      householdId: '1',
      headOfHousehold: '住基 太郎',
      relationship: '子',
      address: ADDRESS_A,
      registeredDomicile: DOMICILE,
      becameResidentOn: '2024-05-20',
      addressSetOn: '2024-05-20',
      notifiedOn: '2024-05-25',
    });
    expect(record).not.toHaveProperty('previousAddress');
    expect(event).toMatchObject({
      reason: 'birth',
      changeDate: '2024-05-20',
      residentCode: code(9000),
    });
  });

  it('a grandchild (child of 子) is 孫; a relationship given on the form wins', () => {
    const reg = family();
    const child = reg.perform({
      reason: 'birth',
      form: { ...birthForm(), birthDate: date('2004-01-01'), notifiedOn: date('2004-01-05') },
    });
    const grandchild = reg.perform({
      reason: 'birth',
      form: {
        ...birthForm(child.record.residentCode),
        name: { kanji: '住基 次郎', kana: 'ジュウキ ジロウ' },
      },
    });
    expect(grandchild.record.relationship).toBe('孫');
    const given = reg.perform({
      reason: 'birth',
      form: {
        ...birthForm(),
        relationship: '同居人の子',
        name: { kanji: '住基 三郎', kana: 'ジュウキ サブロウ' },
      },
    });
    expect(given.record.relationship).toBe('同居人の子');
  });

  it('refuses a parent who is not a resident here, a second 世帯主, a notification before the birth', () => {
    const reg = family();
    expect(
      refusal(() => reg.perform({ reason: 'birth', form: birthForm(code(404)) })),
    ).toMatchObject({
      code: 'not-found',
      reason: 'register.parent.unknown',
    });
    expect(
      refusal(() =>
        reg.perform({ reason: 'birth', form: { ...birthForm(), relationship: '世帯主' } }),
      ),
    ).toMatchObject({ reason: 'register.household.second-head' });
    expect(
      refusal(() =>
        reg.perform({ reason: 'birth', form: { ...birthForm(), notifiedOn: date('2024-05-19') } }),
      ),
    ).toMatchObject({ reason: 'register.notified-on.before-change' });
  });

  it('refuses a birth dated after today: its notification cannot have been made yet', () => {
    const reg = family();
    const e = refusal(() =>
      birth(
        undefined,
        { ...birthForm(), birthDate: date('2024-06-02'), notifiedOn: date('2024-06-02') },
        context({
          parent: reg.get(code(2)),
          joinedHousehold: reg.members('1'),
          newResidentCode: code(77),
        }),
      ),
    );
    expect(e).toMatchObject({ code: 'invalid', reason: 'register.notified-on.future' });
  });

  it('the record handed to R19 is the 本人確認情報 projection of the 住民票', () => {
    const reg = family();
    const r: ResidentRecord = reg.get(code(1));
    expect(identityRecordOf(r)).toEqual({
      ...identityInfoOf(r),
      status: 'resident',
      lastChange: r.lastChange,
      movedOverseas: false,
      version: r.version,
    });
  });
});

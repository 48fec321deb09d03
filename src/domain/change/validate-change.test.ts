import { describe, expect, it } from 'vitest';
import type { IdentityInfo, IdentityRecord } from '../resident/IdentityInfo.ts';
import {
  buildEvent,
  buildRecord,
  date,
  individualNumberOf,
  residentCodeOf,
} from './change-builders.ts';
import type { ChangeEvent } from './ChangeEvent.ts';
import type { ChangeReason } from './ChangeReason.ts';
import { CHANGE_REASON_LIST, changeKind } from './ChangeReason.ts';
import type { ValidationContext } from './validate-change.ts';
import { validateChange } from './validate-change.ts';
import {
  ctx,
  expectRule,
  newCode,
  removedBy,
  resident,
  today,
  v,
  withValues,
} from './validate-change.fixtures.ts';

function expectAccepted(
  current: IdentityRecord | undefined,
  event: ChangeEvent,
  context: ValidationContext = ctx,
) {
  const rejection = validateChange(current, event, context);
  expect(rejection, rejection?.message).toBeUndefined();
}

describe('validateChange: the shape and formats of a change (the CS checks)', () => {
  it('R19: refuses something that is not a change event', () => {
    expectRule('event.malformed', undefined, null as unknown as ChangeEvent);
    expectRule('event.malformed', undefined, {
      ...buildEvent('move-in', v),
      values: undefined,
    } as unknown as ChangeEvent);
  });

  it('R19: refuses a change without a transaction id (idempotence needs one)', () => {
    expectRule('event.transaction-id', undefined, buildEvent('move-in', v, { transactionId: '' }));
  });

  it('R1: refuses a reason that is not one of the ten', () => {
    expectRule('event.reason', undefined, {
      ...buildEvent('move-in', v),
      reason: 'marriage' as ChangeReason,
    });
    expectRule('event.reason', undefined, {
      ...buildEvent('move-in', v),
      reason: 'toString' as ChangeReason,
    });
  });

  it('R19: refuses a change date that is not a real date', () => {
    expectRule(
      'event.change-date',
      undefined,
      buildEvent('move-in', v, { changeDate: date('2024-02-30') }),
    );
  });

  it('R7: refuses an addressed resident code with a wrong check digit', () => {
    expectRule(
      'event.resident-code',
      undefined,
      buildEvent('move-in', v, { residentCode: '24727059607' as never }),
    );
  });

  it('R7: refuses values with a malformed resident code (wrong length, wrong check digit)', () => {
    expectRule(
      'values.resident-code',
      undefined,
      withValues('move-in', { residentCode: '2472705960' }),
    );
    expectRule(
      'values.resident-code',
      undefined,
      withValues('move-in', { residentCode: '24727059607' }),
    );
  });

  it('R19: refuses a malformed individual number; no individual number at all is fine', () => {
    expectRule(
      'values.individual-number',
      undefined,
      withValues('move-in', { individualNumber: '123456789019' }),
    );
    expectRule(
      'values.individual-number',
      undefined,
      withValues('move-in', { individualNumber: 123456789018 }),
    );
    expectAccepted(undefined, withValues('move-in', { individualNumber: undefined }));
  });

  it('R19: refuses an empty name, a missing name and an empty or non-kana reading', () => {
    expectRule(
      'values.name-kanji',
      undefined,
      withValues('move-in', { name: { kanji: ' \u3000', kana: 'ヤマダ' } }),
    );
    expectRule('values.name-kanji', undefined, withValues('move-in', { name: undefined }));
    expectRule(
      'values.name-kana',
      undefined,
      withValues('move-in', { name: { kanji: '山田', kana: '' } }),
    );
    expectRule(
      'values.name-kana',
      undefined,
      withValues('move-in', { name: { kanji: '山田', kana: 'Yamada' } }),
    );
  });

  it("R19: refuses a sex other than 'male' / 'female'", () => {
    expectRule('values.sex', undefined, withValues('move-in', { sex: '男' }));
  });

  it('R19: refuses a malformed date of birth', () => {
    expectRule('values.birth-date', undefined, withValues('move-in', { birthDate: '1990-4-1' }));
  });

  it('R19: refuses an empty address', () => {
    expectRule('values.address', undefined, withValues('move-in', { address: '  ' }));
  });

  it('R19: refuses a local-government code with a wrong check digit or length', () => {
    expectRule(
      'values.local-government-code',
      undefined,
      withValues('move-in', { localGovernmentCode: '131017' }),
    );
    expectRule(
      'values.local-government-code',
      undefined,
      withValues('move-in', { localGovernmentCode: '13101' }),
    );
  });

  it('R1: refuses movedOverseas on anything but 転出', () => {
    expectRule('event.moved-overseas', resident, buildEvent('death', v, { movedOverseas: true }));
    expectRule('event.moved-overseas', resident, {
      ...buildEvent('move-out', v),
      movedOverseas: 'yes' as never,
    });
    expectAccepted(resident, buildEvent('death', v, { movedOverseas: false })); // false says nothing
    expectAccepted(resident, buildEvent('move-out', v, { movedOverseas: true }));
  });
});

describe('validateChange: dates', () => {
  it('R19: refuses a change dated after today; today itself is fine', () => {
    expectRule(
      'change-date.future',
      resident,
      buildEvent('move-out', v, { changeDate: date('2025-01-01') }),
    );
    expectAccepted(resident, buildEvent('move-out', v, { changeDate: today }));
  });

  it('R19: refuses a date of birth after today', () => {
    const unborn = { ...v, birthDate: date('2025-01-01') };
    expectRule('birth-date.future', undefined, buildEvent('birth', unborn, { changeDate: today }));
  });

  it('R19: refuses 出生 registered before the birth (birth date after the change date)', () => {
    const baby = { ...v, birthDate: date('2024-06-02') };
    expectRule(
      'birth-date.after-change-date',
      undefined,
      buildEvent('birth', baby, { changeDate: date('2024-06-01') }),
    );
    expectAccepted(undefined, buildEvent('birth', baby, { changeDate: date('2024-06-02') }));
  });

  it('R19: refuses a change older than the last change of the record (out of order); same day is fine', () => {
    const moved = { ...v, address: '東京都千代田区丸の内1丁目' };
    expectRule(
      'change-date.out-of-order',
      resident,
      buildEvent('move-within', moved, { changeDate: date('2020-03-31') }),
    );
    expectAccepted(resident, buildEvent('move-within', moved, { changeDate: date('2020-04-01') }));
  });
});

describe('validateChange: whose record', () => {
  it('R7: refuses a change of the resident code by any reason but the two re-coding reasons', () => {
    expectRule(
      'resident-code.mismatch',
      resident,
      buildEvent(
        'correction-by-authority',
        { ...v, residentCode: newCode },
        {
          residentCode: v.residentCode,
        },
      ),
    );
  });

  it('R19: refuses when the record given is not the record of the addressed code', () => {
    const other = buildRecord({ residentCode: residentCodeOf('9999999999') });
    expectRule('record.code-mismatch', other, buildEvent('move-out', v));
  });
});

describe('validateChange: what the state of the record allows', () => {
  it('R19: refuses 転入 for a resident who already exists (and 出生, 職権記載等 likewise)', () => {
    for (const reason of ['move-in', 'birth', 'entry-by-authority'] as const) {
      expectRule(
        'create.already-resident',
        resident,
        buildEvent(reason, { ...v, birthDate: date('1990-04-01') }),
      );
    }
  });

  it('R7: refuses 出生 for a resident code that has any record, also a removed one', () => {
    expectRule(
      'birth.code-exists',
      removedBy('death'),
      buildEvent('birth', { ...v, birthDate: date('2024-06-01') }),
    );
  });

  it('R19: refuses every reason but the creating ones for an unknown resident code', () => {
    for (const reason of CHANGE_REASON_LIST.filter((r) => changeKind(r) !== 'creates')) {
      const values = changeKind(reason) === 'recodes' ? { ...v, residentCode: newCode } : v;
      expectRule(
        'record.unknown',
        undefined,
        buildEvent(reason, values, { residentCode: v.residentCode }),
      );
    }
    for (const reason of ['move-in', 'entry-by-authority'] as const)
      expectAccepted(undefined, buildEvent(reason, v));
  });

  it('R19: refuses 転出, 死亡 and 職権消除等 on a record that is already removed', () => {
    for (const reason of ['move-out', 'death', 'deletion-by-authority'] as const) {
      expectRule('removed.already-removed', removedBy('move-out'), buildEvent(reason, v));
    }
  });

  it('R19: on a removed record allows re-entry, reinstatement and correction, and refuses the rest', () => {
    const elsewhere = {
      ...v,
      address: '北海道札幌市中央区北一条西2丁目',
      localGovernmentCode: '011011',
    };
    expectAccepted(removedBy('move-out'), buildEvent('move-in', elsewhere)); // 転入 after 転出
    expectAccepted(removedBy('deletion-by-authority'), buildEvent('move-in', elsewhere)); // reappears
    expectAccepted(removedBy('deletion-by-authority'), buildEvent('entry-by-authority', v)); // 回復
    expectAccepted(removedBy('death'), buildEvent('entry-by-authority', v)); // death recorded in error
    expectAccepted(
      removedBy('death'),
      buildEvent('correction-by-authority', {
        ...v,
        name: { kanji: '住基 華子', kana: 'ジュウキ ハナコ' },
      }),
    );
    expectRule('removed.not-allowed', removedBy('death'), buildEvent('move-in', elsewhere)); // the dead do not move in
    // after a correction the record no longer shows why it was removed: re-entry is accepted
    expectAccepted(removedBy('correction-by-authority'), buildEvent('move-in', elsewhere));
    expectRule(
      'removed.not-allowed',
      removedBy('move-out'),
      buildEvent('move-within', { ...v, address: '東京都千代田区丸の内1丁目' }),
    );
    expectRule(
      'removed.not-allowed',
      removedBy('move-out'),
      buildEvent(
        'code-change-request',
        { ...v, residentCode: newCode },
        {
          residentCode: v.residentCode,
        },
      ),
    );
  });
});

describe('validateChange: 転居 (move within the municipality)', () => {
  const moved = { ...v, address: '東京都千代田区丸の内1丁目1番1号' };

  it('R19: accepts 転居 that changes the address only', () => {
    expectAccepted(resident, buildEvent('move-within', moved));
  });

  it('R19: rejects 転居 that changes more than the address (name, sex, birth date, number, municipality)', () => {
    const changes: Partial<IdentityInfo>[] = [
      { name: { kanji: '住基 華子', kana: 'ジュウキ ハナコ' } },
      { name: { kanji: '住基 花子', kana: 'ジュウキ ハナ' } },
      { sex: 'male' },
      { birthDate: date('1990-04-02') },
      { individualNumber: individualNumberOf('98765432109') },
      { individualNumber: undefined },
      { localGovernmentCode: '131041' }, // another municipality: that is 転出 + 転入, not 転居
    ];
    for (const change of changes) {
      expectRule(
        'move-within.changes-other-items',
        resident,
        buildEvent('move-within', { ...moved, ...change }),
      );
    }
  });

  it('R19: rejects 転居 that does not change the address, also when only its writing differs', () => {
    expectRule('move-within.address-unchanged', resident, buildEvent('move-within', v));
    const rewritten = { ...v, address: '東京都　千代田区千代田１番１号' };
    expectRule('move-within.address-unchanged', resident, buildEvent('move-within', rewritten));
  });
});

describe('validateChange: re-coding (住民票コードの記載の変更請求, 住民票コードの職権記載等)', () => {
  const recode = (reason: ChangeReason, values: IdentityInfo) =>
    buildEvent(reason, values, { residentCode: v.residentCode });

  it('R7: accepts a re-code to a fresh valid code that changes nothing else', () => {
    expectAccepted(resident, recode('code-change-request', { ...v, residentCode: newCode }), {
      today,
      newCodeAlreadyUsed: false,
    });
    expectAccepted(resident, recode('code-entry-by-authority', { ...v, residentCode: newCode }));
  });

  it('R7: refuses a new code that is not a valid code', () => {
    expectRule(
      'values.resident-code',
      resident,
      recode('code-change-request', { ...v, residentCode: '11111111110' as never }),
    );
  });

  it('R7: refuses a new code equal to the old one', () => {
    expectRule('recode.same-code', resident, recode('code-change-request', v));
  });

  it('R7: refuses a new code that is or was in use (never reissued)', () => {
    expectRule(
      'recode.code-already-used',
      resident,
      recode('code-entry-by-authority', { ...v, residentCode: newCode }),
      {
        today,
        newCodeAlreadyUsed: true,
      },
    );
  });

  it('R7: refuses a re-code that changes anything else', () => {
    const values = { ...v, residentCode: newCode, address: '東京都千代田区丸の内1丁目' };
    expectRule('recode.changes-other-items', resident, recode('code-change-request', values));
  });
});

import { describe, expect, it } from 'vitest';
import { buildEvent, buildIdentity } from '../change/change-builders.ts';
import { CHANGE_REASON_LIST } from '../change/ChangeReason.ts';
import { changeReasonFromName, formFields, parseRegisterOperation } from './form-fields.ts';
import { parseChangeEvent } from './parse-change-event.ts';
import { moveInForm, refusal } from './register.fixtures.ts';

describe('counter forms from JSON', () => {
  it('every one of the ten change reasons has a form; names are the code names or the Japanese terms', () => {
    for (const reason of CHANGE_REASON_LIST) expect(formFields(reason).length).toBeGreaterThan(0);
    expect(changeReasonFromName('転入')).toBe('move-in');
    expect(changeReasonFromName('住民票コードの記載の変更請求')).toBe('code-change-request');
    expect(refusal(() => changeReasonFromName('転勤'))).toMatchObject({
      reason: 'register.form.reason',
    });
  });

  it('parses a well-formed operation and refuses a malformed one, naming the field', () => {
    const form = JSON.parse(JSON.stringify(moveInForm())) as unknown;
    expect(parseRegisterOperation({ reason: '転入', form })).toEqual({
      reason: 'move-in',
      form: moveInForm(),
    });
    expect(refusal(() => parseRegisterOperation({ reason: 'move-in' }))).toMatchObject({
      reason: 'register.form.not-an-object',
    });
    const e = refusal(() =>
      parseRegisterOperation({
        reason: 'move-in',
        form: { ...moveInForm(), household: { kind: 'join', householdId: '1' } },
      }),
    );
    expect(e).toMatchObject({ reason: 'register.form.missing-field' });
    expect(e.message).toMatch(/^続柄がありません \/ household\.relationship is missing/u);
    expect(
      refusal(() =>
        parseRegisterOperation({
          reason: 'move-in',
          form: { ...moveInForm(), name: { kanji: 'x'.repeat(201), kana: 'ア' } },
        }),
      ),
    ).toMatchObject({ reason: 'register.form.too-long' });
  });
});

describe('change events from a real register’s export', () => {
  it('keeps exactly the items of a change event (R1: anything else is dropped)', () => {
    const event = buildEvent('move-within', buildIdentity());
    const parsed = parseChangeEvent({
      ...event,
      registeredDomicile: '東京都千代田区',
      values: { ...event.values, relationship: '妻' },
    });
    expect(parsed).toEqual(event);
    expect(parsed).not.toHaveProperty('registeredDomicile');
  });

  it('refuses what the CS would refuse for format: each reason named', () => {
    const event = buildEvent('move-in', buildIdentity());
    const cases: [unknown, string][] = [
      [[], 'event.malformed'],
      [{ ...event, transactionId: '' }, 'event.transaction-id'],
      [{ ...event, transactionId: 'a\nb' }, 'event.transaction-id'],
      [{ ...event, reason: 'moving' }, 'event.reason'],
      [{ ...event, changeDate: '2024-02-30' }, 'date.malformed'],
      [{ ...event, residentCode: '123' }, 'resident-code.malformed'],
      [{ ...event, movedOverseas: 'yes' }, 'event.moved-overseas'],
      [{ ...event, values: { ...event.values, sex: 'x' } }, 'sex.invalid'],
      [{ ...event, values: undefined }, 'identity.not-an-object'],
    ];
    for (const [input, reason] of cases)
      expect(refusal(() => parseChangeEvent(input)).reason, reason).toBe(reason);
  });
});

/*
 * R19's rule table as a whole: one example per rule (exhaustive by type), the state picture as an
 * independent oracle, totality on arbitrary input, and docs/DOMAIN.md in step with the table.
 * Rule-by-rule tests with their reasons are in validate-change.test.ts.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IdentityInfo, IdentityRecord } from '../resident/IdentityInfo.ts';
import { buildEvent, buildIdentity, buildRecord, date, residentCodeOf } from './change-builders.ts';
import type { ChangeEvent } from './ChangeEvent.ts';
import type { ChangeReason } from './ChangeReason.ts';
import { CHANGE_REASON_LIST, changeKind } from './ChangeReason.ts';
import type { RejectionRule, ValidationContext } from './validate-change.ts';
import { REJECTION_RULES, validateChange } from './validate-change.ts';
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

describe('validateChange: the table as a whole', () => {
  /** Which (state, reason) pairs the state rules allow: the oracle, written apart from the table. */
  type State =
    'absent' | 'resident' | `removed-by-${'move-out' | 'death' | 'deletion-by-authority'}`;
  const oracle = (state: State, reason: ChangeReason): boolean => {
    const kind = changeKind(reason);
    if (state === 'absent') return kind === 'creates';
    if (state === 'resident') return kind !== 'creates';
    if (reason === 'move-in') return state !== 'removed-by-death';
    return reason === 'entry-by-authority' || reason === 'correction-by-authority';
  };

  /** A change of `reason` that is well formed and consistent with the record, so only the state decides. */
  function consistentChange(
    current: IdentityRecord | undefined,
    reason: ChangeReason,
    daysAfter: number,
    variant: number,
  ): ChangeEvent {
    const base = current ?? buildIdentity({ residentCode: residentCodeOf(String(1000 + variant)) });
    const changeDate = date(`2024-0${1 + (daysAfter % 9)}-1${daysAfter % 10}`);
    const kind = changeKind(reason);
    if (kind === 'recodes') {
      return buildEvent(
        reason,
        { ...base, residentCode: newCode },
        { residentCode: base.residentCode, changeDate },
      );
    }
    const values: IdentityInfo =
      reason === 'move-within'
        ? { ...base, address: `${base.address}の${variant}` }
        : reason === 'correction-by-authority'
          ? { ...base, name: { kanji: `訂正${variant}`, kana: 'テイセイ' } }
          : reason === 'birth'
            ? { ...base, birthDate: changeDate }
            : { ...base, address: `東京都千代田区丸の内${variant}丁目` };
    return buildEvent(reason, values, {
      changeDate,
      ...(reason === 'move-out' ? { movedOverseas: variant % 2 === 0 } : {}),
    });
  }

  it('R19: property — a well-formed, consistent change is accepted exactly when the state table allows it', () => {
    const states: State[] = [
      'absent',
      'resident',
      'removed-by-move-out',
      'removed-by-death',
      'removed-by-deletion-by-authority',
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...states),
        fc.constantFrom(...CHANGE_REASON_LIST),
        fc.nat(89),
        fc.nat(999),
        (state, reason, daysAfter, variant) => {
          const current =
            state === 'absent'
              ? undefined
              : state === 'resident'
                ? resident
                : removedBy(state.slice('removed-by-'.length) as ChangeReason);
          const event = consistentChange(current, reason, daysAfter, variant);
          const rejection = validateChange(current, event, { today, newCodeAlreadyUsed: false });
          expect(rejection === undefined, `${state} + ${reason}: ${rejection?.rule}`).toBe(
            oracle(state, reason),
          );
        },
      ),
      { numRuns: 500 },
    );
  });

  it('R19: property — validateChange never throws, whatever the event', () => {
    const anyField = fc.oneof(fc.anything(), fc.string(), fc.constant(undefined));
    const almostEvent = fc.record({
      transactionId: anyField,
      reason: fc.oneof(fc.constantFrom(...CHANGE_REASON_LIST), anyField),
      changeDate: fc.oneof(fc.constantFrom('2024-01-01', '2030-01-01', '2024-02-30'), anyField),
      residentCode: fc.oneof(fc.constant(v.residentCode), anyField),
      values: fc.oneof(
        fc.record({
          residentCode: fc.oneof(fc.constant(v.residentCode), anyField),
          individualNumber: anyField,
          name: fc.oneof(fc.record({ kanji: anyField, kana: anyField }), anyField),
          sex: fc.oneof(fc.constantFrom('male', 'female'), anyField),
          birthDate: fc.oneof(fc.constant('1990-01-01'), anyField),
          address: fc.oneof(fc.constant('東京都千代田区1'), anyField),
          localGovernmentCode: fc.oneof(fc.constant('131016'), anyField),
        }),
        anyField,
      ),
      movedOverseas: anyField,
    });
    const currents = fc.constantFrom(
      undefined,
      resident,
      removedBy('move-out'),
      removedBy('death'),
    );
    fc.assert(
      fc.property(
        currents,
        fc.oneof(almostEvent, fc.anything()),
        fc.option(fc.boolean(), { nil: undefined }),
        (current, event, used) => {
          const rejection = validateChange(current, event as ChangeEvent, {
            today,
            newCodeAlreadyUsed: used,
          });
          if (rejection) expect(REJECTION_RULES.some((r) => r.rule === rejection.rule)).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });

  /** One example per rule. A `Record` over the union: a new rule without an example does not compile. */
  const EXAMPLE: Record<
    RejectionRule,
    () => [IdentityRecord | undefined, ChangeEvent, ValidationContext?]
  > = {
    'event.malformed': () => [undefined, 42 as unknown as ChangeEvent],
    'event.transaction-id': () => [undefined, buildEvent('move-in', v, { transactionId: '' })],
    'event.reason': () => [
      undefined,
      { ...buildEvent('move-in', v), reason: 'adoption' as ChangeReason },
    ],
    'event.change-date': () => [
      undefined,
      buildEvent('move-in', v, { changeDate: date('2024-13-01') }),
    ],
    'event.resident-code': () => [
      undefined,
      buildEvent('move-in', v, { residentCode: 'x' as never }),
    ],
    'values.resident-code': () => [undefined, withValues('move-in', { residentCode: 'x' })],
    'values.individual-number': () => [undefined, withValues('move-in', { individualNumber: '1' })],
    'values.name-kanji': () => [
      undefined,
      withValues('move-in', { name: { kanji: '', kana: 'ア' } }),
    ],
    'values.name-kana': () => [
      undefined,
      withValues('move-in', { name: { kanji: '亜', kana: 'a' } }),
    ],
    'values.sex': () => [undefined, withValues('move-in', { sex: 'other' })],
    'values.birth-date': () => [undefined, withValues('move-in', { birthDate: '' })],
    'values.address': () => [undefined, withValues('move-in', { address: '' })],
    'values.local-government-code': () => [
      undefined,
      withValues('move-in', { localGovernmentCode: '000000' }),
    ],
    'event.moved-overseas': () => [
      resident,
      buildEvent('deletion-by-authority', v, { movedOverseas: true }),
    ],
    'change-date.future': () => [
      undefined,
      buildEvent('move-in', v, { changeDate: date('2099-01-01') }),
    ],
    'birth-date.future': () => [undefined, withValues('birth', { birthDate: '2099-01-01' })],
    'birth-date.after-change-date': () => [
      undefined,
      withValues('birth', { birthDate: '2024-06-02' }),
    ],
    'resident-code.mismatch': () => [
      undefined,
      buildEvent('move-in', v, { residentCode: newCode }),
    ],
    'record.code-mismatch': () => [buildRecord({ residentCode: newCode }), buildEvent('death', v)],
    'record.unknown': () => [undefined, buildEvent('death', v)],
    'create.already-resident': () => [resident, buildEvent('move-in', v)],
    'birth.code-exists': () => [
      removedBy('deletion-by-authority'),
      withValues('birth', { birthDate: '2024-06-01' }),
    ],
    'removed.already-removed': () => [removedBy('death'), buildEvent('death', v)],
    'removed.not-allowed': () => [removedBy('death'), buildEvent('move-in', v)],
    'change-date.out-of-order': () => [
      resident,
      buildEvent('death', v, { changeDate: date('2019-01-01') }),
    ],
    'move-within.changes-other-items': () => [
      resident,
      buildEvent('move-within', { ...v, address: '別', sex: 'male' }),
    ],
    'move-within.address-unchanged': () => [resident, buildEvent('move-within', v)],
    'recode.same-code': () => [resident, buildEvent('code-change-request', v)],
    'recode.code-already-used': () => [
      resident,
      buildEvent(
        'code-change-request',
        { ...v, residentCode: newCode },
        { residentCode: v.residentCode },
      ),
      { today, newCodeAlreadyUsed: true },
    ],
    'recode.changes-other-items': () => [
      resident,
      buildEvent(
        'code-change-request',
        { ...v, residentCode: newCode, sex: 'male' },
        { residentCode: v.residentCode },
      ),
    ],
  };

  it.each(REJECTION_RULES.map((r) => [r.requirement, r.rule] as const))(
    '%s: %s — its example is refused by that rule',
    (_, rule) => {
      const [current, event, context] = EXAMPLE[rule]();
      expectRule(rule, current, event, context ?? ctx);
    },
  );

  it('R19: every rule of the table has a stable code, a requirement and a description', () => {
    const codes = REJECTION_RULES.map((r) => r.rule);
    expect(new Set(codes).size).toBe(codes.length);
    expect(Object.keys(EXAMPLE).sort()).toEqual([...codes].sort());
    for (const r of REJECTION_RULES) {
      expect(r.rule).toMatch(/^[a-z-]+\.[a-z-]+$/);
      expect(['R1', 'R7', 'R19']).toContain(r.requirement);
      expect(r.description.length).toBeGreaterThan(10);
    }
  });
});

describe('validateChange: documentation', () => {
  it('R19: docs/DOMAIN.md lists every rule of the table, in table order', () => {
    const doc = readFileSync(new URL('../../../docs/DOMAIN.md', import.meta.url), 'utf8');
    const listed = [...doc.matchAll(/^\|\s*\d+\s*\|\s*`([a-z.-]+)`\s*\|\s*(R\d+)\s*\|/gm)].map(
      (m) => `${m[2]} ${m[1]}`,
    );
    expect(listed).toEqual(REJECTION_RULES.map((r) => `${r.requirement} ${r.rule}`));
  });
});

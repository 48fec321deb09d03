import { addressMatchKey } from '../address/address-key.ts';
import type { CalendarDate } from '../dates/CalendarDate.ts';
import type { IdentityRecord } from '../resident/IdentityInfo.ts';
import type { FieldProblem } from '../resident/identity-fields.ts';
import {
  addressProblem,
  dateProblem,
  individualNumberProblem,
  localGovernmentCodeFieldProblem,
  nameKanaFieldProblem,
  nameKanjiFieldProblem,
  residentCodeProblem,
  sexProblem,
} from '../resident/identity-fields.ts';
import type { ChangeEvent } from './ChangeEvent.ts';
import type { ChangeKind, ChangeReason } from './ChangeReason.ts';
import { changeKind, changeReasonLabel, isChangeReason } from './ChangeReason.ts';
import {
  allowedAfterRemoval,
  changedItems,
  isMoveInAheadOfMoveOut,
  isSupersededByMove,
} from './transitions.ts';

/**
 * R19: the checks a change of 本人確認情報 passes before any node stores it. The CS checks formats
 * and codes; the prefecture (and the national server) add logical checks against the record it
 * holds — e.g. 転入 for a resident who already exists, or 転居 that changes anything but the
 * address. Every node runs the same table, so a change refused anywhere is refused everywhere.
 *
 * The rules form one table, evaluated top to bottom; the first rule a change breaks is the
 * rejection. A rule may assume that every rule above it held (e.g. the date rules run on dates
 * already known to be well-formed). The codes are stable: stores persist them, wire messages
 * carry them, tests and docs/DOMAIN.md name them.
 */

export type ValidationContext = {
  readonly today: CalendarDate;
  /** for the two re-coding reasons: the new code is already in use or was used before */
  readonly newCodeAlreadyUsed?: boolean;
};

type Subject = {
  readonly current: IdentityRecord | undefined;
  readonly event: ChangeEvent;
  readonly ctx: ValidationContext;
};

type RuleDefinition = {
  readonly rule: string;
  readonly requirement: 'R1' | 'R7' | 'R19';
  /** What is refused, in the words of docs/DOMAIN.md. */
  readonly description: string;
  /** The rejection message when the rule is broken, undefined when it holds. */
  readonly check: (s: Subject) => string | undefined;
};

const kindOf = (e: ChangeEvent): ChangeKind => changeKind(e.reason);
const label = (r: ChangeReason): string => `${changeReasonLabel(r)} (${r})`;
const fieldMessage = (field: string, p: FieldProblem | undefined) =>
  p && `${field} ${p.message} (${p.reason})`;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

const RULES = [
  // ── the shape of the event ────────────────────────────────────────────────────────────────
  {
    rule: 'event.malformed',
    requirement: 'R19',
    description:
      'The change is not a change event: not an object, or `values` (the items after the change) missing.',
    check: ({ event }) =>
      !isObject(event)
        ? '異動情報の形式が不正です (change is not an object)'
        : !isObject(event.values)
          ? '異動後の本人確認情報がありません (values missing)'
          : undefined,
  },
  {
    rule: 'event.transaction-id',
    requirement: 'R19',
    description:
      'The transaction id (every cross-node write is idempotent on it) is missing or empty.',
    check: ({ event }) =>
      typeof event.transactionId !== 'string' || event.transactionId.length === 0
        ? 'トランザクションIDがありません (transactionId missing)'
        : undefined,
  },
  {
    rule: 'event.reason',
    requirement: 'R1',
    description: 'The change reason (異動事由) is not one of the ten reasons of R1.',
    check: ({ event }) =>
      typeof event.reason !== 'string' || !isChangeReason(event.reason)
        ? '異動事由が不正です (reason is not one of the ten change reasons)'
        : undefined,
  },
  // ── formats and codes (the CS's checks) ───────────────────────────────────────────────────
  {
    rule: 'event.change-date',
    requirement: 'R19',
    description: 'The change date (異動年月日) is not a real date YYYY-MM-DD.',
    check: ({ event }) => fieldMessage('changeDate', dateProblem(event.changeDate)),
  },
  {
    rule: 'event.resident-code',
    requirement: 'R7',
    description:
      'The resident code the change is addressed to is not 11 digits with a valid check digit.',
    check: ({ event }) => fieldMessage('residentCode', residentCodeProblem(event.residentCode)),
  },
  {
    rule: 'values.resident-code',
    requirement: 'R7',
    description:
      'The resident code in the values is not 11 digits with a valid check digit (for the two re-coding reasons: the NEW code).',
    check: ({ event }) =>
      fieldMessage('values.residentCode', residentCodeProblem(event.values.residentCode)),
  },
  {
    rule: 'values.individual-number',
    requirement: 'R19',
    description:
      'The individual number (個人番号), when present, is not 12 digits with a valid check digit.',
    check: ({ event }) =>
      fieldMessage(
        'values.individualNumber',
        individualNumberProblem(event.values.individualNumber),
      ),
  },
  {
    rule: 'values.name-kanji',
    requirement: 'R19',
    description: 'The name (氏名) is missing or empty.',
    check: ({ event }) =>
      fieldMessage('values.name.kanji', nameKanjiFieldProblem(event.values.name)),
  },
  {
    rule: 'values.name-kana',
    requirement: 'R19',
    description: 'The reading (よみがな) is empty or not kana (katakana/hiragana, ー, ・, spaces).',
    check: ({ event }) => fieldMessage('values.name.kana', nameKanaFieldProblem(event.values.name)),
  },
  {
    rule: 'values.sex',
    requirement: 'R19',
    description: "Sex (性別) is not 'male' or 'female'.",
    check: ({ event }) => fieldMessage('values.sex', sexProblem(event.values.sex)),
  },
  {
    rule: 'values.birth-date',
    requirement: 'R19',
    description: 'The date of birth (生年月日) is not a real date YYYY-MM-DD.',
    check: ({ event }) => fieldMessage('values.birthDate', dateProblem(event.values.birthDate)),
  },
  {
    rule: 'values.address',
    requirement: 'R19',
    description: 'The address (住所) is missing or empty.',
    check: ({ event }) => fieldMessage('values.address', addressProblem(event.values.address)),
  },
  {
    rule: 'values.local-government-code',
    requirement: 'R19',
    description:
      'The local-government code (団体コード) is not 6 digits with a valid JIS X 0402 check digit.',
    check: ({ event }) =>
      fieldMessage(
        'values.localGovernmentCode',
        localGovernmentCodeFieldProblem(event.values.localGovernmentCode),
      ),
  },
  {
    rule: 'event.moved-overseas',
    requirement: 'R1',
    description:
      '`movedOverseas` (国外転出) is set on a reason other than 転出, or is not a boolean.',
    check: ({ event }) =>
      event.movedOverseas !== undefined && typeof event.movedOverseas !== 'boolean'
        ? 'movedOverseas must be a boolean'
        : event.movedOverseas === true && event.reason !== 'move-out'
          ? `国外転出は転出にのみ指定できます (movedOverseas only on move-out, not on ${label(event.reason)})`
          : undefined,
  },
  // ── dates ────────────────────────────────────────────────────────────────────────────────
  {
    rule: 'change-date.future',
    requirement: 'R19',
    description: 'The change date is after today.',
    check: ({ event, ctx }) =>
      event.changeDate > ctx.today
        ? `異動年月日が未来の日付です (change date ${event.changeDate} is after today)`
        : undefined,
  },
  {
    rule: 'birth-date.future',
    requirement: 'R19',
    description: 'The date of birth is after today.',
    check: ({ event, ctx }) =>
      event.values.birthDate > ctx.today
        ? '生年月日が未来の日付です (date of birth is after today)'
        : undefined,
  },
  {
    rule: 'birth-date.after-change-date',
    requirement: 'R19',
    description:
      'The date of birth is after the change date: nothing can happen to a person before birth; for 出生 it means a birth registered before it happened.',
    check: ({ event }) =>
      event.values.birthDate > event.changeDate
        ? `生年月日が異動年月日より後です (date of birth after the change date, ${label(event.reason)})`
        : undefined,
  },
  // ── whose record ─────────────────────────────────────────────────────────────────────────
  {
    rule: 'resident-code.mismatch',
    requirement: 'R7',
    description:
      'For every reason except the two re-coding reasons, the resident code of the event and of its values differ (only a re-code changes the code).',
    check: ({ event }) =>
      kindOf(event) !== 'recodes' && event.residentCode !== event.values.residentCode
        ? `住民票コードは住民票コードの記載の変更以外では変わりません (${label(event.reason)} cannot change the resident code)`
        : undefined,
  },
  {
    rule: 'record.code-mismatch',
    requirement: 'R19',
    description:
      'The record given is not the record of the resident code the change is addressed to.',
    check: ({ current, event }) =>
      current !== undefined && current.residentCode !== event.residentCode
        ? '異動対象の住民票コードと記録が一致しません (the record is not the addressed resident)'
        : undefined,
  },
  // ── what the record's state allows ───────────────────────────────────────────────────────
  {
    rule: 'record.unknown',
    requirement: 'R19',
    description: 'Any reason except 転入, 出生 and 職権記載等 for a resident code with no record.',
    check: ({ current, event }) =>
      current === undefined && kindOf(event) !== 'creates'
        ? `記録のない住民に対する${label(event.reason)}です (no record for this resident code)`
        : undefined,
  },
  {
    rule: 'create.already-resident',
    requirement: 'R19',
    description:
      '転入, 出生 or 職権記載等 for a person who is already a resident (status resident). Not refused: 転入 for a resident of another municipality on this record — the new municipality’s notice arrived before the old one’s 転出 (docs/FLOW.md).',
    check: ({ current, event }) =>
      current?.status === 'resident' &&
      kindOf(event) === 'creates' &&
      !isMoveInAheadOfMoveOut(current, event)
        ? `現存する住民に対する${label(event.reason)}です (already a resident)`
        : undefined,
  },
  {
    rule: 'birth.code-exists',
    requirement: 'R7',
    description:
      '出生 for a resident code that has a record at all (also a removed one): a newborn gets a new code.',
    check: ({ current, event }) =>
      current !== undefined && event.reason === 'birth'
        ? '出生の住民票コードが既に使われています (resident code already has a record)'
        : undefined,
  },
  {
    rule: 'removed.already-removed',
    requirement: 'R19',
    description: '転出, 死亡 or 職権消除等 for a record that is already removed.',
    check: ({ current, event }) =>
      current?.status === 'removed' && kindOf(event) === 'removes'
        ? `既に消除された住民に対する${label(event.reason)}です (already removed by ${label(current.lastChange.reason)})`
        : undefined,
  },
  {
    rule: 'removed.not-allowed',
    requirement: 'R19',
    description:
      'On a removed record only these are allowed: 転入 unless the last change was 死亡 (re-entry after 転出 or 職権消除等), 職権記載等 (reinstatement), 職権修正等 (correction of the removed record). Anything else (転居, re-coding, 転入 after 死亡, …) is refused.',
    check: ({ current, event }) =>
      current?.status === 'removed' && !allowedAfterRemoval(current.lastChange.reason, event.reason)
        ? `${label(current.lastChange.reason)}により消除された住民に${label(event.reason)}はできません (not allowed on a removed record)`
        : undefined,
  },
  {
    rule: 'change-date.out-of-order',
    requirement: 'R19',
    description:
      "The change date is earlier than the record's last change date (changes are applied in date order).",
    check: ({ current, event }) =>
      current !== undefined && event.changeDate < current.lastChange.date
        ? `異動年月日が前回の異動（${current.lastChange.date}）より前です (change is older than the last change)`
        : undefined,
  },
  // ── 転居 (move within the municipality) ──────────────────────────────────────────────────
  {
    rule: 'move-within.changes-other-items',
    requirement: 'R19',
    description:
      '転居 that changes anything but the address: name, reading, sex, date of birth, individual number, and the local-government code (the municipality stays the same).',
    check: ({ current, event }) => {
      if (event.reason !== 'move-within' || current === undefined) return undefined;
      const changed = changedItems(current, event.values, ['address']);
      return changed.length > 0
        ? `転居で住所以外の項目は変更できません (move-within changes ${changed.join(', ')})`
        : undefined;
    },
  },
  {
    rule: 'move-within.address-unchanged',
    requirement: 'R19',
    description:
      '転居 whose new address is the old one (compared by the address match key: a different writing of the same address is not a move).',
    check: ({ current, event }) =>
      event.reason === 'move-within' &&
      current !== undefined &&
      addressMatchKey(current.address) === addressMatchKey(event.values.address)
        ? '転居で住所が変わっていません (move-within must change the address)'
        : undefined,
  },
  // ── re-coding (住民票コードの記載の変更請求 / 住民票コードの職権記載等) ─────────────────
  {
    rule: 'recode.same-code',
    requirement: 'R7',
    description: 'A re-coding reason whose new code equals the old one.',
    check: ({ event }) =>
      kindOf(event) === 'recodes' && event.values.residentCode === event.residentCode
        ? '新しい住民票コードが従前のコードと同じです (new resident code equals the old one)'
        : undefined,
  },
  {
    rule: 'recode.code-already-used',
    requirement: 'R7',
    description:
      'A re-coding reason whose new code is in use or was ever used (a resident code is never reissued).',
    check: ({ event, ctx }) =>
      kindOf(event) === 'recodes' && ctx.newCodeAlreadyUsed === true
        ? '新しい住民票コードは使用済みです (new resident code is or was in use)'
        : undefined,
  },
  {
    rule: 'recode.changes-other-items',
    requirement: 'R7',
    description: 'A re-coding reason that changes anything besides the resident code.',
    check: ({ current, event }) => {
      if (kindOf(event) !== 'recodes' || current === undefined) return undefined;
      const changed = changedItems(current, event.values, ['residentCode']);
      return changed.length > 0
        ? `住民票コードの変更で他の項目は変更できません (re-coding changes ${changed.join(', ')})`
        : undefined;
    },
  },
] as const satisfies readonly RuleDefinition[];

export type RejectionRule = (typeof RULES)[number]['rule'];

/**
 * The state rules that do not apply to a change superseded by a move (it changes nothing on the
 * record, so the record's state cannot refuse it).
 */
const SUPERSEDED_SKIPS: ReadonlySet<string> = new Set<RejectionRule>([
  'create.already-resident',
  'removed.already-removed',
  'removed.not-allowed',
  'change-date.out-of-order',
  'move-within.changes-other-items',
  'move-within.address-unchanged',
]);
export type Rejection = { readonly rule: RejectionRule; readonly message: string };

/** The rule table without its code, in evaluation order (for docs and UIs). */
export const REJECTION_RULES: readonly {
  rule: RejectionRule;
  requirement: string;
  description: string;
}[] = RULES.map(({ rule, requirement, description }) => ({ rule, requirement, description }));

/**
 * The first rule of the table that `event` breaks against `current` (the record as stored, or
 * undefined when the resident code has none), or undefined when the change is accepted.
 * Pure and total: `current` and `ctx` come from the caller's own store and clock; `event` may be
 * anything received from the outside — malformed input yields a rejection, never an exception.
 */
export function validateChange(
  current: IdentityRecord | undefined,
  event: ChangeEvent,
  ctx: ValidationContext,
): Rejection | undefined {
  const subject: Subject = { current, event, ctx };
  let superseded: boolean | undefined;
  for (const r of RULES as readonly RuleDefinition[]) {
    if (SUPERSEDED_SKIPS.has(r.rule)) {
      // Evaluated here, after the format rules held: a change from a municipality the record has
      // since left is accepted without the state rules (transitions.ts, isSupersededByMove).
      superseded ??= isSupersededByMove(current, event);
      if (superseded) continue;
    }
    const message = r.check(subject);
    if (message !== undefined) return { rule: r.rule as RejectionRule, message };
  }
  return undefined;
}

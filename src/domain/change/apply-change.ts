import type { CalendarDate } from '../dates/CalendarDate.ts';
import {
  identityInfoOf,
  type IdentityInfo,
  type IdentityRecord,
} from '../resident/IdentityInfo.ts';
import type { ChangeEvent } from './ChangeEvent.ts';
import { changeKind } from './ChangeReason.ts';
import type { Rejection } from './validate-change.ts';
import { isSupersededByMove } from './transitions.ts';
import { validateChange } from './validate-change.ts';

/**
 * A record's state is a fold over its accepted changes (STYLE habit 1):
 * `record = accepted.reduce(applyChange, undefined)`.
 */

/**
 * The record after `event`. Assumes `validateChange(current, event, …)` accepted it.
 * - creates (転入, 出生, 職権記載等) → status `resident`, not an overseas mover;
 * - removes (転出, 死亡, 職権消除等) → status `removed`; `movedOverseas` from the event for 転出;
 * - updates (転居, 職権修正等) and re-codes → the new values; status and `movedOverseas` kept
 *   (a correction of a removed record leaves it removed);
 * always: version + 1, lastChange = { reason, date };
 * except a change superseded by a move between municipalities, which only counts (version + 1).
 */
export function applyChange(
  current: IdentityRecord | undefined,
  event: ChangeEvent,
): IdentityRecord {
  // Kept in history, but the person lives at the municipality they moved to (transitions.ts).
  if (current !== undefined && isSupersededByMove(current, event))
    return { ...current, version: current.version + 1 };
  const kind = changeKind(event.reason);
  const status =
    kind === 'creates'
      ? 'resident'
      : kind === 'removes'
        ? 'removed'
        : (current?.status ?? 'resident');
  const movedOverseas =
    kind === 'creates'
      ? false
      : kind === 'removes'
        ? event.reason === 'move-out' && event.movedOverseas === true
        : (current?.movedOverseas ?? false);
  return {
    ...identityInfoOf(event.values),
    status,
    lastChange: { reason: event.reason, date: event.changeDate },
    movedOverseas,
    version: (current?.version ?? 0) + 1,
  };
}

export type FoldResult = {
  readonly record: IdentityRecord | undefined;
  /** Changes refused, with the rule they broke, in input order. */
  readonly rejected: { event: ChangeEvent; rejection: Rejection }[];
  /** Changes skipped because their transaction id came earlier in the list (idempotence). */
  readonly duplicates: ChangeEvent[];
};

/**
 * The current record of one person as the fold over `events` (in the order received): each event
 * is validated against the state so far and applied only if accepted. A transaction id seen
 * before is skipped, as a store does. For re-coding, a new code counts as already used when any
 * earlier accepted change of this person carried it (the fold knows no other person's codes).
 */
export function foldChanges(
  events: readonly ChangeEvent[],
  ctx: { today: CalendarDate },
): FoldResult {
  let record: IdentityRecord | undefined;
  const rejected: { event: ChangeEvent; rejection: Rejection }[] = [];
  const duplicates: ChangeEvent[] = [];
  const seenTransactions = new Set<string>();
  const usedCodes = new Set<string>();
  for (const event of events) {
    if (seenTransactions.has(event.transactionId)) {
      duplicates.push(event);
      continue;
    }
    seenTransactions.add(event.transactionId);
    const newCode = (event.values as IdentityInfo | undefined)?.residentCode;
    const rejection = validateChange(record, event, {
      today: ctx.today,
      newCodeAlreadyUsed: newCode !== undefined && usedCodes.has(newCode),
    });
    if (rejection) {
      rejected.push({ event, rejection });
      continue;
    }
    record = applyChange(record, event);
    usedCodes.add(event.residentCode);
    usedCodes.add(record.residentCode);
  }
  return { record, rejected, duplicates };
}

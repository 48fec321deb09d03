import type { HistoryEntry } from '../change/ChangeEvent.ts';
import type { CalendarDate } from '../dates/CalendarDate.ts';
import { addDays, addYears, dateParts } from '../dates/CalendarDate.ts';
import { RegistryError } from '../errors.ts';
import type { IdentityRecord } from '../resident/IdentityInfo.ts';

/**
 * Retention of change information and removed records (R1, R33).
 *
 * R1: the change information (異動事由, 異動年月日, the values before the change) is kept for the
 * past 5 years, "except overseas movers and the like" (国外転出者等を除き), and then reliably erased.
 *
 * The rules, with a period of N years ending on `date + N years` (29 February + N years is
 * 28 February in a common year — `addYears`):
 * 1. A history entry is due when its change date + historyYears ≤ today — EXCEPT the newest entry
 *    of a person, which carries the change information of the current state (R1 keeps the last
 *    change with the record) and goes only with the record.
 * 2. A removed record (status `removed`: 転出, 死亡, 職権消除等) is due, with ALL its history, when its
 *    last change date + N ≤ today, N = overseasYears for an overseas mover (国外転出, the last
 *    removal was a 転出 abroad), historyYears otherwise.
 * 3. Our choice for the exception: an overseas mover's history is not erased entry by entry; it is
 *    kept as long as the record (overseasYears). Since the 2019 amendment (令和元年法律第16号) the
 *    除票 (removed resident records) are kept 150 years, and persons abroad still use the
 *    individual-number card and the public personal-authentication service (公的個人認証) after
 *    leaving; the default overseasYears = 150 follows that period. Configure it otherwise if the
 *    operating body decides differently.
 * 4. The period runs from the record's last change: a 職権修正等 of a removed record restarts it.
 *    Data is never erased before its period ends; at most later.
 * A resident record (status `resident`) is never erased, whatever its age.
 */
export type RetentionPolicy = { readonly historyYears: number; readonly overseasYears: number };

export const DEFAULT_RETENTION_POLICY: RetentionPolicy = { historyYears: 5, overseasYears: 150 };

export type ErasureDecision = {
  /** Sequences of the history entries to erase (all of them when the record goes). */
  readonly historySequences: readonly number[];
  readonly eraseRecord: boolean;
};

/** Largest period accepted: beyond it `today − years` leaves the calendar (years 1–9999). */
const MAX_YEARS = 1000;

/** Throws RegistryError('invalid', …, 'retention.history-years' | 'retention.overseas-years'). */
export function validateRetentionPolicy(policy: RetentionPolicy): RetentionPolicy {
  const check = (value: unknown, field: 'historyYears' | 'overseasYears', reason: string) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_YEARS) {
      throw new RegistryError(
        'invalid',
        `保存期間 ${field} は1〜${MAX_YEARS}の整数年です (retention ${field} must be a whole number of years, 1–${MAX_YEARS}): ${String(value)}`,
        reason,
      );
    }
  };
  check(policy.historyYears, 'historyYears', 'retention.history-years');
  check(policy.overseasYears, 'overseasYears', 'retention.overseas-years');
  return policy;
}

/** True when a period of `years` that started on `from` has ended on `today`. */
const periodEnded = (from: CalendarDate, years: number, today: CalendarDate): boolean =>
  addYears(from, years) <= today;

/**
 * The first date whose period of `years` has NOT ended on `today`: a period that started on `d`
 * has ended exactly when d < retentionCutoff(years, today). (`addYears` is monotone, so the dates
 * whose period has ended form a prefix of the calendar.)
 */
export function retentionCutoff(years: number, today: CalendarDate): CalendarDate {
  const first = '0001-01-01' as CalendarDate;
  if (dateParts(today).year - years < 1) return first; // no period that fits the calendar has ended
  // today − years is at most a day off the boundary (29 February); step to it exactly.
  let d = addYears(today, -years);
  while (periodEnded(d, years, today)) d = addDays(d, 1);
  while (d > first && !periodEnded(addDays(d, -1), years, today)) d = addDays(d, -1);
  return d;
}

/**
 * History entries whose change date is before this date may be due (rule 1); entries on or after
 * it are not. For the store's pre-filter; `decideErasure` has the last word (newest entry, overseas
 * movers). Removed records: `retentionCutoff(policy.overseasYears, today)` likewise.
 */
export function historyCutoff(policy: RetentionPolicy, today: CalendarDate): CalendarDate {
  return retentionCutoff(validateRetentionPolicy(policy).historyYears, today);
}

/** Which of one person's history entries, and whether the record itself, are due on `today`. */
export function decideErasure(
  record: IdentityRecord,
  history: readonly HistoryEntry[],
  policy: RetentionPolicy,
  today: CalendarDate,
): ErasureDecision {
  validateRetentionPolicy(policy);
  const overseas = record.status === 'removed' && record.movedOverseas;
  if (record.status === 'removed') {
    const years = overseas ? policy.overseasYears : policy.historyYears;
    if (periodEnded(record.lastChange.date, years, today)) {
      return { historySequences: history.map((h) => h.sequence), eraseRecord: true };
    }
  }
  if (overseas || history.length === 0) return { historySequences: [], eraseRecord: false };
  let newest = history[0]!;
  for (const h of history) if (h.sequence > newest.sequence) newest = h;
  const due = history
    .filter((h) => h !== newest && periodEnded(h.event.changeDate, policy.historyYears, today))
    .map((h) => h.sequence);
  return { historySequences: due, eraseRecord: false };
}

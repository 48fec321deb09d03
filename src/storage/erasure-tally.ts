import type { HistoryEntry } from '../domain/change/ChangeEvent.ts';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import type { IdentityRecord } from '../domain/resident/IdentityInfo.ts';
import {
  decideErasure,
  historyCutoff,
  retentionCutoff,
  type RetentionPolicy,
} from '../domain/retention/retention.ts';
import type { ErasureReport, ErasureRun } from './ports.ts';

/** Candidate cut-off dates for the SQL pre-filter of a retention run. */
export type ErasureCutoffs = {
  /** History entries with an earlier change date may be due. */
  readonly history: CalendarDate;
  /** Removed records whose last change is earlier may be due (the later of the two periods). */
  readonly removedRecord: CalendarDate;
};

export function erasureCutoffs(policy: RetentionPolicy, today: CalendarDate): ErasureCutoffs {
  const history = historyCutoff(policy, today);
  const overseas = retentionCutoff(policy.overseasYears, today);
  return { history, removedRecord: overseas > history ? overseas : history };
}

/** What to delete for one person, as the domain decided it. */
export type PersonErasure = {
  readonly historySequences: readonly number[];
  readonly eraseRecord: boolean;
};

/**
 * Asks the domain what is due for each person and sums up the report: counts and the period of
 * the erased change dates, never content (R33).
 */
export class ErasureTally {
  #history = 0;
  #records = 0;
  #oldest: CalendarDate | undefined;
  #newest: CalendarDate | undefined;

  constructor(
    private readonly policy: RetentionPolicy,
    private readonly today: CalendarDate,
  ) {}

  decide(record: IdentityRecord, history: readonly HistoryEntry[]): PersonErasure {
    const decision = decideErasure(record, history, this.policy, this.today);
    const due = new Set(decision.historySequences);
    // Erasing a record erases all of its history, whatever the decision listed.
    const erased = history.filter((h) => decision.eraseRecord || due.has(h.sequence));
    for (const h of erased) this.#see(h.event.changeDate);
    if (decision.eraseRecord) this.#see(record.lastChange.date);
    this.#history += erased.length;
    if (decision.eraseRecord) this.#records += 1;
    return { historySequences: erased.map((h) => h.sequence), eraseRecord: decision.eraseRecord };
  }

  report(): ErasureReport {
    return {
      erasedHistoryEntries: this.#history,
      erasedRecords: this.#records,
      oldestErased: this.#oldest,
      newestErased: this.#newest,
    };
  }

  #see(d: CalendarDate): void {
    if (this.#oldest === undefined || d < this.#oldest) this.#oldest = d;
    if (this.#newest === undefined || d > this.#newest) this.#newest = d;
  }
}

/** Groups history rows (sorted by person, then sequence) by person id. */
export function groupByPerson<T extends { readonly personId: number }>(
  rows: readonly T[],
): Map<number, T[]> {
  const out = new Map<number, T[]>();
  for (const r of rows) {
    const list = out.get(r.personId);
    if (list) list.push(r);
    else out.set(r.personId, [r]);
  }
  return out;
}

/** A row of erasure_log, as both drivers read it (dates as YYYY-MM-DD text). */
export type ErasureLogRow = {
  id: number;
  ran_at: string;
  as_of: string;
  history_years: number;
  overseas_years: number;
  erased_history_entries: number;
  erased_records: number;
  oldest_erased: string | null;
  newest_erased: string | null;
};

export function erasureRunFromRow(r: ErasureLogRow): ErasureRun {
  return {
    id: Number(r.id),
    ranAt: r.ran_at,
    asOf: r.as_of as CalendarDate,
    policy: { historyYears: r.history_years, overseasYears: r.overseas_years },
    erasedHistoryEntries: r.erased_history_entries,
    erasedRecords: r.erased_records,
    oldestErased: (r.oldest_erased ?? undefined) as CalendarDate | undefined,
    newestErased: (r.newest_erased ?? undefined) as CalendarDate | undefined,
  };
}

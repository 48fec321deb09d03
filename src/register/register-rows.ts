import type { ChangeEvent } from '../domain/change/ChangeEvent.ts';
import type { ChangeReason } from '../domain/change/ChangeReason.ts';
import type { Rejection, RejectionRule } from '../domain/change/validate-change.ts';
import { RegistryError } from '../domain/errors.ts';
import { localGovernmentCodeProblem } from '../domain/local-government/LocalGovernmentCode.ts';
import { isHead } from '../domain/register/household.ts';
import type { ResidentRecord } from '../domain/register/ResidentRecord.ts';
import type { FeedOutcome, FeedRejection } from './register-feed.ts';
import type { RecordHistoryEntry } from './RegisterStore.ts';

/* What the SQLite and PostgreSQL registers share: row shapes, errors, small rules. */

export const MUNICIPALITY_SETTING = 'municipality';

/** JSON with object keys sorted and undefined left out: equal content gives equal text. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_key, value: unknown) =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : value,
  );
}

export const sameEvent = (a: ChangeEvent, b: ChangeEvent): boolean =>
  canonicalJson(a) === canonicalJson(b);

export const nowIso = (): string => new Date().toISOString();

export type SettleState = 'accepted' | 'duplicate' | 'rejected';

export function settleStateOf(outcome: FeedOutcome): SettleState {
  if (outcome === 'accepted' || outcome === 'duplicate') return outcome;
  if (typeof outcome === 'object' && outcome !== null && 'rejected' in outcome) return 'rejected';
  throw new RegistryError(
    'invalid',
    `精算結果が不正です / not a feed outcome: ${JSON.stringify(outcome)}`,
    'feed.outcome',
  );
}

/**
 * The register's municipality after opening: the one recorded, or `given` on a new register.
 * Refuses a malformed code and a code other than the recorded one.
 */
export function settleMunicipality(
  recorded: string | undefined,
  given: string | undefined,
): { readonly municipality: string | undefined; readonly record: boolean } {
  if (given !== undefined) {
    const problem = localGovernmentCodeProblem(given);
    if (problem)
      throw new RegistryError(
        'invalid',
        `団体コードが不正です / municipality ${JSON.stringify(given)} is not a 6-digit 団体コード`,
        problem,
      );
  }
  if (recorded === undefined) return { municipality: given, record: given !== undefined };
  if (given !== undefined && given !== recorded)
    throw new RegistryError(
      'conflict',
      `この住民基本台帳は団体コード ${recorded} のものです / this register belongs to municipality ${recorded}, not ${given}`,
      'register.municipality-mismatch',
    );
  return { municipality: recorded, record: false };
}

export function requireMunicipality(municipality: string | undefined): string {
  if (municipality !== undefined) return municipality;
  throw new RegistryError(
    'invalid',
    '住民基本台帳の団体コードが未設定です / the register has no municipality yet: open it once with its 団体コード (juki register init)',
    'register.not-initialised',
  );
}

export const unknownFeedEntry = (id: number): RegistryError =>
  new RegistryError(
    'not-found',
    `送信記録 ${id} がありません / no feed entry ${id}`,
    'feed.unknown-entry',
  );

export const transactionIdReused = (line: number, transactionId: string): RegistryError =>
  new RegistryError(
    'conflict',
    `${line}行目: トランザクションIDが別の異動で使われています / line ${line}: transaction id ${JSON.stringify(transactionId)} is already in the feed with other content`,
    'feed.transaction-id-reused',
  );

/** Resident members, head first, then in the order they were entered. */
export const headFirst = (members: readonly ResidentRecord[]): ResidentRecord[] => [
  ...members.filter(isHead),
  ...members.filter((m) => !isHead(m)),
];

export type RejectionRow = {
  id: number;
  transaction_id: string;
  rejected_by: string;
  rule: string;
  message: string;
  recorded_at: string;
  event: ChangeEvent | null;
};

export const rejectionFromRow = (r: RejectionRow): FeedRejection => ({
  id: r.id,
  transactionId: r.transaction_id,
  rejectedBy: r.rejected_by,
  // Stored rules come from a validator's table (ours or an upstream node's of the same build).
  rejection: { rule: r.rule as RejectionRule, message: r.message } satisfies Rejection,
  event: r.event ?? undefined,
  recordedAt: r.recorded_at,
});

export type HistoryRow = {
  sequence: number;
  transaction_id: string;
  operation: string;
  subject: boolean | number;
  recorded_at: string;
  record: ResidentRecord;
};

export const historyFromRow = (r: HistoryRow): RecordHistoryEntry => ({
  sequence: r.sequence,
  transactionId: r.transaction_id,
  operation: r.operation as ChangeReason,
  subject: r.subject === true || r.subject === 1,
  recordedAt: r.recorded_at,
  record: r.record,
});

export const REJECTIONS_SQL = (limitParam: string): string =>
  `SELECT r.id, r.transaction_id, r.rejected_by, r.rule, r.message, r.recorded_at, f.event
     FROM feed_rejection r LEFT JOIN change_feed f ON f.transaction_id = r.transaction_id
    ORDER BY r.id DESC LIMIT ${limitParam}`;

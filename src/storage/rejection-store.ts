import type { ChangeReason } from '../domain/change/ChangeReason.ts';
import type { RejectionRule } from '../domain/change/validate-change.ts';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import type { ForwardedRejection } from '../protocol/messages/RejectionPoll.ts';
import { PostgresRejectionStore } from './postgres/postgres-rejection-store.ts';
import { SqliteRejectionStore } from './sqlite/sqlite-rejection-store.ts';
import { parseStoreUrl } from './store-url.ts';

/**
 * Refusals further up of forwarded changes (R19; docs/FLOW.md §4). Migration 0014.
 * - At a prefecture server: each refusal by the national server of a change it accepted from one
 *   of its CSs and forwarded, kept until that CS has fetched it (`rejection-poll`) — and after.
 * - At a CS: the cursor of what it fetched from its prefecture server.
 */
export type NewForwardedRejection = Omit<ForwardedRejection, 'id'>;

export interface RejectionStore {
  /** Records a refusal; idempotent on the transaction id. True when it was new. */
  recordForwardedRejection(r: NewForwardedRejection): Promise<boolean>;
  /** One municipality's refusals with id > afterId, in id order, at most `limit`. */
  forwardedRejections(
    municipality: string,
    afterId: number,
    limit: number,
  ): Promise<ForwardedRejection[]>;
  /** Every municipality's, newest first (the prefecture server's operator). */
  listForwardedRejections(limit: number): Promise<ForwardedRejection[]>;
  /** At a CS: the highest id of `source`'s refusals it has recorded (0 at first). */
  rejectionCursor(source: string): Promise<number>;
  /** Moves the cursor forward (never back). */
  setRejectionCursor(source: string, afterId: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens (and migrates) the refusal tables of the node whose store is `url`. */
export async function openRejectionStore(
  url: string,
  options: { readonly schema?: string } = {},
): Promise<RejectionStore> {
  const location = parseStoreUrl(url);
  switch (location.kind) {
    case 'sqlite':
      return SqliteRejectionStore.open(location.path);
    case 'postgres':
      return PostgresRejectionStore.open(location.connectionString, options);
  }
}

export type ForwardedRejectionRow = {
  id: number | string;
  transaction_id: string;
  municipality_code: string;
  resident_code: string;
  reason: string;
  change_date: string;
  rejected_by: string;
  rule: string;
  message: string;
  at: string | Date;
};

export const FORWARDED_REJECTION_COLUMNS =
  'transaction_id, municipality_code, resident_code, reason, change_date, rejected_by, rule, message, at';

export const forwardedRejectionValues = (r: NewForwardedRejection): string[] => [
  r.transactionId,
  r.municipality,
  r.residentCode,
  r.reason,
  r.changeDate,
  r.rejectedBy,
  r.rejection.rule,
  r.rejection.message,
  r.at,
];

export const forwardedRejectionFromRow = (r: ForwardedRejectionRow): ForwardedRejection => ({
  id: Number(r.id),
  transactionId: r.transaction_id,
  municipality: r.municipality_code,
  residentCode: r.resident_code as ResidentCode,
  reason: r.reason as ChangeReason,
  changeDate: r.change_date as CalendarDate,
  rejectedBy: r.rejected_by,
  rejection: { rule: r.rule as RejectionRule, message: r.message },
  at: r.at instanceof Date ? r.at.toISOString() : r.at,
});

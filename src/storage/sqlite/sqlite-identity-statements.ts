import type Database from 'better-sqlite3';
import type { ErasureLogRow } from '../erasure-tally.ts';
import {
  ERASURE_CANDIDATES_SQL,
  INSERT_HISTORY_SQL,
  INSERT_IDENTITY_SQL,
  MARK_CODE_USED_SQL,
  UPDATE_IDENTITY_SQL,
} from './sqlite-sql.ts';

/** A row of `identity_history` as the store reads it (event and before-values as JSON text). */
export type HistoryRow = { sequence: number; event: string; before_values: string | null };

/** Every statement of the store, prepared once per connection. */
export function prepareStatements(db: Database.Database) {
  return {
    historyByTransaction: db
      .prepare<[string], number>('SELECT sequence FROM identity_history WHERE transaction_id = ?')
      .pluck(),
    rejectedByTransaction: db.prepare<[string], { rule: string; message: string }>(
      'SELECT rule, message FROM rejected_change WHERE transaction_id = ?',
    ),
    insertRejected: db.prepare<[string, string, string, string]>(
      'INSERT INTO rejected_change (transaction_id, rule, message, change_date) VALUES (?, ?, ?, ?)',
    ),
    codeUsed: db
      .prepare<[string], number>('SELECT 1 FROM used_resident_code WHERE code = ?')
      .pluck(),
    numberStored: db
      .prepare<[string], number>('SELECT 1 FROM identity WHERE individual_number = ?')
      .pluck(),
    insertIdentity: db.prepare<unknown[]>(INSERT_IDENTITY_SQL),
    updateIdentity: db.prepare<unknown[]>(UPDATE_IDENTITY_SQL),
    markCodeUsed: db.prepare<[string, number | bigint]>(MARK_CODE_USED_SQL),
    insertHistory: db.prepare<unknown[]>(INSERT_HISTORY_SQL),
    insertOutbox: db.prepare<[string, string]>(
      'INSERT INTO outbox (transaction_id, event) VALUES (?, ?) ON CONFLICT (transaction_id) DO NOTHING',
    ),
    personOfCode: db
      .prepare<[string], number | null>('SELECT person_id FROM used_resident_code WHERE code = ?')
      .pluck(),
    historyOfPerson: db.prepare<[number], HistoryRow>(
      'SELECT sequence, event, before_values FROM identity_history WHERE person_id = ? ORDER BY sequence',
    ),
    countIdentities: db.prepare<[], number>('SELECT count(*) FROM identity').pluck(),
    countOutbox: db.prepare<[], number>('SELECT count(*) FROM outbox').pluck(),
    pendingOutbox: db.prepare<[number], { id: number; event: string; attempts: number }>(
      'SELECT id, event, attempts FROM outbox ORDER BY id LIMIT ?',
    ),
    outboxAttempt: db.prepare<[string]>(
      'UPDATE outbox SET attempts = attempts + 1 WHERE id IN (SELECT value FROM json_each(?))',
    ),
    outboxAck: db.prepare<[string]>(
      'DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?))',
    ),
    erasureCandidates: db.prepare<[string, string], number>(ERASURE_CANDIDATES_SQL).pluck(),
    deleteHistoryEntry: db.prepare<[number]>('DELETE FROM identity_history WHERE sequence = ?'),
    deletePersonHistory: db.prepare<[number]>('DELETE FROM identity_history WHERE person_id = ?'),
    unlinkCodes: db.prepare<[number]>(
      'UPDATE used_resident_code SET person_id = NULL WHERE person_id = ?',
    ),
    deleteIdentity: db.prepare<[number]>('DELETE FROM identity WHERE person_id = ?'),
    eraseRejected: db.prepare<[string]>('DELETE FROM rejected_change WHERE change_date < ?'),
    logErasure: db.prepare<[string, number, number, number, number, string | null, string | null]>(
      `INSERT INTO erasure_log (as_of, history_years, overseas_years, erased_history_entries,
         erased_records, oldest_erased, newest_erased) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    listErasures: db.prepare<[number], ErasureLogRow>(
      `SELECT id, ran_at, as_of, history_years, overseas_years, erased_history_entries,
         erased_records, oldest_erased, newest_erased FROM erasure_log ORDER BY id DESC LIMIT ?`,
    ),
  };
}

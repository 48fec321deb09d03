import {
  IDENTITY_COLUMN_LIST,
  IDENTITY_WRITE_COLUMNS,
  IDENTITY_WRITE_COLUMN_LIST,
} from '../identity-row.ts';

/**
 * The SQL of the SQLite store's hot paths, exported so that a benchmark can run the raw driver on
 * the same schema and statements (`bench/`): what the port adds on top is then measurable.
 */

/** Point lookup by resident code; columns in IDENTITY_COLUMNS order. */
export const LOOKUP_BY_RESIDENT_CODE_SQL = `SELECT ${IDENTITY_COLUMN_LIST} FROM identity WHERE resident_code = ?`;

/** One row insert; parameters in IDENTITY_WRITE_COLUMNS order (`identityValues`, `moved_overseas` as 0/1). */
export const INSERT_IDENTITY_SQL = `INSERT INTO identity (${IDENTITY_WRITE_COLUMN_LIST}) VALUES (${IDENTITY_WRITE_COLUMNS.map(() => '?').join(', ')})`;

/** The lookup inside a write transaction: the columns, then `person_id` (index 13). */
export const LOOKUP_WITH_PERSON_SQL = `SELECT ${IDENTITY_COLUMN_LIST}, person_id FROM identity WHERE resident_code = ?`;

export const UPDATE_IDENTITY_SQL = `UPDATE identity SET ${IDENTITY_WRITE_COLUMNS.map((c) => `${c} = ?`).join(', ')} WHERE person_id = ?`;

export const RECORD_BY_PERSON_SQL = `SELECT ${IDENTITY_COLUMN_LIST}, person_id FROM identity WHERE person_id = ?`;

/** Links a code to its person; a code whose person was erased (NULL) is linked again. */
export const MARK_CODE_USED_SQL = `INSERT INTO used_resident_code (code, person_id) VALUES (?, ?)
  ON CONFLICT (code) DO UPDATE SET person_id = excluded.person_id WHERE person_id IS NULL`;

export const INSERT_HISTORY_SQL = `INSERT INTO identity_history
  (person_id, resident_code, transaction_id, reason, change_date, event, before_values)
  VALUES (?, ?, ?, ?, ?, ?, ?)`;

/**
 * Persons that retention may have to touch: an old history entry that is not their only one,
 * or a removed record last changed before the record cut-off.
 */
export const ERASURE_CANDIDATES_SQL = `
SELECT h.person_id FROM identity_history h
 WHERE h.change_date < ?
   AND EXISTS (SELECT 1 FROM identity_history o WHERE o.person_id = h.person_id AND o.sequence <> h.sequence)
UNION
SELECT person_id FROM identity WHERE status = 'removed' AND last_change_date < ?
ORDER BY 1`;

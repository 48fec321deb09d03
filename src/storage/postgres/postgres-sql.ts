import pg from 'pg';
import {
  IDENTITY_COLUMN_LIST,
  IDENTITY_WRITE_COLUMNS,
  IDENTITY_WRITE_COLUMN_LIST,
} from '../identity-row.ts';

/**
 * The SQL of the PostgreSQL store's hot paths, exported so that a benchmark can run the raw
 * driver on the same schema and statements (`bench/`).
 */

/** Point lookup by resident code; columns in IDENTITY_COLUMNS order. Run as a named statement. */
export const LOOKUP_BY_RESIDENT_CODE_SQL = `SELECT ${IDENTITY_COLUMN_LIST} FROM identity WHERE resident_code = $1`;

/** The name under which the store prepares LOOKUP_BY_RESIDENT_CODE_SQL on each connection. */
export const LOOKUP_STATEMENT_NAME = 'jukinet_lookup_identity';

/** One row insert; parameters in IDENTITY_WRITE_COLUMNS order (`identityValues`). */
export const INSERT_IDENTITY_SQL = `INSERT INTO identity (${IDENTITY_WRITE_COLUMN_LIST}) VALUES (${IDENTITY_WRITE_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;

/** The identity columns with the search keys, in the order the COPY of a bulk load sends them (text format). */
export const COPY_COLUMNS = IDENTITY_WRITE_COLUMNS;

/** Raw COPY straight into `identity` (for a benchmark's baseline; the store copies to a temp table). */
export const COPY_IDENTITY_SQL = `COPY identity (${IDENTITY_WRITE_COLUMN_LIST}) FROM STDIN`;

export const LOCK_IDENTITY_SQL = `SELECT ${IDENTITY_COLUMN_LIST}, person_id FROM identity WHERE resident_code = $1 FOR UPDATE`;

export const UPDATE_IDENTITY_SQL = `UPDATE identity SET ${IDENTITY_WRITE_COLUMNS.map((c, i) => `${c} = $${i + 1}`).join(', ')} WHERE person_id = $${IDENTITY_WRITE_COLUMNS.length + 1}`;

export const INSERT_IDENTITY_RETURNING_SQL = `${INSERT_IDENTITY_SQL} RETURNING person_id`;

/** What is known about a transaction id (and the new code of a re-code) inside the lock. */
export const TRANSACTION_STATE_SQL = `SELECT
  (SELECT sequence FROM identity_history WHERE transaction_id = $1) AS sequence,
  (SELECT rule FROM rejected_change WHERE transaction_id = $1) AS rule,
  (SELECT message FROM rejected_change WHERE transaction_id = $1) AS message,
  EXISTS (SELECT 1 FROM used_resident_code WHERE code = $2) AS code_used`;

/** Marks the code used, appends the history entry and, when $8, queues the outbox entry. */
export const RECORD_CHANGE_SQL = `WITH used AS (
  INSERT INTO used_resident_code (code, person_id) VALUES ($1, $2)
  ON CONFLICT (code) DO UPDATE SET person_id = EXCLUDED.person_id WHERE used_resident_code.person_id IS NULL
), hist AS (
  INSERT INTO identity_history (person_id, resident_code, transaction_id, reason, change_date, event, before_values)
  VALUES ($2, $1, $3, $4, $5, $6, $7) RETURNING sequence
), queued AS (
  INSERT INTO outbox (transaction_id, event) SELECT $3, $6 WHERE $8::boolean
  ON CONFLICT (transaction_id) DO NOTHING
)
SELECT sequence FROM hist`;

export const HISTORY_OF_CODE_SQL = `SELECT h.sequence, h.event, h.before_values
  FROM used_resident_code u JOIN identity_history h ON h.person_id = u.person_id
 WHERE u.code = $1 ORDER BY h.sequence`;

/** See the SQLite twin: persons retention may have to touch. */
export const ERASURE_CANDIDATES_SQL = `
SELECT h.person_id FROM identity_history h
 WHERE h.change_date < $1
   AND EXISTS (SELECT 1 FROM identity_history o WHERE o.person_id = h.person_id AND o.sequence <> h.sequence)
UNION
SELECT person_id FROM identity WHERE status = 'removed' AND last_change_date < $2
ORDER BY 1`;

const DATE_OID = 1082;
const INT8_OID = 20;

/**
 * Type parsers for the store's pool: `date` stays a `YYYY-MM-DD` string (a CalendarDate, no JS
 * Date and no time zone), `bigint` becomes a number (ids and counts stay far below 2^53).
 */
export const PG_TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === DATE_OID) return (v: string) => v;
    if (oid === INT8_OID) return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format ?? 'text') as (v: string) => unknown;
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** One value in COPY text format (NULL as \N; backslash, tab, newline, CR escaped). */
export function copyText(v: string | number | boolean | null): string {
  if (v === null) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  return v.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

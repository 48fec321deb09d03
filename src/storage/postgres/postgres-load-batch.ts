import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { IDENTITY_WRITE_COLUMN_LIST, identityValues } from '../identity-row.ts';
import type { LoadBatch, LoadRefusal, LoadRefusalReason, LoadReport } from '../ports.ts';
import { copyText } from './postgres-sql.ts';
import { inTransaction } from './postgres-transaction.ts';

/*
 * Bulk load: COPY the batch into a temporary table, mark refused rows there in the same four
 * steps as `planLoad` (load-plan.ts), then one INSERT … SELECT … ON CONFLICT DO NOTHING moves the
 * rest into `identity`. A row that still conflicts (another writer got there first) is refused as
 * `conflict.concurrent-write`. Everything runs in one transaction: nothing stored is changed by a
 * refused row, and a failure leaves the store as it was.
 */

const CREATE_LOAD_TABLE = `CREATE TEMP TABLE jukinet_load (
  ord integer PRIMARY KEY,
  line integer NOT NULL,
  resident_code text NOT NULL,
  individual_number text,
  name_kanji text NOT NULL,
  name_kana text NOT NULL,
  sex text NOT NULL,
  birth_date date NOT NULL,
  address text NOT NULL,
  local_government_code text NOT NULL,
  status text NOT NULL,
  last_change_reason text NOT NULL,
  last_change_date date NOT NULL,
  moved_overseas boolean NOT NULL,
  version integer NOT NULL,
  name_key text,
  kana_key text,
  address_key text,
  refusal text
) ON COMMIT DROP`;

/** COPY into the temp table: an ordinal, the source line, then the identity columns and search keys. */
export const COPY_LOAD_SQL = `COPY jukinet_load (ord, line, ${IDENTITY_WRITE_COLUMN_LIST}) FROM STDIN`;

const REFUSAL_STEPS = [
  `UPDATE jukinet_load l SET refusal = CASE
     WHEN EXISTS (SELECT 1 FROM identity i WHERE i.resident_code = l.resident_code) THEN 'resident-code.already-stored'
     ELSE 'resident-code.used' END
   WHERE EXISTS (SELECT 1 FROM used_resident_code u WHERE u.code = l.resident_code)`,
  `UPDATE jukinet_load l SET refusal = 'resident-code.duplicate-in-batch'
     FROM (SELECT ord, row_number() OVER (PARTITION BY resident_code ORDER BY ord) AS n
             FROM jukinet_load WHERE refusal IS NULL) d
    WHERE l.ord = d.ord AND d.n > 1`,
  `UPDATE jukinet_load l SET refusal = 'individual-number.already-stored'
    WHERE l.refusal IS NULL AND l.individual_number IS NOT NULL
      AND EXISTS (SELECT 1 FROM identity i WHERE i.individual_number = l.individual_number)`,
  `UPDATE jukinet_load l SET refusal = 'individual-number.duplicate-in-batch'
     FROM (SELECT ord, row_number() OVER (PARTITION BY individual_number ORDER BY ord) AS n
             FROM jukinet_load WHERE refusal IS NULL AND individual_number IS NOT NULL) d
    WHERE l.ord = d.ord AND d.n > 1`,
];

const INSERT_ACCEPTED = `WITH ins AS (
  INSERT INTO identity (${IDENTITY_WRITE_COLUMN_LIST})
  SELECT ${IDENTITY_WRITE_COLUMN_LIST} FROM jukinet_load WHERE refusal IS NULL ORDER BY ord
  ON CONFLICT DO NOTHING
  RETURNING person_id, resident_code
), used AS (
  INSERT INTO used_resident_code (code, person_id) SELECT resident_code, person_id FROM ins
  ON CONFLICT (code) DO NOTHING
)
UPDATE jukinet_load l SET refusal = 'conflict.concurrent-write'
 WHERE l.refusal IS NULL AND NOT EXISTS (SELECT 1 FROM ins WHERE ins.resident_code = l.resident_code)`;

const REFUSED_ROWS = `SELECT line, resident_code, refusal FROM jukinet_load WHERE refusal IS NOT NULL ORDER BY ord`;

const LINES_PER_CHUNK = 1000;

function* copyChunks(rows: LoadBatch): Generator<string> {
  let chunk = '';
  for (let ord = 0; ord < rows.length; ord++) {
    const { line, record } = rows[ord]!;
    const values = identityValues(record, (b) => b);
    chunk += `${ord}\t${line}\t${values.map(copyText).join('\t')}\n`;
    if ((ord + 1) % LINES_PER_CHUNK === 0) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

/**
 * Fast path: COPY the batch straight into `identity` and record its codes as used, in one
 * transaction. Any refusal the plan would make shows up here as a unique violation (every stored
 * or used code is in used_resident_code; individual numbers are UNIQUE); then the transaction is
 * rolled back and the planned path below runs, so the outcome is the same as the plan's.
 */
const COPY_IDENTITY_SQL = `COPY identity (${IDENTITY_WRITE_COLUMN_LIST}) FROM STDIN`;
const MARK_BATCH_USED = `INSERT INTO used_resident_code (code, person_id)
  SELECT resident_code, person_id FROM identity WHERE resident_code = ANY($1::text[])`;

function* copyIdentityChunks(rows: LoadBatch): Generator<string> {
  for (let i = 0; i < rows.length; i += LINES_PER_CHUNK) {
    let chunk = '';
    for (const { record } of rows.slice(i, i + LINES_PER_CHUNK)) {
      chunk += `${identityValues(record, (b) => b)
        .map(copyText)
        .join('\t')}\n`;
    }
    yield chunk;
  }
}

async function tryCopyWithoutRefusals(pool: Pool, rows: LoadBatch): Promise<boolean> {
  try {
    await inTransaction(pool, async (client) => {
      await pipeline(
        Readable.from(copyIdentityChunks(rows)),
        client.query(copyFrom(COPY_IDENTITY_SQL)),
      );
      await client.query(MARK_BATCH_USED, [rows.map((r) => r.record.residentCode)]);
    });
    return true;
  } catch (e) {
    if ((e as { code?: unknown }).code === UNIQUE_VIOLATION) return false;
    throw e;
  }
}

const UNIQUE_VIOLATION = '23505';

export async function loadBatchIntoPostgres(pool: Pool, batch: LoadBatch): Promise<LoadReport> {
  if (batch.length === 0) return { loaded: 0, refused: [] };
  const rows = [...batch].sort((a, b) => a.line - b.line);
  if (await tryCopyWithoutRefusals(pool, rows)) return { loaded: rows.length, refused: [] };
  return inTransaction(pool, async (client) => {
    await client.query(CREATE_LOAD_TABLE);
    await pipeline(Readable.from(copyChunks(rows)), client.query(copyFrom(COPY_LOAD_SQL)));
    await client.query('ANALYZE jukinet_load');
    for (const step of REFUSAL_STEPS) await client.query(step);
    await client.query(INSERT_ACCEPTED);
    const { rows: refusedRows } = await client.query<{
      line: number;
      resident_code: string;
      refusal: LoadRefusalReason;
    }>(REFUSED_ROWS);
    const refused: LoadRefusal[] = refusedRows.map((r) => ({
      line: r.line,
      residentCode: r.resident_code,
      reason: r.refusal,
    }));
    return { loaded: rows.length - refused.length, refused };
  });
}

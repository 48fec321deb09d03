import type pg from 'pg';
import type { Disclosure, NewDisclosure } from '../../domain/provision/disclosure.ts';
import {
  DISCLOSURE_COLUMNS,
  checkPrefecturePage,
  checkSyncedDisclosures,
  disclosureFromRow,
  disclosureValues,
  type DisclosureRow,
} from '../provision-row.ts';
import { translatePgError } from './postgres-errors.ts';
import { inTransaction } from './postgres-transaction.ts';

/*
 * The disclosure log's writes and the distribution of its records (R17) on PostgreSQL.
 *
 * Ids in commit order: the national server hands out its records by ascending id, and a
 * prefecture server remembers the highest id it has. An identity column gives ids when rows are
 * inserted, not when they commit: two concurrent writers could commit id 11 before id 10, a reader
 * would see 11, and 10 would be skipped for ever. So every write of disclosure records first
 * takes `SHARE ROW EXCLUSIVE` on the table (it conflicts with itself and with other writes, not
 * with reads): writers take their ids one transaction after the other, and what a reader sees is
 * always every id up to some point. The node writes its records through one group writer anyway,
 * so the lock costs two round trips, not waiting.
 */

type Query = <R extends pg.QueryResultRow>(
  text: string,
  values?: unknown[],
) => Promise<pg.QueryResult<R>>;

const COLUMN_COUNT = DISCLOSURE_COLUMNS.split(',').length - 1;
const TYPES = ['timestamptz', ...Array.from({ length: COLUMN_COUNT - 1 }, () => 'text')];

/** One INSERT for many disclosure records: the columns as parallel arrays (disclosureColumns). */
export const INSERT_DISCLOSURES_SQL = `INSERT INTO disclosure (${DISCLOSURE_COLUMNS.replace('id, ', '')})
  SELECT * FROM unnest(${TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
  ON CONFLICT (resident_code, node, query_id) DO NOTHING`;

/** The values of INSERT_DISCLOSURES_SQL: one array per column. */
export function disclosureColumns(records: readonly NewDisclosure[]): (string | null)[][] {
  const columns: (string | null)[][] = Array.from({ length: COLUMN_COUNT }, () => []);
  for (const d of records) disclosureValues(d).forEach((v, i) => columns[i]!.push(v));
  return columns;
}

async function insertInIdOrder(
  client: pg.PoolClient,
  records: readonly NewDisclosure[],
): Promise<number> {
  if (records.length === 0) return 0;
  await client.query('LOCK TABLE disclosure IN SHARE ROW EXCLUSIVE MODE');
  const r = await client.query(INSERT_DISCLOSURES_SQL, disclosureColumns(records));
  return r.rowCount ?? 0;
}

async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw translatePgError(e, undefined);
  }
}

/** Stores checked records in one transaction, ids in commit order; returns how many were new. */
export function insertPostgresDisclosures(
  pool: pg.Pool,
  records: readonly NewDisclosure[],
): Promise<number> {
  return translated(() => inTransaction(pool, (c) => insertInIdOrder(c, records)));
}

export async function postgresDisclosuresForPrefecture(
  query: Query,
  prefectureCode: string,
  afterId: number,
  limit: number,
): Promise<Disclosure[]> {
  checkPrefecturePage(prefectureCode, afterId, limit);
  const { rows } = await query<DisclosureRow>(
    `SELECT ${DISCLOSURE_COLUMNS} FROM disclosure
      WHERE prefecture_code = $1 AND id > $2 ORDER BY id LIMIT $3`,
    [prefectureCode, afterId, limit],
  );
  return rows.map(disclosureFromRow);
}

export function recordPostgresSyncedDisclosures(
  pool: pg.Pool,
  source: string,
  records: readonly NewDisclosure[],
  afterId: number,
): Promise<number> {
  checkSyncedDisclosures(source, records, afterId);
  return translated(() =>
    inTransaction(pool, async (c) => {
      const added = await insertInIdOrder(c, records);
      await c.query(
        `INSERT INTO disclosure_sync_cursor (source, after_id, synced_at) VALUES ($1, $2, now())
         ON CONFLICT (source) DO UPDATE
           SET after_id = GREATEST(disclosure_sync_cursor.after_id, EXCLUDED.after_id),
               synced_at = EXCLUDED.synced_at`,
        [source, afterId],
      );
      return added;
    }),
  );
}

export async function postgresDisclosureSyncCursor(query: Query, source: string): Promise<number> {
  const { rows } = await query<{ after_id: string | number }>(
    'SELECT after_id FROM disclosure_sync_cursor WHERE source = $1',
    [source],
  );
  return Number(rows[0]?.after_id ?? 0);
}

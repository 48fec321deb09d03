import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { SearchPlan } from '../../domain/provision/search-rules.ts';
import type { IdentityRecord } from '../../domain/resident/IdentityInfo.ts';
import { recordFromRow, type IdentityRow } from '../identity-row.ts';
import { BACKFILL_CHUNK, keysOfColumns, searchStatement } from '../search-sql.ts';

/** `searchIdentities` on PostgreSQL: a named (prepared) statement per plan shape. */
export async function searchPostgres(
  pool: pg.Pool,
  plan: SearchPlan,
  limit: number,
): Promise<IdentityRecord[]> {
  const s = searchStatement(plan, limit, 'postgres');
  const { rows } = await pool.query<[...IdentityRow]>({
    name: `jukinet_search_${createHash('sha1').update(s.text).digest('hex').slice(0, 16)}`,
    text: s.text,
    values: [...s.values],
    rowMode: 'array',
  });
  return rows.map(recordFromRow);
}

/**
 * Fills the search keys of rows written before migration 5, a chunk per transaction. Rows another
 * process is filling at the same time are skipped (SKIP LOCKED), not waited for.
 */
export async function backfillPostgresSearchKeys(pool: pg.Pool): Promise<number> {
  let filled = 0;
  for (;;) {
    const client = await pool.connect();
    let n = 0;
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{
        person_id: number;
        name_kanji: string;
        name_kana: string;
        address: string;
      }>(
        `SELECT person_id, name_kanji, name_kana, address FROM identity
          WHERE name_key IS NULL LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BACKFILL_CHUNK],
      );
      n = rows.length;
      if (n > 0) {
        const keys = rows.map((r) => keysOfColumns(r.name_kanji, r.name_kana, r.address));
        await client.query(
          `UPDATE identity i SET name_key = k.n, kana_key = k.k, address_key = k.a
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS k(id, n, k, a)
            WHERE i.person_id = k.id`,
          [
            rows.map((r) => r.person_id),
            keys.map((k) => k.nameKey),
            keys.map((k) => k.kanaKey),
            keys.map((k) => k.addressKey),
          ],
        );
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
    if (n === 0) return filled;
    filled += n;
  }
}

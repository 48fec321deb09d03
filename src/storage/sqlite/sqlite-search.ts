import type Database from 'better-sqlite3';
import type { SearchPlan } from '../../domain/provision/search-rules.ts';
import type { IdentityRecord } from '../../domain/resident/IdentityInfo.ts';
import { recordFromRow, type IdentityRow } from '../identity-row.ts';
import { BACKFILL_CHUNK, keysOfColumns, searchStatement } from '../search-sql.ts';

/** `searchIdentities` on SQLite: one prepared statement per plan shape, raw rows. */
export class SqliteSearch {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement<unknown[], IdentityRow>>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  search(plan: SearchPlan, limit: number): IdentityRecord[] {
    const s = searchStatement(plan, limit, 'sqlite');
    let stmt = this.#statements.get(s.shape);
    if (stmt === undefined) {
      stmt = this.#db.prepare<unknown[], IdentityRow>(s.text).raw(true);
      this.#statements.set(s.shape, stmt);
    }
    return stmt.all(...s.values).map(recordFromRow);
  }
}

/**
 * Fills the search keys of rows written before migration 5 (NULL keys), a chunk per IMMEDIATE
 * transaction; a no-op (one index probe) once none is left. Returns the rows filled.
 */
export function backfillSqliteSearchKeys(db: Database.Database): number {
  const missing = db
    .prepare<[number], [number, string, string, string]>(
      'SELECT person_id, name_kanji, name_kana, address FROM identity WHERE name_key IS NULL LIMIT ?',
    )
    .raw(true);
  const update = db.prepare<[string, string, string, number]>(
    'UPDATE identity SET name_key = ?, kana_key = ?, address_key = ? WHERE person_id = ?',
  );
  const chunk = db.transaction((): number => {
    const rows = missing.all(BACKFILL_CHUNK);
    for (const [personId, kanji, kana, address] of rows) {
      const k = keysOfColumns(kanji, kana, address);
      update.run(k.nameKey, k.kanaKey, k.addressKey, personId);
    }
    return rows.length;
  });
  let filled = 0;
  for (let n = chunk.immediate(); n > 0; n = chunk.immediate()) filled += n;
  return filled;
}

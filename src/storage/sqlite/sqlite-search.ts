import type Database from 'better-sqlite3';
import { matchesPlan, type SearchPlan } from '../../domain/provision/search-rules.ts';
import type { IdentityRecord } from '../../domain/resident/IdentityInfo.ts';
import { recordFromRow, type IdentityRow } from '../identity-row.ts';
import { BACKFILL_CHUNK, keysOfColumns, searchStatement } from '../search-sql.ts';
import { LOOKUP_BY_RESIDENT_CODE_SQL } from './sqlite-sql.ts';

/** `searchIdentities` on SQLite: one prepared statement per plan shape, raw rows. */
export class SqliteSearch {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement<unknown[], IdentityRow>>();
  #byCode: Database.Statement<[string], IdentityRow> | undefined;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  search(plan: SearchPlan, limit: number): IdentityRecord[] {
    // By resident code (unique): the point lookup, the other conditions checked on the record.
    // Measured ~2× cheaper than the general statement's `status = … AND resident_code = … LIMIT`
    // on SQLite, and the most common query of provision (the pension service's batch, R30).
    if (plan.residentCode !== undefined) {
      if (limit < 1) return [];
      const row = (this.#byCode ??= this.#db
        .prepare<[string], IdentityRow>(LOOKUP_BY_RESIDENT_CODE_SQL)
        .raw(true)).get(plan.residentCode);
      const record = row === undefined ? undefined : recordFromRow(row);
      return record !== undefined && matchesPlan(record, plan) ? [record] : [];
    }
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

import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabaseOrSkip, storeSelected } from '../postgres/test-database.ts';
import { applyPostgresMigrations } from './apply-postgres-migrations.ts';
import { applySqliteMigrations } from './apply-sqlite-migrations.ts';
import { MIGRATIONS } from './migrations.ts';

/*
 * Migration 16 (one index fewer on the disclosure log): a store at version 15 holding records
 * keeps every record with its id, never hands out an id again, stays idempotent on (node, query
 * id, resident code), and a resident's records are read through the new key.
 */

const BEFORE = MIGRATIONS.filter((m) => m.version < 16);
/** What opening such a store applies: 16 and every later migration. */
const FROM_16 = MIGRATIONS.filter((m) => m.version >= 16).map((m) => m.version);
const COLUMNS =
  'at, node, recipient_id, recipient_name, searcher, affair_id, legal_basis, query_id, resident_code, channel, prefecture_code';
const record = (queryId: string, residentCode: string, prefecture: string | null) => [
  '2026-11-01T09:00:00.000Z',
  'national:jlis',
  'agency-nenkin',
  '日本年金機構',
  null,
  'b1-1',
  '住民基本台帳法別表第一の一の項',
  queryId,
  residentCode,
  'immediate',
  prefecture,
];
const RECORDS = [
  record('q-1', '10000000011', '13'),
  record('q-2', '10000000029', '01'),
  record('q-3', '10000000011', '13'),
  record('q-4', '10000000037', null),
];

describe.skipIf(!storeSelected('sqlite'))('migration 16 on SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jukinet-m16-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every record and id, the AUTOINCREMENT counter, the uniqueness; drops disclosure_resident', () => {
    const db = new Database(join(dir, 'store.sqlite'));
    applySqliteMigrations(db, BEFORE);
    const insert = db.prepare(
      `INSERT INTO disclosure (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const r of RECORDS) insert.run(...r);
    // The last record was removed (as by hand): its id 4 must still never be handed out again.
    db.exec('DELETE FROM disclosure WHERE id = 4');
    const before = db.prepare('SELECT * FROM disclosure ORDER BY id').all();

    expect(applySqliteMigrations(db)).toEqual(FROM_16);

    expect(db.prepare('SELECT * FROM disclosure ORDER BY id').all()).toEqual(before);
    const indexes = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'disclosure'")
      .pluck()
      .all();
    expect(indexes).not.toContain('disclosure_resident');
    expect(indexes).toContain('disclosure_prefecture');
    expect(
      db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'disclosure_v16'").pluck().get(),
    ).toBe(0);

    // Ids go on after the highest ever handed out, not after the highest left.
    const next = insert.run(...record('q-5', '10000000045', '27'));
    expect(Number(next.lastInsertRowid)).toBe(5);
    // The same (node, query id, resident code) again is refused by the key, and
    // ON CONFLICT (node, query_id, resident_code) still names it.
    expect(() => insert.run(...record('q-1', '10000000011', '13'))).toThrow(/UNIQUE/);
    const upsert = db.prepare(
      `INSERT INTO disclosure (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (node, query_id, resident_code) DO NOTHING`,
    );
    expect(upsert.run(...record('q-1', '10000000011', '13')).changes).toBe(0);

    // A resident's records are found through the key, not by a scan.
    const plan = db
      .prepare(
        "EXPLAIN QUERY PLAN SELECT id FROM disclosure WHERE resident_code IN ('10000000011') ORDER BY at DESC, id DESC",
      )
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING INDEX sqlite_autoindex_disclosure/);
    db.close();
  });
});

const database = storeSelected('postgres')
  ? await createTestDatabaseOrSkip('jukinet_m16')
  : undefined;

describe.skipIf(database === undefined)('migration 16 on PostgreSQL', () => {
  const pool = new pg.Pool({
    connectionString: database?.url ?? '',
    max: 2,
    options: '-c search_path=m16',
  });
  afterAll(async () => {
    await pool.end();
    await database?.drop();
  });

  it('keeps every record and id, swaps the key, drops disclosure_resident', async () => {
    await applyPostgresMigrations(pool, { schema: 'm16', migrations: BEFORE });
    for (const r of RECORDS)
      await pool.query(
        `INSERT INTO disclosure (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        r,
      );
    const before = (await pool.query('SELECT * FROM disclosure ORDER BY id')).rows;

    expect(await applyPostgresMigrations(pool, { schema: 'm16' })).toEqual(FROM_16);

    expect((await pool.query('SELECT * FROM disclosure ORDER BY id')).rows).toEqual(before);
    const { rows: indexes } = await pool.query<{ indexname: string; indexdef: string }>(
      "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'm16' AND tablename = 'disclosure'",
    );
    expect(indexes.map((i) => i.indexname).sort()).toEqual([
      'disclosure_pkey',
      'disclosure_prefecture',
      'disclosure_resident_query',
    ]);
    expect(indexes.find((i) => i.indexname === 'disclosure_resident_query')?.indexdef).toMatch(
      /UNIQUE INDEX .*\(resident_code, node, query_id\)/,
    );
    const again = await pool.query(
      `INSERT INTO disclosure (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (node, query_id, resident_code) DO NOTHING`,
      record('q-1', '10000000011', '13'),
    );
    expect(again.rowCount).toBe(0);
  });
});

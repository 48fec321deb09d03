/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; the port is async. */
import type Database from 'better-sqlite3';
import type { AccessEntry, AccessLogSeal, AccessRecord } from '../../domain/audit/access-log.ts';
import { chainEntries, type Sha256 } from '../../domain/audit/canonical.ts';
import {
  ACCESS_LOG_COLUMNS,
  SEAL_COLUMNS,
  recordFromRow,
  recordValues,
  sealFromRow,
  sealValues,
  type AccessLogRow,
  type SealRow,
} from '../access-log-row.ts';
import { applySqliteMigrations } from '../migrations/apply-sqlite-migrations.ts';
import type { AccessLogStore } from '../ports.ts';
import { acquireSqlite } from './sqlite-connection.ts';
import { translateSqliteError } from './sqlite-errors.ts';

/**
 * The access log in the node's SQLite file (the shared connection). Appends run in an IMMEDIATE
 * transaction: SQLite's write lock is taken before the last record is read, so another process
 * appending to the same file waits and chains after this one.
 */
export class SqliteAccessLogStore implements AccessLogStore {
  readonly #release: () => void;
  readonly #s: ReturnType<typeof prepare>;
  readonly #append: Database.Transaction<
    (entries: readonly AccessEntry[], sha256: Sha256) => AccessRecord[]
  >;
  readonly #addSeal: Database.Transaction<(seal: AccessLogSeal) => boolean>;

  private constructor(db: Database.Database, release: () => void) {
    this.#release = release;
    const s = prepare(db);
    this.#s = s;
    this.#append = db.transaction((entries: readonly AccessEntry[], sha256: Sha256) => {
      const last = s.last.get();
      const records = chainEntries(
        last === undefined ? undefined : recordFromRow(last),
        entries,
        sha256,
      );
      for (const r of records) s.insert.run(...recordValues(r));
      return records;
    });
    this.#addSeal = db.transaction((seal: AccessLogSeal) => {
      const lastSeal = s.lastSeal.get();
      if (seal.seq !== (lastSeal === undefined ? 1 : Number(lastSeal.seq) + 1)) return false;
      if (lastSeal !== undefined && seal.uptoSeq <= Number(lastSeal.upto_seq)) return false;
      if (s.hashAt.get(seal.uptoSeq)?.hash !== seal.hash) return false;
      s.insertSeal.run(...sealValues(seal));
      return true;
    });
  }

  static open(path: string): SqliteAccessLogStore {
    const conn = acquireSqlite(path);
    const db = conn.db;
    try {
      if (path !== ':memory:') db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      applySqliteMigrations(db);
      return new SqliteAccessLogStore(db, conn.release);
    } catch (e) {
      conn.release();
      throw e;
    }
  }

  async append(entries: readonly AccessEntry[], sha256: Sha256): Promise<AccessRecord[]> {
    if (entries.length === 0) return [];
    try {
      return this.#append.immediate(entries, sha256);
    } catch (e) {
      throw translateSqliteError(e, undefined);
    }
  }

  async last(): Promise<AccessRecord | undefined> {
    const row = this.#s.last.get();
    return row === undefined ? undefined : recordFromRow(row);
  }

  async page(afterSeq: number, limit: number): Promise<AccessRecord[]> {
    return this.#s.page.all(afterSeq, limit).map(recordFromRow);
  }

  async list(q: {
    readonly limit: number;
    readonly beforeSeq?: number;
    readonly operator?: string;
  }): Promise<AccessRecord[]> {
    const before = q.beforeSeq ?? Number.MAX_SAFE_INTEGER;
    const rows =
      q.operator === undefined
        ? this.#s.newest.all(before, q.limit)
        : this.#s.newestOf.all(q.operator, before, q.limit);
    return rows.map(recordFromRow);
  }

  async addSeal(seal: AccessLogSeal): Promise<boolean> {
    try {
      return this.#addSeal.immediate(seal);
    } catch (e) {
      throw translateSqliteError(e, undefined);
    }
  }

  async lastSeal(): Promise<AccessLogSeal | undefined> {
    const row = this.#s.lastSeal.get();
    return row === undefined ? undefined : sealFromRow(row);
  }

  async seals(afterSeq: number, limit: number): Promise<AccessLogSeal[]> {
    return this.#s.seals.all(afterSeq, limit).map(sealFromRow);
  }

  async close(): Promise<void> {
    this.#release();
  }
}

function prepare(db: Database.Database) {
  return {
    last: db.prepare<[], AccessLogRow>(
      `SELECT ${ACCESS_LOG_COLUMNS} FROM access_log ORDER BY seq DESC LIMIT 1`,
    ),
    insert: db.prepare<unknown[]>(
      `INSERT INTO access_log (${ACCESS_LOG_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    page: db.prepare<[number, number], AccessLogRow>(
      `SELECT ${ACCESS_LOG_COLUMNS} FROM access_log WHERE seq > ? ORDER BY seq LIMIT ?`,
    ),
    newest: db.prepare<[number, number], AccessLogRow>(
      `SELECT ${ACCESS_LOG_COLUMNS} FROM access_log WHERE seq < ? ORDER BY seq DESC LIMIT ?`,
    ),
    newestOf: db.prepare<[string, number, number], AccessLogRow>(
      `SELECT ${ACCESS_LOG_COLUMNS} FROM access_log WHERE operator = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
    ),
    hashAt: db.prepare<[number], { hash: string }>('SELECT hash FROM access_log WHERE seq = ?'),
    lastSeal: db.prepare<[], SealRow>(
      `SELECT ${SEAL_COLUMNS} FROM access_log_seal ORDER BY seq DESC LIMIT 1`,
    ),
    insertSeal: db.prepare<unknown[]>(
      `INSERT INTO access_log_seal (${SEAL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    seals: db.prepare<[number, number], SealRow>(
      `SELECT ${SEAL_COLUMNS} FROM access_log_seal WHERE seq > ? ORDER BY seq LIMIT ?`,
    ),
  };
}

/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; the port is async. */
import type Database from 'better-sqlite3';
import type { ForwardedRejection } from '../../protocol/messages/RejectionPoll.ts';
import { applySqliteMigrations } from '../migrations/apply-sqlite-migrations.ts';
import {
  FORWARDED_REJECTION_COLUMNS,
  forwardedRejectionFromRow,
  forwardedRejectionValues,
  type ForwardedRejectionRow,
  type NewForwardedRejection,
  type RejectionStore,
} from '../rejection-store.ts';
import { acquireSqlite } from './sqlite-connection.ts';
import { translateSqliteError } from './sqlite-errors.ts';

/** The refusal tables in the node's SQLite file (the shared connection of the file). */
export class SqliteRejectionStore implements RejectionStore {
  readonly #release: () => void;
  readonly #insert: Database.Statement<string[]>;
  readonly #page: Database.Statement<[string, number, number], ForwardedRejectionRow>;
  readonly #newest: Database.Statement<[number], ForwardedRejectionRow>;
  readonly #cursor: Database.Statement<[string], { after_id: number }>;
  readonly #setCursor: Database.Statement<[string, number, string]>;

  private constructor(db: Database.Database, release: () => void) {
    this.#release = release;
    this.#insert = db.prepare(
      `INSERT INTO forwarded_rejection (${FORWARDED_REJECTION_COLUMNS})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (transaction_id) DO NOTHING`,
    );
    this.#page = db.prepare(
      `SELECT id, ${FORWARDED_REJECTION_COLUMNS} FROM forwarded_rejection
       WHERE municipality_code = ? AND id > ? ORDER BY id LIMIT ?`,
    );
    this.#newest = db.prepare(
      `SELECT id, ${FORWARDED_REJECTION_COLUMNS} FROM forwarded_rejection ORDER BY id DESC LIMIT ?`,
    );
    this.#cursor = db.prepare('SELECT after_id FROM rejection_poll_cursor WHERE source = ?');
    this.#setCursor = db.prepare(
      `INSERT INTO rejection_poll_cursor (source, after_id, polled_at) VALUES (?, ?, ?)
       ON CONFLICT (source) DO UPDATE SET after_id = MAX(after_id, excluded.after_id),
         polled_at = excluded.polled_at`,
    );
  }

  static open(path: string): SqliteRejectionStore {
    const conn = acquireSqlite(path);
    const db = conn.db;
    try {
      if (path !== ':memory:') db.pragma('journal_mode = WAL');
      applySqliteMigrations(db);
      return new SqliteRejectionStore(db, conn.release);
    } catch (e) {
      conn.release();
      throw e;
    }
  }

  async recordForwardedRejection(r: NewForwardedRejection): Promise<boolean> {
    try {
      return this.#insert.run(...forwardedRejectionValues(r)).changes === 1;
    } catch (e) {
      throw translateSqliteError(e, undefined);
    }
  }

  async forwardedRejections(
    municipality: string,
    afterId: number,
    limit: number,
  ): Promise<ForwardedRejection[]> {
    return this.#page.all(municipality, afterId, limit).map(forwardedRejectionFromRow);
  }

  async listForwardedRejections(limit: number): Promise<ForwardedRejection[]> {
    return this.#newest.all(limit).map(forwardedRejectionFromRow);
  }

  async rejectionCursor(source: string): Promise<number> {
    return Number(this.#cursor.get(source)?.after_id ?? 0);
  }

  async setRejectionCursor(source: string, afterId: number): Promise<void> {
    this.#setCursor.run(source, afterId, new Date().toISOString());
  }

  async close(): Promise<void> {
    this.#release();
  }
}

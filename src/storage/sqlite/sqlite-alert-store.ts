/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; the port is async. */
import type Database from 'better-sqlite3';
import type { NewSecurityAlert, SecurityAlert } from '../../domain/network/SecurityAlert.ts';
import { applySqliteMigrations } from '../migrations/apply-sqlite-migrations.ts';
import type { AlertStore } from '../ports.ts';
import { alertFromRow, type AlertRow } from '../alert-row.ts';
import { acquireSqlite } from './sqlite-connection.ts';

const COLUMNS = 'id, at, observer, kind, peer_address, peer_name, detail';

/** Intrusion alerts in the node's SQLite file (its own connection; WAL lets it share the file). */
export class SqliteAlertStore implements AlertStore {
  readonly #release: () => void;
  readonly #insert: Database.Statement<unknown[], AlertRow>;
  readonly #list: Database.Statement<[number, number | null, number | null, number], AlertRow>;

  private constructor(db: Database.Database, release: () => void) {
    this.#release = release;
    this.#insert = db.prepare(
      `INSERT INTO security_alert (at, observer, kind, peer_address, peer_name, detail) VALUES (?, ?, ?, ?, ?, ?) RETURNING ${COLUMNS}`,
    );
    this.#list = db.prepare(
      `SELECT ${COLUMNS} FROM security_alert WHERE id > ? AND (? IS NULL OR id < ?)
        ORDER BY id DESC LIMIT ?`,
    );
  }

  static open(path: string): SqliteAlertStore {
    const conn = acquireSqlite(path);
    const db = conn.db;
    try {
      if (path !== ':memory:') db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      applySqliteMigrations(db);
      return new SqliteAlertStore(db, conn.release);
    } catch (e) {
      conn.release();
      throw e;
    }
  }

  async recordAlert(a: NewSecurityAlert): Promise<SecurityAlert> {
    const row = this.#insert.get(
      a.at,
      a.observer,
      a.kind,
      a.peerAddress,
      a.peerName ?? null,
      a.detail,
    );
    return alertFromRow(row!);
  }

  async listAlerts(q: {
    readonly limit: number;
    readonly afterId?: number;
    readonly beforeId?: number;
  }): Promise<SecurityAlert[]> {
    const before = q.beforeId ?? null;
    return this.#list.all(q.afterId ?? 0, before, before, q.limit).map(alertFromRow);
  }

  async close(): Promise<void> {
    this.#release();
  }
}

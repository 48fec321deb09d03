/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; the port is async. */
import type Database from 'better-sqlite3';
import type { AccessLogSeal } from '../../domain/audit/access-log.ts';
import {
  AUDIT_ANCHOR_COLUMNS,
  auditAnchorFromRow,
  auditAnchorValues,
  sameSeal,
  type AnchorResult,
  type AuditAnchor,
  type AuditAnchorRow,
  type AuditAnchorStore,
} from '../audit-anchor-store.ts';
import { applySqliteMigrations } from '../migrations/apply-sqlite-migrations.ts';
import { acquireSqlite } from './sqlite-connection.ts';

/** The anchor tables in the node's SQLite file (the shared connection of the file). */
export class SqliteAuditAnchorStore implements AuditAnchorStore {
  readonly #release: () => void;
  readonly #anchorAll: (seals: readonly AccessLogSeal[], at: string) => AnchorResult;
  readonly #page: Database.Statement<[string, number, number], AuditAnchorRow>;
  readonly #last: Database.Statement<[string], { n: number | null }>;
  readonly #cursor: Database.Statement<[string], { seal_seq: number }>;
  readonly #setCursor: Database.Statement<[string, number, string]>;

  private constructor(db: Database.Database, release: () => void) {
    this.#release = release;
    const insert = db.prepare<(string | number)[]>(
      `INSERT INTO audit_anchor (${AUDIT_ANCHOR_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (node, seq) DO NOTHING`,
    );
    const one = db.prepare<[string, number], AuditAnchorRow>(
      `SELECT ${AUDIT_ANCHOR_COLUMNS} FROM audit_anchor WHERE node = ? AND seq = ?`,
    );
    const tx = db.transaction((seals: readonly AccessLogSeal[], at: string): AnchorResult => {
      let anchored = 0;
      let duplicates = 0;
      for (const seal of seals) {
        if (insert.run(...auditAnchorValues(seal, at)).changes === 1) {
          anchored++;
          continue;
        }
        const held = auditAnchorFromRow(one.get(seal.node, seal.seq)!);
        if (!sameSeal(held, seal))
          return { anchored, duplicates, conflict: { seal, anchored: held } };
        duplicates++;
      }
      return { anchored, duplicates };
    });
    this.#anchorAll = (seals, at) => tx.immediate(seals, at);
    this.#page = db.prepare(
      `SELECT ${AUDIT_ANCHOR_COLUMNS} FROM audit_anchor WHERE node = ? AND seq > ?
       ORDER BY seq LIMIT ?`,
    );
    this.#last = db.prepare('SELECT max(seq) AS n FROM audit_anchor WHERE node = ?');
    this.#cursor = db.prepare('SELECT seal_seq FROM audit_anchor_cursor WHERE upstream = ?');
    this.#setCursor = db.prepare(
      `INSERT INTO audit_anchor_cursor (upstream, seal_seq, anchored_at) VALUES (?, ?, ?)
       ON CONFLICT (upstream) DO UPDATE SET seal_seq = MAX(seal_seq, excluded.seal_seq),
         anchored_at = excluded.anchored_at`,
    );
  }

  static open(path: string): SqliteAuditAnchorStore {
    const conn = acquireSqlite(path);
    const db = conn.db;
    try {
      if (path !== ':memory:') db.pragma('journal_mode = WAL');
      applySqliteMigrations(db);
      return new SqliteAuditAnchorStore(db, conn.release);
    } catch (e) {
      conn.release();
      throw e;
    }
  }

  async anchor(seals: readonly AccessLogSeal[], anchoredAt: string): Promise<AnchorResult> {
    return this.#anchorAll(seals, anchoredAt);
  }

  async anchors(node: string, afterSeal: number, limit: number): Promise<AuditAnchor[]> {
    return this.#page.all(node, afterSeal, limit).map(auditAnchorFromRow);
  }

  async lastAnchoredSeal(node: string): Promise<number> {
    return Number(this.#last.get(node)?.n ?? 0);
  }

  async anchorCursor(upstream: string): Promise<number> {
    return Number(this.#cursor.get(upstream)?.seal_seq ?? 0);
  }

  async setAnchorCursor(upstream: string, sealSeq: number): Promise<void> {
    this.#setCursor.run(upstream, sealSeq, new Date().toISOString());
  }

  async close(): Promise<void> {
    this.#release();
  }
}

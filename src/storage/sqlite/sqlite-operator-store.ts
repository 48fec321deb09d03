/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; the port is async. */
import type Database from 'better-sqlite3';
import {
  checkGrantAllowed,
  checkRevocationAllowed,
  type Grant,
  type Operator,
  type OperatorEvent,
  type Revocation,
} from '../../domain/operator/operator.ts';
import { applySqliteMigrations } from '../migrations/apply-sqlite-migrations.ts';
import {
  EVENT_COLUMNS,
  OPERATOR_COLUMNS,
  eventFromRow,
  operatorFromRow,
  type OperatorEventRow,
  type OperatorRow,
} from '../operator-row.ts';
import type { OperatorStore } from '../ports.ts';
import { acquireSqlite } from './sqlite-connection.ts';

function prepare(db: Database.Database) {
  return {
    find: db.prepare<[string], OperatorRow>(
      `SELECT ${OPERATOR_COLUMNS} FROM operator WHERE id = ?`,
    ),
    any: db.prepare<[], { one: number }>('SELECT 1 AS one FROM operator LIMIT 1'),
    all: db.prepare<[], OperatorRow>(
      `SELECT ${OPERATOR_COLUMNS} FROM operator ORDER BY granted_at, id`,
    ),
    active: db.prepare<[], OperatorRow>(
      `SELECT ${OPERATOR_COLUMNS} FROM operator WHERE revoked_at IS NULL ORDER BY granted_at, id`,
    ),
    admins: db.prepare<[string], { n: number }>(
      `SELECT count(*) AS n FROM operator
       WHERE node = ? AND card_type = 'administrator' AND revoked_at IS NULL`,
    ),
    insert: db.prepare(
      `INSERT INTO operator (id, node, name, card_type, granted_by, granted_at) VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    revoke: db.prepare(
      `UPDATE operator SET revoked_by = ?, revoked_reason = ?, revoked_at = ?
       WHERE id = ? AND revoked_at IS NULL`,
    ),
    event: db.prepare(
      `INSERT INTO operator_event (operator_id, kind, by_operator, at, detail) VALUES (?, ?, ?, ?, ?)`,
    ),
    history: db.prepare<[], OperatorEventRow>(
      `SELECT ${EVENT_COLUMNS} FROM operator_event ORDER BY seq`,
    ),
    historyOf: db.prepare<[string], OperatorEventRow>(
      `SELECT ${EVENT_COLUMNS} FROM operator_event WHERE operator_id = ? ORDER BY seq`,
    ),
  };
}

/** The operator register in the node's SQLite file (the connection its other stores share). */
export class SqliteOperatorStore implements OperatorStore {
  readonly #release: () => void;
  readonly #s: ReturnType<typeof prepare>;
  readonly #grant: Database.Transaction<(g: Grant) => Operator>;
  readonly #revoke: Database.Transaction<(id: string, r: Revocation) => Operator>;

  private constructor(db: Database.Database, release: () => void) {
    this.#release = release;
    const s = prepare(db);
    this.#s = s;
    const find = (id: string) => {
      const row = s.find.get(id);
      return row ? operatorFromRow(row) : undefined;
    };
    this.#grant = db.transaction((g: Grant) => {
      checkGrantAllowed(g, {
        existing: find(g.id),
        granter: find(g.grantedBy),
        registerEmpty: s.any.get() === undefined,
      });
      s.insert.run(g.id, g.node, g.name, g.cardType, g.grantedBy, g.grantedAt);
      s.event.run(g.id, 'granted', g.grantedBy, g.grantedAt, g.cardType);
      return find(g.id)!;
    });
    this.#revoke = db.transaction((id: string, r: Revocation) => {
      const target = find(id);
      checkRevocationAllowed(id, r, {
        target,
        revoker: find(r.by),
        activeAdministrators: target ? s.admins.get(target.node)!.n : 0,
      });
      s.revoke.run(r.by, r.reason, r.at, id);
      s.event.run(id, 'revoked', r.by, r.at, r.reason);
      return find(id)!;
    });
  }

  static open(path: string): SqliteOperatorStore {
    const conn = acquireSqlite(path);
    const db = conn.db;
    try {
      if (path !== ':memory:') db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      applySqliteMigrations(db);
      return new SqliteOperatorStore(db, conn.release);
    } catch (e) {
      conn.release();
      throw e;
    }
  }

  async grant(grant: Grant): Promise<Operator> {
    return this.#grant.immediate(grant);
  }

  async revoke(id: string, by: string, reason: string, at: string): Promise<Operator> {
    return this.#revoke.immediate(id, { by, reason, at });
  }

  async find(id: string): Promise<Operator | undefined> {
    const row = this.#s.find.get(id);
    return row ? operatorFromRow(row) : undefined;
  }

  async list(query: { readonly includeRevoked: boolean }): Promise<Operator[]> {
    return (query.includeRevoked ? this.#s.all : this.#s.active).all().map(operatorFromRow);
  }

  async history(query: { readonly operatorId?: string } = {}): Promise<OperatorEvent[]> {
    const rows =
      query.operatorId === undefined
        ? this.#s.history.all()
        : this.#s.historyOf.all(query.operatorId);
    return rows.map(eventFromRow);
  }

  async close(): Promise<void> {
    this.#release();
  }
}

import type pg from 'pg';
import { acquirePostgres } from './postgres-pool.ts';
import type { NewSecurityAlert, SecurityAlert } from '../../domain/network/SecurityAlert.ts';
import { alertFromRow, type AlertRow } from '../alert-row.ts';
import type { AlertStore } from '../ports.ts';

const COLUMNS = 'id, at, observer, kind, peer_address, peer_name, detail';

/** Intrusion alerts on PostgreSQL (a small pool of its own). */
export class PostgresAlertStore implements AlertStore {
  readonly #pool: pg.Pool;

  readonly #release: () => Promise<void>;

  private constructor(pool: pg.Pool, release: () => Promise<void>) {
    this.#pool = pool;
    this.#release = release;
  }

  static async open(
    connectionString: string,
    options: { schema?: string } = {},
  ): Promise<PostgresAlertStore> {
    const shared = await acquirePostgres(connectionString, { schema: options.schema });
    return new PostgresAlertStore(shared.pool, shared.release);
  }

  async recordAlert(a: NewSecurityAlert): Promise<SecurityAlert> {
    const { rows } = await this.#pool.query<AlertRow>(
      `INSERT INTO security_alert (at, observer, kind, peer_address, peer_name, detail) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [a.at, a.observer, a.kind, a.peerAddress, a.peerName ?? null, a.detail],
    );
    return alertFromRow(rows[0]!);
  }

  async listAlerts(q: {
    readonly limit: number;
    readonly afterId?: number;
    readonly beforeId?: number;
  }): Promise<SecurityAlert[]> {
    const { rows } = await this.#pool.query<AlertRow>(
      `SELECT ${COLUMNS} FROM security_alert WHERE id > $1 AND ($2::bigint IS NULL OR id < $2)
        ORDER BY id DESC LIMIT $3`,
      [q.afterId ?? 0, q.beforeId ?? null, q.limit],
    );
    return rows.map(alertFromRow);
  }

  async close(): Promise<void> {
    await this.#release();
  }
}

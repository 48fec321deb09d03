import type pg from 'pg';
import { acquirePostgres } from './postgres-pool.ts';
import type { AccessEntry, AccessLogSeal, AccessRecord } from '../../domain/audit/access-log.ts';
import { chainEntries, type Sha256 } from '../../domain/audit/canonical.ts';
import {
  ACCESS_LOG_COLUMNS,
  ACCESS_LOG_COLUMN_COUNT,
  SEAL_COLUMNS,
  recordFromRow,
  recordValues,
  sealFromRow,
  sealValues,
  type AccessLogRow,
  type SealRow,
} from '../access-log-row.ts';
import type { AccessLogStore } from '../ports.ts';
import { inTransaction } from './postgres-transaction.ts';

/** Rows per INSERT statement (11 parameters each, well under PostgreSQL's 65 535). */
const INSERT_CHUNK = 1000;

const LAST_SQL = `SELECT ${ACCESS_LOG_COLUMNS} FROM access_log ORDER BY seq DESC LIMIT 1`;
const LAST_SEAL_SQL = `SELECT ${SEAL_COLUMNS} FROM access_log_seal ORDER BY seq DESC LIMIT 1`;

const insertSql = (rows: number): string =>
  `INSERT INTO access_log (${ACCESS_LOG_COLUMNS}) VALUES ${Array.from(
    { length: rows },
    (_, r) =>
      `(${Array.from({ length: ACCESS_LOG_COLUMN_COUNT }, (_, c) => `$${r * ACCESS_LOG_COLUMN_COUNT + c + 1}`).join(', ')})`,
  ).join(', ')}`;

/**
 * A transaction-scoped advisory lock per table (the two-int key space: 'juki' in ASCII and the
 * table's oid, so that two schemas of one database do not wait on each other). Not `LOCK TABLE …
 * IN SHARE ROW EXCLUSIVE MODE`: that needs UPDATE, DELETE or TRUNCATE on the table, which the
 * application role must not have on the append-only tables (docs/STORAGE.md "Roles").
 */
const lockSql = (table: 'access_log' | 'access_log_seal'): string =>
  `SELECT pg_advisory_xact_lock(${0x6a756b69}, '${table}'::regclass::oid::int4)`;

/**
 * The access log on PostgreSQL. An append takes the advisory lock of `access_log` before it
 * reads the last record, so concurrent appenders, in this process or another, chain one after
 * the other (readers never wait); a seal likewise takes the lock of `access_log_seal`.
 */
export class PostgresAccessLogStore implements AccessLogStore {
  readonly #pool: pg.Pool;

  readonly #release: () => Promise<void>;

  private constructor(pool: pg.Pool, release: () => Promise<void>) {
    this.#pool = pool;
    this.#release = release;
  }

  static async open(
    connectionString: string,
    options: { schema?: string } = {},
  ): Promise<PostgresAccessLogStore> {
    const shared = await acquirePostgres(connectionString, { schema: options.schema });
    return new PostgresAccessLogStore(shared.pool, shared.release);
  }

  async append(entries: readonly AccessEntry[], sha256: Sha256): Promise<AccessRecord[]> {
    if (entries.length === 0) return [];
    return inTransaction(this.#pool, async (client) => {
      await client.query(lockSql('access_log'));
      const { rows } = await client.query<AccessLogRow>(LAST_SQL);
      const last = rows[0] === undefined ? undefined : recordFromRow(rows[0]);
      const records = chainEntries(last, entries, sha256);
      for (let i = 0; i < records.length; i += INSERT_CHUNK) {
        const chunk = records.slice(i, i + INSERT_CHUNK);
        await client.query(insertSql(chunk.length), chunk.flatMap(recordValues));
      }
      return records;
    });
  }

  async last(): Promise<AccessRecord | undefined> {
    const { rows } = await this.#pool.query<AccessLogRow>(LAST_SQL);
    return rows[0] === undefined ? undefined : recordFromRow(rows[0]);
  }

  async page(afterSeq: number, limit: number): Promise<AccessRecord[]> {
    const { rows } = await this.#pool.query<AccessLogRow>(
      `SELECT ${ACCESS_LOG_COLUMNS} FROM access_log WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [afterSeq, limit],
    );
    return rows.map(recordFromRow);
  }

  async list(q: {
    readonly limit: number;
    readonly beforeSeq?: number;
    readonly operator?: string;
  }): Promise<AccessRecord[]> {
    const before = q.beforeSeq ?? Number.MAX_SAFE_INTEGER;
    const { rows } =
      q.operator === undefined
        ? await this.#pool.query<AccessLogRow>(
            `SELECT ${ACCESS_LOG_COLUMNS} FROM access_log WHERE seq < $1 ORDER BY seq DESC LIMIT $2`,
            [before, q.limit],
          )
        : await this.#pool.query<AccessLogRow>(
            `SELECT ${ACCESS_LOG_COLUMNS} FROM access_log WHERE operator = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`,
            [q.operator, before, q.limit],
          );
    return rows.map(recordFromRow);
  }

  async addSeal(seal: AccessLogSeal): Promise<boolean> {
    return inTransaction(this.#pool, async (client) => {
      await client.query(lockSql('access_log_seal'));
      const last = (await client.query<SealRow>(LAST_SEAL_SQL)).rows[0];
      if (seal.seq !== (last === undefined ? 1 : Number(last.seq) + 1)) return false;
      if (last !== undefined && seal.uptoSeq <= Number(last.upto_seq)) return false;
      const at = await client.query<{ hash: string }>(
        'SELECT hash FROM access_log WHERE seq = $1',
        [seal.uptoSeq],
      );
      if (at.rows[0]?.hash !== seal.hash) return false;
      await client.query(
        `INSERT INTO access_log_seal (${SEAL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        sealValues(seal),
      );
      return true;
    });
  }

  async lastSeal(): Promise<AccessLogSeal | undefined> {
    const { rows } = await this.#pool.query<SealRow>(LAST_SEAL_SQL);
    return rows[0] === undefined ? undefined : sealFromRow(rows[0]);
  }

  async seals(afterSeq: number, limit: number): Promise<AccessLogSeal[]> {
    const { rows } = await this.#pool.query<SealRow>(
      `SELECT ${SEAL_COLUMNS} FROM access_log_seal WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [afterSeq, limit],
    );
    return rows.map(sealFromRow);
  }

  async close(): Promise<void> {
    await this.#release();
  }
}

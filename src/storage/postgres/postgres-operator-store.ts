import type pg from 'pg';
import { acquirePostgres } from './postgres-pool.ts';
import {
  checkGrantAllowed,
  checkRevocationAllowed,
  type Grant,
  type Operator,
  type OperatorEvent,
} from '../../domain/operator/operator.ts';
import {
  EVENT_COLUMNS,
  OPERATOR_COLUMNS,
  eventFromRow,
  operatorFromRow,
  type OperatorEventRow,
  type OperatorRow,
} from '../operator-row.ts';
import type { OperatorStore } from '../ports.ts';
import { inTransaction } from './postgres-transaction.ts';

type Queryable = Pick<pg.PoolClient, 'query'>;

const FIND_SQL = `SELECT ${OPERATOR_COLUMNS} FROM operator WHERE id = $1`;
/*
 * Grants and revocations take this lock first: it conflicts with itself (not with reads), so the
 * register's checks (empty register, the granter, the last administrator) hold until commit.
 */
const LOCK_SQL = 'LOCK TABLE operator IN SHARE ROW EXCLUSIVE MODE';
const EVENT_SQL = `INSERT INTO operator_event (operator_id, kind, by_operator, at, detail) VALUES ($1, $2, $3, $4, $5)`;

async function find(q: Queryable, id: string): Promise<Operator | undefined> {
  const { rows } = await q.query<OperatorRow>(FIND_SQL, [id]);
  return rows[0] ? operatorFromRow(rows[0]) : undefined;
}

/** The operator register on PostgreSQL (the node's shared pool, postgres-pool.ts). */
export class PostgresOperatorStore implements OperatorStore {
  readonly #pool: pg.Pool;

  readonly #release: () => Promise<void>;

  private constructor(pool: pg.Pool, release: () => Promise<void>) {
    this.#pool = pool;
    this.#release = release;
  }

  static async open(
    connectionString: string,
    options: { schema?: string } = {},
  ): Promise<PostgresOperatorStore> {
    const shared = await acquirePostgres(connectionString, { schema: options.schema });
    return new PostgresOperatorStore(shared.pool, shared.release);
  }

  async grant(g: Grant): Promise<Operator> {
    return inTransaction(this.#pool, async (c) => {
      await c.query(LOCK_SQL);
      const { rows } = await c.query('SELECT 1 FROM operator LIMIT 1');
      checkGrantAllowed(g, {
        existing: await find(c, g.id),
        granter: await find(c, g.grantedBy),
        registerEmpty: rows.length === 0,
      });
      await c.query(
        'INSERT INTO operator (id, node, name, card_type, granted_by, granted_at) VALUES ($1, $2, $3, $4, $5, $6)',
        [g.id, g.node, g.name, g.cardType, g.grantedBy, g.grantedAt],
      );
      await c.query(EVENT_SQL, [g.id, 'granted', g.grantedBy, g.grantedAt, g.cardType]);
      return (await find(c, g.id))!;
    });
  }

  async revoke(id: string, by: string, reason: string, at: string): Promise<Operator> {
    return inTransaction(this.#pool, async (c) => {
      await c.query(LOCK_SQL);
      const target = await find(c, id);
      const { rows } = target
        ? await c.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM operator
             WHERE node = $1 AND card_type = 'administrator' AND revoked_at IS NULL`,
            [target.node],
          )
        : { rows: [{ n: 0 }] };
      checkRevocationAllowed(
        id,
        { by, reason, at },
        { target, revoker: await find(c, by), activeAdministrators: rows[0]!.n },
      );
      await c.query(
        'UPDATE operator SET revoked_by = $1, revoked_reason = $2, revoked_at = $3 WHERE id = $4 AND revoked_at IS NULL',
        [by, reason, at, id],
      );
      await c.query(EVENT_SQL, [id, 'revoked', by, at, reason]);
      return (await find(c, id))!;
    });
  }

  async find(id: string): Promise<Operator | undefined> {
    return find(this.#pool, id);
  }

  async list(query: { readonly includeRevoked: boolean }): Promise<Operator[]> {
    const { rows } = await this.#pool.query<OperatorRow>(
      `SELECT ${OPERATOR_COLUMNS} FROM operator ${query.includeRevoked ? '' : 'WHERE revoked_at IS NULL'} ORDER BY granted_at, id`,
    );
    return rows.map(operatorFromRow);
  }

  async history(query: { readonly operatorId?: string } = {}): Promise<OperatorEvent[]> {
    const { rows } =
      query.operatorId === undefined
        ? await this.#pool.query<OperatorEventRow>(
            `SELECT ${EVENT_COLUMNS} FROM operator_event ORDER BY seq`,
          )
        : await this.#pool.query<OperatorEventRow>(
            `SELECT ${EVENT_COLUMNS} FROM operator_event WHERE operator_id = $1 ORDER BY seq`,
            [query.operatorId],
          );
    return rows.map(eventFromRow);
  }

  async close(): Promise<void> {
    await this.#release();
  }
}

import type pg from 'pg';
import type { ForwardedRejection } from '../../protocol/messages/RejectionPoll.ts';
import {
  FORWARDED_REJECTION_COLUMNS,
  forwardedRejectionFromRow,
  forwardedRejectionValues,
  type ForwardedRejectionRow,
  type NewForwardedRejection,
  type RejectionStore,
} from '../rejection-store.ts';
import { forwardCursor, type ForwardCursor } from './postgres-cursor.ts';
import { translatePgError } from './postgres-errors.ts';
import { acquirePostgres } from './postgres-pool.ts';
import { inTransaction } from './postgres-transaction.ts';

/** A function: the columns come from rejection-store.ts, which imports this module. */
const select = (): string => `SELECT id, ${FORWARDED_REJECTION_COLUMNS} FROM forwarded_rejection`;

/**
 * The refusal tables on PostgreSQL (the node's shared pool, postgres-pool.ts). Ids in commit
 * order, as for disclosure records (postgres-disclosure-sync.ts): a write first takes
 * `SHARE ROW EXCLUSIVE` on the table, so a CS paging by id after its cursor never skips a row
 * that committed late.
 */
export class PostgresRejectionStore implements RejectionStore {
  readonly #pool: pg.Pool;
  readonly #release: () => Promise<void>;
  readonly #cursor: ForwardCursor;

  private constructor(pool: pg.Pool, release: () => Promise<void>) {
    this.#pool = pool;
    this.#release = release;
    this.#cursor = forwardCursor(pool, 'rejection_poll_cursor', {
      key: 'source',
      value: 'after_id',
      stamp: 'polled_at',
    });
  }

  static async open(
    connectionString: string,
    options: { schema?: string | undefined } = {},
  ): Promise<PostgresRejectionStore> {
    const shared = await acquirePostgres(connectionString, { schema: options.schema });
    return new PostgresRejectionStore(shared.pool, shared.release);
  }

  async recordForwardedRejection(r: NewForwardedRejection): Promise<boolean> {
    try {
      return await inTransaction(this.#pool, async (client) => {
        await client.query('LOCK TABLE forwarded_rejection IN SHARE ROW EXCLUSIVE MODE');
        const inserted = await client.query(
          `INSERT INTO forwarded_rejection (${FORWARDED_REJECTION_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (transaction_id) DO NOTHING`,
          forwardedRejectionValues(r),
        );
        return inserted.rowCount === 1;
      });
    } catch (e) {
      throw translatePgError(e, undefined);
    }
  }

  async forwardedRejections(
    municipality: string,
    afterId: number,
    limit: number,
  ): Promise<ForwardedRejection[]> {
    const { rows } = await this.#pool.query<ForwardedRejectionRow>(
      `${select()} WHERE municipality_code = $1 AND id > $2 ORDER BY id LIMIT $3`,
      [municipality, afterId, limit],
    );
    return rows.map(forwardedRejectionFromRow);
  }

  async listForwardedRejections(limit: number): Promise<ForwardedRejection[]> {
    const { rows } = await this.#pool.query<ForwardedRejectionRow>(
      `${select()} ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return rows.map(forwardedRejectionFromRow);
  }

  rejectionCursor(source: string): Promise<number> {
    return this.#cursor.get(source);
  }

  setRejectionCursor(source: string, afterId: number): Promise<void> {
    return this.#cursor.set(source, afterId);
  }

  async close(): Promise<void> {
    await this.#release();
  }
}

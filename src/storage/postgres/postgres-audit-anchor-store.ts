import type pg from 'pg';
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
import { forwardCursor, type ForwardCursor } from './postgres-cursor.ts';
import { acquirePostgres } from './postgres-pool.ts';
import { inTransaction } from './postgres-transaction.ts';

/** A function: the columns come from audit-anchor-store.ts, which imports this module. */
const select = (): string => `SELECT ${AUDIT_ANCHOR_COLUMNS} FROM audit_anchor`;

/**
 * The anchor tables on PostgreSQL (the node's shared pool). `audit_anchor` is append-only: the
 * application role may only SELECT and INSERT it (`juki store grant`), and an insert that meets
 * an anchored (node, seal number) does nothing, so two calls racing store one row.
 */
export class PostgresAuditAnchorStore implements AuditAnchorStore {
  readonly #pool: pg.Pool;
  readonly #release: () => Promise<void>;
  readonly #cursor: ForwardCursor;

  private constructor(pool: pg.Pool, release: () => Promise<void>) {
    this.#pool = pool;
    this.#release = release;
    this.#cursor = forwardCursor(pool, 'audit_anchor_cursor', {
      key: 'upstream',
      value: 'seal_seq',
      stamp: 'anchored_at',
    });
  }

  static async open(
    connectionString: string,
    options: { schema?: string | undefined } = {},
  ): Promise<PostgresAuditAnchorStore> {
    const shared = await acquirePostgres(connectionString, { schema: options.schema });
    return new PostgresAuditAnchorStore(shared.pool, shared.release);
  }

  async anchor(seals: readonly AccessLogSeal[], anchoredAt: string): Promise<AnchorResult> {
    return inTransaction(this.#pool, async (client) => {
      let anchored = 0;
      let duplicates = 0;
      for (const seal of seals) {
        const inserted = await client.query(
          `INSERT INTO audit_anchor (${AUDIT_ANCHOR_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (node, seq) DO NOTHING`,
          auditAnchorValues(seal, anchoredAt),
        );
        if (inserted.rowCount === 1) {
          anchored++;
          continue;
        }
        const { rows } = await client.query<AuditAnchorRow>(
          `${select()} WHERE node = $1 AND seq = $2`,
          [seal.node, seal.seq],
        );
        const held = auditAnchorFromRow(rows[0]!);
        if (!sameSeal(held, seal))
          return { anchored, duplicates, conflict: { seal, anchored: held } };
        duplicates++;
      }
      return { anchored, duplicates };
    });
  }

  async anchors(node: string, afterSeal: number, limit: number): Promise<AuditAnchor[]> {
    const { rows } = await this.#pool.query<AuditAnchorRow>(
      `${select()} WHERE node = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
      [node, afterSeal, limit],
    );
    return rows.map(auditAnchorFromRow);
  }

  async lastAnchoredSeal(node: string): Promise<number> {
    const { rows } = await this.#pool.query<{ n: string | null }>(
      'SELECT max(seq) AS n FROM audit_anchor WHERE node = $1',
      [node],
    );
    return Number(rows[0]?.n ?? 0);
  }

  anchorCursor(upstream: string): Promise<number> {
    return this.#cursor.get(upstream);
  }

  setAnchorCursor(upstream: string, sealSeq: number): Promise<void> {
    return this.#cursor.set(upstream, sealSeq);
  }

  async close(): Promise<void> {
    await this.#release();
  }
}

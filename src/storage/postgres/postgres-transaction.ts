import type { Pool, PoolClient } from 'pg';

export const sqlState = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string'
    ? e.code
    : undefined;

/**
 * A failure worth one more try: serialization failure, deadlock, or a unique violation from a
 * racing insert (two creations of one code, one transaction id delivered twice at once) — but
 * not an individual number that belongs to someone else, which stays wrong however often tried.
 */
export function isRaceLost(e: unknown): boolean {
  const state = sqlState(e);
  if (state === '40001' || state === '40P01') return true;
  if (state !== '23505') return false;
  const constraint =
    typeof e === 'object' && e !== null && 'constraint' in e && typeof e.constraint === 'string'
      ? e.constraint
      : '';
  return !constraint.includes('individual_number');
}

/**
 * Runs `fn` in one transaction on one pooled connection; rolls back on any error. A failure for
 * which `retryIf` holds is retried from the start (up to `attempts` times in all), so `fn` must
 * derive everything it writes from what it reads inside.
 */
export async function inTransaction<T>(
  pool: Pool,
  fn: (client: PoolClient) => Promise<T>,
  options: { readonly retryIf?: (e: unknown) => boolean; readonly attempts?: number } = {},
): Promise<T> {
  const attempts = options.attempts ?? 1;
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      if (attempt >= attempts || !options.retryIf?.(e)) throw e;
    } finally {
      client.release(broken);
    }
  }
}

import type pg from 'pg';

/**
 * A forward-only cursor kept in a table `(key PRIMARY KEY, value, stamp)`: how far a node has
 * read or sent something, per source or upstream (rejection polls, seal anchoring). `set` never
 * moves it back: two runs racing each other keep the larger value (`GREATEST`). The table and
 * column names are this codebase's constants, never input.
 */
export type ForwardCursor = {
  get(key: string): Promise<number>;
  set(key: string, value: number): Promise<void>;
};

export function forwardCursor(
  pool: pg.Pool,
  table: string,
  columns: { readonly key: string; readonly value: string; readonly stamp: string },
): ForwardCursor {
  const { key, value, stamp } = columns;
  const select = `SELECT ${value} AS v FROM ${table} WHERE ${key} = $1`;
  const upsert = `INSERT INTO ${table} (${key}, ${value}, ${stamp}) VALUES ($1, $2, now())
    ON CONFLICT (${key}) DO UPDATE SET
      ${value} = GREATEST(${table}.${value}, excluded.${value}),
      ${stamp} = excluded.${stamp}`;
  return {
    async get(k) {
      const { rows } = await pool.query<{ v: string | number }>(select, [k]);
      return Number(rows[0]?.v ?? 0);
    },
    async set(k, v) {
      await pool.query(upsert, [k, v]);
    },
  };
}

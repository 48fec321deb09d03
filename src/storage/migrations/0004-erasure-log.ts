import type { Migration } from './Migration.ts';

/**
 * Version 4: the record of retention runs (R1, R33). What was erased, as counts and the period of
 * the erased change dates — never content: the point of erasing is that nothing of it remains.
 */
export const ERASURE_LOG_MIGRATION: Migration = {
  version: 4,
  name: 'erasure-log',
  sqlite: `
CREATE TABLE erasure_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  ran_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  as_of TEXT NOT NULL,
  history_years INTEGER NOT NULL,
  overseas_years INTEGER NOT NULL,
  erased_history_entries INTEGER NOT NULL,
  erased_records INTEGER NOT NULL,
  oldest_erased TEXT,
  newest_erased TEXT
);
`,
  postgres: `
CREATE TABLE erasure_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  ran_at timestamptz NOT NULL DEFAULT now(),
  as_of date NOT NULL,
  history_years integer NOT NULL,
  overseas_years integer NOT NULL,
  erased_history_entries integer NOT NULL,
  erased_records integer NOT NULL,
  oldest_erased date,
  newest_erased date
);
`,
};

import type { Migration } from './Migration.ts';

/**
 * Version 3: the integrity check (本人確認情報整合, R20; docs/INTEGRITY.md).
 *
 * - One partial index walks a municipality's residents in resident-code order without a sort
 *   (a prefecture server checking one of its municipalities reads that municipality only); a
 *   prefecture's residents are the merge of its municipalities' walks (merge-by-code.ts), so the
 *   national server reads one prefecture only. Each index keyed by random resident codes slows
 *   bulk loads (measured: 1 M rows, none ~20–29 k rows/s, this one ~10–20 k, a second one for
 *   prefectures ~9–11 k): one index serves both scopes.
 * - `integrity_check`: each end's record of a check (counts, the differing codes, bytes).
 * - `integrity_repair`: the repair log, one line per resident code a repair touched, with the
 *   action; UNIQUE (check_id, resident_code) makes a retried repair a no-op.
 *
 * On PostgreSQL the index is built inside the migration's transaction (CREATE INDEX
 * CONCURRENTLY cannot run in one): on a large existing table, writes wait while they build.
 */
export const INTEGRITY_MIGRATION: Migration = {
  version: 3,
  name: 'integrity',
  sqlite: `
CREATE INDEX identity_scope_municipality
  ON identity (local_government_code, resident_code) WHERE status = 'resident';

CREATE TABLE integrity_check (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  check_id TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('sender', 'receiver')),
  peer TEXT NOT NULL,
  scope_kind TEXT NOT NULL CHECK (scope_kind IN ('municipality', 'prefecture')),
  scope_code TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  local_count INTEGER NOT NULL,
  peer_count INTEGER NOT NULL,
  depth INTEGER NOT NULL,
  matching INTEGER NOT NULL CHECK (matching IN (0, 1)),
  missing_at_receiver INTEGER NOT NULL,
  extra_at_receiver INTEGER NOT NULL,
  differing_values INTEGER NOT NULL,
  differences TEXT NOT NULL,
  truncated INTEGER NOT NULL CHECK (truncated IN (0, 1)),
  bytes_sent INTEGER NOT NULL,
  bytes_received INTEGER NOT NULL,
  repaired_inserted INTEGER NOT NULL DEFAULT 0,
  repaired_updated INTEGER NOT NULL DEFAULT 0,
  repaired_removed INTEGER NOT NULL DEFAULT 0,
  repaired_conflicts INTEGER NOT NULL DEFAULT 0,
  UNIQUE (check_id, role)
);

CREATE TABLE integrity_repair (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  check_id TEXT NOT NULL,
  resident_code TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('inserted', 'updated', 'removed', 'unchanged', 'conflict')),
  at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  UNIQUE (check_id, resident_code)
);
`,
  postgres: `
CREATE INDEX identity_scope_municipality
  ON identity (local_government_code, resident_code) WHERE status = 'resident';

CREATE TABLE integrity_check (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  check_id text NOT NULL,
  role text NOT NULL CHECK (role IN ('sender', 'receiver')),
  peer text NOT NULL,
  scope_kind text NOT NULL CHECK (scope_kind IN ('municipality', 'prefecture')),
  scope_code text NOT NULL,
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  local_count bigint NOT NULL,
  peer_count bigint NOT NULL,
  depth integer NOT NULL,
  matching boolean NOT NULL,
  missing_at_receiver bigint NOT NULL,
  extra_at_receiver bigint NOT NULL,
  differing_values bigint NOT NULL,
  differences jsonb NOT NULL,
  truncated boolean NOT NULL,
  bytes_sent bigint NOT NULL,
  bytes_received bigint NOT NULL,
  repaired_inserted bigint NOT NULL DEFAULT 0,
  repaired_updated bigint NOT NULL DEFAULT 0,
  repaired_removed bigint NOT NULL DEFAULT 0,
  repaired_conflicts bigint NOT NULL DEFAULT 0,
  UNIQUE (check_id, role)
);

CREATE TABLE integrity_repair (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  check_id text NOT NULL,
  resident_code text NOT NULL,
  action text NOT NULL CHECK (action IN ('inserted', 'updated', 'removed', 'unchanged', 'conflict')),
  at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (check_id, resident_code)
);
`,
};

import type { Migration } from './Migration.ts';

/**
 * Version 9: the operator register (R15, R31; docs/OPERATORS.md).
 *
 * 1. `operator`: one row per operator id: its grant and, once revoked, the revocation. A row is
 *    written once and revoked once (the stores check it); ids are never reused.
 * 2. `operator_event`: the register's history, append-only: `granted` and `revoked` with who, when
 *    and why. Nothing updates or deletes it.
 */
export const OPERATORS_MIGRATION: Migration = {
  version: 9,
  name: 'operators',
  sqlite: `
CREATE TABLE operator (
  id TEXT PRIMARY KEY,
  node TEXT NOT NULL,
  name TEXT NOT NULL,
  card_type TEXT NOT NULL,
  granted_by TEXT NOT NULL,
  granted_at TEXT NOT NULL,
  revoked_by TEXT,
  revoked_reason TEXT,
  revoked_at TEXT
) WITHOUT ROWID;

CREATE TABLE operator_event (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  operator_id TEXT NOT NULL REFERENCES operator (id),
  kind TEXT NOT NULL CHECK (kind IN ('granted', 'revoked')),
  by_operator TEXT NOT NULL,
  at TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX operator_event_operator ON operator_event (operator_id, seq);
CREATE TRIGGER operator_event_no_update BEFORE UPDATE ON operator_event
  BEGIN SELECT RAISE(ABORT, 'operator_event is append-only'); END;
CREATE TRIGGER operator_event_no_delete BEFORE DELETE ON operator_event
  BEGIN SELECT RAISE(ABORT, 'operator_event is append-only'); END;
`,
  postgres: `
CREATE TABLE operator (
  id text PRIMARY KEY,
  node text NOT NULL,
  name text NOT NULL,
  card_type text NOT NULL,
  granted_by text NOT NULL,
  granted_at timestamptz NOT NULL,
  revoked_by text,
  revoked_reason text,
  revoked_at timestamptz
);

CREATE TABLE operator_event (
  seq bigserial PRIMARY KEY,
  operator_id text NOT NULL REFERENCES operator (id),
  kind text NOT NULL CHECK (kind IN ('granted', 'revoked')),
  by_operator text NOT NULL,
  at timestamptz NOT NULL,
  detail text NOT NULL
);
CREATE INDEX operator_event_operator ON operator_event (operator_id, seq);
CREATE FUNCTION operator_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'operator_event is append-only';
END $$;
CREATE TRIGGER operator_event_no_change BEFORE UPDATE OR DELETE ON operator_event
  FOR EACH ROW EXECUTE FUNCTION operator_event_append_only();
`,
};

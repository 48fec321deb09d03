import type { Migration } from './Migration.ts';

/**
 * Version 10: the access log (R23; docs/AUDIT.md).
 *
 * 1. `access_log`: one row per record, seq 1, 2, 3, …; `prev_hash` and `hash` chain the rows
 *    (SHA-256, lowercase hex). `at` is kept as the exact text that was hashed (ISO 8601 UTC with
 *    milliseconds), in both dialects, so that verify recomputes the same bytes.
 * 2. `access_log_seal`: the seals, seq 1, 2, 3, …: the hash of record `upto_seq`, signed with
 *    the node's key (ECDSA P-256 / SHA-256, base64 DER) and the SHA-256 of its certificate.
 * 3. Append-only in the database too: triggers abort every UPDATE and DELETE on both tables (and
 *    TRUNCATE on PostgreSQL). Whoever owns the tables (a PostgreSQL superuser or owner, anyone
 *    with the SQLite file) can still drop the triggers: `juki audit verify` detects what they do.
 */
export const ACCESS_LOG_MIGRATION: Migration = {
  version: 10,
  name: 'access-log',
  sqlite: `
CREATE TABLE access_log (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  node TEXT NOT NULL,
  operator TEXT NOT NULL,
  operation TEXT NOT NULL,
  target TEXT NOT NULL,
  purpose TEXT,
  result TEXT NOT NULL,
  reason TEXT,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX access_log_operator ON access_log (operator, seq);

CREATE TABLE access_log_seal (
  seq INTEGER PRIMARY KEY,
  upto_seq INTEGER NOT NULL UNIQUE,
  at TEXT NOT NULL,
  node TEXT NOT NULL,
  hash TEXT NOT NULL,
  cert_fingerprint TEXT NOT NULL,
  signature TEXT NOT NULL
);

CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only: UPDATE refused'); END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only: DELETE refused'); END;
CREATE TRIGGER access_log_seal_no_update BEFORE UPDATE ON access_log_seal
BEGIN SELECT RAISE(ABORT, 'access_log_seal is append-only: UPDATE refused'); END;
CREATE TRIGGER access_log_seal_no_delete BEFORE DELETE ON access_log_seal
BEGIN SELECT RAISE(ABORT, 'access_log_seal is append-only: DELETE refused'); END;
`,
  postgres: `
CREATE TABLE access_log (
  seq bigint PRIMARY KEY,
  at text NOT NULL,
  node text NOT NULL,
  operator text NOT NULL,
  operation text NOT NULL,
  target text NOT NULL,
  purpose text,
  result text NOT NULL,
  reason text,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX access_log_operator ON access_log (operator, seq);

CREATE TABLE access_log_seal (
  seq bigint PRIMARY KEY,
  upto_seq bigint NOT NULL UNIQUE,
  at text NOT NULL,
  node text NOT NULL,
  hash text NOT NULL,
  cert_fingerprint text NOT NULL,
  signature text NOT NULL
);

CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER access_log_no_change BEFORE UPDATE OR DELETE ON access_log
  FOR EACH ROW EXECUTE FUNCTION access_log_append_only();
CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
  FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only();
CREATE TRIGGER access_log_seal_no_change BEFORE UPDATE OR DELETE ON access_log_seal
  FOR EACH ROW EXECUTE FUNCTION access_log_append_only();
CREATE TRIGGER access_log_seal_no_truncate BEFORE TRUNCATE ON access_log_seal
  FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only();
`,
};

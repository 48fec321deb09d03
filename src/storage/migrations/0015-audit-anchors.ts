import type { Migration } from './Migration.ts';

/**
 * Version 15: access-log seals anchored at the upstream node (R23; docs/AUDIT.md "Anchoring at
 * the upstream node").
 *
 * 1. `audit_anchor`, at a prefecture or national server: one row per seal a downstream node sent
 *    (primary key: the node and its seal number), exactly as the node's `access_log_seal` row
 *    holds it, with when it arrived. Append-only like the access log (migration 10): triggers
 *    abort every UPDATE and DELETE (and TRUNCATE on PostgreSQL); the application role gets
 *    SELECT and INSERT only (`APPEND_ONLY_TABLES`).
 * 2. `audit_anchor_cursor`, at the sending node: the highest seal number its upstream node has
 *    acknowledged, so that seals made while the upstream node was unreachable are sent later.
 */
export const AUDIT_ANCHORS_MIGRATION: Migration = {
  version: 15,
  name: 'audit-anchors',
  sqlite: `
CREATE TABLE audit_anchor (
  node TEXT NOT NULL,
  seq INTEGER NOT NULL,
  upto_seq INTEGER NOT NULL,
  at TEXT NOT NULL,
  hash TEXT NOT NULL,
  cert_fingerprint TEXT NOT NULL,
  signature TEXT NOT NULL,
  anchored_at TEXT NOT NULL,
  PRIMARY KEY (node, seq)
) WITHOUT ROWID;

CREATE TABLE audit_anchor_cursor (
  upstream TEXT PRIMARY KEY,
  seal_seq INTEGER NOT NULL,
  anchored_at TEXT NOT NULL
) WITHOUT ROWID;

CREATE TRIGGER audit_anchor_no_update BEFORE UPDATE ON audit_anchor
BEGIN SELECT RAISE(ABORT, 'audit_anchor is append-only: UPDATE refused'); END;
CREATE TRIGGER audit_anchor_no_delete BEFORE DELETE ON audit_anchor
BEGIN SELECT RAISE(ABORT, 'audit_anchor is append-only: DELETE refused'); END;
`,
  postgres: `
CREATE TABLE audit_anchor (
  node text NOT NULL,
  seq bigint NOT NULL,
  upto_seq bigint NOT NULL,
  at text NOT NULL,
  hash text NOT NULL,
  cert_fingerprint text NOT NULL,
  signature text NOT NULL,
  anchored_at timestamptz NOT NULL,
  PRIMARY KEY (node, seq)
);

CREATE TABLE audit_anchor_cursor (
  upstream text PRIMARY KEY,
  seal_seq bigint NOT NULL,
  anchored_at timestamptz NOT NULL
);

CREATE TRIGGER audit_anchor_no_change BEFORE UPDATE OR DELETE ON audit_anchor
  FOR EACH ROW EXECUTE FUNCTION access_log_append_only();
CREATE TRIGGER audit_anchor_no_truncate BEFORE TRUNCATE ON audit_anchor
  FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only();
`,
};

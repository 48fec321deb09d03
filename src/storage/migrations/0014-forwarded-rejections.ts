import type { Migration } from './Migration.ts';

/**
 * Version 14: refusals by the national server of changes a prefecture server forwarded (R19;
 * docs/FLOW.md §4 "A refusal further up").
 *
 * 1. `forwarded_rejection`, at a prefecture server: one row per refused change (unique on its
 *    transaction id: a refusal received twice is kept once), with the municipality whose CS sent
 *    it (the change's 団体コード, as the outbox event holds it), the resident code, the change's
 *    reason and date, the node that refused it, the R19 rule and message, and when. An index
 *    `(municipality_code, id)`: each CS pages its own municipality's rows in id order.
 * 2. `rejection_poll_cursor`, at a CS: the highest id of its prefecture server's rows it has
 *    recorded in its register, so that a restart resumes where it stopped.
 */
export const FORWARDED_REJECTIONS_MIGRATION: Migration = {
  version: 14,
  name: 'forwarded-rejections',
  sqlite: `
CREATE TABLE forwarded_rejection (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  transaction_id TEXT NOT NULL UNIQUE,
  municipality_code TEXT NOT NULL,
  resident_code TEXT NOT NULL,
  reason TEXT NOT NULL,
  change_date TEXT NOT NULL,
  rejected_by TEXT NOT NULL,
  rule TEXT NOT NULL,
  message TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX forwarded_rejection_municipality ON forwarded_rejection (municipality_code, id);

CREATE TABLE rejection_poll_cursor (
  source TEXT PRIMARY KEY,
  after_id INTEGER NOT NULL,
  polled_at TEXT NOT NULL
) WITHOUT ROWID;
`,
  postgres: `
CREATE TABLE forwarded_rejection (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id text NOT NULL UNIQUE,
  municipality_code text NOT NULL,
  resident_code text NOT NULL,
  reason text NOT NULL,
  change_date date NOT NULL,
  rejected_by text NOT NULL,
  rule text NOT NULL,
  message text NOT NULL,
  at timestamptz NOT NULL
);
CREATE INDEX forwarded_rejection_municipality ON forwarded_rejection (municipality_code, id);

CREATE TABLE rejection_poll_cursor (
  source text PRIMARY KEY,
  after_id bigint NOT NULL,
  polled_at timestamptz NOT NULL
);
`,
};

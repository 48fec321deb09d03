import type { Migration } from './Migration.ts';

/**
 * Version 7: 報告要求 (R5, R6; docs/REPORTS.md), at every node that takes part (CS, prefecture,
 * national, agency).
 *
 * - `report_request`: each request this node made, passed on or answered, as it arrived (never
 *   changed), with how it came (`origin`, `request` from the node below, `mail` from above);
 * - `report_answer`: its one answer (never changed);
 * - `report_event`: the steps at this node, append-only, at most one of each kind per request
 *   (UNIQUE: a repeated message records nothing new);
 * - `report_queue`: what waits to go one step on: sent up by this node (`push`) or fetched from
 *   its mailbox by the node below (`poll`). The one table whose rows change: `done_at` is set when
 *   the item left (the event says how).
 */
export const REPORT_REQUESTS_MIGRATION: Migration = {
  version: 7,
  name: 'report-requests',
  sqlite: `
CREATE TABLE report_request (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  origin TEXT NOT NULL,
  target TEXT NOT NULL,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  operator TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  arrived_via TEXT NOT NULL CHECK (arrived_via IN ('origin', 'request', 'mail')),
  arrived_from TEXT
);

CREATE TABLE report_answer (
  request_id TEXT PRIMARY KEY REFERENCES report_request (id),
  answered_by TEXT NOT NULL,
  body TEXT NOT NULL,
  operator TEXT NOT NULL,
  answered_at TEXT NOT NULL,
  arrived_from TEXT
) WITHOUT ROWID;

CREATE TABLE report_event (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  request_id TEXT NOT NULL REFERENCES report_request (id),
  kind TEXT NOT NULL CHECK (kind IN ('requested', 'received', 'forwarded', 'delivered', 'refused',
    'answered', 'answer-received', 'answer-forwarded', 'answer-delivered', 'answer-refused')),
  at TEXT NOT NULL,
  peer TEXT,
  operator TEXT NOT NULL,
  detail TEXT,
  UNIQUE (request_id, kind)
);

CREATE TABLE report_queue (
  peer TEXT NOT NULL,
  item TEXT NOT NULL CHECK (item IN ('request', 'answer')),
  request_id TEXT NOT NULL REFERENCES report_request (id),
  via TEXT NOT NULL CHECK (via IN ('push', 'poll')),
  queued_at TEXT NOT NULL,
  done_at TEXT,
  PRIMARY KEY (peer, item, request_id)
) WITHOUT ROWID;
CREATE INDEX report_queue_waiting ON report_queue (peer, via, queued_at) WHERE done_at IS NULL;
`,
  postgres: `
CREATE TABLE report_request (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id text NOT NULL UNIQUE,
  origin text NOT NULL,
  target text NOT NULL,
  subject text NOT NULL,
  body text NOT NULL,
  operator text NOT NULL,
  requested_at timestamptz NOT NULL,
  arrived_via text NOT NULL CHECK (arrived_via IN ('origin', 'request', 'mail')),
  arrived_from text
);

CREATE TABLE report_answer (
  request_id text PRIMARY KEY REFERENCES report_request (id),
  answered_by text NOT NULL,
  body text NOT NULL,
  operator text NOT NULL,
  answered_at timestamptz NOT NULL,
  arrived_from text
);

CREATE TABLE report_event (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  request_id text NOT NULL REFERENCES report_request (id),
  kind text NOT NULL CHECK (kind IN ('requested', 'received', 'forwarded', 'delivered', 'refused',
    'answered', 'answer-received', 'answer-forwarded', 'answer-delivered', 'answer-refused')),
  at timestamptz NOT NULL,
  peer text,
  operator text NOT NULL,
  detail text,
  UNIQUE (request_id, kind)
);

CREATE TABLE report_queue (
  peer text NOT NULL,
  item text NOT NULL CHECK (item IN ('request', 'answer')),
  request_id text NOT NULL REFERENCES report_request (id),
  via text NOT NULL CHECK (via IN ('push', 'poll')),
  queued_at timestamptz NOT NULL,
  done_at timestamptz,
  PRIMARY KEY (peer, item, request_id)
);
CREATE INDEX report_queue_waiting ON report_queue (peer, via, queued_at) WHERE done_at IS NULL;
`,
};

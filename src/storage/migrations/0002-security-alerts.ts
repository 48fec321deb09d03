import type { Migration } from './Migration.ts';

/** Intrusion alerts of the network side (R11), kept by every node; append-only by the code. */
export const SECURITY_ALERTS_MIGRATION: Migration = {
  version: 2,
  name: 'security-alerts',
  sqlite: `
CREATE TABLE security_alert (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  observer TEXT NOT NULL,
  kind TEXT NOT NULL,
  peer_address TEXT NOT NULL,
  peer_name TEXT,
  detail TEXT NOT NULL
);
CREATE INDEX security_alert_at ON security_alert (at);
`,
  postgres: `
CREATE TABLE security_alert (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  observer text NOT NULL,
  kind text NOT NULL,
  peer_address text NOT NULL,
  peer_name text,
  detail text NOT NULL
);
CREATE INDEX security_alert_at ON security_alert (at);
`,
};

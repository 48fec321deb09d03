import type { Migration } from '../storage/migrations/Migration.ts';

/*
 * The register's own schema (a separate database from any CS store). Same rules as the stores'
 * migrations (docs/STORAGE.md): versions 1, 2, 3, …, never edited once released, run at open by
 * the shared runners. Opening a CS store's database as a register (or the reverse) is refused
 * with `storage.schema-mismatch`, since version 1 has another name there.
 *
 * The 住民票 itself is one JSON document per person (`record`), with the columns the register
 * searches or keeps unique beside it: the register reads and writes whole records, a handful per
 * counter operation.
 */

const SQLITE = `
CREATE TABLE register_setting (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE resident_record (
  person_id INTEGER PRIMARY KEY AUTOINCREMENT,
  resident_code TEXT NOT NULL UNIQUE,
  individual_number TEXT UNIQUE,
  household_id TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('resident', 'removed')),
  record TEXT NOT NULL
);
CREATE INDEX resident_record_household ON resident_record (household_id) WHERE status = 'resident';
CREATE TABLE used_resident_code (
  code TEXT PRIMARY KEY,
  person_id INTEGER NOT NULL REFERENCES resident_record (person_id)
);
CREATE TABLE record_history (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  person_id INTEGER NOT NULL REFERENCES resident_record (person_id),
  transaction_id TEXT NOT NULL,
  operation TEXT NOT NULL,
  subject INTEGER NOT NULL CHECK (subject IN (0, 1)),
  recorded_at TEXT NOT NULL,
  record TEXT NOT NULL
);
CREATE UNIQUE INDEX record_history_transaction ON record_history (transaction_id) WHERE subject = 1;
CREATE INDEX record_history_person ON record_history (person_id, sequence);
CREATE TABLE household_number (
  id INTEGER PRIMARY KEY AUTOINCREMENT
);
CREATE TABLE change_feed (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  transaction_id TEXT NOT NULL UNIQUE,
  event TEXT NOT NULL,
  origin TEXT NOT NULL CHECK (origin IN ('counter', 'import')),
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'duplicate', 'rejected')),
  recorded_at TEXT NOT NULL,
  settled_at TEXT
);
CREATE INDEX change_feed_pending ON change_feed (id) WHERE state = 'pending';
CREATE TABLE feed_rejection (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  transaction_id TEXT NOT NULL UNIQUE,
  rejected_by TEXT NOT NULL,
  rule TEXT NOT NULL,
  message TEXT NOT NULL,
  recorded_at TEXT NOT NULL
);
`;

const POSTGRES = `
CREATE TABLE register_setting (
  key text PRIMARY KEY,
  value text NOT NULL
);
CREATE TABLE resident_record (
  person_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  resident_code text NOT NULL UNIQUE,
  individual_number text UNIQUE,
  household_id text NOT NULL,
  status text NOT NULL CHECK (status IN ('resident', 'removed')),
  record jsonb NOT NULL
);
CREATE INDEX resident_record_household ON resident_record (household_id) WHERE status = 'resident';
CREATE TABLE used_resident_code (
  code text PRIMARY KEY,
  person_id bigint NOT NULL REFERENCES resident_record (person_id)
);
CREATE TABLE record_history (
  sequence bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  person_id bigint NOT NULL REFERENCES resident_record (person_id),
  transaction_id text NOT NULL,
  operation text NOT NULL,
  subject boolean NOT NULL,
  recorded_at text NOT NULL,
  record jsonb NOT NULL
);
CREATE UNIQUE INDEX record_history_transaction ON record_history (transaction_id) WHERE subject;
CREATE INDEX record_history_person ON record_history (person_id, sequence);
CREATE SEQUENCE household_number;
CREATE TABLE change_feed (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id text NOT NULL UNIQUE,
  event jsonb NOT NULL,
  origin text NOT NULL CHECK (origin IN ('counter', 'import')),
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'duplicate', 'rejected')),
  recorded_at text NOT NULL,
  settled_at text
);
CREATE INDEX change_feed_pending ON change_feed (id) WHERE state = 'pending';
CREATE TABLE feed_rejection (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id text NOT NULL UNIQUE,
  rejected_by text NOT NULL,
  rule text NOT NULL,
  message text NOT NULL,
  recorded_at text NOT NULL
);
`;

/** Every migration of the register's database, oldest first. Append only. */
export const REGISTER_MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'existing-register', sqlite: SQLITE, postgres: POSTGRES },
];

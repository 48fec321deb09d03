import type { Migration } from './Migration.ts';

/**
 * Version 5: identity provision (docs/PROVISION.md).
 *
 * 1. Search keys on `identity` (R13): the normalised name, reading and address
 *    (domain/provision/search-keys.ts), written by the store with every row it writes. They cannot
 *    be computed in SQL (Unicode NFKC), so the columns are NULL on rows written before this
 *    version; each store fills them when it opens (`identity_keys_missing` finds them at no cost
 *    once none is left). Prefix searches are key ranges `key >= p AND key < upper(p)` in code
 *    point order: SQLite's BINARY collation over UTF-8, and COLLATE "C" on PostgreSQL.
 *    Indexes, one per form of the rules table:
 *    - (birth_date, name_key): name or its first character + date of birth (reading: filtered);
 *    - (name_key, address_key): whole name + address or address prefix;
 *    - (address_key, name_key): first character of the name (or reading) + whole address;
 *    - (kana_key, birth_date): whole reading + date of birth or address.
 * 2. The provision register: recipients, ordinance affairs, permissions, agreements (協定書),
 *    suspensions (append-only: who, when, why).
 * 3. The disclosure log (R17): one row per person provided per query, unique on
 *    (node, query_id, resident_code) so that forwarding copies is idempotent; and the refused
 *    attempts (R23), kept apart: they never appear in a resident's disclosures.
 */
export const PROVISION_MIGRATION: Migration = {
  version: 5,
  name: 'provision',
  sqlite: `
ALTER TABLE identity ADD COLUMN name_key TEXT;
ALTER TABLE identity ADD COLUMN kana_key TEXT;
ALTER TABLE identity ADD COLUMN address_key TEXT;
CREATE INDEX identity_search_birth ON identity (birth_date, name_key);
CREATE INDEX identity_search_name ON identity (name_key, address_key);
CREATE INDEX identity_search_address ON identity (address_key, name_key);
CREATE INDEX identity_search_kana ON identity (kana_key, birth_date);
CREATE INDEX identity_keys_missing ON identity (person_id) WHERE name_key IS NULL;

CREATE TABLE provision_recipient (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('national-agency', 'prefecture-body', 'municipality')),
  served_by TEXT NOT NULL,
  node TEXT,
  registered_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) WITHOUT ROWID;

CREATE TABLE provision_ordinance_affair (
  id TEXT PRIMARY KEY,
  prefecture_code TEXT NOT NULL,
  item TEXT NOT NULL,
  recipient TEXT NOT NULL,
  affair TEXT NOT NULL,
  legal_basis TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE provision_permission (
  recipient_id TEXT NOT NULL REFERENCES provision_recipient (id),
  affair_id TEXT NOT NULL,
  identifier TEXT NOT NULL CHECK (identifier IN ('pseudonym', 'resident-code')),
  PRIMARY KEY (recipient_id, affair_id)
) WITHOUT ROWID;

CREATE TABLE provision_agreement (
  id TEXT PRIMARY KEY,
  recipient_id TEXT NOT NULL REFERENCES provision_recipient (id),
  signed_on TEXT NOT NULL,
  valid_from TEXT NOT NULL,
  valid_to TEXT,
  protection_measures TEXT NOT NULL
);
CREATE INDEX provision_agreement_recipient ON provision_agreement (recipient_id);

CREATE TABLE provision_suspension (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  recipient_id TEXT NOT NULL REFERENCES provision_recipient (id),
  action TEXT NOT NULL CHECK (action IN ('suspend', 'reinstate')),
  at TEXT NOT NULL,
  decided_by TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE INDEX provision_suspension_recipient ON provision_suspension (recipient_id, at);

CREATE TABLE disclosure (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  node TEXT NOT NULL,
  recipient_id TEXT NOT NULL,
  recipient_name TEXT NOT NULL,
  searcher TEXT,
  affair_id TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  query_id TEXT NOT NULL,
  resident_code TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('immediate', 'batch', 'media')),
  UNIQUE (node, query_id, resident_code)
);
CREATE INDEX disclosure_resident ON disclosure (resident_code, at);

CREATE TABLE provision_refusal (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  node TEXT NOT NULL,
  recipient_id TEXT NOT NULL,
  searcher TEXT,
  affair_id TEXT,
  query_id TEXT NOT NULL,
  channel TEXT NOT NULL CHECK (channel IN ('immediate', 'batch', 'media')),
  code TEXT NOT NULL,
  reason TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX provision_refusal_at ON provision_refusal (at);
`,
  postgres: `
ALTER TABLE identity
  ADD COLUMN name_key text COLLATE "C",
  ADD COLUMN kana_key text COLLATE "C",
  ADD COLUMN address_key text COLLATE "C";
CREATE INDEX identity_search_birth ON identity (birth_date, name_key);
CREATE INDEX identity_search_name ON identity (name_key, address_key);
CREATE INDEX identity_search_address ON identity (address_key, name_key);
CREATE INDEX identity_search_kana ON identity (kana_key, birth_date);
CREATE INDEX identity_keys_missing ON identity (person_id) WHERE name_key IS NULL;

CREATE TABLE provision_recipient (
  id text PRIMARY KEY,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('national-agency', 'prefecture-body', 'municipality')),
  served_by text NOT NULL,
  node text,
  registered_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE provision_ordinance_affair (
  id text PRIMARY KEY,
  prefecture_code text NOT NULL,
  item text NOT NULL,
  recipient text NOT NULL,
  affair text NOT NULL,
  legal_basis text NOT NULL
);

CREATE TABLE provision_permission (
  recipient_id text NOT NULL REFERENCES provision_recipient (id),
  affair_id text NOT NULL,
  identifier text NOT NULL CHECK (identifier IN ('pseudonym', 'resident-code')),
  PRIMARY KEY (recipient_id, affair_id)
);

CREATE TABLE provision_agreement (
  id text PRIMARY KEY,
  recipient_id text NOT NULL REFERENCES provision_recipient (id),
  signed_on date NOT NULL,
  valid_from date NOT NULL,
  valid_to date,
  protection_measures text NOT NULL
);
CREATE INDEX provision_agreement_recipient ON provision_agreement (recipient_id);

CREATE TABLE provision_suspension (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  recipient_id text NOT NULL REFERENCES provision_recipient (id),
  action text NOT NULL CHECK (action IN ('suspend', 'reinstate')),
  at timestamptz NOT NULL,
  decided_by text NOT NULL,
  reason text NOT NULL
);
CREATE INDEX provision_suspension_recipient ON provision_suspension (recipient_id, at);

CREATE TABLE disclosure (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  node text NOT NULL,
  recipient_id text NOT NULL,
  recipient_name text NOT NULL,
  searcher text,
  affair_id text NOT NULL,
  legal_basis text NOT NULL,
  query_id text NOT NULL,
  resident_code text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('immediate', 'batch', 'media')),
  UNIQUE (node, query_id, resident_code)
);
CREATE INDEX disclosure_resident ON disclosure (resident_code, at);

CREATE TABLE provision_refusal (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at timestamptz NOT NULL,
  node text NOT NULL,
  recipient_id text NOT NULL,
  searcher text,
  affair_id text,
  query_id text NOT NULL,
  channel text NOT NULL CHECK (channel IN ('immediate', 'batch', 'media')),
  code text NOT NULL,
  reason text NOT NULL,
  message text NOT NULL
);
CREATE INDEX provision_refusal_at ON provision_refusal (at);
`,
};

import type { Migration } from './Migration.ts';

/**
 * Version 16: one index fewer on the disclosure log (R17; docs/PROVISION.md "Disclosure writes").
 *
 * The log had two indexes led by random values: the uniqueness key `(node, query_id,
 * resident_code)` (an agency's query id is a UUID) and `disclosure_resident (resident_code, at)`
 * for a resident's report. Each dirtied a page of its own per record. The uniqueness key now
 * leads with the resident code, `(resident_code, node, query_id)`, and serves the report too (a
 * resident's records are few; the report sorts them), so `disclosure_resident` goes. Uniqueness is
 * the same set of columns, so `ON CONFLICT (node, query_id, resident_code)` still names it.
 *
 * SQLite cannot change a table's constraint in place: the table is rebuilt with the same columns,
 * ids and AUTOINCREMENT counter (so no id is ever handed out twice), and the prefecture index of
 * version 8 is made again. PostgreSQL swaps the constraint.
 */
export const DISCLOSURE_RESIDENT_KEY_MIGRATION: Migration = {
  version: 16,
  name: 'disclosure-resident-key',
  sqlite: `
CREATE TABLE disclosure_v16 (
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
  prefecture_code TEXT,
  UNIQUE (resident_code, node, query_id)
);
INSERT INTO disclosure_v16 (id, at, node, recipient_id, recipient_name, searcher, affair_id,
    legal_basis, query_id, resident_code, channel, prefecture_code)
  SELECT id, at, node, recipient_id, recipient_name, searcher, affair_id,
    legal_basis, query_id, resident_code, channel, prefecture_code
  FROM disclosure ORDER BY id;
INSERT INTO sqlite_sequence (name, seq)
  SELECT 'disclosure_v16', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'disclosure_v16');
UPDATE sqlite_sequence
  SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'disclosure'), 0))
  WHERE name = 'disclosure_v16';
DROP TABLE disclosure;
ALTER TABLE disclosure_v16 RENAME TO disclosure;
CREATE INDEX disclosure_prefecture ON disclosure (prefecture_code, id);
`,
  postgres: `
ALTER TABLE disclosure ADD CONSTRAINT disclosure_resident_query UNIQUE (resident_code, node, query_id);
ALTER TABLE disclosure DROP CONSTRAINT disclosure_node_query_id_resident_code_key;
DROP INDEX disclosure_resident;
`,
};

import type { Migration } from './Migration.ts';

/**
 * Version 8: distributing the national server's disclosure records to the prefectures (R17;
 * docs/DISCLOSURE.md "From the national server to the prefectures").
 *
 * 1. `disclosure.prefecture_code`: the resident's prefecture when provided (the first two digits
 *    of the record's 団体コード then). Rows written before this version keep NULL: the national
 *    server cannot tell whose they were, and sends them to nobody.
 * 2. An index `(prefecture_code, id)`: the national server pages one prefecture's records in id
 *    order.
 * 3. `disclosure_sync_cursor`: at a prefecture server, the highest id of the source's (the national
 *    server's) records it has stored, so that a restart resumes where it stopped.
 */
export const DISCLOSURE_PREFECTURE_MIGRATION: Migration = {
  version: 8,
  name: 'disclosure-prefecture',
  sqlite: `
ALTER TABLE disclosure ADD COLUMN prefecture_code TEXT;
CREATE INDEX disclosure_prefecture ON disclosure (prefecture_code, id);

CREATE TABLE disclosure_sync_cursor (
  source TEXT PRIMARY KEY,
  after_id INTEGER NOT NULL,
  synced_at TEXT NOT NULL
) WITHOUT ROWID;
`,
  postgres: `
ALTER TABLE disclosure ADD COLUMN prefecture_code text;
CREATE INDEX disclosure_prefecture ON disclosure (prefecture_code, id);

CREATE TABLE disclosure_sync_cursor (
  source text PRIMARY KEY,
  after_id bigint NOT NULL,
  synced_at timestamptz NOT NULL
);
`,
};

import type { Migration } from './Migration.ts';

/**
 * Version 18: the disposal of a medium (媒体の廃棄, R33: "media disposal is recorded";
 * docs/PROVISION.md "Media provision"). At most one row per media output, written when the medium
 * that carried it is given back and erased, erased, or destroyed: when, at which node, by which
 * operator, how, and a note. Append-only like `media_outputs` (migration 6): the stores have no
 * update or delete, and a second disposal of the same output is refused.
 */
export const MEDIA_DISPOSAL_MIGRATION: Migration = {
  version: 18,
  name: 'media-disposal',
  sqlite: `
CREATE TABLE media_disposal (
  media_id TEXT PRIMARY KEY REFERENCES media_outputs (id),
  at TEXT NOT NULL,
  node TEXT NOT NULL,
  operator TEXT NOT NULL,
  method TEXT NOT NULL CHECK (method IN ('returned-erased', 'erased', 'destroyed')),
  note TEXT
) WITHOUT ROWID;
`,
  postgres: `
CREATE TABLE media_disposal (
  media_id text PRIMARY KEY REFERENCES media_outputs (id),
  at timestamptz NOT NULL,
  node text NOT NULL,
  operator text NOT NULL,
  method text NOT NULL CHECK (method IN ('returned-erased', 'erased', 'destroyed')),
  note text
);
`,
};

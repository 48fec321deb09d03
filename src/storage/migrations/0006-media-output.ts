import type { Migration } from './Migration.ts';

/**
 * Version 6: the media output record (媒体による提供, R22: "every output is recorded";
 * docs/PROVISION.md, "Media provision"). One row per encrypted file written at a providing node:
 * who, when, which file (base name, SHA-256 of the encrypted bytes, size), for whom and which
 * affair, how many rows in and how many found / not found / refused, the key kind and the
 * recipient certificate's fingerprint. Nothing of the content. Append-only: the stores have no
 * update or delete.
 */
export const MEDIA_OUTPUT_MIGRATION: Migration = {
  version: 6,
  name: 'media-output',
  sqlite: `
CREATE TABLE media_outputs (
  id TEXT PRIMARY KEY,
  at TEXT NOT NULL,
  node TEXT NOT NULL,
  operator TEXT NOT NULL,
  recipient_id TEXT NOT NULL,
  affair_id TEXT NOT NULL,
  file_name TEXT NOT NULL,
  file_sha256 TEXT NOT NULL,
  byte_size INTEGER NOT NULL CHECK (byte_size >= 0),
  rows_in INTEGER NOT NULL,
  rows_found INTEGER NOT NULL CHECK (rows_found >= 0),
  rows_not_found INTEGER NOT NULL CHECK (rows_not_found >= 0),
  rows_refused INTEGER NOT NULL CHECK (rows_refused >= 0),
  key_kind TEXT NOT NULL CHECK (key_kind IN ('password', 'public-key')),
  recipient_cert_sha256 TEXT,
  CHECK (rows_in = rows_found + rows_not_found + rows_refused),
  CHECK ((key_kind = 'public-key') = (recipient_cert_sha256 IS NOT NULL))
) WITHOUT ROWID;
CREATE INDEX media_outputs_at ON media_outputs (at);
CREATE INDEX media_outputs_file ON media_outputs (file_sha256);
`,
  postgres: `
CREATE TABLE media_outputs (
  id text PRIMARY KEY,
  at timestamptz NOT NULL,
  node text NOT NULL,
  operator text NOT NULL,
  recipient_id text NOT NULL,
  affair_id text NOT NULL,
  file_name text NOT NULL,
  file_sha256 text NOT NULL,
  byte_size bigint NOT NULL CHECK (byte_size >= 0),
  rows_in bigint NOT NULL,
  rows_found bigint NOT NULL CHECK (rows_found >= 0),
  rows_not_found bigint NOT NULL CHECK (rows_not_found >= 0),
  rows_refused bigint NOT NULL CHECK (rows_refused >= 0),
  key_kind text NOT NULL CHECK (key_kind IN ('password', 'public-key')),
  recipient_cert_sha256 text,
  CHECK (rows_in = rows_found + rows_not_found + rows_refused),
  CHECK ((key_kind = 'public-key') = (recipient_cert_sha256 IS NOT NULL))
);
CREATE INDEX media_outputs_at ON media_outputs (at);
CREATE INDEX media_outputs_file ON media_outputs (file_sha256);
`,
};

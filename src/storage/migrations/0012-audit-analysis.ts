import type { Migration } from './Migration.ts';

/**
 * Version 12: access-log analysis (R16; docs/AUDIT.md "Analysis (R16)").
 *
 * 1. `audit_analysis_cursor`: per source (`access-log`, `refusals`, `disclosures`) the last id
 *    analysed and the id from which the next run re-reads (the start of the still open JST day).
 * 2. `audit_analysis_run`: one row per run: when, which rules with which thresholds, the ids
 *    read, how many records, how many findings and how many of them new.
 * 3. `audit_finding`: one row per finding, identified by `finding_key` (rule, subject, window):
 *    a finding seen again by a later run is not stored, nor alerted, twice. Identifiers and
 *    counts only.
 */
export const AUDIT_ANALYSIS_MIGRATION: Migration = {
  version: 12,
  name: 'audit-analysis',
  sqlite: `
CREATE TABLE audit_analysis_cursor (
  source TEXT PRIMARY KEY,
  cursor INTEGER NOT NULL,
  rewind INTEGER NOT NULL
);

CREATE TABLE audit_analysis_run (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  rules TEXT NOT NULL,
  ranges TEXT NOT NULL,
  records INTEGER NOT NULL,
  findings INTEGER NOT NULL,
  new_findings INTEGER NOT NULL
);

CREATE TABLE audit_finding (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id INTEGER NOT NULL REFERENCES audit_analysis_run (id),
  finding_key TEXT NOT NULL UNIQUE,
  rule TEXT NOT NULL,
  subject_kind TEXT NOT NULL,
  subject TEXT NOT NULL,
  target TEXT,
  window_from TEXT NOT NULL,
  window_to TEXT NOT NULL,
  count INTEGER NOT NULL,
  threshold INTEGER NOT NULL,
  detail TEXT NOT NULL
);
`,
  postgres: `
CREATE TABLE audit_analysis_cursor (
  source text PRIMARY KEY,
  cursor bigint NOT NULL,
  rewind bigint NOT NULL
);

CREATE TABLE audit_analysis_run (
  id bigserial PRIMARY KEY,
  at text NOT NULL,
  rules text NOT NULL,
  ranges text NOT NULL,
  records integer NOT NULL,
  findings integer NOT NULL,
  new_findings integer NOT NULL
);

CREATE TABLE audit_finding (
  id bigserial PRIMARY KEY,
  run_id bigint NOT NULL REFERENCES audit_analysis_run (id),
  finding_key text NOT NULL UNIQUE,
  rule text NOT NULL,
  subject_kind text NOT NULL,
  subject text NOT NULL,
  target text,
  window_from text NOT NULL,
  window_to text NOT NULL,
  count integer NOT NULL,
  threshold integer NOT NULL,
  detail text NOT NULL
);
`,
};

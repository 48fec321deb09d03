import type { Migration } from './Migration.ts';

/**
 * Version 13: analysis requests (R16; docs/REPORTS.md "Analysis requests"). A report request may
 * be an analysis request: `analysis` holds its question — the resident code and the optional
 * period, as JSON (`{"residentCode":"…","from":"YYYY-MM-DD","to":"YYYY-MM-DD"}`) — and is NULL on
 * a report request (every row written before this version).
 */
export const ANALYSIS_REQUESTS_MIGRATION: Migration = {
  version: 13,
  name: 'analysis-requests',
  sqlite: `ALTER TABLE report_request ADD COLUMN analysis TEXT;`,
  postgres: `ALTER TABLE report_request ADD COLUMN analysis text;`,
};

import { IDENTITY_STORE_MIGRATION } from './0001-identity-store.ts';
import { SECURITY_ALERTS_MIGRATION } from './0002-security-alerts.ts';
import { INTEGRITY_MIGRATION } from './0003-integrity.ts';
import { ERASURE_LOG_MIGRATION } from './0004-erasure-log.ts';
import { PROVISION_MIGRATION } from './0005-provision.ts';
import { MEDIA_OUTPUT_MIGRATION } from './0006-media-output.ts';
import { REPORT_REQUESTS_MIGRATION } from './0007-report-requests.ts';
import { DISCLOSURE_PREFECTURE_MIGRATION } from './0008-disclosure-prefecture.ts';
import { OPERATORS_MIGRATION } from './0009-operators.ts';
import { ACCESS_LOG_MIGRATION } from './0010-access-log.ts';
import { WEBAUTHN_MIGRATION } from './0011-webauthn.ts';
import { AUDIT_ANALYSIS_MIGRATION } from './0012-audit-analysis.ts';
import { ANALYSIS_REQUESTS_MIGRATION } from './0013-analysis-requests.ts';
import { FORWARDED_REJECTIONS_MIGRATION } from './0014-forwarded-rejections.ts';
import { AUDIT_ANCHORS_MIGRATION } from './0015-audit-anchors.ts';
import { DISCLOSURE_RESIDENT_KEY_MIGRATION } from './0016-disclosure-resident-key.ts';
import { CREDENTIAL_REVOCATION_MIGRATION } from './0017-credential-revocation.ts';
import { MEDIA_DISPOSAL_MIGRATION } from './0018-media-disposal.ts';
import type { Migration } from './Migration.ts';

/** Every migration this code knows, oldest first. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  IDENTITY_STORE_MIGRATION,
  SECURITY_ALERTS_MIGRATION,
  INTEGRITY_MIGRATION,
  ERASURE_LOG_MIGRATION,
  PROVISION_MIGRATION,
  MEDIA_OUTPUT_MIGRATION,
  REPORT_REQUESTS_MIGRATION,
  DISCLOSURE_PREFECTURE_MIGRATION,
  OPERATORS_MIGRATION,
  ACCESS_LOG_MIGRATION,
  WEBAUTHN_MIGRATION,
  AUDIT_ANALYSIS_MIGRATION,
  ANALYSIS_REQUESTS_MIGRATION,
  FORWARDED_REJECTIONS_MIGRATION,
  AUDIT_ANCHORS_MIGRATION,
  DISCLOSURE_RESIDENT_KEY_MIGRATION,
  CREDENTIAL_REVOCATION_MIGRATION,
  MEDIA_DISPOSAL_MIGRATION,
];

/** The schema version this code writes and expects. */
export const LATEST_SCHEMA_VERSION: number = MIGRATIONS.at(-1)?.version ?? 0;

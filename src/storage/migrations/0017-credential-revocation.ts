import type { Migration } from './Migration.ts';

/**
 * Version 17: a lost or stolen authenticator (操作者識別カード) is revoked on its own, without
 * revoking its operator (docs/WEB-TERMINAL.md "A lost card"). `webauthn_credential` gains when,
 * by whom and why it was revoked; the row stays, so the record of the card and its revocation is
 * kept, and a revoked credential never logs in again nor keeps a session made with it.
 */
export const CREDENTIAL_REVOCATION_MIGRATION: Migration = {
  version: 17,
  name: 'credential-revocation',
  sqlite: `
ALTER TABLE webauthn_credential ADD COLUMN revoked_at TEXT;
ALTER TABLE webauthn_credential ADD COLUMN revoked_by TEXT;
ALTER TABLE webauthn_credential ADD COLUMN revoked_reason TEXT;
`,
  postgres: `
ALTER TABLE webauthn_credential ADD COLUMN revoked_at timestamptz;
ALTER TABLE webauthn_credential ADD COLUMN revoked_by text;
ALTER TABLE webauthn_credential ADD COLUMN revoked_reason text;
`,
};

import type { Migration } from './Migration.ts';

/**
 * Version 11: operator login on the web terminal with WebAuthn (R15; docs/WEB-TERMINAL.md).
 *
 * 1. `webauthn_credential`: one row per registered authenticator (the modern 操作者識別カード):
 *    the credential id (base64url), its COSE public key, the last signature counter seen, the
 *    transports the browser reported, when it was registered and last used. No private key, no
 *    biometric, no attestation statement is kept.
 * 2. `webauthn_enrollment`: the one-time enrollment tokens an administrator issued. Only the
 *    SHA-256 of the token's secret is stored; a token is spent (`used_at`) in the same transaction
 *    that registers the credential.
 * 3. `login_lock`: failed logins per operator (count since the first failure of the window) and
 *    the end of a lock, so that a lock survives a restart of the listener.
 */
export const WEBAUTHN_MIGRATION: Migration = {
  version: 11,
  name: 'webauthn',
  sqlite: `
CREATE TABLE webauthn_credential (
  credential_id TEXT PRIMARY KEY,
  operator_id TEXT NOT NULL,
  public_key BLOB NOT NULL,
  sign_counter INTEGER NOT NULL CHECK (sign_counter >= 0),
  transports TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_used_at TEXT
) WITHOUT ROWID;
CREATE INDEX webauthn_credential_operator ON webauthn_credential (operator_id);

CREATE TABLE webauthn_enrollment (
  token_id TEXT PRIMARY KEY,
  operator_id TEXT NOT NULL,
  secret_hash BLOB NOT NULL,
  issued_by TEXT NOT NULL,
  issued_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
) WITHOUT ROWID;

CREATE TABLE login_lock (
  operator_id TEXT PRIMARY KEY,
  failures INTEGER NOT NULL CHECK (failures >= 0),
  first_failure_at TEXT NOT NULL,
  locked_until TEXT
) WITHOUT ROWID;
`,
  postgres: `
CREATE TABLE webauthn_credential (
  credential_id text PRIMARY KEY,
  operator_id text NOT NULL,
  public_key bytea NOT NULL,
  sign_counter bigint NOT NULL CHECK (sign_counter >= 0),
  transports text NOT NULL,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz
);
CREATE INDEX webauthn_credential_operator ON webauthn_credential (operator_id);

CREATE TABLE webauthn_enrollment (
  token_id text PRIMARY KEY,
  operator_id text NOT NULL,
  secret_hash bytea NOT NULL,
  issued_by text NOT NULL,
  issued_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

CREATE TABLE login_lock (
  operator_id text PRIMARY KEY,
  failures integer NOT NULL CHECK (failures >= 0),
  first_failure_at timestamptz NOT NULL,
  locked_until timestamptz
);
`,
};

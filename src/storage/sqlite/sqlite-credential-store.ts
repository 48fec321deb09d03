/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; the port is async. */
import type Database from 'better-sqlite3';
import { RegistryError } from '../../domain/errors.ts';
import type {
  EnrollmentRecord,
  LoginLock,
  NewCredential,
  StoredCredential,
} from '../credential-records.ts';
import {
  CREDENTIAL_COLUMNS,
  ENROLLMENT_COLUMNS,
  LOCK_COLUMNS,
  credentialFromRow,
  enrollmentFromRow,
  lockFromRow,
  transportsText,
  type CredentialRow,
  type EnrollmentRow,
  type LockRow,
} from '../credential-row.ts';
import { applySqliteMigrations } from '../migrations/apply-sqlite-migrations.ts';
import type { CredentialStore } from '../ports.ts';
import { acquireSqlite } from './sqlite-connection.ts';

/** Web-terminal credentials, enrollment tokens and login locks in the node's SQLite file. */
export class SqliteCredentialStore implements CredentialStore {
  readonly #release: () => void;
  readonly #s: ReturnType<typeof prepare>;
  readonly #register: Database.Transaction<(c: NewCredential, tokenId: string) => boolean>;

  private constructor(db: Database.Database, release: () => void) {
    this.#release = release;
    const s = prepare(db);
    this.#s = s;
    this.#register = db.transaction((c: NewCredential, tokenId: string): boolean => {
      const spent = s.spend.run(c.createdAt, tokenId, c.operatorId, c.createdAt).changes;
      if (spent !== 1) return false;
      try {
        s.insertCredential.run(
          c.credentialId,
          c.operatorId,
          Buffer.from(c.publicKey),
          c.counter,
          transportsText(c.transports),
          c.createdAt,
        );
      } catch (e) {
        if (e instanceof Error && 'code' in e && String(e.code).startsWith('SQLITE_CONSTRAINT'))
          throw credentialExists(e);
        throw e;
      }
      return true;
    });
  }

  static open(path: string): SqliteCredentialStore {
    const conn = acquireSqlite(path);
    const db = conn.db;
    try {
      if (path !== ':memory:') db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      applySqliteMigrations(db);
      return new SqliteCredentialStore(db, conn.release);
    } catch (e) {
      conn.release();
      throw e;
    }
  }

  async addEnrollment(t: Omit<EnrollmentRecord, 'usedAt'>): Promise<void> {
    this.#s.insertEnrollment.run(
      t.tokenId,
      t.operatorId,
      Buffer.from(t.secretHash),
      t.issuedBy,
      t.issuedAt,
      t.expiresAt,
    );
  }

  async enrollment(tokenId: string): Promise<EnrollmentRecord | undefined> {
    const row = this.#s.enrollment.get(tokenId);
    return row === undefined ? undefined : enrollmentFromRow(row);
  }

  async registerCredential(credential: NewCredential, tokenId: string): Promise<boolean> {
    return this.#register(credential, tokenId);
  }

  async credential(credentialId: string): Promise<StoredCredential | undefined> {
    const row = this.#s.credential.get(credentialId);
    return row === undefined ? undefined : credentialFromRow(row);
  }

  async credentialsOf(operatorId: string): Promise<StoredCredential[]> {
    return this.#s.credentialsOf.all(operatorId).map(credentialFromRow);
  }

  async recordUse(credentialId: string, counter: number, at: string): Promise<boolean> {
    return this.#s.use.run(counter, at, credentialId, counter, counter).changes === 1;
  }

  async revokeCredential(r: {
    credentialId: string;
    operatorId: string;
    at: string;
    by: string;
    reason: string;
  }): Promise<boolean> {
    return this.#s.revoke.run(r.at, r.by, r.reason, r.credentialId, r.operatorId).changes === 1;
  }

  async loginLock(operatorId: string): Promise<LoginLock | undefined> {
    const row = this.#s.lock.get(operatorId);
    return row === undefined ? undefined : lockFromRow(row);
  }

  async saveLoginLock(l: LoginLock): Promise<void> {
    this.#s.saveLock.run(l.operatorId, l.failures, l.firstFailureAt, l.lockedUntil ?? null);
  }

  async clearLoginLock(operatorId: string): Promise<void> {
    this.#s.clearLock.run(operatorId);
  }

  async close(): Promise<void> {
    this.#release();
  }
}

export const credentialExists = (cause: unknown): RegistryError =>
  new RegistryError(
    'conflict',
    'この操作者識別カードは登録済みです / this credential is registered already',
    'webauthn.credential-exists',
    { cause },
  );

function prepare(db: Database.Database) {
  return {
    insertEnrollment: db.prepare<unknown[]>(
      `INSERT INTO webauthn_enrollment (token_id, operator_id, secret_hash, issued_by, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    enrollment: db.prepare<[string], EnrollmentRow>(
      `SELECT ${ENROLLMENT_COLUMNS} FROM webauthn_enrollment WHERE token_id = ?`,
    ),
    spend: db.prepare<[string, string, string, string]>(
      `UPDATE webauthn_enrollment SET used_at = ? WHERE token_id = ? AND operator_id = ? AND used_at IS NULL AND expires_at > ?`,
    ),
    insertCredential: db.prepare<unknown[]>(
      `INSERT INTO webauthn_credential (credential_id, operator_id, public_key, sign_counter, transports, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    credential: db.prepare<[string], CredentialRow>(
      `SELECT ${CREDENTIAL_COLUMNS} FROM webauthn_credential WHERE credential_id = ?`,
    ),
    credentialsOf: db.prepare<[string], CredentialRow>(
      `SELECT ${CREDENTIAL_COLUMNS} FROM webauthn_credential WHERE operator_id = ? ORDER BY created_at, credential_id`,
    ),
    use: db.prepare<[number, string, string, number, number]>(
      `UPDATE webauthn_credential SET sign_counter = ?, last_used_at = ? WHERE credential_id = ? AND (sign_counter < ? OR (sign_counter = 0 AND ? = 0))`,
    ),
    revoke: db.prepare<[string, string, string, string, string]>(
      `UPDATE webauthn_credential SET revoked_at = ?, revoked_by = ?, revoked_reason = ? WHERE credential_id = ? AND operator_id = ? AND revoked_at IS NULL`,
    ),
    lock: db.prepare<[string], LockRow>(
      `SELECT ${LOCK_COLUMNS} FROM login_lock WHERE operator_id = ?`,
    ),
    saveLock: db.prepare<[string, number, string, string | null]>(
      `INSERT INTO login_lock (${LOCK_COLUMNS}) VALUES (?, ?, ?, ?) ON CONFLICT (operator_id) DO UPDATE SET failures = excluded.failures, first_failure_at = excluded.first_failure_at, locked_until = excluded.locked_until`,
    ),
    clearLock: db.prepare<[string]>(`DELETE FROM login_lock WHERE operator_id = ?`),
  };
}

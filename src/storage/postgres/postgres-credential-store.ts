import type pg from 'pg';
import { acquirePostgres } from './postgres-pool.ts';
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
import type { CredentialStore } from '../ports.ts';
import { credentialExists } from '../sqlite/sqlite-credential-store.ts';
import { inTransaction, sqlState } from './postgres-transaction.ts';

/** Web-terminal credentials, enrollment tokens and login locks on PostgreSQL (the node's shared pool, postgres-pool.ts). */
export class PostgresCredentialStore implements CredentialStore {
  readonly #pool: pg.Pool;

  readonly #release: () => Promise<void>;

  private constructor(pool: pg.Pool, release: () => Promise<void>) {
    this.#pool = pool;
    this.#release = release;
  }

  static async open(
    connectionString: string,
    options: { schema?: string } = {},
  ): Promise<PostgresCredentialStore> {
    const shared = await acquirePostgres(connectionString, { schema: options.schema });
    return new PostgresCredentialStore(shared.pool, shared.release);
  }

  async addEnrollment(t: Omit<EnrollmentRecord, 'usedAt'>): Promise<void> {
    await this.#pool.query(
      `INSERT INTO webauthn_enrollment (token_id, operator_id, secret_hash, issued_by, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
      [t.tokenId, t.operatorId, Buffer.from(t.secretHash), t.issuedBy, t.issuedAt, t.expiresAt],
    );
  }

  async enrollment(tokenId: string): Promise<EnrollmentRecord | undefined> {
    const { rows } = await this.#pool.query<EnrollmentRow>(
      `SELECT ${ENROLLMENT_COLUMNS} FROM webauthn_enrollment WHERE token_id = $1`,
      [tokenId],
    );
    return rows[0] === undefined ? undefined : enrollmentFromRow(rows[0]);
  }

  async registerCredential(c: NewCredential, tokenId: string): Promise<boolean> {
    try {
      return await inTransaction(this.#pool, async (client) => {
        const spent = await client.query(
          `UPDATE webauthn_enrollment SET used_at = $1 WHERE token_id = $2 AND operator_id = $3 AND used_at IS NULL AND expires_at > $1`,
          [c.createdAt, tokenId, c.operatorId],
        );
        if (spent.rowCount !== 1) return false;
        await client.query(
          `INSERT INTO webauthn_credential (credential_id, operator_id, public_key, sign_counter, transports, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
          [
            c.credentialId,
            c.operatorId,
            Buffer.from(c.publicKey),
            c.counter,
            transportsText(c.transports),
            c.createdAt,
          ],
        );
        return true;
      });
    } catch (e) {
      if (sqlState(e) === '23505') throw credentialExists(e);
      throw e;
    }
  }

  async credential(credentialId: string): Promise<StoredCredential | undefined> {
    const { rows } = await this.#pool.query<CredentialRow>(
      `SELECT ${CREDENTIAL_COLUMNS} FROM webauthn_credential WHERE credential_id = $1`,
      [credentialId],
    );
    return rows[0] === undefined ? undefined : credentialFromRow(rows[0]);
  }

  async credentialsOf(operatorId: string): Promise<StoredCredential[]> {
    const { rows } = await this.#pool.query<CredentialRow>(
      `SELECT ${CREDENTIAL_COLUMNS} FROM webauthn_credential WHERE operator_id = $1 ORDER BY created_at, credential_id`,
      [operatorId],
    );
    return rows.map(credentialFromRow);
  }

  async recordUse(credentialId: string, counter: number, at: string): Promise<boolean> {
    const r = await this.#pool.query(
      `UPDATE webauthn_credential SET sign_counter = $1, last_used_at = $2 WHERE credential_id = $3 AND (sign_counter < $1 OR (sign_counter = 0 AND $1 = 0))`,
      [counter, at, credentialId],
    );
    return r.rowCount === 1;
  }

  async revokeCredential(r: {
    credentialId: string;
    operatorId: string;
    at: string;
    by: string;
    reason: string;
  }): Promise<boolean> {
    const result = await this.#pool.query(
      `UPDATE webauthn_credential SET revoked_at = $1, revoked_by = $2, revoked_reason = $3 WHERE credential_id = $4 AND operator_id = $5 AND revoked_at IS NULL`,
      [r.at, r.by, r.reason, r.credentialId, r.operatorId],
    );
    return result.rowCount === 1;
  }

  async loginLock(operatorId: string): Promise<LoginLock | undefined> {
    const { rows } = await this.#pool.query<LockRow>(
      `SELECT ${LOCK_COLUMNS} FROM login_lock WHERE operator_id = $1`,
      [operatorId],
    );
    return rows[0] === undefined ? undefined : lockFromRow(rows[0]);
  }

  async saveLoginLock(l: LoginLock): Promise<void> {
    await this.#pool.query(
      `INSERT INTO login_lock (${LOCK_COLUMNS}) VALUES ($1, $2, $3, $4) ON CONFLICT (operator_id) DO UPDATE SET failures = excluded.failures, first_failure_at = excluded.first_failure_at, locked_until = excluded.locked_until`,
      [l.operatorId, l.failures, l.firstFailureAt, l.lockedUntil ?? null],
    );
  }

  async clearLoginLock(operatorId: string): Promise<void> {
    await this.#pool.query(`DELETE FROM login_lock WHERE operator_id = $1`, [operatorId]);
  }

  async close(): Promise<void> {
    await this.#release();
  }
}

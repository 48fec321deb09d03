import type { EnrollmentRecord, LoginLock, StoredCredential } from './credential-records.ts';
import { isoAt } from './provision-row.ts';

/** Rows of migrations 0011 (webauthn) and 0017 as both drivers read them, and their mapping. */

export const CREDENTIAL_COLUMNS =
  'credential_id, operator_id, public_key, sign_counter, transports, created_at, last_used_at, revoked_at, revoked_by, revoked_reason';
export const ENROLLMENT_COLUMNS =
  'token_id, operator_id, secret_hash, issued_by, issued_at, expires_at, used_at';
export const LOCK_COLUMNS = 'operator_id, failures, first_failure_at, locked_until';

export type CredentialRow = {
  credential_id: string;
  operator_id: string;
  public_key: Uint8Array;
  sign_counter: number | string;
  transports: string;
  created_at: string | Date;
  last_used_at: string | Date | null;
  revoked_at: string | Date | null;
  revoked_by: string | null;
  revoked_reason: string | null;
};

export type EnrollmentRow = {
  token_id: string;
  operator_id: string;
  secret_hash: Uint8Array;
  issued_by: string;
  issued_at: string | Date;
  expires_at: string | Date;
  used_at: string | Date | null;
};

export type LockRow = {
  operator_id: string;
  failures: number;
  first_failure_at: string | Date;
  locked_until: string | Date | null;
};

const optionalAt = (at: string | Date | null): string | undefined =>
  at === null ? undefined : isoAt(at);

export const credentialFromRow = (r: CredentialRow): StoredCredential => ({
  credentialId: r.credential_id,
  operatorId: r.operator_id,
  publicKey: new Uint8Array(r.public_key),
  counter: Number(r.sign_counter),
  transports: r.transports === '' ? [] : r.transports.split(','),
  createdAt: isoAt(r.created_at),
  lastUsedAt: optionalAt(r.last_used_at),
  ...(r.revoked_at === null
    ? {}
    : {
        revoked: {
          at: isoAt(r.revoked_at),
          by: r.revoked_by ?? '',
          reason: r.revoked_reason ?? '',
        },
      }),
});

export const enrollmentFromRow = (r: EnrollmentRow): EnrollmentRecord => ({
  tokenId: r.token_id,
  operatorId: r.operator_id,
  secretHash: new Uint8Array(r.secret_hash),
  issuedBy: r.issued_by,
  issuedAt: isoAt(r.issued_at),
  expiresAt: isoAt(r.expires_at),
  usedAt: optionalAt(r.used_at),
});

export const lockFromRow = (r: LockRow): LoginLock => ({
  operatorId: r.operator_id,
  failures: r.failures,
  firstFailureAt: isoAt(r.first_failure_at),
  lockedUntil: optionalAt(r.locked_until),
});

/** Transports are short tokens ('usb', 'internal', 'hybrid', …): stored comma-separated. */
export const transportsText = (t: readonly string[]): string =>
  t.filter((x) => /^[a-z0-9-]{1,32}$/.test(x)).join(',');

import type { LoginLock } from '../storage/credential-records.ts';
import type { CredentialStore } from '../storage/ports.ts';

/**
 * Failed logins per operator (docs/WEB-TERMINAL.md "Lockout"): after `maxFailures` failures
 * within `windowMs` of the first, the operator is locked for `lockMs`. The count lives in the
 * credential store, so a lock survives a restart. A successful login clears it.
 */
export type LockPolicy = {
  readonly maxFailures: number;
  readonly windowMs: number;
  readonly lockMs: number;
};

export const DEFAULT_LOCK_POLICY: LockPolicy = {
  maxFailures: 5,
  windowMs: 15 * 60 * 1000,
  lockMs: 15 * 60 * 1000,
};

/** The end of the operator's lock, if locked at `now`. */
export function lockedUntil(lock: LoginLock | undefined, now: Date): string | undefined {
  if (lock?.lockedUntil === undefined) return undefined;
  return Date.parse(lock.lockedUntil) > now.getTime() ? lock.lockedUntil : undefined;
}

/** The lock after one more failure at `now` (a new window once the old one or the lock is over). */
export function nextLock(
  operatorId: string,
  previous: LoginLock | undefined,
  now: Date,
  policy: LockPolicy,
): LoginLock {
  const t = now.getTime();
  const fresh =
    previous === undefined ||
    t - Date.parse(previous.firstFailureAt) > policy.windowMs ||
    (previous.lockedUntil !== undefined && Date.parse(previous.lockedUntil) <= t);
  const failures = fresh ? 1 : previous.failures + 1;
  return {
    operatorId,
    failures,
    firstFailureAt: fresh ? now.toISOString() : previous.firstFailureAt,
    lockedUntil:
      failures >= policy.maxFailures ? new Date(t + policy.lockMs).toISOString() : undefined,
  };
}

export async function recordFailure(
  store: CredentialStore,
  operatorId: string,
  now: Date,
  policy: LockPolicy,
): Promise<LoginLock> {
  const lock = nextLock(operatorId, await store.loginLock(operatorId), now, policy);
  await store.saveLoginLock(lock);
  return lock;
}

import { describe, expect, it } from 'vitest';
import { DEFAULT_LOCK_POLICY, lockedUntil, nextLock } from './login-lock.ts';
import { SessionTable } from './sessions.ts';

const at = (minutes: number): Date => new Date(Date.UTC(2026, 10, 24, 10, minutes));

describe('login lock (R15)', () => {
  it('locks for 15 minutes at the 5th failure within 15 minutes', () => {
    let lock = undefined;
    for (let i = 0; i < 4; i++) {
      lock = nextLock('op', lock, at(i * 3), DEFAULT_LOCK_POLICY);
      expect(lock.lockedUntil).toBeUndefined();
    }
    lock = nextLock('op', lock, at(12), DEFAULT_LOCK_POLICY);
    expect(lock).toMatchObject({ failures: 5, lockedUntil: at(27).toISOString() });
    expect(lockedUntil(lock, at(26))).toBe(at(27).toISOString());
    expect(lockedUntil(lock, at(27))).toBeUndefined();
    // After the lock, counting starts again.
    expect(nextLock('op', lock, at(28), DEFAULT_LOCK_POLICY)).toMatchObject({
      failures: 1,
      lockedUntil: undefined,
    });
  });

  it('starts a new window when the first failure is older than 15 minutes', () => {
    let lock = undefined;
    for (let i = 0; i < 4; i++) lock = nextLock('op', lock, at(i), DEFAULT_LOCK_POLICY);
    expect(nextLock('op', lock, at(16), DEFAULT_LOCK_POLICY)).toMatchObject({
      failures: 1,
      firstFailureAt: at(16).toISOString(),
      lockedUntil: undefined,
    });
  });
});

describe('sessions (R15)', () => {
  const policy = { idleMs: 10 * 60_000, absoluteMs: 8 * 3600_000, challengeMs: 2 * 60_000 };

  it('end after 10 idle minutes, and 8 hours after login however busy', () => {
    const t = new SessionTable(policy);
    const idle = t.open('op', 0);
    expect(t.use(idle.id, 9 * 60_000).status).toBe('ok');
    expect(t.use(idle.id, 19 * 60_000).status).toBe('idle');
    expect(t.use(idle.id, 19 * 60_000).status).toBe('none');
    const busy = t.open('op', 0);
    for (let m = 5; m < 480; m += 5) expect(t.use(busy.id, m * 60_000).status).toBe('ok');
    expect(t.use(busy.id, 480 * 60_000).status).toBe('expired');
    expect(busy.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('hands out a challenge once, and not after 2 minutes', () => {
    const t = new SessionTable(policy);
    const p = { purpose: 'login' as const, challenge: 'c', operatorId: 'op' };
    const id = t.addChallenge(p, 0);
    expect(t.takeChallenge(id, 1000)).toMatchObject(p);
    expect(t.takeChallenge(id, 1000)).toBeUndefined();
    const late = t.addChallenge(p, 0);
    expect(t.takeChallenge(late, 2 * 60_000)).toBeUndefined();
  });

  it('ends every session of a revoked operator', () => {
    const t = new SessionTable(policy);
    const a = t.open('op', 0);
    t.open('op', 0);
    const other = t.open('other', 0);
    expect(t.endAllOf('op')).toBe(2);
    expect(t.use(a.id, 1).status).toBe('none');
    expect(t.use(other.id, 1).status).toBe('ok');
  });
});

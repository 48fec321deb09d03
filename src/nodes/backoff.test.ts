import { describe, expect, it } from 'vitest';
import { backoffDelay, sleep, Wakeup } from './backoff.ts';
import { DEFAULT_DELIVERY } from './upstream-sender.ts';

const POLICY = { initialMs: 250, maxMs: 30_000 };
/** A "random" source pinned to one end of [0, 1). */
const at = (x: number) => () => x;

describe('backoffDelay: exponential back-off with full jitter', () => {
  it('the ceiling doubles from initialMs and stops at maxMs', () => {
    const ceiling = (attempt: number) => backoffDelay(POLICY, attempt, at(1));
    expect(ceiling(0)).toBe(250);
    expect(ceiling(1)).toBe(500);
    expect(ceiling(2)).toBe(1_000);
    expect(ceiling(6)).toBe(16_000);
    expect(ceiling(7)).toBe(30_000);
    expect(ceiling(10)).toBe(30_000);
  });

  it('attempts 1, 10 and 1000 (and absurd ones) stay within [0, maxMs], with ceilings in [initialMs, maxMs]', () => {
    for (const attempt of [1, 10, 1_000, 1_000_000, Number.MAX_SAFE_INTEGER]) {
      const top = backoffDelay(POLICY, attempt, at(1));
      expect(Number.isFinite(top), `attempt ${attempt}`).toBe(true);
      expect(top).toBeGreaterThanOrEqual(POLICY.initialMs);
      expect(top).toBeLessThanOrEqual(POLICY.maxMs);
      // Full jitter: anywhere from 0 to the ceiling, never beyond.
      expect(backoffDelay(POLICY, attempt, at(0))).toBe(0);
      for (let i = 0; i < 200; i++) {
        const d = backoffDelay(POLICY, attempt);
        expect(Number.isInteger(d)).toBe(true);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(Math.min(POLICY.maxMs, top));
      }
    }
  });

  it('spreads the retries of many senders (jitter): not lock-step after a common outage', () => {
    const delays = Array.from({ length: 1_000 }, () => backoffDelay(POLICY, 12));
    expect(new Set(delays).size).toBeGreaterThan(500);
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    // Uniform over [0, 30 000]: mean near 15 000.
    expect(mean).toBeGreaterThan(12_000);
    expect(mean).toBeLessThan(18_000);
  });

  it('down for hours: with the default policy a returning upstream is retried within maxMs, whatever the count of failures', () => {
    const { retry } = DEFAULT_DELIVERY;
    // Three hours of failures at the capped mean (maxMs / 2) is about 720 attempts; the
    // attempt counter only grows during an outage.
    const hours = Math.ceil((3 * 3_600_000) / (retry.maxMs / 2));
    let total = 0;
    for (let attempt = 0; attempt < hours; attempt++) {
      const d = backoffDelay(retry, attempt);
      expect(d).toBeLessThanOrEqual(retry.maxMs);
      total += d;
    }
    // The series really spans hours (so the test above is about the case it names).
    expect(total).toBeGreaterThan(2 * 3_600_000);
    expect(backoffDelay(retry, hours, at(1))).toBe(retry.maxMs);
  });
});

describe('sleep and Wakeup', () => {
  it('sleep ends at once when its signal aborts', async () => {
    const abort = new AbortController();
    const started = performance.now();
    const done = sleep(60_000, abort.signal);
    abort.abort();
    await done;
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  it('a notify before or during wait ends the wait early', async () => {
    const w = new Wakeup();
    w.notify();
    const started = performance.now();
    await w.wait(60_000);
    const during = w.wait(60_000);
    w.notify();
    await during;
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

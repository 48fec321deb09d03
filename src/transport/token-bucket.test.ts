import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkRateLimit,
  KeyedTokenBuckets,
  SharedTokenBuckets,
  TokenBucket,
} from './token-bucket.ts';

describe('token bucket', () => {
  it('R11: lets a burst through, refuses the next event, and refills at the sustained rate', () => {
    const b = new TokenBucket({ burst: 3, perSecond: 2 }, 0);
    expect([b.take(0), b.take(0), b.take(0), b.take(0)]).toEqual([true, true, true, false]);
    expect(b.take(499)).toBe(false); // 0.998 tokens: not yet one
    expect(b.take(500)).toBe(true); // one token after half a second at 2/s
    expect(b.take(500)).toBe(false);
    expect(b.isFull(10_000)).toBe(true);
  });

  it('R11: over any schedule, accepted events never exceed burst + rate × elapsed time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { maxLength: 300 }),
        (burst, perSecond, gaps) => {
          const b = new TokenBucket({ burst, perSecond }, 0);
          let now = 0;
          let accepted = 0;
          for (const gap of gaps) {
            now += gap;
            if (b.take(now)) accepted++;
          }
          expect(accepted).toBeLessThanOrEqual(burst + (now / 1000) * perSecond + 1e-9);
        },
      ),
    );
  });

  it('R11: a clock going backwards grants nothing', () => {
    const b = new TokenBucket({ burst: 1, perSecond: 1 }, 10_000);
    expect(b.take(10_000)).toBe(true);
    expect(b.take(0)).toBe(false);
    expect(b.take(10_999)).toBe(false);
    expect(b.take(11_000)).toBe(true);
  });

  it('R11: keys have separate buckets, and memory stays bounded', () => {
    const k = new KeyedTokenBuckets({ burst: 1, perSecond: 1 }, 100);
    expect(k.take('10.0.0.1', 0)).toBe(true);
    expect(k.take('10.0.0.1', 0)).toBe(false);
    expect(k.take('10.0.0.2', 0)).toBe(true);
    for (let i = 0; i < 1000; i++) k.take(`10.1.${i >> 8}.${i & 255}`, 0);
    expect(k.size).toBeLessThanOrEqual(100);
  });

  it('R11: holders of one key share one bucket and are counted; other keys are separate', () => {
    const s = new SharedTokenBuckets({ burst: 2, perSecond: 1 }, 100);
    const a = s.acquire('cs:131016', 0);
    const b = s.acquire('cs:131016', 0);
    expect(b.bucket).toBe(a.bucket);
    expect(s.holders('cs:131016')).toBe(2);
    expect([a.bucket.take(0), b.bucket.take(0), b.bucket.take(0)]).toEqual([true, true, false]);
    expect(s.acquire('cs:131041', 0).bucket.take(0)).toBe(true);
    a.release();
    a.release(); // idempotent
    expect(s.holders('cs:131016')).toBe(1);
    b.release();
    // The last holder left: the spent bucket is kept, reopening does not refill it.
    expect(s.acquire('cs:131016', 0).bucket.take(0)).toBe(false);
  });

  it('R11: shared buckets stay bounded, but a held bucket is never forgotten', () => {
    const s = new SharedTokenBuckets({ burst: 1, perSecond: 1 }, 10);
    const held = s.acquire('held', 0);
    for (let i = 0; i < 100; i++) s.acquire(`k${i}`, 0).release();
    expect(s.size).toBeLessThanOrEqual(10);
    expect(s.acquire('held', 0).bucket).toBe(held.bucket);
  });

  it('R11: refuses limits that would never or always refuse', () => {
    expect(() => checkRateLimit('x', { burst: 0, perSecond: 1 })).toThrow(RangeError);
    expect(() => checkRateLimit('x', { burst: 1, perSecond: 0 })).toThrow(RangeError);
    expect(() => checkRateLimit('x', { burst: Infinity, perSecond: 1 })).toThrow(RangeError);
    expect(checkRateLimit('x', { burst: 5, perSecond: 0.5 })).toEqual({ burst: 5, perSecond: 0.5 });
  });
});

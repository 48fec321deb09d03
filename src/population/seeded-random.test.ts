import { describe, expect, it } from 'vitest';
import { cyrb128, SeededRandom } from './seeded-random.ts';

describe('SeededRandom', () => {
  it('is fully determined by seed and stream (fixed vectors: any engine must give these)', () => {
    expect(cyrb128('')).toEqual([41608494, 3485963809, 1435736333, 1262568316]);
    const r = new SeededRandom('42', 'population');
    const first = Array.from({ length: 4 }, () => r.uint32());
    expect(first).toEqual(FIRST_OUTPUTS);
    expect(new SeededRandom('42', 'other').uint32()).not.toBe(FIRST_OUTPUTS[0]);
  });

  it('draws integers in range, roughly uniformly', () => {
    const r = new SeededRandom('uniform', 'test');
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const v = r.between(3, 12);
      expect(v >= 3 && v <= 12).toBe(true);
      counts[v - 3]!++;
    }
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    for (let i = 0; i < 10_000; i++) {
      const f = r.float();
      expect(f >= 0 && f < 1).toBe(true);
    }
  });
});

/** Recorded from this implementation; a change here changes every generated population. */
const FIRST_OUTPUTS = [516063221, 3392191120, 2041930123, 3114265269];

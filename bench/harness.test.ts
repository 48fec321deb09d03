import { describe, expect, it } from 'vitest';
import { towardsHalfLoad } from './harness.ts';

describe('towardsHalfLoad: the next paced rate towards half of a core', () => {
  it('scales the first step by 0.5 ÷ the load measured', () => {
    expect(towardsHalfLoad({ rate: 4000, serverLoad: 0.8 })).toBe(2500);
  });

  it('then follows the secant through the last two runs (load is not proportional to rate)', () => {
    // 4,000/s at 0.80, 2,500/s at 0.62: 0.12 of load per 1,000/s, so 0.5 is 1,000/s lower.
    expect(
      towardsHalfLoad({ rate: 2500, serverLoad: 0.62 }, { rate: 4000, serverLoad: 0.8 }),
    ).toBeCloseTo(1500, 6);
    // Overshot below 0.5: the secant steps back up.
    expect(
      towardsHalfLoad({ rate: 1000, serverLoad: 0.4 }, { rate: 2000, serverLoad: 0.6 }),
    ).toBeCloseTo(1500, 6);
  });

  it('falls back to the proportional step when the two runs say nothing usable', () => {
    // More rate, less load (noise), or the same rate twice: no slope to trust.
    expect(towardsHalfLoad({ rate: 2000, serverLoad: 0.7 }, { rate: 1000, serverLoad: 0.8 })).toBe(
      (2000 * 0.5) / 0.7,
    );
    expect(towardsHalfLoad({ rate: 2000, serverLoad: 0.7 }, { rate: 2000, serverLoad: 0.6 })).toBe(
      (2000 * 0.5) / 0.7,
    );
    // A secant that would go to a rate ≤ 0.
    expect(towardsHalfLoad({ rate: 100, serverLoad: 0.9 }, { rate: 200, serverLoad: 0.95 })).toBe(
      (100 * 0.5) / 0.9,
    );
  });
});

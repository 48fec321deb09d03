import type { SeededRandom } from './seeded-random.ts';

/**
 * Draws items with probability proportional to their weights (a cumulative table and a binary
 * search: O(log n) per draw, no allocation). Zero-weight items are never drawn.
 */
export class WeightedTable<T> {
  private readonly items: readonly T[];
  private readonly cumulative: Float64Array;
  readonly total: number;

  constructor(entries: readonly (readonly [item: T, weight: number])[]) {
    this.items = entries.map(([item]) => item);
    this.cumulative = new Float64Array(entries.length);
    let sum = 0;
    entries.forEach(([, weight], i) => {
      if (!Number.isFinite(weight) || weight < 0) throw new RangeError(`bad weight ${weight}`);
      sum += weight;
      this.cumulative[i] = sum;
    });
    if (!(sum > 0)) throw new RangeError('a weighted table needs a positive total weight');
    this.total = sum;
  }

  get size(): number {
    return this.items.length;
  }

  pick(random: SeededRandom): T {
    const target = random.float() * this.total;
    let low = 0;
    let high = this.cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.cumulative[mid]! > target) high = mid;
      else low = mid + 1;
    }
    return this.items[low]!;
  }
}

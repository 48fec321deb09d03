import { SeededRandom } from './seeded-random.ts';

/**
 * A keyed bijection of [0, size) onto itself: a Feistel network on the smallest power of two
 * covering `size`, restricted to [0, size) by cycle-walking.
 *
 * - The value x ∈ [0, 2^k) is split into a left half of ⌊k/2⌋ bits and a right half of ⌈k/2⌉ bits.
 *   Each of the ROUNDS steps XORs one half with a keyed hash of the other (alternating halves).
 *   Every step is its own inverse given the other half, so the whole network is a bijection of
 *   [0, 2^k) whatever the hash is — uniqueness never depends on the hash's quality.
 * - Cycle-walking: apply the network again while the result is ≥ size. Because the network is a
 *   permutation of [0, 2^k), following the cycle from x < size reaches another value < size, and
 *   distinct inputs reach distinct outputs. With 2^(k−1) < size ≤ 2^k, fewer than 2 steps are
 *   needed on average.
 * - Keys: ROUNDS 32-bit round keys drawn from `SeededRandom(seed, stream)`.
 *
 * The round hash is MurmurHash3's 32-bit finaliser over (half XOR round key): fast, integer-only,
 * identical on every engine. This is a uniqueness device for synthetic data, not encryption.
 */
const ROUNDS = 10;
/** The largest domain supported: halves of up to 26 bits keep all arithmetic in 32-bit integers. */
export const MAX_PERMUTATION_SIZE = 4_503_599_627_370_496; // 2^52

export class FeistelPermutation {
  private readonly leftBits: number;
  private readonly rightBits: number;
  private readonly rightSpan: number;
  private readonly roundKeys: readonly number[];

  constructor(
    readonly size: number,
    seed: string,
    stream: string,
  ) {
    if (!Number.isSafeInteger(size) || size < 1 || size > MAX_PERMUTATION_SIZE) {
      throw new RangeError(`permutation size must be an integer in [1, 2^52]: ${size}`);
    }
    let bits = 2;
    while (powerOfTwo(bits) < size) bits++;
    this.leftBits = Math.floor(bits / 2);
    this.rightBits = bits - this.leftBits;
    this.rightSpan = powerOfTwo(this.rightBits);
    const random = new SeededRandom(seed, stream);
    this.roundKeys = Array.from({ length: ROUNDS }, () => random.uint32());
  }

  /** The image of `x` ∈ [0, size). */
  permute(x: number): number {
    this.check(x);
    let y = this.network(x, true);
    while (y >= this.size) y = this.network(y, true);
    return y;
  }

  /** The preimage of `y` ∈ [0, size): `invert(permute(x)) === x`. */
  invert(y: number): number {
    this.check(y);
    let x = this.network(y, false);
    while (x >= this.size) x = this.network(x, false);
    return x;
  }

  private check(x: number): void {
    if (!Number.isSafeInteger(x) || x < 0 || x >= this.size) {
      throw new RangeError(`value outside [0, ${this.size}): ${x}`);
    }
  }

  private network(x: number, forward: boolean): number {
    const leftMask = (1 << this.leftBits) - 1;
    const rightMask = (1 << this.rightBits) - 1;
    let left = Math.floor(x / this.rightSpan);
    let right = x - left * this.rightSpan;
    for (let step = 0; step < ROUNDS; step++) {
      const round = forward ? step : ROUNDS - 1 - step;
      const key = this.roundKeys[round]!;
      if (round % 2 === 0) left = (left ^ roundHash(right, key)) & leftMask;
      else right = (right ^ roundHash(left, key)) & rightMask;
    }
    return left * this.rightSpan + right;
  }
}

/** 2^n by doubling (exact; avoids relying on Math.pow's last bit). */
function powerOfTwo(n: number): number {
  let p = 1;
  for (let i = 0; i < n; i++) p *= 2;
  return p;
}

/** MurmurHash3 fmix32 of (value XOR key). */
function roundHash(value: number, key: number): number {
  let h = value ^ key;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

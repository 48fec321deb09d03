/**
 * The generator's only source of randomness: a small, seeded, fully specified PRNG, so that the
 * same seed gives the same population byte for byte on any machine and any JavaScript engine.
 *
 * - Seeding: the seed text is hashed together with a stream name by **cyrb128** (bryc's public
 *   domain 128-bit string hash, built from 32-bit `Math.imul` mixing). Different stream names
 *   ('population', 'resident-code', …) give independent streams from one seed.
 * - Generator: **SFC32** (Chris Doty-Humphrey's Small Fast Chaotic PRNG, 32-bit variant; passes
 *   PractRand to ≥ 2^40 bytes), warmed up by 15 outputs.
 * - Only integer operations and correctly rounded IEEE-754 arithmetic (+, −, ×, ÷, floor) are used:
 *   no `Math.log`/`exp`/`pow`, whose last bit may differ between engines.
 *
 * Why not `pure-rand`: it is here only as a dependency of the dev dependency fast-check, so a
 * production install (`--omit=dev`) would not have it; these ~60 lines avoid a new dependency.
 * Not cryptographic: synthetic data only (real resident codes come from a CSPRNG, R7).
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string, stream: string) {
    [this.a, this.b, this.c, this.d] = cyrb128(`${stream}\u0000${seed}`);
    for (let i = 0; i < 15; i++) this.uint32();
  }

  /** The next 32-bit unsigned integer (SFC32). */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1) with 53 random bits. */
  float(): number {
    const high = this.uint32() >>> 5; // 27 bits
    const low = this.uint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** An integer in [0, n); `n` a positive safe integer. */
  below(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** An integer in [low, high], both inclusive. */
  between(low: number, high: number): number {
    return low + this.below(high - low + 1);
  }

  /** True with probability `perMille` / 1000 (integer comparison, no float rounding at the edge). */
  chancePerMille(perMille: number): boolean {
    return this.below(1000) < perMille;
  }

  /** A float in [0, 1) with a triangular density peaking in the middle (mean of two draws). */
  triangular(): number {
    return (this.float() + this.float()) / 2;
  }
}

/** cyrb128 (bryc, public domain): a 128-bit hash of a string's UTF-16 code units. */
export function cyrb128(text: string): [number, number, number, number] {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let i = 0; i < text.length; i++) {
    const k = text.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

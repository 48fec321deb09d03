/**
 * Token buckets for the network side's rate limits (R11): a bucket holds up to `burst` tokens and
 * refills at `perSecond`; each event takes one token, and an event that finds none is refused.
 * Time is a parameter (milliseconds from any monotonic origin), so the rule is testable without a
 * clock.
 */
export type RateLimit = {
  /** Tokens the bucket holds when full: how many events may come at once. */
  readonly burst: number;
  /** Tokens added per second: the sustained rate. */
  readonly perSecond: number;
};

export function checkRateLimit(name: string, limit: RateLimit): RateLimit {
  if (!(limit.burst >= 1) || !Number.isFinite(limit.burst))
    throw new RangeError(`${name}.burst must be a finite number ≥ 1: ${limit.burst}`);
  if (!(limit.perSecond > 0) || !Number.isFinite(limit.perSecond))
    throw new RangeError(`${name}.perSecond must be a finite number > 0: ${limit.perSecond}`);
  return limit;
}

export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(
    readonly limit: RateLimit,
    nowMs: number,
  ) {
    this.#tokens = limit.burst;
    this.#at = nowMs;
  }

  /** Takes one token if there is one. False: over the limit (the event is refused). */
  take(nowMs: number): boolean {
    this.#refill(nowMs);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** True when the bucket is full again at `nowMs` (it can be forgotten: a new one is the same). */
  isFull(nowMs: number): boolean {
    this.#refill(nowMs);
    return this.#tokens >= this.limit.burst;
  }

  #refill(nowMs: number) {
    const elapsed = Math.max(0, nowMs - this.#at);
    this.#at = Math.max(this.#at, nowMs);
    this.#tokens = Math.min(
      this.limit.burst,
      this.#tokens + (elapsed / 1000) * this.limit.perSecond,
    );
  }
}

/**
 * One bucket per key (e.g. per peer address). Memory is bounded: when more than `maxKeys` keys
 * are held, full buckets are forgotten (forgetting a full bucket changes nothing); if that is not
 * enough, the oldest are dropped — an attacker with very many addresses gets fresh buckets, which
 * is the best a per-address limit can do.
 */
export class KeyedTokenBuckets {
  readonly #buckets = new Map<string, TokenBucket>();

  constructor(
    readonly limit: RateLimit,
    readonly maxKeys = 10_000,
  ) {}

  get size(): number {
    return this.#buckets.size;
  }

  take(key: string, nowMs: number): boolean {
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= this.maxKeys) this.#prune(nowMs);
      bucket = new TokenBucket(this.limit, nowMs);
      this.#buckets.set(key, bucket);
    }
    return bucket.take(nowMs);
  }

  #prune(nowMs: number) {
    for (const [key, bucket] of this.#buckets) if (bucket.isFull(nowMs)) this.#buckets.delete(key);
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size < this.maxKeys) break;
      this.#buckets.delete(key);
    }
  }
}

/** A holder's share of a SharedTokenBuckets key: the bucket, held for the holder's lifetime. */
export type BucketLease = {
  /** Take from this directly: no lookup per event. */
  readonly bucket: TokenBucket;
  /** The holder is gone (idempotent). */
  release(): void;
};

/**
 * One bucket per key, shared by everyone who holds the key (e.g. the request budget of a node,
 * shared by all its sessions), with a count of holders (e.g. its sessions open at once). A
 * holder takes from its lease's bucket directly, so the hot path costs no map lookup. A bucket
 * is kept after its last holder leaves, so that closing and reopening does not refill it; when
 * more than `maxKeys` keys are held, unheld buckets are forgotten (full ones first). A held
 * bucket is never forgotten: every holder of a key always shares one bucket.
 */
export class SharedTokenBuckets {
  readonly #entries = new Map<string, { bucket: TokenBucket; holders: number }>();

  constructor(
    readonly limit: RateLimit,
    readonly maxKeys = 10_000,
  ) {}

  get size(): number {
    return this.#entries.size;
  }

  /** How many hold `key` now. */
  holders(key: string): number {
    return this.#entries.get(key)?.holders ?? 0;
  }

  /** The bucket the holders of `key` share; undefined when nobody holds it. */
  bucketOf(key: string): TokenBucket | undefined {
    const entry = this.#entries.get(key);
    return entry && entry.holders > 0 ? entry.bucket : undefined;
  }

  acquire(key: string, nowMs: number): BucketLease {
    let entry = this.#entries.get(key);
    if (!entry) {
      if (this.#entries.size >= this.maxKeys) this.#prune(nowMs);
      entry = { bucket: new TokenBucket(this.limit, nowMs), holders: 0 };
      this.#entries.set(key, entry);
    }
    entry.holders++;
    const held = entry;
    let released = false;
    return {
      bucket: held.bucket,
      release: () => {
        if (released) return;
        released = true;
        held.holders--;
      },
    };
  }

  #prune(nowMs: number) {
    for (const [key, e] of this.#entries)
      if (e.holders === 0 && e.bucket.isFull(nowMs)) this.#entries.delete(key);
    for (const [key, e] of this.#entries) {
      if (this.#entries.size < this.maxKeys) break;
      if (e.holders === 0) this.#entries.delete(key);
    }
  }
}

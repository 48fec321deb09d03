import { RegistryError } from '../domain/errors.ts';
import type { AccessEntry, AccessLogSeal, AccessRecord } from '../domain/audit/access-log.ts';
import type { AccessLogStore } from '../storage/ports.ts';
import { sha256, signSeal, type SealKey } from './seal-key.ts';

/** Seal after this many records by default (X-Road seals its message log periodically too). */
export const DEFAULT_SEAL_EVERY = 1000;

const SEAL_ATTEMPTS = 5;

/**
 * Seals the log up to its last record now: the hash of that record, signed with the node's key.
 * Undefined when there is nothing new to seal. Another sealer racing this one is waited out
 * (the store refuses a stale seal; this builds it again).
 */
export async function sealAccessLog(
  store: AccessLogStore,
  key: SealKey,
  at: string,
): Promise<AccessLogSeal | undefined> {
  for (let attempt = 0; attempt < SEAL_ATTEMPTS; attempt++) {
    const last = await store.last();
    if (last === undefined) return undefined;
    const lastSeal = await store.lastSeal();
    if (lastSeal !== undefined && lastSeal.uptoSeq >= last.seq) return undefined;
    const draft = {
      seq: (lastSeal?.seq ?? 0) + 1,
      uptoSeq: last.seq,
      at,
      node: key.node,
      hash: last.hash,
      certFingerprint: key.certFingerprint,
    };
    const seal: AccessLogSeal = { ...draft, signature: await signSeal(draft, key) };
    if (await store.addSeal(seal)) return seal;
  }
  throw new RegistryError(
    'conflict',
    'アクセスログの封印が他の封印と競合し続けました / access log: sealing kept racing another sealer',
    'audit.seal-raced',
  );
}

export type AccessLogOptions = {
  /** Without a key the log is chained but never sealed here. */
  readonly key?: SealKey;
  /** Seal once this many records are past the last seal (default DEFAULT_SEAL_EVERY). */
  readonly sealEvery?: number;
  /** The time of a seal (default: now). */
  readonly now?: () => string;
  /** Told of each seal this log made (the node anchors it at its upstream node). */
  readonly onSealed?: (seal: AccessLogSeal) => void;
};

/** A node's access log: append records (chained in the store), seal every N or on demand. */
export class AccessLog {
  readonly #store: AccessLogStore;
  readonly #key: SealKey | undefined;
  readonly #sealEvery: number;
  readonly #now: () => string;
  readonly #onSealed: ((seal: AccessLogSeal) => void) | undefined;

  constructor(store: AccessLogStore, options: AccessLogOptions = {}) {
    this.#store = store;
    this.#key = options.key;
    this.#sealEvery = options.sealEvery ?? DEFAULT_SEAL_EVERY;
    if (!Number.isSafeInteger(this.#sealEvery) || this.#sealEvery < 1)
      throw new RangeError('sealEvery must be a positive integer');
    this.#now = options.now ?? (() => new Date().toISOString());
    this.#onSealed = options.onSealed;
  }

  /** Appends records in one transaction; seals when N records are past the last seal. */
  async append(entries: AccessEntry | readonly AccessEntry[]): Promise<AccessRecord[]> {
    const list: readonly AccessEntry[] = Array.isArray(entries)
      ? (entries as readonly AccessEntry[])
      : [entries as AccessEntry];
    const records = await this.#store.append(list, sha256);
    const last = records.at(-1);
    if (last !== undefined && this.#key !== undefined) {
      const sealed = (await this.#store.lastSeal())?.uptoSeq ?? 0;
      if (last.seq - sealed >= this.#sealEvery) await this.seal();
    }
    return records;
  }

  /** Seals now (undefined: nothing new, or no key). */
  async seal(): Promise<AccessLogSeal | undefined> {
    if (this.#key === undefined) return undefined;
    const seal = await sealAccessLog(this.#store, this.#key, this.#now());
    if (seal !== undefined) this.#onSealed?.(seal);
    return seal;
  }
}

import {
  GENESIS_HASH,
  checkAccessEntry,
  type AccessEntry,
  type AccessLogSeal,
  type AccessRecord,
  type HexHash,
} from './access-log.ts';

/**
 * The canonical bytes of the access log (docs/AUDIT.md "Canonical encoding"). Deterministic and
 * unambiguous: every field in a fixed order, every string as a 4-byte big-endian byte length
 * followed by its UTF-8 bytes, every optional field preceded by 0x00 (absent) or 0x01 (present),
 * integers as 8-byte big-endian, hashes as their 32 raw bytes. The first field is a tag that
 * separates record bytes from seal bytes and names the version of the format.
 *
 * The record's `seq` is not hashed: its place is fixed by the chain (each record names the hash
 * of the one before it, and verify requires seq 1, 2, 3, … along that chain). Leaving it out is
 * what lets verify tell a record moved intact (`reordered`) from one whose content changed.
 */

export const RECORD_TAG = 'jukinet-access-log-record-v1';
export const SEAL_TAG = 'jukinet-access-log-seal-v1';

/** SHA-256 of some bytes as lowercase hex; given by the caller (the domain has no crypto). */
export type Sha256 = (bytes: Uint8Array) => HexHash;

const utf8 = new TextEncoder();

class Writer {
  readonly #parts: Uint8Array[] = [];
  #length = 0;

  #push(bytes: Uint8Array): void {
    this.#parts.push(bytes);
    this.#length += bytes.length;
  }

  u32(n: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n);
    this.#push(b);
  }

  u64(n: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt(n));
    this.#push(b);
  }

  str(s: string): void {
    const bytes = utf8.encode(s);
    this.u32(bytes.length);
    this.#push(bytes);
  }

  opt(s: string | undefined): void {
    if (s === undefined) this.#push(Uint8Array.of(0));
    else {
      this.#push(Uint8Array.of(1));
      this.str(s);
    }
  }

  hash(hex: HexHash): void {
    const b = new Uint8Array(32);
    for (let i = 0; i < 32; i++) b[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    this.#push(b);
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let at = 0;
    for (const p of this.#parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** The bytes whose SHA-256 is a record's hash: its entry fields, then prevHash. */
export function canonicalRecordBytes(r: AccessEntry & { readonly prevHash: HexHash }): Uint8Array {
  const w = new Writer();
  w.str(RECORD_TAG);
  w.str(r.at);
  w.str(r.node);
  w.str(r.operator);
  w.str(r.operation);
  w.str(r.target);
  w.opt(r.purpose);
  w.str(r.result);
  w.opt(r.reason);
  w.hash(r.prevHash);
  return w.bytes();
}

/** The bytes a seal's signature covers: everything in the seal but the signature. */
export function canonicalSealBytes(s: Omit<AccessLogSeal, 'signature'>): Uint8Array {
  const w = new Writer();
  w.str(SEAL_TAG);
  w.u64(s.seq);
  w.u64(s.uptoSeq);
  w.str(s.at);
  w.str(s.node);
  w.hash(s.hash);
  w.hash(s.certFingerprint);
  return w.bytes();
}

/** The hash a record must carry. */
export const recordHash = (
  r: AccessEntry & { readonly prevHash: HexHash },
  sha256: Sha256,
): HexHash => sha256(canonicalRecordBytes(r));

/**
 * Chains `entries` after `last` (undefined: the log is empty): seq last.seq + 1, …, each
 * prevHash the hash of the one before. Checks every entry (RegistryError 'audit.<field>').
 */
export function chainEntries(
  last: Pick<AccessRecord, 'seq' | 'hash'> | undefined,
  entries: readonly AccessEntry[],
  sha256: Sha256,
): AccessRecord[] {
  let seq = last?.seq ?? 0;
  let prevHash = last?.hash ?? GENESIS_HASH;
  return entries.map((e) => {
    const entry = checkAccessEntry(e);
    const hash = recordHash({ ...entry, prevHash }, sha256);
    const record: AccessRecord = { seq: ++seq, ...entry, prevHash, hash };
    prevHash = hash;
    return record;
  });
}

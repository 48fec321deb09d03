import { InvalidMessageError } from '../errors.ts';

/** Deepest nesting a message body may have (a change notice needs 3). */
export const MAX_BODY_DEPTH = 16;

/**
 * A MessagePack decoder for untrusted bodies, safe by construction. Ours rather than the
 * library's because `@msgpack/msgpack` allocates `new Array(declaredSize)` for every array
 * header: a 1 MB body of nested `array32(1_000_000)` headers exhausted a 4 GB heap (measured).
 * Here, in one pass:
 *
 * - a container may not declare more items than bytes are left (each item takes at least one
 *   byte) and arrays grow as items are read, so memory is bounded by the body's length;
 * - nesting deeper than MAX_BODY_DEPTH is refused (recursion is bounded);
 * - map keys must be strings, unique, and not `__proto__`;
 * - strings must be valid UTF-8 (a name is never silently altered by replacement characters);
 * - extension types (no message uses them), the unused byte 0xc1, truncation and trailing bytes
 *   are refused.
 *
 * Values: nil → null, integers and floats → number (64-bit integers beyond 2^53 lose precision
 * and fail every integer field's check), bin → Uint8Array (a view of the body), str → string.
 * Every failure is an InvalidMessageError (`message.malformed-body`), never another exception.
 */
export function decodeMsgpack(body: Uint8Array, maxDepth = MAX_BODY_DEPTH): unknown {
  buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  pos = 0;
  end = buf.length;
  depthLimit = maxDepth;
  try {
    const v = value(0);
    if (pos !== end) fail(`${end - pos} bytes after the message`);
    return v;
  } finally {
    buf = EMPTY; // do not keep the last body alive
  }
}

const EMPTY = Buffer.alloc(0);
const utf8 = new TextDecoder('utf-8', { fatal: true });
// Decoder state: module-level for speed; decodeMsgpack is synchronous and never re-entered.
let buf: Buffer = EMPTY;
let pos = 0;
let end = 0;
let depthLimit = MAX_BODY_DEPTH;

function fail(problem: string): never {
  throw new InvalidMessageError(
    '?',
    '',
    `body is not valid MessagePack: ${problem} at byte ${pos}`,
    {
      reason: 'message.malformed-body',
    },
  );
}

function need(n: number) {
  if (end - pos < n) fail('truncated');
}

function u8(): number {
  need(1);
  return buf[pos++]!;
}

function u16(): number {
  need(2);
  const v = buf.readUInt16BE(pos);
  pos += 2;
  return v;
}

function u32(): number {
  need(4);
  const v = buf.readUInt32BE(pos);
  pos += 4;
  return v;
}

function value(depth: number): unknown {
  const b = u8();
  if (b <= 0x7f) return b;
  if (b >= 0xe0) return b - 0x100;
  if (b <= 0x8f) return map(b & 0x0f, depth);
  if (b <= 0x9f) return array(b & 0x0f, depth);
  if (b <= 0xbf) return str(b & 0x1f);
  let v: number;
  switch (b) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xc4:
      return bin(u8());
    case 0xc5:
      return bin(u16());
    case 0xc6:
      return bin(u32());
    case 0xca:
      need(4);
      v = buf.readFloatBE(pos);
      pos += 4;
      return v;
    case 0xcb:
      need(8);
      v = buf.readDoubleBE(pos);
      pos += 8;
      return v;
    case 0xcc:
      return u8();
    case 0xcd:
      return u16();
    case 0xce:
      return u32();
    case 0xcf:
      return u32() * 0x1_0000_0000 + u32();
    case 0xd0:
      need(1);
      return buf.readInt8(pos++);
    case 0xd1:
      need(2);
      v = buf.readInt16BE(pos);
      pos += 2;
      return v;
    case 0xd2:
      need(4);
      v = buf.readInt32BE(pos);
      pos += 4;
      return v;
    case 0xd3:
      need(8);
      v = buf.readInt32BE(pos) * 0x1_0000_0000 + buf.readUInt32BE(pos + 4);
      pos += 8;
      return v;
    case 0xd9:
      return str(u8());
    case 0xda:
      return str(u16());
    case 0xdb:
      return str(u32());
    case 0xdc:
      return array(u16(), depth);
    case 0xdd:
      return array(u32(), depth);
    case 0xde:
      return map(u16(), depth);
    case 0xdf:
      return map(u32(), depth);
    case 0xc1:
      return fail('byte 0xc1 is never used');
    default:
      return fail('extension types are not allowed');
  }
}

function enter(items: number, depth: number) {
  if (depth >= depthLimit) fail(`nesting deeper than ${depthLimit}`);
  if (items > end - pos) fail(`${items} items declared with ${end - pos} bytes left`);
}

function array(n: number, depth: number): unknown[] {
  enter(n, depth);
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push(value(depth + 1));
  return out;
}

function map(n: number, depth: number): Record<string, unknown> {
  enter(n * 2, depth);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) {
    const b = u8();
    let len: number;
    if (b >= 0xa0 && b <= 0xbf) len = b & 0x1f;
    else if (b === 0xd9) len = u8();
    else if (b === 0xda) len = u16();
    else if (b === 0xdb) len = u32();
    else return fail('map key is not a string');
    const key = str(len);
    if (key === '__proto__') fail('key __proto__ is not allowed');
    if (Object.hasOwn(out, key)) fail(`duplicate key ${JSON.stringify(key.slice(0, 32))}`);
    out[key] = value(depth + 1);
  }
  return out;
}

function str(n: number): string {
  need(n);
  const start = pos;
  pos += n;
  if (n <= MAX_CACHED_KEY) return cachedString(start, n);
  if (n <= 64) return shortString(start, pos);
  try {
    return utf8.decode(buf.subarray(start, pos));
  } catch {
    return fail('a string is not valid UTF-8');
  }
}

// ── strings ─────────────────────────────────────────────────────────────────────────────────────
// Short strings (map keys above all: the same few dozen in every message) come from a cache, so
// that objects are built from the same internalised strings each time; measured ≈ 2× faster than
// slicing a fresh string per key.

const MAX_CACHED_KEY = 16;
const CACHE_SLOTS = 4096;
const cacheBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(CACHE_SLOTS);
const cacheStrings: (string | undefined)[] = new Array<string | undefined>(CACHE_SLOTS);

function cachedString(start: number, n: number): string {
  let h = 0x811c9dc5 ^ n;
  for (let i = start; i < start + n; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  const slot = (h >>> 0) & (CACHE_SLOTS - 1);
  const bytes = cacheBytes[slot];
  if (bytes !== undefined && bytes.length === n) {
    let same = true;
    for (let i = 0; i < n; i++)
      if (bytes[i] !== buf[start + i]) {
        same = false;
        break;
      }
    if (same) return cacheStrings[slot]!;
  }
  const s = shortString(start, start + n);
  // A copy: Buffer#slice is a view, and the body's memory may be reused for other bytes later
  // (found by the round-trip property test: a cached view rewritten in place to bytes that hash
  // to the same slot returned the OLD string for them).
  cacheBytes[slot] = Uint8Array.prototype.slice.call(buf, start, start + n);
  cacheStrings[slot] = s;
  return s;
}

/** UTF-8 → string for short strings, refusing what the WHATWG decoder (fatal) would refuse. */
function shortString(start: number, stop: number): string {
  const units: number[] = [];
  let i = start;
  while (i < stop) {
    const b0 = buf[i++]!;
    if (b0 < 0x80) {
      units.push(b0);
      continue;
    }
    let cp = 0;
    let more = 0;
    let min = 0;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      cp = b0 & 0x1f;
      more = 1;
      min = 0x80;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      cp = b0 & 0x0f;
      more = 2;
      min = 0x800;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      cp = b0 & 0x07;
      more = 3;
      min = 0x10000;
    } else return fail('a string is not valid UTF-8');
    if (stop - i < more) return fail('a string is not valid UTF-8');
    for (let k = 0; k < more; k++) {
      const c = buf[i++]!;
      if ((c & 0xc0) !== 0x80) return fail('a string is not valid UTF-8');
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
      return fail('a string is not valid UTF-8');
    if (cp >= 0x10000) {
      cp -= 0x10000;
      units.push(0xd800 | (cp >> 10), 0xdc00 | (cp & 0x3ff));
    } else units.push(cp);
  }
  return String.fromCharCode(...units);
}

function bin(n: number): Uint8Array {
  need(n);
  const v = buf.subarray(pos, pos + n);
  pos += n;
  return v;
}

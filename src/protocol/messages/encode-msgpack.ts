/**
 * A MessagePack encoder for messages: plain objects, arrays, strings, numbers, booleans, null,
 * Uint8Array. Ours rather than `@msgpack/msgpack`'s so that encoding is not the larger part of a
 * request's cost: map keys — the same few dozen in every message — are encoded once and cached,
 * short ASCII strings are written byte by byte, longer ones by Node's native UTF-8 writer.
 * Properties whose value is `undefined` are left out (like JSON); anything else (a Date, a Map, a
 * bigint, a function) is a programming error (TypeError): messages carry `YYYY-MM-DD` strings.
 *
 * `encodeMsgpack` returns a view of one shared buffer, valid until the next call (the frame
 * encoder copies it into the frame at once). State is module-level for speed (measured: private
 * class members cost ~2× here); encoding is synchronous and never re-entered.
 */
export function encodeMsgpack(value: unknown): Uint8Array {
  pos = 0;
  write(value, 0);
  return buf.subarray(0, pos);
}

let buf = Buffer.allocUnsafe(4096);
let pos = 0;
const keys = new Map<string, Buffer>();
const MAX_DEPTH = 64;

function ensure(n: number) {
  if (pos + n <= buf.length) return;
  const next = Buffer.allocUnsafe(Math.max(buf.length * 2, pos + n));
  buf.copy(next, 0, 0, pos);
  buf = next;
}

function write(v: unknown, depth: number): void {
  if (typeof v === 'string') return string(v);
  if (typeof v === 'number') return number(v);
  if (typeof v === 'boolean') {
    ensure(1);
    buf[pos++] = v ? 0xc3 : 0xc2;
    return;
  }
  if (v === null || v === undefined) {
    ensure(1);
    buf[pos++] = 0xc0;
    return;
  }
  if (depth > MAX_DEPTH) throw new TypeError('message nested too deep to encode');
  if (Array.isArray(v)) return array(v, depth);
  if (v instanceof Uint8Array) return bin(v);
  if (typeof v === 'object') {
    const proto: unknown = Object.getPrototypeOf(v);
    if (proto === Object.prototype || proto === null)
      return map(v as Record<string, unknown>, depth);
    throw new TypeError(`cannot encode a ${v.constructor.name} in a message`);
  }
  throw new TypeError(`cannot encode a ${typeof v} in a message`);
}

function number(n: number) {
  ensure(9);
  if (!Number.isSafeInteger(n)) {
    buf[pos++] = 0xcb;
    pos = buf.writeDoubleBE(n, pos);
  } else if (n >= 0) {
    if (n < 0x80) buf[pos++] = n;
    else if (n < 0x100) {
      buf[pos++] = 0xcc;
      buf[pos++] = n;
    } else if (n < 0x10000) {
      buf[pos++] = 0xcd;
      pos = buf.writeUInt16BE(n, pos);
    } else if (n < 0x1_0000_0000) {
      buf[pos++] = 0xce;
      pos = buf.writeUInt32BE(n, pos);
    } else {
      buf[pos++] = 0xcf;
      pos = buf.writeUInt32BE(Math.floor(n / 0x1_0000_0000), pos);
      pos = buf.writeUInt32BE(n >>> 0, pos);
    }
  } else if (n >= -32) buf[pos++] = n + 0x100;
  else if (n >= -0x80) {
    buf[pos++] = 0xd0;
    buf[pos++] = n + 0x100;
  } else if (n >= -0x8000) {
    buf[pos++] = 0xd1;
    pos = buf.writeUInt16BE(n + 0x10000, pos);
  } else if (n >= -0x8000_0000) {
    buf[pos++] = 0xd2;
    pos = buf.writeUInt32BE(n + 0x1_0000_0000, pos);
  } else {
    const hi = Math.floor(n / 0x1_0000_0000);
    buf[pos++] = 0xd3;
    pos = buf.writeUInt32BE(hi + 0x1_0000_0000, pos);
    pos = buf.writeUInt32BE(n - hi * 0x1_0000_0000, pos);
  }
}

/** A length header: fix form up to `fixMax`, else 8 (if the type has one), 16 or 32 bits. */
function header(n: number, fix: number, fixMax: number, c8: number, c16: number, c32: number) {
  ensure(5);
  if (n <= fixMax) buf[pos++] = fix | n;
  else if (c8 !== 0 && n < 0x100) {
    buf[pos++] = c8;
    buf[pos++] = n;
  } else if (n < 0x10000) {
    buf[pos++] = c16;
    pos = buf.writeUInt16BE(n, pos);
  } else {
    buf[pos++] = c32;
    pos = buf.writeUInt32BE(n, pos);
  }
}

function string(s: string) {
  const n = s.length;
  if (n < 32) {
    ensure(1 + n);
    const start = pos;
    let p = start + 1;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[p++] = c;
    }
    if (i === n) {
      buf[start] = 0xa0 | n;
      pos = p;
      return;
    }
  }
  const bytes = Buffer.byteLength(s, 'utf8');
  header(bytes, 0xa0, 31, 0xd9, 0xda, 0xdb);
  ensure(bytes);
  pos += buf.write(s, pos, bytes, 'utf8');
}

function bin(v: Uint8Array) {
  header(v.length, 0, -1, 0xc4, 0xc5, 0xc6);
  ensure(v.length);
  buf.set(v, pos);
  pos += v.length;
}

function array(a: readonly unknown[], depth: number) {
  header(a.length, 0x90, 15, 0, 0xdc, 0xdd);
  for (let i = 0; i < a.length; i++) write(a[i], depth + 1);
}

function map(o: Record<string, unknown>, depth: number) {
  const names = Object.keys(o);
  let n = 0;
  for (let i = 0; i < names.length; i++) if (o[names[i]!] !== undefined) n++;
  header(n, 0x80, 15, 0, 0xde, 0xdf);
  for (let i = 0; i < names.length; i++) {
    const k = names[i]!;
    const v = o[k];
    if (v === undefined) continue;
    key(k);
    write(v, depth + 1);
  }
}

function key(k: string) {
  const encoded = keys.get(k);
  if (encoded === undefined) {
    const start = pos;
    string(k);
    if (k.length <= 32 && keys.size < 1024) keys.set(k, Buffer.from(buf.subarray(start, pos)));
    return;
  }
  const n = encoded.length;
  ensure(n);
  for (let i = 0; i < n; i++) buf[pos++] = encoded[i]!;
}

/** Encoder object form (one per codec): the same shared buffer underneath. */
export class MsgpackEncoder {
  encode(value: unknown): Uint8Array {
    return encodeMsgpack(value);
  }
}

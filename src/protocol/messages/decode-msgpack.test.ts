import { encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidMessageError } from '../errors.ts';
import { decodeMsgpack, MAX_BODY_DEPTH } from './decode-msgpack.ts';

/** JSON-like values as messages carry them (no undefined: MessagePack has only nil). */
const values = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }),
    fc.maxSafeInteger(),
    fc.double({ noNaN: true }),
    fc.string({ unit: 'binary', maxLength: 80 }),
    fc.uint8Array({ maxLength: 40 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(
      fc.string({ unit: 'grapheme', maxLength: 20 }).filter((k) => k !== '__proto__'),
      tie('value'),
      { maxKeys: 5 },
    ),
  ),
})).value;

const refused = (bytes: Uint8Array | number[]) => {
  let error: unknown;
  try {
    decodeMsgpack(Uint8Array.from(bytes));
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(InvalidMessageError);
  expect(error).toMatchObject({ reason: 'message.malformed-body' });
  return (error as Error).message;
};

describe('decodeMsgpack (R10: bodies are decoded at the edge with bounded memory)', () => {
  it('R10: reads back what @msgpack/msgpack writes (property)', () => {
    fc.assert(
      fc.property(values, (v) => {
        const decoded = decodeMsgpack(encode(v));
        const plain = (x: unknown): unknown =>
          x instanceof Uint8Array
            ? Buffer.from(x)
            : Array.isArray(x)
              ? x.map(plain)
              : x !== null && typeof x === 'object'
                ? Object.fromEntries(Object.entries(x).map(([k, y]) => [k, plain(y)]))
                : Object.is(x, -0)
                  ? 0
                  : x;
        expect(plain(decoded)).toEqual(plain(v));
      }),
      { numRuns: 1000 },
    );
  });

  it('R11: refuses a body that declares a million-item array in 5 bytes (no allocation)', () => {
    expect(refused([0xdd, 0x00, 0x0f, 0x42, 0x40])).toMatch(/1000000 items declared/);
  });

  it('R11: refuses 200 000 nested array32(1 000 000) headers at once (the library ran out of memory)', () => {
    const body = Buffer.alloc(200_000 * 5);
    for (let i = 0; i < 200_000; i++) {
      body[i * 5] = 0xdd;
      body.writeUInt32BE(1_000_000, i * 5 + 1);
    }
    const started = performance.now();
    refused(body);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it(`R11: refuses nesting deeper than ${MAX_BODY_DEPTH}`, () => {
    const deep = (n: number): unknown => (n === 0 ? 1 : [deep(n - 1)]);
    expect(decodeMsgpack(encode(deep(MAX_BODY_DEPTH)))).toBeDefined();
    expect(refused(encode(deep(MAX_BODY_DEPTH + 1)))).toMatch(/nesting deeper/);
  });

  it.each([
    ['an extension type (timestamp)', [0xd6, 0xff, 0, 0, 0, 0], /extension/],
    ['the unused byte 0xc1', [0xc1], /0xc1/],
    ['a map key that is a number', [0x81, 0x01, 0xc0], /key is not a string/],
    ['a duplicate key', [0x82, 0xa1, 0x61, 0x01, 0xa1, 0x61, 0x02], /duplicate key/],
    ['the key __proto__', [0x81, 0xa9, ...Buffer.from('__proto__'), 0xc3], /__proto__/],
    ['invalid UTF-8 (lone continuation byte)', [0xa1, 0x80], /UTF-8/],
    ['an overlong UTF-8 encoding', [0xa2, 0xc0, 0xaf], /UTF-8/],
    ['a UTF-16 surrogate in UTF-8', [0xa3, 0xed, 0xa0, 0x80], /UTF-8/],
    ['a truncated string', [0xa5, 0x61], /truncated/],
    ['bytes after the value', [0xc0, 0xc0], /after the message/],
    ['an empty body', [], /truncated/],
  ])('R11: refuses %s', (_, bytes, message) => {
    expect(refused(bytes)).toMatch(message);
  });

  it('R10: a short string decoded from a buffer later rewritten in place is not returned for other bytes', () => {
    // Short strings come from a cache of 4096 slots (FNV-1a over the bytes, seeded with the
    // length). Two 3-letter keys that share a slot: the first is decoded, then the SAME buffer is
    // overwritten with the second (as a reused read buffer is). The cache once kept a view of the
    // buffer, which then held the second key's bytes beside the first key's string.
    const slot = (text: string): number => {
      const bytes = new TextEncoder().encode(text);
      let h = 0x811c9dc5 ^ bytes.length;
      for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
      return (h >>> 0) & 4095;
    };
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; pair === undefined; i++) {
      const key = [i % 26, Math.floor(i / 26) % 26, Math.floor(i / 676)]
        .map((d) => String.fromCharCode(97 + d))
        .join('');
      const other = seen.get(slot(key));
      if (other !== undefined) pair = [other, key];
      else seen.set(slot(key), key);
    }
    const [first, second] = pair;
    const body = Buffer.from(encode({ [first]: 1 }));
    expect(decodeMsgpack(body)).toEqual({ [first]: 1 });
    body.set(encode({ [second]: 1 }));
    expect(decodeMsgpack(body)).toEqual({ [second]: 1 });
  });

  it('R10: keeps names as written: variant kanji with an IVS sequence survive decoding', () => {
    const name = '髙橋 邉\u{E0101}子';
    expect(decodeMsgpack(encode({ kanji: name }))).toEqual({ kanji: name });
  });

  it('R11: arbitrary bytes yield a value or InvalidMessageError, never another exception', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          decodeMsgpack(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(InvalidMessageError);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

import { decode, encode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMsgpack } from './decode-msgpack.ts';
import { MsgpackEncoder } from './encode-msgpack.ts';

const values = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }),
    fc.maxSafeInteger(),
    fc.double({ noNaN: true }),
    fc.string({ unit: 'grapheme', maxLength: 80 }),
    fc.string({ minLength: 30, maxLength: 70000 }),
    fc.uint8Array({ maxLength: 300 }),
    fc.array(tie('value'), { maxLength: 20 }),
    fc.dictionary(
      fc.string({ unit: 'grapheme', maxLength: 40 }).filter((k) => k !== '__proto__'),
      tie('value'),
      { maxKeys: 20 },
    ),
  ),
})).value;

const plain = (x: unknown): unknown =>
  x instanceof Uint8Array
    ? [...x]
    : Array.isArray(x)
      ? x.map(plain)
      : x !== null && typeof x === 'object'
        ? Object.fromEntries(Object.entries(x).map(([k, y]) => [k, plain(y)]))
        : Object.is(x, -0)
          ? 0
          : x;

describe('MsgpackEncoder (R10: message bodies are MessagePack)', () => {
  it('R10: what it writes, the reference decoder (@msgpack/msgpack) reads the same (property)', () => {
    const encoder = new MsgpackEncoder();
    fc.assert(
      fc.property(values, (v) => {
        expect(plain(decode(encoder.encode(v)))).toEqual(plain(v));
      }),
      { numRuns: 1000 },
    );
  });

  it('R10: what it writes, our own decoder reads the same (property)', () => {
    const encoder = new MsgpackEncoder();
    fc.assert(
      fc.property(values, (v) => {
        expect(plain(decodeMsgpack(encoder.encode(v)))).toEqual(plain(v));
      }),
      { numRuns: 1000 },
    );
  });

  it('R10: integers use the shortest MessagePack form, as the reference encoder does', () => {
    const encoder = new MsgpackEncoder();
    for (const n of [
      0,
      127,
      128,
      255,
      256,
      65535,
      65536,
      2 ** 32 - 1,
      2 ** 32,
      -1,
      -32,
      -33,
      -128,
      -129,
      -32768,
      -32769,
      -(2 ** 31),
      -(2 ** 31) - 1,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
    ])
      expect(Buffer.from(encoder.encode(n)).toString('hex')).toBe(
        Buffer.from(encode(n)).toString('hex'),
      );
  });

  it('R10: leaves out undefined properties and refuses what a message cannot carry', () => {
    const encoder = new MsgpackEncoder();
    expect(decodeMsgpack(encoder.encode({ a: 1, b: undefined }))).toEqual({ a: 1 });
    expect(() => encoder.encode({ at: new Date() })).toThrow(TypeError);
    expect(() => encoder.encode({ n: 1n })).toThrow(TypeError);
  });
});

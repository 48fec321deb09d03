import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BadFrameError,
  BadMagicError,
  FrameTooLargeError,
  UnknownFrameKindError,
  UnsupportedVersionError,
} from '../errors.ts';
import type { ProtocolError } from '../errors.ts';
import { FrameDecoder } from './frame-decoder.ts';
import type { Frame } from './frame.ts';
import { FrameFlag, FrameKind, HEADER_LENGTH, MIN_FRAME_SIZE_LIMIT } from './frame.ts';
import { encodeFrames, plainFrame, sampleFrames } from './frame-fixtures.ts';

/** Feeds `bytes` cut at `cuts` (sorted offsets), collecting frames. */
function feed(bytes: Uint8Array, cuts: readonly number[], decoder = new FrameDecoder()): Frame[] {
  const frames: Frame[] = [];
  let from = 0;
  for (const cut of [...cuts, bytes.length]) {
    frames.push(...decoder.push(bytes.subarray(from, cut)));
    from = cut;
  }
  return frames;
}

const byteByByte = (n: number) => Array.from({ length: n }, (_, i) => i);

/** The error a whole stream produces, as (class, code, reason, offset) — or 'ok'. */
function outcome(bytes: Uint8Array, cuts: readonly number[]) {
  try {
    return { frames: feed(bytes, cuts).length };
  } catch (e) {
    const p = e as ProtocolError;
    return { error: p.name, code: p.code, reason: p.reason, offset: p.offset };
  }
}

function header(
  fields: Partial<{
    magic: number[];
    version: number;
    kind: number;
    flags: number;
    id: number;
    length: number;
  }>,
): Buffer {
  const h = Buffer.alloc(HEADER_LENGTH);
  const magic = fields.magic ?? [0xa5, 0x4a];
  h[0] = magic[0]!;
  h[1] = magic[1]!;
  h[2] = fields.version ?? 1;
  h[3] = fields.kind ?? FrameKind.request;
  h[4] = fields.flags ?? 0;
  h.writeUInt32BE(fields.id ?? 1, 8);
  h.writeUInt32BE(fields.length ?? 0, 12);
  return h;
}

describe('FrameDecoder (R10: the protocol is framed by our own incremental decoder)', () => {
  const frames = sampleFrames();
  const bytes = encodeFrames(frames);
  const expected = frames.map(plainFrame);

  it('R10: decodes every frame kind fed all at once', () => {
    expect(feed(bytes, []).map(plainFrame)).toEqual(expected);
  });

  it('R10: decodes the same frames fed one byte at a time', () => {
    expect(feed(bytes, byteByByte(bytes.length)).map(plainFrame)).toEqual(expected);
  });

  it('R10: decodes the same frames in any split (property)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 60 }),
        (cuts) => {
          expect(
            feed(
              bytes,
              [...cuts].sort((a, b) => a - b),
            ).map(plainFrame),
          ).toEqual(expected);
        },
      ),
    );
  });

  it('R10: returns a body that arrived in one chunk as a view of it, not a copy', () => {
    const one = encodeFrames([frames[8]!]);
    const [frame] = new FrameDecoder().push(one);
    expect(frame!.body.buffer).toBe(one.buffer);
  });

  it('R10: keeps a partial frame across pushes and never returns a frame early', () => {
    const d = new FrameDecoder();
    const one = encodeFrames([frames[9]!]); // 3000-byte body
    expect(d.push(one.subarray(0, 10))).toEqual([]);
    expect(d.bufferedBytes).toBe(10);
    expect(d.push(one.subarray(10, 2000))).toEqual([]);
    expect(d.bufferedBytes).toBe(2000 - HEADER_LENGTH);
    expect(d.push(one.subarray(2000)).map(plainFrame)).toEqual([plainFrame(frames[9]!)]);
    expect(d.bufferedBytes).toBe(0);
  });

  it('R11: refuses HTTP on the protocol at its first byte (BadMagicError)', () => {
    const d = new FrameDecoder();
    expect(() => d.push(Buffer.from('G'))).toThrow(BadMagicError);
  });

  it('R10: refuses a declared 4 GiB body from the header alone, before any body byte arrives', () => {
    const d = new FrameDecoder();
    const h = header({ length: 0xffff_ffff });
    let error: unknown;
    try {
      d.push(h);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FrameTooLargeError);
    expect(error).toMatchObject({
      code: 'frame-too-large',
      declaredLength: 0xffff_ffff,
      offset: 12,
    });
    expect(d.bufferedBytes).toBe(0);
  });

  it('R10: accepts a body of exactly the maximum and refuses one byte more', () => {
    const max = MIN_FRAME_SIZE_LIMIT;
    const ok = Buffer.concat([
      header({ kind: FrameKind.streamData, length: max }),
      Buffer.alloc(max),
    ]);
    expect(new FrameDecoder({ maxFrameSize: max }).push(ok)).toHaveLength(1);
    const tooLarge = header({ kind: FrameKind.streamData, length: max + 1 });
    expect(() => new FrameDecoder({ maxFrameSize: max }).push(tooLarge)).toThrow(
      FrameTooLargeError,
    );
  });

  it.each([
    ['bad magic', header({ magic: [0x16, 0x03] }), BadMagicError, 'frame.bad-magic', 0],
    ['second magic byte', header({ magic: [0xa5, 0x00] }), BadMagicError, 'frame.bad-magic', 1],
    [
      'frame version 2',
      header({ version: 2 }),
      UnsupportedVersionError,
      'frame.unsupported-version',
      2,
    ],
    ['unknown kind 0x7f', header({ kind: 0x7f }), UnknownFrameKindError, 'frame.unknown-kind', 3],
    [
      'REPLY flag on a request',
      header({ flags: FrameFlag.reply }),
      BadFrameError,
      'frame.flags',
      4,
    ],
    [
      'response without REPLY',
      header({ kind: FrameKind.response }),
      BadFrameError,
      'frame.flags',
      4,
    ],
    ['undefined flag bit', header({ flags: 0x80 }), BadFrameError, 'frame.flags', 4],
    [
      'reserved byte set',
      Buffer.from(header({}).fill(1, 6, 7)),
      BadFrameError,
      'frame.reserved',
      6,
    ],
    [
      'request id 0 on a request',
      header({ id: 0, length: 1 }),
      BadFrameError,
      'frame.request-id',
      8,
    ],
    [
      'request id on a ping',
      header({ kind: FrameKind.ping, length: 8 }),
      BadFrameError,
      'frame.request-id',
      8,
    ],
    ['empty request body', header({ length: 0 }), BadFrameError, 'frame.body-length', 12],
    [
      'ping of 9 bytes',
      header({ kind: FrameKind.ping, id: 0, length: 9 }),
      BadFrameError,
      'frame.body-length',
      12,
    ],
    [
      'credit of 5 bytes',
      header({ kind: FrameKind.streamCredit, length: 5 }),
      BadFrameError,
      'frame.body-length',
      12,
    ],
    [
      'cancel with a body',
      header({ kind: FrameKind.cancel, length: 1 }),
      BadFrameError,
      'frame.body-length',
      12,
    ],
  ])(
    'R10: refuses a header with %s, in any split, at the same byte',
    (_, bytes, type, reason, offset) => {
      // After one valid frame, so that offsets are stream offsets.
      const stream = Buffer.concat([encodeFrames([frames[12]!]), bytes]);
      const at = 24 + offset;
      const whole = outcome(stream, []);
      expect(whole).toMatchObject({ error: type.name, reason, offset: at });
      expect(outcome(stream, byteByByte(stream.length))).toEqual(whole);
      expect(outcome(stream, [5, 30])).toEqual(whole);
    },
  );

  it('R11: is dead after an error — every later push throws the same error', () => {
    const d = new FrameDecoder();
    expect(() => d.push(Buffer.from('GET / HTTP/1.1\r\n'))).toThrow(BadMagicError);
    const again = () => d.push(encodeFrames([frames[12]!]));
    expect(again).toThrow(BadMagicError);
    expect(d.failure).toBeInstanceOf(BadMagicError);
  });

  it('R10: refuses a maximum frame size outside 4 KiB – 16 MiB', () => {
    expect(() => new FrameDecoder({ maxFrameSize: 100 })).toThrow(RangeError);
    expect(() => new FrameDecoder({ maxFrameSize: 2 ** 32 })).toThrow(RangeError);
  });
});

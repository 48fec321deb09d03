import { describe, expect, it } from 'vitest';
import { BadFrameError, FrameTooLargeError } from '../errors.ts';
import { FrameDecoder } from './frame-decoder.ts';
import { FrameFlag, FrameKind, MIN_FRAME_SIZE_LIMIT } from './frame.ts';
import { FrameEncoder } from './frame-encoder.ts';

describe('FrameEncoder (R10: the byte layout of docs/PROTOCOL.md §2)', () => {
  it('R10: writes the 16-byte header exactly as documented', () => {
    const bytes = new FrameEncoder().encode(
      FrameKind.response,
      FrameFlag.reply | FrameFlag.stream,
      0x01020304,
      Buffer.from([0xc0]),
    );
    expect(bytes.toString('hex')).toBe(
      // magic  ver kind flags reserved  request id  body length  body
      'a54a' + '01' + '02' + '03' + '000000' + '01020304' + '00000001' + 'c0',
    );
  });

  it('R10: header + body written as two buffers equal the one-buffer frame', () => {
    const e = new FrameEncoder();
    const body = Buffer.alloc(100, 9);
    const parts = Buffer.concat([e.encodeHeader(FrameKind.streamData, 0, 5, body.length), body]);
    expect(parts).toEqual(e.encode(FrameKind.streamData, 0, 5, body));
  });

  it('R10: refuses to send a body larger than the peer accepts', () => {
    const e = new FrameEncoder({ maxFrameSize: MIN_FRAME_SIZE_LIMIT });
    expect(() =>
      e.encode(FrameKind.streamData, 0, 1, Buffer.alloc(MIN_FRAME_SIZE_LIMIT + 1)),
    ).toThrow(FrameTooLargeError);
  });

  it('R10: refuses to send a frame the decoder would refuse (no id on a request, REPLY on a ping)', () => {
    const e = new FrameEncoder();
    expect(() => e.encode(FrameKind.request, 0, 0, Buffer.from([0xc0]))).toThrow(BadFrameError);
    expect(() => e.encode(FrameKind.ping, FrameFlag.reply, 0, Buffer.alloc(8))).toThrow(
      BadFrameError,
    );
  });

  it('R10: every frame it writes, the decoder reads back', () => {
    const e = new FrameEncoder();
    const bytes = e.encode(FrameKind.goaway, 0, 0, Buffer.from([0x80]));
    expect(new FrameDecoder().push(bytes)).toEqual([
      { kind: FrameKind.goaway, flags: 0, requestId: 0, body: Buffer.from([0x80]) },
    ]);
  });
});

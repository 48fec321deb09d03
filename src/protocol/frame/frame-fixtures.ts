import { MessageCodec } from '../messages/codec.ts';
import { sampleMessages } from '../protocol-fixtures.ts';
import type { Frame } from './frame.ts';
import { FrameFlag, FrameKind } from './frame.ts';
import { FrameEncoder } from './frame-encoder.ts';

/** One valid frame of every kind (and both directions where flags differ), for decoder tests. */
export function sampleFrames(): Frame[] {
  const codec = new MessageCodec();
  const body = (i: number) => codec.encode(sampleMessages()[i]!).slice();
  const credit = Buffer.from([0, 4, 0, 0]);
  const ping = Buffer.from([0, 0, 0, 7, 0, 0, 0, 0]);
  return [
    { kind: FrameKind.request, flags: 0, requestId: 1, body: body(0) },
    { kind: FrameKind.request, flags: FrameFlag.stream, requestId: 2, body: body(4) },
    { kind: FrameKind.response, flags: FrameFlag.reply, requestId: 1, body: body(0) },
    {
      kind: FrameKind.response,
      flags: FrameFlag.reply | FrameFlag.stream,
      requestId: 2,
      body: body(5),
    },
    { kind: FrameKind.request, flags: 0, requestId: 0xffff_ffff, body: body(1) },
    { kind: FrameKind.error, flags: FrameFlag.reply, requestId: 3, body: body(6) },
    { kind: FrameKind.cancel, flags: 0, requestId: 3, body: new Uint8Array(0) },
    { kind: FrameKind.cancel, flags: FrameFlag.reply, requestId: 2, body: new Uint8Array(0) },
    { kind: FrameKind.streamData, flags: 0, requestId: 2, body: Buffer.from('inner TLS bytes') },
    {
      kind: FrameKind.streamData,
      flags: FrameFlag.reply,
      requestId: 2,
      body: Buffer.alloc(3000, 7),
    },
    { kind: FrameKind.streamEnd, flags: 0, requestId: 2, body: new Uint8Array(0) },
    { kind: FrameKind.streamCredit, flags: FrameFlag.reply, requestId: 2, body: credit },
    { kind: FrameKind.ping, flags: 0, requestId: 0, body: ping },
    { kind: FrameKind.pong, flags: 0, requestId: 0, body: ping },
    { kind: FrameKind.goaway, flags: 0, requestId: 0, body: body(7) },
  ];
}

export function encodeFrames(frames: readonly Frame[]): Buffer {
  const encoder = new FrameEncoder();
  return Buffer.concat(frames.map((f) => encoder.encodeFrame(f)));
}

/** Plain, comparable form of a frame (the body as a Buffer copy). */
export const plainFrame = (f: Frame) => ({
  kind: f.kind,
  flags: f.flags,
  requestId: f.requestId,
  body: Buffer.from(f.body),
});

/**
 * A hand-made frame header (docs/PROTOCOL.md §2: magic, version 1, kind, flags 0, reserved, id,
 * length), for tests that play a peer writing bytes the encoder would never write (a length it
 * does not keep, a frame left unfinished).
 */
export function rawFrameHeader(kind: number, requestId: number, length: number): Buffer {
  const h = Buffer.alloc(16);
  h.set([0xa5, 0x4a, 0x01, kind, 0x00]);
  h.writeUInt32BE(requestId, 8);
  h.writeUInt32BE(length, 12);
  return h;
}

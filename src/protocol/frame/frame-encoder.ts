import { FrameTooLargeError } from '../errors.ts';
import type { Frame, FrameKind } from './frame.ts';
import {
  checkHeaderByte,
  checkHeaderFields,
  checkMaxFrameSize,
  DEFAULT_MAX_FRAME_SIZE,
  FRAME_VERSION,
  HEADER_LENGTH,
  MAGIC,
} from './frame.ts';

export type FrameEncoderOptions = {
  /** The peer's maximum body length: a larger body is refused here, not sent (1 MiB). */
  readonly maxFrameSize?: number;
};

/**
 * Encodes frames (layout in `frame.ts`). `encode` returns one buffer (header + body, one copy of
 * the body); `encodeHeader` returns the 16-byte header alone, for writing `[header, body]` as two
 * buffers without copying a large body (stream data). Every frame is checked against the same
 * rules the decoder enforces: this side never sends what the peer would refuse.
 */
export class FrameEncoder {
  #maxFrameSize: number;

  constructor(options: FrameEncoderOptions = {}) {
    this.#maxFrameSize = checkMaxFrameSize(options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE);
  }

  get maxFrameSize(): number {
    return this.#maxFrameSize;
  }

  /** After `hello`: the peer's announced maximum. */
  set maxFrameSize(n: number) {
    this.#maxFrameSize = checkMaxFrameSize(n);
  }

  encode(kind: FrameKind, flags: number, requestId: number, body: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(HEADER_LENGTH + body.length);
    this.#writeHeader(out, kind, flags, requestId, body.length);
    out.set(body, HEADER_LENGTH);
    return out;
  }

  encodeFrame(frame: Frame): Buffer {
    return this.encode(frame.kind, frame.flags, frame.requestId, frame.body);
  }

  encodeHeader(kind: FrameKind, flags: number, requestId: number, bodyLength: number): Buffer {
    const out = Buffer.allocUnsafe(HEADER_LENGTH);
    this.#writeHeader(out, kind, flags, requestId, bodyLength);
    return out;
  }

  #writeHeader(out: Buffer, kind: number, flags: number, requestId: number, length: number) {
    if (length > this.#maxFrameSize) throw new FrameTooLargeError(length, this.#maxFrameSize);
    out[0] = MAGIC[0];
    out[1] = MAGIC[1];
    out[2] = FRAME_VERSION;
    out[3] = kind;
    out[4] = flags;
    out[5] = 0;
    out[6] = 0;
    out[7] = 0;
    out.writeUInt32BE(requestId, 8);
    out.writeUInt32BE(length, 12);
    checkHeaderByte(3, kind, kind, 0);
    checkHeaderByte(4, flags, kind, 0);
    checkHeaderFields(kind, requestId, length, this.#maxFrameSize, 0);
  }
}

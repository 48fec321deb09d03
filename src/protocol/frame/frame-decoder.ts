import type { ProtocolError } from '../errors.ts';
import type { Frame, FrameKind } from './frame.ts';
import {
  checkHeaderByte,
  checkHeaderFields,
  checkMaxFrameSize,
  DEFAULT_MAX_FRAME_SIZE,
  HEADER_LENGTH,
} from './frame.ts';

const EMPTY = new Uint8Array(0);

export type FrameDecoderOptions = {
  /** The largest body accepted; a longer declaration is refused before buffering (1 MiB). */
  readonly maxFrameSize?: number;
};

/**
 * Incremental frame decoder (STYLE habit 4, after nats.js `Parser`): knows nothing about sockets.
 * `push(chunk)` takes bytes as they arrive, in any split, and returns the frames they complete.
 *
 * - Never assumes a chunk ends a frame: a partial header or body is kept for the next push.
 * - Checks every header byte as soon as it is known (magic, version, kind, flags, reserved), then
 *   the request id and the declared length against `maxFrameSize`, before buffering any body.
 * - Buffers at most one header and one body: memory per connection ≤ 16 + maxFrameSize bytes.
 * - A body that arrives within one chunk is returned as a view of it (no copy); a body spread over
 *   chunks is copied once into a buffer of exactly its declared length. No concatenation per chunk.
 * - Throws a ProtocolError subclass at the first bad byte; frames completed earlier in the same
 *   chunk are dropped with it (a stream found corrupt is not trusted up to that point). The
 *   decoder is then dead: every later push throws the same error, and the caller drops the
 *   connection.
 */
export class FrameDecoder {
  readonly maxFrameSize: number;
  readonly #header = new Uint8Array(HEADER_LENGTH);
  #headerFill = 0;
  #kind = 0;
  #flags = 0;
  #requestId = 0;
  #bodyLength = -1; // -1: reading the header
  #body: Uint8Array | undefined;
  #bodyFill = 0;
  /** Stream offset of the first byte of the frame being read. */
  #frameStart = 0;
  #failure: ProtocolError | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    this.maxFrameSize = checkMaxFrameSize(options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE);
  }

  /** Bytes held for an incomplete frame (bounded by 16 + maxFrameSize). */
  get bufferedBytes(): number {
    return this.#headerFill + this.#bodyFill;
  }

  /** True while a frame is begun but not complete (part of its header, or a body to come). */
  get partial(): boolean {
    return this.#headerFill > 0 || this.#bodyLength >= 0;
  }

  /** The body length the frame being read declares (-1 while its header is incomplete). */
  get declaredLength(): number {
    return this.#bodyLength;
  }

  /** The error that killed this decoder, if any. */
  get failure(): ProtocolError | undefined {
    return this.#failure;
  }

  push(chunk: Uint8Array): Frame[] {
    if (this.#failure) throw this.#failure;
    try {
      return this.#decode(chunk);
    } catch (e) {
      this.#failure = e as ProtocolError;
      this.#body = undefined;
      throw e;
    }
  }

  #decode(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    const end = chunk.length;
    let pos = 0;
    while (pos < end) {
      if (this.#bodyLength < 0) {
        if (this.#headerFill === 0 && end - pos >= HEADER_LENGTH) {
          // Fast path: the whole header is in this chunk.
          this.#kind = chunk[pos + 3]!;
          for (let i = 0; i < 8; i++)
            checkHeaderByte(i, chunk[pos + i]!, this.#kind, this.#frameStart);
          this.#startBody(chunk, pos);
          pos += HEADER_LENGTH;
        } else {
          const b = chunk[pos++]!;
          const i = this.#headerFill++;
          this.#header[i] = b;
          if (i === 3) this.#kind = b;
          if (i < 8) checkHeaderByte(i, b, this.#kind, this.#frameStart);
          if (this.#headerFill < HEADER_LENGTH) continue;
          this.#headerFill = 0;
          this.#startBody(this.#header, 0);
        }
        if (this.#bodyLength === 0) frames.push(this.#emit(EMPTY));
        continue;
      }
      const need = this.#bodyLength - this.#bodyFill;
      if (this.#bodyFill === 0 && end - pos >= need) {
        frames.push(this.#emit(chunk.subarray(pos, pos + need)));
        pos += need;
        continue;
      }
      const take = Math.min(need, end - pos);
      // allocUnsafe is safe here: the body is not exposed before every byte is written.
      this.#body ??= Buffer.allocUnsafe(this.#bodyLength);
      this.#body.set(chunk.subarray(pos, pos + take), this.#bodyFill);
      this.#bodyFill += take;
      pos += take;
      if (this.#bodyFill === this.#bodyLength) {
        const body = this.#body;
        this.#body = undefined;
        this.#bodyFill = 0;
        frames.push(this.#emit(body));
      }
    }
    return frames;
  }

  #startBody(bytes: Uint8Array, at: number) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + at, HEADER_LENGTH);
    this.#flags = bytes[at + 4]!;
    this.#requestId = view.getUint32(8);
    const length = view.getUint32(12);
    checkHeaderFields(this.#kind, this.#requestId, length, this.maxFrameSize, this.#frameStart);
    this.#bodyLength = length;
  }

  #emit(body: Uint8Array): Frame {
    const frame: Frame = {
      kind: this.#kind as FrameKind,
      flags: this.#flags,
      requestId: this.#requestId,
      body,
    };
    this.#frameStart += HEADER_LENGTH + this.#bodyLength;
    this.#bodyLength = -1;
    return frame;
  }
}

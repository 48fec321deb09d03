import { ConnectionClosedError } from '../errors.ts';
import { FrameEncoder } from '../frame/frame-encoder.ts';
import type { FrameKind } from '../frame/frame.ts';
import { MessageCodec } from '../messages/codec.ts';
import type { Message } from '../messages/registry.ts';
import type { Transport } from '../transport.ts';
import type { Clock } from './clock.ts';

const EMPTY = new Uint8Array(0);

/**
 * The session's only way to write: frames onto the transport, with the time of the last write
 * (heartbeats) and the transport's back-pressure (`whenWritable`).
 *
 * Stream data waits for `whenWritable`; replies and control frames (pongs, credit, errors) are
 * written whatever the back-pressure. The bytes of those written while the transport is above its
 * high-water mark are counted until the next `drain`: past `maxOutputBacklog`, the peer is not
 * reading what it asks for, and `onBacklog` is called once (the session cuts the connection).
 */
export class FrameWriter {
  readonly encoder: FrameEncoder;
  readonly codec = new MessageCodec();
  #writable = true;
  #closed = false;
  #drainWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  /** Bytes of replies and control frames written since the transport went above its mark. */
  #backlog = 0;
  #backlogReported = false;

  constructor(
    private readonly transport: Transport,
    private readonly clock: Clock,
    maxFrameSize: number,
    private readonly maxOutputBacklog = Number.POSITIVE_INFINITY,
    private readonly onBacklog: (bytes: number) => void = () => undefined,
  ) {
    this.encoder = new FrameEncoder({ maxFrameSize });
  }

  lastSentAt = 0;

  get closed(): boolean {
    return this.#closed;
  }

  /** False while the transport is above its high-water mark (until `drain`), or once closed. */
  get writable(): boolean {
    return this.#writable && !this.#closed;
  }

  /** A message frame: the body is encoded and copied into one buffer with the header. */
  message(kind: FrameKind, flags: number, requestId: number, message: Message): void {
    if (this.#closed) return;
    const body = this.codec.encode(message);
    const frame = this.encoder.encode(kind, flags, requestId, body);
    if (!this.#writable) this.#addBacklog(frame.length);
    this.#write([frame]);
  }

  /** A frame with a small body of its own (cancel, stream-end, stream-credit, ping, pong). */
  control(kind: FrameKind, flags: number, requestId: number, body: Uint8Array = EMPTY): void {
    if (this.#closed) return;
    const frame = this.encoder.encode(kind, flags, requestId, body);
    if (!this.#writable) this.#addBacklog(frame.length);
    this.#write([frame]);
  }

  /** A frame whose body is written as its own buffer, not copied (stream data). */
  zeroCopy(kind: FrameKind, flags: number, requestId: number, body: Uint8Array): void {
    if (this.#closed) return;
    this.#write([this.encoder.encodeHeader(kind, flags, requestId, body.length), body]);
  }

  /** Resolves when the transport is below its high-water mark; undefined if it is now. */
  whenWritable(): Promise<void> | undefined {
    if (this.#closed) return Promise.reject(new ConnectionClosedError('connection closed'));
    if (this.#writable) return undefined;
    return new Promise((resolve, reject) => this.#drainWaiters.push({ resolve, reject }));
  }

  onDrain(): void {
    this.#writable = true;
    this.#backlog = 0;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const w of waiters) w.resolve();
  }

  close(error: Error): void {
    this.#closed = true;
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const w of waiters) w.reject(error);
  }

  #addBacklog(bytes: number) {
    this.#backlog += bytes;
    if (this.#backlog > this.maxOutputBacklog && !this.#backlogReported) {
      this.#backlogReported = true;
      this.onBacklog(this.#backlog);
    }
  }

  #write(chunks: Uint8Array[]) {
    this.lastSentAt = this.clock.now();
    if (!this.transport.write(chunks)) this.#writable = false;
  }
}

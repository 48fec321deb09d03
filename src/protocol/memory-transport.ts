import { EventEmitter } from 'node:events';
import type { Transport, TransportEvents, TransportPeer } from './transport.ts';

export type MemoryTransportOptions = {
  /** The node names of the two ends; `a.peer.name` is `names[1]` and vice versa. */
  readonly names?: readonly [string, string];
  /**
   * How delivered bytes are cut into `data` chunks (to exercise framing). Receives the bytes of
   * one delivery (everything written since the last one, coalesced as TCP would) and returns the
   * chunks. Default: one chunk.
   */
  readonly split?: (bytes: Uint8Array) => Uint8Array[];
  /** Delivery delay (ms, real timers); 0 = on the next microtask. */
  readonly delayMs?: number;
  /** Bytes in flight above which `write` returns false (default 64 KiB). */
  readonly highWaterMark?: number;
};

/** One end of an in-process connection. */
export class MemoryTransport extends EventEmitter<TransportEvents> implements Transport {
  #other: MemoryTransport | undefined;
  #queue: Uint8Array[] = [];
  #queuedBytes = 0;
  #scheduled = false;
  #needDrain = false;
  #closing = false;
  #closed = false;
  #written = 0;

  constructor(
    readonly peer: TransportPeer,
    private readonly options: MemoryTransportOptions,
  ) {
    super();
  }

  /** Bytes written but not yet delivered to the other end. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /** Bytes written since the start. */
  get bytesWritten(): number {
    return this.#written;
  }

  get closed(): boolean {
    return this.#closed;
  }

  connect(other: MemoryTransport) {
    this.#other = other;
  }

  write(chunks: readonly Uint8Array[]): boolean {
    if (this.#closing || this.#closed) return false;
    for (const c of chunks) {
      this.#queue.push(c);
      this.#queuedBytes += c.length;
      this.#written += c.length;
    }
    this.#schedule();
    const ok = this.#queuedBytes < (this.options.highWaterMark ?? 64 * 1024);
    if (!ok) this.#needDrain = true;
    return ok;
  }

  close(reason?: Error): void {
    if (this.#closing || this.#closed) return;
    this.#closing = true;
    this.#closeReason = reason;
    this.#schedule();
  }

  #closeReason: Error | undefined;

  /** The far end vanishes without a word (a pulled cable): no more bytes flow either way. */
  sever(): void {
    this.#queue = [];
    this.#queuedBytes = 0;
    this.#other = undefined;
  }

  #schedule() {
    if (this.#scheduled) return;
    this.#scheduled = true;
    const delay = this.options.delayMs ?? 0;
    if (delay > 0) setTimeout(() => this.#flush(), delay);
    else queueMicrotask(() => this.#flush());
  }

  #flush() {
    this.#scheduled = false;
    if (this.#queue.length > 0) {
      const bytes = this.#queue.length === 1 ? this.#queue[0]! : Buffer.concat(this.#queue);
      this.#queue = [];
      this.#queuedBytes = 0;
      const other = this.#other;
      if (other && !other.#closed) {
        const chunks = this.options.split ? this.options.split(bytes) : [bytes];
        for (const c of chunks) if (!other.#closed) other.emit('data', c);
      }
      if (this.#needDrain && !this.#closed) {
        this.#needDrain = false;
        this.emit('drain');
      }
    }
    if (this.#closing && !this.#closed) {
      this.#finish(this.#closeReason);
      const other = this.#other;
      if (other && !other.#closed) other.#finish(undefined);
    }
  }

  #finish(error: Error | undefined) {
    this.#closed = true;
    this.#closing = true;
    this.#queue = [];
    this.#queuedBytes = 0;
    if (error) this.emit('close', error);
    else this.emit('close');
  }
}

/**
 * Two connected in-process transports, for tests and the single-process simulation: what one
 * writes, the other receives, asynchronously, optionally cut into arbitrary chunks and delayed.
 * Closing either end closes both (the other end sees `close` without an error, like EOF).
 */
export function createMemoryTransportPair(
  options: MemoryTransportOptions = {},
): [MemoryTransport, MemoryTransport] {
  const [nameA, nameB] = options.names ?? ['cs:131016', 'prefecture:13'];
  const a = new MemoryTransport({ name: nameB }, options);
  const b = new MemoryTransport({ name: nameA }, options);
  a.connect(b);
  b.connect(a);
  return [a, b];
}

/** A `split` that cuts every delivery into chunks of at most `size` bytes. */
export const splitEvery =
  (size: number) =>
  (bytes: Uint8Array): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
    return out;
  };

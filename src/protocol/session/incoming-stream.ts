import { CancelledError } from '../errors.ts';

export type IncomingStreamHooks = {
  /** Grant the sender `bytes` more credit (a stream-credit frame). */
  readonly grant: (bytes: number) => void;
  /** The consumer stopped reading before the end: tell the sender to stop. */
  readonly cancel: () => void;
  /** The stream ended, failed or was cancelled. */
  readonly settled: () => void;
};

/**
 * The receiving side of a stream (an upload to a handler, or a download to a caller): an async
 * iterable of byte chunks, with credit-based flow control. The receiver grants `window` bytes up
 * front (announced in `hello`) and grants again as the consumer takes chunks, so at most `window`
 * bytes are ever buffered here however slow the consumer: a sender that exceeds its credit is a
 * protocol violation (`push` returns false).
 */
export class IncomingStream implements AsyncIterable<Uint8Array> {
  readonly #hooks: IncomingStreamHooks;
  readonly #window: number;
  #queue: Uint8Array[] = [];
  #buffered = 0;
  /** Credit granted and not yet used by the sender. */
  #outstanding: number;
  #consumedSinceGrant = 0;
  #ended = false;
  #failure: Error | undefined;
  #settled = false;
  #waiter: { resolve: (c: Uint8Array | undefined) => void; reject: (e: Error) => void } | undefined;

  constructor(hooks: IncomingStreamHooks, window: number) {
    this.#hooks = hooks;
    this.#window = window;
    this.#outstanding = window;
  }

  /** Bytes received and not yet read (never more than the window). */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** True once the stream ended, failed or was cancelled. */
  get settled(): boolean {
    return this.#settled;
  }

  // ── the session's side ─────────────────────────────────────────────────────────────────────────

  /** A stream-data frame arrived. False: it exceeds the credit granted (a flow-control violation). */
  push(chunk: Uint8Array): boolean {
    if (this.#settled) return true; // late data after a cancel: dropped
    if (chunk.length > this.#outstanding) return false;
    this.#outstanding -= chunk.length;
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = undefined;
      this.#consumed(chunk.length);
      w.resolve(chunk);
    } else {
      this.#queue.push(chunk);
      this.#buffered += chunk.length;
    }
    return true;
  }

  end(): void {
    if (this.#settled) return;
    this.#ended = true;
    if (this.#waiter && this.#queue.length === 0) {
      this.#waiter.resolve(undefined);
      this.#waiter = undefined;
    }
    this.#settle();
  }

  fail(error: Error): void {
    // Bytes of a stream that ended normally stay readable; a second failure changes nothing.
    if (this.#failure || this.#ended) return;
    this.#failure = error;
    this.#queue = [];
    this.#buffered = 0;
    if (this.#waiter) {
      this.#waiter.reject(error);
      this.#waiter = undefined;
    }
    this.#settle();
  }

  // ── the consumer's side ────────────────────────────────────────────────────────────────────────

  /** The next chunk, or undefined at the end; rejects if the stream failed. */
  read(): Promise<Uint8Array | undefined> {
    if (this.#queue.length > 0) {
      const chunk = this.#queue.shift()!;
      this.#buffered -= chunk.length;
      this.#consumed(chunk.length);
      return Promise.resolve(chunk);
    }
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#ended || this.#settled) return Promise.resolve(undefined);
    if (this.#waiter) return Promise.reject(new Error('IncomingStream: one read at a time'));
    return new Promise((resolve, reject) => (this.#waiter = { resolve, reject }));
  }

  /** Stop reading: buffered bytes are dropped and the sender is told to stop. */
  cancel(reason = 'the receiver stopped reading'): void {
    if (this.#settled) return;
    this.#failure = new CancelledError(reason);
    this.#queue = [];
    this.#buffered = 0;
    if (this.#waiter) {
      this.#waiter.reject(this.#failure);
      this.#waiter = undefined;
    }
    this.#hooks.cancel();
    this.#settle();
  }

  /** Everything to the end, as one buffer; refuses (and cancels) beyond `maxBytes`. */
  async readAll(maxBytes = 64 << 20): Promise<Buffer> {
    const chunks: Uint8Array[] = [];
    let total = 0;
    for await (const c of this) {
      total += c.length;
      if (total > maxBytes) {
        this.cancel(`more than ${maxBytes} bytes`);
        throw new RangeError(`stream longer than ${maxBytes} bytes`);
      }
      chunks.push(c);
    }
    return Buffer.concat(chunks);
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: async () => {
        const chunk = await this.read();
        return chunk === undefined
          ? { done: true, value: undefined }
          : { done: false, value: chunk };
      },
      return: () => {
        this.cancel('the consumer stopped iterating');
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  #consumed(bytes: number) {
    if (this.#ended || this.#settled) return;
    this.#consumedSinceGrant += bytes;
    if (this.#consumedSinceGrant * 2 >= this.#window) {
      const grant = this.#consumedSinceGrant;
      this.#consumedSinceGrant = 0;
      this.#outstanding += grant;
      this.#hooks.grant(grant);
    }
  }

  #settle() {
    if (this.#settled) return;
    this.#settled = true;
    this.#hooks.settled();
  }
}

import { CancelledError } from '../errors.ts';
import { MAX_CREDIT } from '../messages/Hello.ts';

export type OutgoingStreamHooks = {
  /** Write one stream-data frame (within credit and the peer's maximum frame size). */
  readonly send: (chunk: Uint8Array) => void;
  /** Write the stream-end frame. */
  readonly end: () => void;
  /** The writer gave up: abandon the call (caller) or fail it with an error frame (responder). */
  readonly abort: (error: Error) => void;
  /** Resolves when the transport can take more; undefined when it can now. */
  readonly whenWritable: () => Promise<void> | undefined;
  /** The stream ended or failed. */
  readonly settled: () => void;
};

/**
 * The sending side of a stream (a caller's upload, a handler's download). `write` resolves when
 * the chunk has been handed to the transport; it waits while the receiver's credit is used up or
 * the transport is above its high-water mark — back-pressure is an awaited write, so a producer
 * that awaits its writes holds at most one chunk. Chunks are cut to fit the credit and the peer's
 * maximum frame size; the transport takes ownership of them (do not reuse a buffer after `write`).
 */
export class OutgoingStream {
  readonly #hooks: OutgoingStreamHooks;
  /** The largest frame body the peer accepts (known once `hello` is done). */
  readonly #maxChunk: () => number;
  #credit: number;
  #ended = false;
  #failure: Error | undefined;
  #tail: Promise<void> = Promise.resolve();
  #creditWaiter: { resolve: () => void; reject: (e: Error) => void } | undefined;

  constructor(hooks: OutgoingStreamHooks, initialCredit: number, maxChunk: () => number) {
    this.#hooks = hooks;
    this.#credit = initialCredit;
    this.#maxChunk = maxChunk;
  }

  /** Bytes the receiver will still accept. */
  get credit(): number {
    return this.#credit;
  }

  /** True once ended or failed. */
  get settled(): boolean {
    return this.#ended || this.#failure !== undefined;
  }

  write(chunk: Uint8Array): Promise<void> {
    return this.#enqueue(() => this.#write(chunk));
  }

  /** Ends the stream after the writes before it. */
  end(): Promise<void> {
    return this.#enqueue(() => {
      if (this.#ended) return Promise.resolve();
      this.#hooks.end();
      this.#ended = true;
      this.#hooks.settled();
      return Promise.resolve();
    });
  }

  /** Gives up: the call is abandoned (caller) or fails with `error` (responder). */
  abort(error: Error = new CancelledError('the stream was aborted by its writer')): void {
    if (this.settled) return;
    this.fail(error);
    this.#hooks.abort(error);
  }

  // ── the session's side ─────────────────────────────────────────────────────────────────────────

  /** A stream-credit frame arrived. False: the total would exceed the protocol's maximum. */
  addCredit(bytes: number): boolean {
    if (this.#credit + bytes > MAX_CREDIT) return false;
    this.#credit += bytes;
    if (this.#creditWaiter) {
      const w = this.#creditWaiter;
      this.#creditWaiter = undefined;
      w.resolve();
    }
    return true;
  }

  /** The call ended under the stream (cancel, error, close): pending and later writes reject. */
  fail(error: Error): void {
    if (this.settled) return;
    this.#failure = error;
    if (this.#creditWaiter) {
      this.#creditWaiter.reject(error);
      this.#creditWaiter = undefined;
    }
    this.#hooks.settled();
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.#tail.then(() => {
      if (this.#failure) throw this.#failure;
      if (this.#ended) throw new Error('OutgoingStream: write after end');
      return step();
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #write(chunk: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#credit === 0)
        await new Promise<void>((resolve, reject) => (this.#creditWaiter = { resolve, reject }));
      this.#throwIfFailed();
      const n = Math.min(this.#credit, this.#maxChunk(), chunk.length - offset);
      this.#credit -= n;
      this.#hooks.send(
        offset === 0 && n === chunk.length ? chunk : chunk.subarray(offset, offset + n),
      );
      offset += n;
      const writable = this.#hooks.whenWritable();
      if (writable) await writable;
      this.#throwIfFailed();
    }
  }

  #throwIfFailed() {
    if (this.#failure) throw this.#failure;
  }
}

import { Duplex } from 'node:stream';
import { CancelledError, type IncomingStream, type OutgoingStream } from '../protocol/index.ts';

/**
 * The byte stream of a route through the switch (R2), as a Node Duplex: what is written goes out
 * on one stream of the route call, what is read comes in on the other. The inner mutual-TLS
 * session between the two CS runs over it (`tls.connect({ socket })` on the caller's side, the
 * TLS acceptor on the target's side), so the switch relays TLS records it cannot read.
 *
 * - Back-pressure both ways: a write completes when the outgoing stream had credit and the
 *   transport took the bytes; reading stops while Node's read buffer is full, so the incoming
 *   stream stops granting credit.
 * - `end()` ends the outgoing stream (stream-end); the end of the incoming stream is EOF.
 * - Destroying the duplex cancels the incoming stream and aborts the outgoing one (which ends
 *   the route call) — unless our side had been ended first (the inner TLS session closed; its
 *   last records and the stream-end may still be on their way, and go): then
 *   the peer's last records are read and dropped until its end (5 s at most), so that a route
 *   closed by either CS ends as `relayed` at the switch, not as broken off.
 */
export class TunnelDuplex extends Duplex {
  #reading = false;
  #incomingDone: () => void = () => undefined;
  /**
   * Settles once the incoming stream has ended or been cancelled: the side that accepted the
   * route keeps its call open until then, so that its session does not refuse the rest of the
   * peer's last records (a cancel the switch would record as a route broken off).
   */
  readonly incomingDone = new Promise<void>((resolve) => (this.#incomingDone = resolve));

  constructor(
    private readonly incoming: IncomingStream,
    private readonly outgoing: OutgoingStream,
  ) {
    super();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (e?: Error | null) => void) {
    this.outgoing.write(chunk).then(
      () => callback(),
      (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
    );
  }

  override _final(callback: (e?: Error | null) => void) {
    this.outgoing.end().then(
      () => callback(),
      (e: unknown) => callback(e instanceof Error ? e : new Error(String(e))),
    );
  }

  override _read() {
    if (this.#reading) return;
    this.#reading = true;
    void this.#pump();
  }

  async #pump() {
    try {
      for (;;) {
        const chunk = await this.incoming.read();
        if (chunk === undefined) {
          this.#incomingDone();
          if (!this.destroyed) this.push(null);
          return;
        }
        if (this.destroyed) continue; // closed cleanly: the peer's last records have no reader
        if (!this.push(chunk)) {
          this.#reading = false;
          return;
        }
      }
    } catch (e) {
      this.#incomingDone();
      this.destroy(e instanceof Error ? e : new Error(String(e)));
    }
  }

  override _destroy(error: Error | null, callback: (e?: Error | null) => void) {
    if (!error && this.writableEnded) {
      // A clean close: our side was ended first (the inner TLS session sent its close). The TLS
      // socket may destroy this duplex before its last records and the stream-end have gone out
      // (both sides closed): they still go, after the writes before them.
      if (!this.outgoing.settled) this.outgoing.end().catch(() => undefined);
      // The peer's last records (its own close) may still be on their way: read them to the end
      // and drop them, so that the route ends as relayed rather than cut ("the peer stopped
      // reading"); cancel only if they never come.
      if (!this.incoming.settled) {
        const timer = setTimeout(() => {
          if (!this.incoming.settled) this.incoming.cancel('the tunnel was closed');
          this.#incomingDone();
        }, 5_000);
        timer.unref();
        if (!this.#reading) {
          this.#reading = true;
          void this.#pump().finally(() => clearTimeout(timer));
        }
      } else this.#incomingDone();
      return callback(null);
    }
    if (!this.incoming.settled) this.incoming.cancel('the tunnel was closed');
    this.#incomingDone();
    if (!this.outgoing.settled)
      this.outgoing.abort(error ?? new CancelledError('the tunnel was closed'));
    callback(error);
  }
}

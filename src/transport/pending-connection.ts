import type { Duplex } from 'node:stream';

/**
 * A connection between its first byte and its established session: the window in which it must
 * prove itself (first bytes, TLS handshake, certificate checks, hello) before a deadline. The
 * first outcome wins — a refusal, the deadline, or success — so a connection raises one alert,
 * never two (a destroyed handshake also reports "socket hang up" afterwards, which is ignored).
 */
export class PendingConnection {
  #settled = false;
  readonly #timer: NodeJS.Timeout;
  /** Set by whoever holds a wrapping socket (the TLS socket), to be cut on expiry too. */
  upper: { destroy(): void } | undefined;
  /** The node, once its certificate has been read. */
  peerName: string | undefined;

  constructor(
    /** The transport stream under TLS: a TCP socket, or a tunnel through the switch. */
    readonly stream: Duplex,
    /** `address:port` of the peer (or a description, for a tunnel). */
    readonly address: string,
    timeoutMs: number,
    onExpired: (pending: PendingConnection) => void,
  ) {
    this.#timer = setTimeout(() => {
      if (!this.settle()) return;
      onExpired(this);
      this.destroy();
    }, timeoutMs);
    this.#timer.unref();
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** Claims the outcome. False: another outcome came first (do nothing more). */
  settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    clearTimeout(this.#timer);
    return true;
  }

  destroy(): void {
    this.upper?.destroy();
    this.stream.destroy();
  }
}

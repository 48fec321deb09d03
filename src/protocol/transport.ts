/**
 * What a session needs from a connection: an ordered, reliable, duplex byte stream whose far end
 * is authenticated. The mutual-TLS transport (src/transport/) and the in-memory pair for tests
 * (`memory-transport.ts`) implement it; the protocol knows nothing about sockets (STYLE habit 4).
 *
 * Contract:
 * - `write(chunks)` queues the chunks, in order, as contiguous bytes (a frame may be written as
 *   `[header, body]`); the transport takes ownership of the buffers. It returns false when the
 *   transport's buffer is above its high-water mark: the writer should wait for `drain`. Writes
 *   after `close` are ignored.
 * - `data` delivers received bytes in order, split anyhow (a chunk may hold part of a frame, or
 *   many frames).
 * - `close(reason?)` ends the connection after flushing what was written (a TLS transport may
 *   destroy the socket if the flush does not finish in time). `reason` is for the local side
 *   (logs); nothing of it is sent.
 * - `error` may be emitted before `close`; `close` is emitted exactly once, last, on either
 *   side's close or on failure, with the error if there was one.
 * - `peer.name` is the node name the transport authenticated (for TLS: from the peer's
 *   certificate, e.g. `cs:131016`). The session refuses a `hello` that names another node.
 */
export type TransportPeer = {
  /** The authenticated node name, `<role>:<code>`. */
  readonly name: string;
};

export type TransportEvents = {
  data: [chunk: Uint8Array];
  drain: [];
  error: [error: Error];
  close: [error?: Error];
};

export type TransportListener<E extends keyof TransportEvents> = (
  ...args: TransportEvents[E]
) => void;

export interface Transport {
  readonly peer: TransportPeer;
  write(chunks: readonly Uint8Array[]): boolean;
  close(reason?: Error): void;
  on<E extends keyof TransportEvents>(event: E, listener: TransportListener<E>): unknown;
  off<E extends keyof TransportEvents>(event: E, listener: TransportListener<E>): unknown;
}

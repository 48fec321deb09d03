import tls from 'node:tls';
import type { NodeRef } from '../domain/network/NodeRef.ts';
import type { NodeTlsCredentials } from '../pki/index.ts';
import type { AlertSink } from './alert-recorder.ts';
import { peerOfSocket, type AuthenticatedPeer } from './authenticated-peer.ts';
import type { PendingConnection } from './pending-connection.ts';
import { classifyTlsFailure, type TlsFailure } from './tls-failure.ts';
import { ALPN_PROTOCOL, serverTlsOptions } from './tls-options.ts';

/** Whether an authenticated node may hold a connection here; a reason when it may not. */
export type AdmitPeer = (peer: NodeRef) => string | undefined;

export type TlsAcceptorOptions = {
  readonly credentials: NodeTlsCredentials;
  readonly alerts: AlertSink;
  readonly admit: AdmitPeer;
  /** node:tls's own handshake timer (ms): a backstop behind the connection's deadline. */
  readonly handshakeTimeoutMs: number;
  /** The handshake succeeded and the peer is admitted: build the session (settle `pending`). */
  readonly onSecure: (
    socket: tls.TLSSocket,
    peer: AuthenticatedPeer,
    pending: PendingConnection,
  ) => void;
};

/**
 * The server side of mutual TLS (R9, R11): runs the handshake on streams it is given (TCP
 * sockets from the listener, or tunnels through the switch), then checks who came. Refusals
 * raise an alert and close the connection:
 *
 * | what happened                                             | alert                  |
 * | --------------------------------------------------------- | ---------------------- |
 * | revoked client certificate                                 | `certificate-revoked`  |
 * | expired / not yet valid                                    | `certificate-expired`  |
 * | unknown CA, no certificate, TLS ≤ 1.2, other ALPN, …       | `tls-handshake-failed` |
 * | node:tls's handshake timer                                 | `handshake-timeout`    |
 * | no `jukinet/1` ALPN                                        | `not-our-protocol`     |
 * | valid certificate, but it names no node / a node not admitted | `unexpected-peer`   |
 *
 * One `tls.Server` (never listening) does the work for every stream: making a secure context per
 * connection would cost ~0.85 ms, more than half a handshake.
 */
export class TlsAcceptor {
  #server: tls.Server;
  #credentials: NodeTlsCredentials;
  /** By the stream under TLS; weak, because node:tls reports a failure after that stream closed. */
  readonly #pending = new WeakMap<object, PendingConnection>();
  #accepted = 0;
  #latest: PendingConnection | undefined;

  constructor(private readonly options: TlsAcceptorOptions) {
    this.#credentials = options.credentials;
    this.#server = tls.createServer({
      ...serverTlsOptions(options.credentials),
      handshakeTimeout: options.handshakeTimeoutMs,
    });
    this.#server.on('secureConnection', (socket) => this.#onSecure(socket));
    this.#server.on('tlsClientError', (error, socket) => this.#onFailure(error, socket));
  }

  get credentials(): NodeTlsCredentials {
    return this.#credentials;
  }

  /** Starts the handshake on `pending.stream` (whose first bytes, if read, were unshifted). */
  accept(pending: PendingConnection): void {
    this.#pending.set(pending.stream, pending);
    this.#accepted++;
    this.#latest = this.#accepted === 1 ? pending : undefined;
    this.#server.emit('connection', pending.stream);
  }

  /** New handshakes use the new CRL (open connections are the caller's business). */
  reloadCrl(crlPem: string): void {
    this.#credentials = { ...this.#credentials, crlPem };
    this.#server.setSecureContext(serverTlsOptions(this.#credentials));
  }

  #onSecure(socket: tls.TLSSocket) {
    const pending = this.#find(socket);
    if (!pending || pending.settled) return void socket.destroy();
    pending.upper = socket;
    const address = pending.address;
    if (socket.alpnProtocol !== ALPN_PROTOCOL)
      return this.#refuse(pending, {
        kind: 'not-our-protocol',
        detail: `TLS without the ${ALPN_PROTOCOL} application protocol (ALPN ${String(socket.alpnProtocol)})`,
      });
    let peer: AuthenticatedPeer;
    try {
      peer = peerOfSocket(socket, address);
    } catch (e) {
      return this.#refuse(pending, {
        kind: 'unexpected-peer',
        detail: `a valid certificate that names no node: ${(e as Error).message}`,
      });
    }
    pending.peerName = peer.name;
    const refusal = this.options.admit(peer.node);
    if (refusal !== undefined)
      return this.#refuse(pending, { kind: 'unexpected-peer', detail: refusal }, peer.name);
    this.options.onSecure(socket, peer, pending);
  }

  #onFailure(error: Error, socket: tls.TLSSocket) {
    const pending = this.#find(socket);
    if (!pending) return void socket.destroy();
    this.#refuse(
      pending,
      classifyTlsFailure(error, socket.authorizationError as unknown as string | null),
    );
  }

  #refuse(pending: PendingConnection, failure: TlsFailure, peerName?: string) {
    if (!pending.settle()) return;
    this.options.alerts.record({ ...failure, peerAddress: pending.address, peerName });
    pending.destroy();
  }

  /**
   * The pending connection under a TLS socket. node:tls does not hand out the socket it wraps
   * around a stream, except as `_parent` for a TCP socket (stable since Node 0.x); an acceptor
   * used for one stream only (a tunnel through the switch) knows it anyway. Unknown: the caller
   * destroys the socket, and the connection's deadline records it.
   */
  #find(socket: tls.TLSSocket): PendingConnection | undefined {
    const parent = (socket as unknown as { _parent?: object | null })._parent;
    return (parent ? this.#pending.get(parent) : undefined) ?? this.#latest;
  }
}

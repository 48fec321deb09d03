import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import type { NodeTlsCredentials } from '../pki/index.ts';
import type { AlertSink } from './alert-recorder.ts';
import {
  checkExpectedPeer,
  peerOfSocket,
  UNEXPECTED_PEER_CODE,
  type AuthenticatedPeer,
} from './authenticated-peer.ts';
import { classifyTlsFailure, describeTlsError, type TlsFailure } from './tls-failure.ts';
import { ALPN_PROTOCOL, clientTlsOptions } from './tls-options.ts';

/** Where to dial: a TCP address, or a stream already open (a tunnel through the switch). */
export type DialTarget =
  | { readonly host: string; readonly port: number }
  | { readonly stream: Duplex; readonly description: string };

export type DialTlsOptions = {
  readonly credentials: NodeTlsCredentials;
  /** The node dialled: the server's certificate must name exactly this node. */
  readonly expectedPeer: NodeRef;
  readonly target: DialTarget;
  /** For the TCP connection and the TLS handshake together (ms). */
  readonly timeoutMs: number;
  /** Where a server that fails the checks is reported (R11). */
  readonly alerts?: AlertSink;
};

/** Socket errors that mean "could not reach", not "someone answered who should not have". */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/**
 * The client side of mutual TLS (R9): dials, runs the handshake with this node's certificate,
 * and accepts the server only if node:tls verified its chain to the network CA, its dates and
 * the CRL, and its certificate names exactly the node dialled. Resolves with the authenticated
 * socket; rejects with a RegistryError:
 *
 * - `forbidden` `network.unexpected-peer`: the server is another node (alert `unexpected-peer`);
 * - `forbidden` `network.peer-certificate`: its certificate is revoked, expired or not from the
 *   network CA (alert `certificate-revoked` / `certificate-expired` / `tls-handshake-failed`);
 * - `unavailable` `network.handshake-timeout`: no handshake in time (alert `handshake-timeout`);
 * - `unavailable` `network.unreachable` / `network.tls-failed`: no connection, or the server
 *   refused the handshake (no alert here: the server records its reasons).
 *
 * With TLS 1.3 the client finishes its handshake before the server has checked the client's
 * certificate: a server that refuses this node closes the connection just after. The session's
 * hello exchange (connect.ts) is what confirms that the server accepted us.
 */
export function dialTls(options: DialTlsOptions): Promise<{
  socket: tls.TLSSocket;
  peer: AuthenticatedPeer;
}> {
  const { expectedPeer, target } = options;
  const expected = nodeName(expectedPeer);
  const address = 'stream' in target ? target.description : `${target.host}:${target.port}`;
  return new Promise((resolve, reject) => {
    let done = false;
    const socket = tls.connect({
      ...clientTlsOptions(options.credentials, (cert) => checkExpectedPeer(cert, expectedPeer)),
      ...('stream' in target
        ? { socket: target.stream }
        : { host: target.host, port: target.port }),
    });
    const fail = (error: RegistryError, alert?: TlsFailure) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (alert && options.alerts)
        options.alerts.record({ ...alert, peerAddress: address, peerName: expected });
      reject(error);
    };
    const timer = setTimeout(
      () =>
        fail(
          new RegistryError(
            'unavailable',
            `no TLS handshake with ${expected} at ${address} within ${options.timeoutMs} ms`,
            'network.handshake-timeout',
          ),
          {
            kind: 'handshake-timeout',
            detail: `the server did not complete the handshake in ${options.timeoutMs} ms`,
          },
        ),
      options.timeoutMs,
    );
    timer.unref();
    socket.once('secureConnect', () => {
      if (socket.alpnProtocol !== ALPN_PROTOCOL)
        return fail(
          new RegistryError(
            'forbidden',
            `${address} does not speak ${ALPN_PROTOCOL}`,
            'network.tls-failed',
          ),
          { kind: 'not-our-protocol', detail: `the server did not agree to ${ALPN_PROTOCOL}` },
        );
      let peer: AuthenticatedPeer;
      try {
        peer = peerOfSocket(socket, address);
      } catch (e) {
        const message = (e as Error).message;
        return fail(new RegistryError('forbidden', message, 'network.unexpected-peer'), {
          kind: 'unexpected-peer',
          detail: message,
        });
      }
      done = true;
      clearTimeout(timer);
      resolve({ socket, peer });
    });
    socket.once('error', (e: Error & { code?: string }) => {
      if (e.code !== undefined && UNREACHABLE.has(e.code))
        return fail(
          new RegistryError(
            'unavailable',
            `cannot reach ${expected} at ${address}: ${e.code}`,
            'network.unreachable',
          ),
        );
      if (e.code === UNEXPECTED_PEER_CODE)
        return fail(new RegistryError('forbidden', e.message, 'network.unexpected-peer'), {
          kind: 'unexpected-peer',
          detail: e.message,
        });
      // node:tls reports a failed verification of the server's certificate by OpenSSL's name
      // (CERT_REVOKED, CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE…); protocol failures
      // are ERR_SSL_… / ERR_TLS_….
      if (e.code !== undefined && /^[A-Z_]+$/.test(e.code) && !e.code.startsWith('ERR_')) {
        const failure = classifyTlsFailure(e, e.code);
        return fail(
          new RegistryError(
            'forbidden',
            `${expected} at ${address}: ${failure.detail}`,
            'network.peer-certificate',
          ),
          failure,
        );
      }
      fail(
        new RegistryError(
          'unavailable',
          `TLS with ${expected} at ${address} failed: ${describeTlsError(e)}`,
          'network.tls-failed',
        ),
      );
    });
    socket.once('close', () =>
      fail(
        new RegistryError(
          'unavailable',
          `${expected} at ${address} closed the connection during the TLS handshake`,
          'network.tls-failed',
        ),
      ),
    );
  });
}

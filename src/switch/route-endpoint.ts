import { once } from 'node:events';
import { RegistryError } from '../domain/errors.ts';
import { authorizeRouted } from '../domain/network/allow-list.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import { sameNode, type NodeTlsCredentials } from '../pki/index.ts';
import {
  createSession,
  streamingReply,
  type RouteAccepted,
  type Session,
} from '../protocol/index.ts';
import type { AlertSink } from '../transport/alert-recorder.ts';
import type { AuthenticatedPeer } from '../transport/authenticated-peer.ts';
import { resolveNetworkLimits, type NetworkLimits } from '../transport/network-limits.ts';
import type { SessionSettings } from '../transport/network-listener.ts';
import type { OpenSession } from '../transport/open-sessions.ts';
import { PendingConnection } from '../transport/pending-connection.ts';
import { guardSession, type Authorize } from '../transport/session-guard.ts';
import { TlsAcceptor } from '../transport/tls-acceptor.ts';
import { TlsTransport } from '../transport/tls-transport.ts';
import type { TokenBucket } from '../transport/token-bucket.ts';
import { TunnelDuplex } from './tunnel-duplex.ts';

export type RouteEndpointOptions = {
  /** This CS. */
  readonly self: NodeRef;
  /** This CS's credentials, with the current CRL (read for every route). */
  readonly credentials: () => NodeTlsCredentials;
  /** This CS's alerts: its listener's (`{ record: (a) => listener.recordAlert(a) }`). */
  readonly alerts: AlertSink;
  /**
   * Hands each inner session to the node's listener (`(e) => listener.track(e)`), so that a new
   * CRL or an emergency cut-off ends it too; false: refused (its node is isolated).
   */
  readonly track?: (entry: OpenSession) => boolean;
  /**
   * The request budget an inner session of `peer` shares with its node's other sessions (R11):
   * `(p) => listener.requestBucket(p.name)`, with `track` (which holds it while the session is
   * open). Default, or undefined: a budget of `limits.requestRate` for the inner session alone.
   */
  readonly requestBucket?: (peer: AuthenticatedPeer) => TokenBucket | undefined;
  /** An inner session is up to hello: register its handlers here, synchronously. */
  readonly onInnerSession: (session: Session, peer: AuthenticatedPeer) => void;
  readonly session?: SessionSettings;
  readonly limits?: Partial<
    Pick<NetworkLimits, 'handshakeTimeoutMs' | 'requestRate' | 'closeTimeoutMs'>
  >;
  /**
   * The rule for inner requests (default: `authorizeRouted`, the allow-list of inner sessions:
   * only `route-echo`, the connectivity check, until R24/R25 add their kinds; everything else is
   * `forbidden` and raises `forbidden-operation`).
   */
  readonly authorize?: Authorize;
};

/**
 * The target side of a route through the switch (R2): registers the `route-request` handler on
 * an outer session from a switch. A route for this CS is accepted (`route-accepted` with a
 * stream) and its streams become a tunnel on which this CS is the TLS server of the inner
 * mutual-TLS session:
 *
 * - the caller must present a valid certificate of the network CA (CRL checked) naming a CS
 *   other than this one — a switch, or any other role, is refused (`unexpected-peer`);
 * - failures raise the same alerts as the listener's, with the address `<switch address> via
 *   <switch>`; the inner hello must come within the handshake timeout;
 * - the inner session's requests pass the same firewall (session-guard.ts) as any other.
 *
 * A route naming another CS is refused `not-found` (`switch.wrong-target`).
 */
export function acceptRoutes(
  outer: Session,
  switchPeer: AuthenticatedPeer,
  options: RouteEndpointOptions,
): void {
  const selfName = nodeName(options.self);
  const limits = resolveNetworkLimits(options.limits);
  const alerts = options.alerts;
  outer.handle('route-request', (m, context) => {
    if (m.target !== selfName)
      throw new RegistryError(
        'not-found',
        `this is ${selfName}, not ${m.target}`,
        'switch.wrong-target',
      );
    const fromCaller = context.upload;
    if (!fromCaller)
      throw new RegistryError('invalid', 'route-request must open a stream', 'switch.no-stream');
    const accepted: RouteAccepted = { kind: 'route-accepted', target: selfName };
    return streamingReply(accepted, async (toCaller) => {
      const tunnel = new TunnelDuplex(fromCaller, toCaller);
      const closed = once(tunnel, 'close').catch(() => undefined);
      const address = `${switchPeer.address} via ${switchPeer.name}`;
      const pending = new PendingConnection(tunnel, address, limits.handshakeTimeoutMs, (p) =>
        alerts.record({
          kind: 'handshake-timeout',
          peerAddress: p.address,
          peerName: p.peerName,
          detail: `no inner handshake within ${limits.handshakeTimeoutMs} ms`,
        }),
      );
      // One acceptor per tunnel: routes are few, and it knows its only stream.
      const acceptor = new TlsAcceptor({
        credentials: options.credentials(),
        alerts,
        handshakeTimeoutMs: limits.handshakeTimeoutMs + 1_000,
        admit: (peer) =>
          peer.role === 'cs' && !sameNode(peer, options.self)
            ? undefined
            : `only another CS may open an inner session with ${selfName} (R2), not ${nodeName(peer)}`,
        onSecure: (socket, peer, p) => {
          const transport = new TlsTransport(socket, peer, limits.closeTimeoutMs);
          const session = createSession({ ...options.session, transport, localNode: selfName });
          session.ready.then(
            () => p.settle(),
            () => p.settle(),
          );
          if (options.track && !options.track({ peer, session, transport })) return;
          const requestBucket = options.requestBucket?.(peer);
          guardSession(session, {
            self: options.self,
            peer,
            alerts,
            requestRate: limits.requestRate,
            ...(requestBucket ? { requestBucket } : {}),
            authorize: options.authorize ?? authorizeRouted,
          });
          try {
            options.onInnerSession(session, peer);
          } catch (e) {
            session.close(e instanceof Error ? e : new Error(String(e)));
          }
        },
      });
      acceptor.accept(pending);
      await closed;
      // The inner session is closed, but the caller's last records and its stream-end may still
      // be on their way through the switch: the call stays open until they came (the tunnel
      // drains them, 5 s at most), or the session would refuse them and the switch would record
      // the route as broken off.
      await tunnel.incomingDone;
    });
  });
}

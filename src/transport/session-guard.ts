import { RegistryError } from '../domain/errors.ts';
import { authorizeOperation, type FirewallDecision } from '../domain/network/allow-list.ts';
import type { NodeRef } from '../domain/network/NodeRef.ts';
import {
  type Handler,
  type HandlerMap,
  type ProtocolError,
  type RequestKind,
  type Session,
} from '../protocol/index.ts';
import type { AlertKind } from '../domain/network/SecurityAlert.ts';
import type { AlertSink } from './alert-recorder.ts';
import type { AuthenticatedPeer } from './authenticated-peer.ts';
import { TokenBucket, type RateLimit } from './token-bucket.ts';

/** The rule table's question: may `caller` ask `callee` for `operation`? */
export type Authorize = (caller: NodeRef, callee: NodeRef, operation: string) => FirewallDecision;

export type SessionGuardOptions = {
  readonly self: NodeRef;
  readonly peer: AuthenticatedPeer;
  readonly alerts: AlertSink;
  readonly requestRate: RateLimit;
  /**
   * The request budget of the peer's node, shared by all its sessions (the listener's, held for
   * the session's life: no lookup per request). Default: a bucket of `requestRate` for this
   * session alone.
   */
  readonly requestBucket?: TokenBucket;
  /** Default: the network allow-list (`authorizeOperation`, src/domain/network/allow-list.ts). */
  readonly authorize?: Authorize;
  readonly nowMs?: () => number;
};

/** Pings a session may send per second (and in a burst) whatever the request rate (heartbeats). */
export const PING_RATE_FLOOR = 10;

/** After this many requests of kinds this node does not know, one session raises one alert. */
export const UNKNOWN_KINDS_ALERT_AFTER = 3;

/**
 * The firewall inside a session (R8, R10, R11). Every request the peer sends passes here before
 * any handler is looked up (`Session.beforeDispatch`), so a kind this node has no handler for is
 * checked too, and handlers may be registered at any time:
 *
 * 1. the request rate (a token bucket: the peer node's, shared by all its sessions): over it →
 *    `rate-limited`, alert `rate-limited`;
 * 2. the allow-list, for (peer, this node, message kind): refused → `forbidden`, alert
 *    `forbidden-operation`.
 *
 * Pings are limited at the request rate too (a bucket of the session's own, never below
 * `PING_RATE_FLOOR` for heartbeats); one over it is left unanswered (alert `rate-limited`).
 *
 * Protocol violations the session reports (bad, truncated or stalled frame, invalid message,
 * identity mismatch in hello) raise `bad-frame` (or `unexpected-peer` for the identity; a peer
 * silent past the idle timeout, `idle-timeout`; one that does not read, `peer-not-reading`) — the
 * session closes itself.
 * A kind this node does not know is answered `unknown-kind` and the session lives on (a newer
 * peer learns what we lack, docs/PROTOCOL.md §10); the third such request of a session raises one
 * `unknown-kinds` alert, since a peer that keeps trying kinds is probing.
 */
export function guardSession(session: Session, options: SessionGuardOptions): void {
  const authorize = options.authorize ?? authorizeOperation;
  const nowMs = options.nowMs ?? (() => performance.now());
  const bucket = options.requestBucket ?? new TokenBucket(options.requestRate, nowMs());
  const limit = bucket.limit;
  const across = options.requestBucket ? ' across all sessions of this node' : '';
  const { peer, self, alerts } = options;

  session.beforeDispatch((kind) => {
    if (!bucket.take(nowMs())) {
      alerts.record({
        kind: 'rate-limited',
        peerAddress: peer.address,
        peerName: peer.name,
        detail: `requests over ${limit.perSecond}/s (burst ${limit.burst})${across}: ${kind} refused`,
      });
      throw new RegistryError(
        'rate-limited',
        `too many requests: at most ${limit.perSecond} per second`,
        'network.request-rate',
      );
    }
    const decision = authorize(peer.node, self, kind);
    if (!decision.allowed) {
      alerts.record({
        kind: 'forbidden-operation',
        peerAddress: peer.address,
        peerName: peer.name,
        detail: decision.reason,
      });
      throw new RegistryError('forbidden', decision.reason, 'network.operation-forbidden');
    }
  });

  const unknown: string[] = [];
  session.on('unknown-kind', (kind) => {
    unknown.push(kind);
    if (unknown.length !== UNKNOWN_KINDS_ALERT_AFTER) return;
    alerts.record({
      kind: 'unknown-kinds',
      peerAddress: peer.address,
      peerName: peer.name,
      detail: `${UNKNOWN_KINDS_ALERT_AFTER} requests of kinds this node does not know: ${unknown
        .map((k) => JSON.stringify(k.slice(0, 32)))
        .join(', ')}`,
    });
  });

  // Pings are requests answered with pongs: limited at the request rate too, in a bucket of the
  // session's own (never below PING_RATE_FLOOR, so that heartbeats never eat the request budget).
  const pingRate = {
    perSecond: Math.max(limit.perSecond, PING_RATE_FLOOR),
    burst: Math.max(limit.burst, PING_RATE_FLOOR),
  };
  const pings = new TokenBucket(pingRate, nowMs());
  session.beforePong(() => {
    if (pings.take(nowMs())) return true;
    alerts.record({
      kind: 'rate-limited',
      peerAddress: peer.address,
      peerName: peer.name,
      detail: `pings over ${pingRate.perSecond}/s (burst ${pingRate.burst}): left unanswered`,
    });
    return false;
  });

  session.on('violation', (e: ProtocolError) =>
    alerts.record({
      kind: violationAlertKind(e),
      peerAddress: peer.address,
      peerName: peer.name,
      detail: `${e.code}${e.reason ? ` (${e.reason})` : ''}: ${e.message}`,
    }),
  );
}

/** The alert a session's violation raises (docs/NETWORK.md "Alert kinds"). */
function violationAlertKind(e: ProtocolError): AlertKind {
  if (e.reason === 'hello.node-mismatch') return 'unexpected-peer';
  if (e.reason === 'session.idle-timeout') return 'idle-timeout';
  if (e.reason === 'session.peer-not-reading') return 'peer-not-reading';
  return 'bad-frame'; // frame.stalled and frame.truncated too
}

/** Registers `handlers` on a guarded session (the HandlerMap form of `session.handle`). */
export function registerHandlers(session: Session, handlers: HandlerMap): void {
  for (const [kind, handler] of Object.entries(handlers))
    if (handler) session.handle(kind as RequestKind, handler as Handler<RequestKind>);
}

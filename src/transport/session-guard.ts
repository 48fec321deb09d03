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
  /** Default: the network allow-list (`authorizeOperation`, src/domain/network/allow-list.ts). */
  readonly authorize?: Authorize;
  readonly nowMs?: () => number;
};

/** After this many requests of kinds this node does not know, one session raises one alert. */
export const UNKNOWN_KINDS_ALERT_AFTER = 3;

/**
 * The firewall inside a session (R8, R10, R11). Every request the peer sends passes here before
 * any handler is looked up (`Session.beforeDispatch`), so a kind this node has no handler for is
 * checked too, and handlers may be registered at any time:
 *
 * 1. the session's request rate (a token bucket): over it → `rate-limited`, alert `rate-limited`;
 * 2. the allow-list, for (peer, this node, message kind): refused → `forbidden`, alert
 *    `forbidden-operation`.
 *
 * Protocol violations the session reports (bad frame, invalid message, identity mismatch in
 * hello) raise `bad-frame` (or `unexpected-peer` for the identity) — the session closes itself.
 * A kind this node does not know is answered `unknown-kind` and the session lives on (a newer
 * peer learns what we lack, docs/PROTOCOL.md §10); the third such request of a session raises one
 * `unknown-kinds` alert, since a peer that keeps trying kinds is probing.
 */
export function guardSession(session: Session, options: SessionGuardOptions): void {
  const authorize = options.authorize ?? authorizeOperation;
  const nowMs = options.nowMs ?? (() => performance.now());
  const bucket = new TokenBucket(options.requestRate, nowMs());
  const { peer, self, alerts } = options;

  session.beforeDispatch((kind) => {
    if (!bucket.take(nowMs())) {
      alerts.record({
        kind: 'rate-limited',
        peerAddress: peer.address,
        peerName: peer.name,
        detail: `requests over ${options.requestRate.perSecond}/s (burst ${options.requestRate.burst}): ${kind} refused`,
      });
      throw new RegistryError(
        'rate-limited',
        `too many requests: at most ${options.requestRate.perSecond} per second`,
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

  session.on('violation', (e: ProtocolError) =>
    alerts.record({
      kind: e.reason === 'hello.node-mismatch' ? 'unexpected-peer' : 'bad-frame',
      peerAddress: peer.address,
      peerName: peer.name,
      detail: `${e.code}${e.reason ? ` (${e.reason})` : ''}: ${e.message}`,
    }),
  );
}

/** Registers `handlers` on a guarded session (the HandlerMap form of `session.handle`). */
export function registerHandlers(session: Session, handlers: HandlerMap): void {
  for (const [kind, handler] of Object.entries(handlers))
    if (handler) session.handle(kind as RequestKind, handler as Handler<RequestKind>);
}

import { RegistryError } from '../domain/errors.ts';
import { authorizeOperation, type FirewallDecision } from '../domain/network/allow-list.ts';
import type { NodeRef } from '../domain/network/NodeRef.ts';
import {
  MESSAGE_DEFINITIONS,
  UnknownMessageKindError,
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

/** Every request kind a peer can send (hello is the session's own). */
const REQUEST_KINDS: readonly RequestKind[] = MESSAGE_DEFINITIONS.filter(
  (d) => d.roles.includes('request') && d.kind !== 'hello',
).map((d) => d.kind as RequestKind);

/**
 * The firewall inside a session (R8, R10, R11). Every request the peer sends passes here before
 * any handler runs:
 *
 * 1. the session's request rate (a token bucket): over it → `rate-limited`, alert `rate-limited`;
 * 2. the allow-list, for (peer, this node, message kind): refused → `forbidden`, alert
 *    `forbidden-operation`.
 *
 * Protocol violations the session reports (bad frame, invalid message, identity mismatch in
 * hello) raise `bad-frame` (or `unexpected-peer` for the identity) — the session closes itself.
 *
 * How: the Session has no interception hook before dispatch, so the guard wraps every handler
 * registered on it (it replaces `session.handle` on this instance), and `seal()` registers a
 * refusing handler for every request kind left without one — so a forbidden kind is refused
 * `forbidden` and alerted even when this node has no handler for it. Register the node's handlers
 * between `guardSession` and `seal` (a kind registered after `seal` throws "already registered").
 */
export function guardSession(session: Session, options: SessionGuardOptions): { seal(): void } {
  const authorize = options.authorize ?? authorizeOperation;
  const nowMs = options.nowMs ?? (() => performance.now());
  const bucket = new TokenBucket(options.requestRate, nowMs());
  const { peer, self, alerts } = options;
  const registered = new Set<string>();

  const admit = (kind: string) => {
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
  };

  const register = session.handle.bind(session) as (
    kind: RequestKind,
    handler: Handler<RequestKind>,
  ) => Session;
  const guarded = (kind: RequestKind, handler: Handler<RequestKind>): Session => {
    registered.add(kind);
    return register(kind, (message, context) => {
      admit(kind);
      return handler(message, context);
    });
  };
  Object.defineProperty(session, 'handle', { value: guarded, configurable: true, writable: true });

  session.on('violation', (e: ProtocolError) =>
    alerts.record({
      kind: e.reason === 'hello.node-mismatch' ? 'unexpected-peer' : 'bad-frame',
      peerAddress: peer.address,
      peerName: peer.name,
      detail: `${e.code}${e.reason ? ` (${e.reason})` : ''}: ${e.message}`,
    }),
  );

  return {
    seal() {
      for (const kind of REQUEST_KINDS) {
        if (registered.has(kind)) continue;
        guarded(kind, () => {
          throw new UnknownMessageKindError(kind, { reason: 'message.no-handler' });
        });
      }
    },
  };
}

/** Registers `handlers` on a guarded session (the HandlerMap form of `session.handle`). */
export function registerHandlers(session: Session, handlers: HandlerMap): void {
  for (const [kind, handler] of Object.entries(handlers))
    if (handler) session.handle(kind as RequestKind, handler as Handler<RequestKind>);
}

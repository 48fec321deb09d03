import { randomBytes } from 'node:crypto';
import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import { parseNodeName, type NodeTlsCredentials } from '../pki/index.ts';
import {
  routeEcho,
  type MoveOutCertificateAnswer,
  type MoveOutCertificateRequest,
  type ReplyOf,
  type RouteEchoReply,
  type Session,
  type WideAreaCopyAnswer,
  type WideAreaCopyRequest,
} from '../protocol/index.ts';
import type { AlertStore } from '../storage/ports.ts';
import { acceptRoutes } from '../switch/route-endpoint.ts';
import { openRoute } from '../switch/route-client.ts';
import { startSwitch, type SwitchNode } from '../switch/switch-node.ts';
import type { RouteRecord } from '../switch/RouteRecord.ts';
import type { AuthenticatedPeer } from '../transport/authenticated-peer.ts';
import { connectNetwork } from '../transport/connect.ts';
import type { NetworkListener } from '../transport/network-listener.ts';
import { errorText, type Logger } from './json-log.ts';
import type { NodeConfig } from './node-config.ts';
import { UpstreamSession } from './upstream-session.ts';

/**
 * Routes through the switch (専用交換装置, R2) in a running node (docs/NETWORK.md "The switch"):
 *
 * - at a CS, `attach` registers `acceptRoutes` on the outer session the switch opens to the CS's
 *   listener, so that another CS can run an inner mutual-TLS session with this one; inner
 *   sessions answer `route-echo`, the connectivity check, and `wide-area-copy` (広域交付, R24,
 *   node-wide-area.ts), and nothing else (ROUTED_ALLOW_LIST);
 * - at a CS, `check(to)` opens a route to another CS through the switch of its config and runs
 *   one `route-echo` round trip (`juki node route-check`, `POST /route/check`); `wideAreaCopy`
 *   sends one `wide-area-copy` on a route the same way (`POST /wide-area/copy`);
 * - at the switch, `RouteRecordLog` keeps the newest route records in memory: who, when, how
 *   many bytes, never content (the switch writes nothing to disk; its log has the same lines).
 *
 * The check carries no resident data; 広域交付 does, end to end inside the inner session only.
 */
export type CsRoutes = {
  /** A session accepted on this CS's listener: from the switch, it may carry routes. */
  attach(session: Session, peer: AuthenticatedPeer): void;
  /** One `route-echo` round trip with CS `to` through the switch. */
  check(to: string): Promise<RouteCheck>;
  /**
   * One request of the CS-to-CS services to CS `to` through the switch: `wide-area-copy` (R24),
   * `move-out-certificate` (R25). Its answer, from the CS the inner handshake authenticated as `to`.
   */
  ask<M extends RoutedRequest>(to: string, m: M): Promise<ReplyOf<M['kind']>>;
  /** Goaway on the kept outer session to the switch. */
  close(): Promise<void>;
  /** A new CRL is in force: the kept outer session is dropped, the next check dials afresh. */
  reset(): void;
};

/** The requests of the CS-to-CS services (docs/WIDE-AREA.md). */
export type RoutedRequest = WideAreaCopyRequest | MoveOutCertificateRequest;

/** What a route check found: who answered, through which switch, how fast. */
export type RouteCheck = {
  readonly from: string;
  readonly to: string;
  readonly via: string;
  /** The node the inner TLS handshake authenticated and that answered the echo (= `to`). */
  readonly answeredBy: string;
  /** The answering CS's municipality (団体コード). */
  readonly municipality: string;
  readonly answeredAt: string;
  /** Outer session to the switch, route, inner handshake and the echo, in ms. */
  readonly totalMs: number;
  /** The echo alone, on the established inner session, in ms. */
  readonly roundTripMs: number;
};

export function startCsRoutes(o: {
  readonly config: NodeConfig;
  /** The node's credentials, with the CRL it holds now. */
  readonly credentials: () => NodeTlsCredentials;
  readonly alerts: AlertStore;
  /** The node's listener, once it runs (its alerts; inner sessions tracked for CRL, isolation). */
  readonly listener: () => NetworkListener | undefined;
  /** Answers a `wide-area-copy` from the CS `caller` (R24; absent: refused `unavailable`). */
  readonly wideArea?: (m: WideAreaCopyRequest, caller: string) => Promise<WideAreaCopyAnswer>;
  /** Answers a `move-out-certificate` from the CS `caller` (R25; absent: refused `unavailable`). */
  readonly moveOut?: (
    m: MoveOutCertificateRequest,
    caller: string,
  ) => Promise<MoveOutCertificateAnswer>;
  readonly log: Logger;
}): CsRoutes {
  const self = o.config.node;
  const selfName = nodeName(self);
  const sw = o.config.switch;
  // One long-lived outer session to the switch (a full handshake costs ~1.5 ms; routes are calls
  // on it, and closing it right after a route could cut the route's last bytes).
  const outerSession =
    sw &&
    new UpstreamSession(() =>
      connectNetwork({
        self,
        credentials: o.credentials(),
        expectedPeer: sw.node,
        host: sw.host,
        port: sw.port,
        alerts: o.alerts,
      }),
    );
  return {
    attach(session, peer) {
      if (peer.node.role !== 'switch') return;
      acceptRoutes(session, peer, {
        self,
        credentials: o.credentials,
        alerts: {
          record: (a) => o.listener()?.recordAlert(a),
        },
        track: (entry) => o.listener()?.track(entry) ?? true,
        // Inner requests share the node's request budget for that peer (network-listener.ts).
        requestBucket: (p) => o.listener()?.requestBucket(p.name),
        onInnerSession: (inner, caller) => {
          o.log.info('route.inner-session', { caller: caller.name, via: peer.name });
          inner.handle('route-echo', (m): RouteEchoReply => ({
            kind: 'route-echo-reply',
            nonce: m.nonce,
            node: selfName,
            at: new Date().toISOString(),
          }));
          const wideArea = o.wideArea;
          inner.handle('wide-area-copy', (m) => {
            if (!wideArea)
              throw new RegistryError(
                'unavailable',
                `${selfName} does not answer 広域交付`,
                'wide-area.unavailable',
              );
            return wideArea(m, caller.name);
          });
          const moveOut = o.moveOut;
          inner.handle('move-out-certificate', (m) => {
            if (!moveOut)
              throw new RegistryError(
                'unavailable',
                `${selfName} does not answer 転出証明書情報`,
                'move-out.unavailable',
              );
            return moveOut(m, caller.name);
          });
        },
      });
    },

    close: async () => outerSession?.close(),

    reset: () => outerSession?.reset(),

    async ask(to, m) {
      const logged = { kind: m.kind, requestId: m.requestId, issuedBy: m.issuedBy };
      return withRoute(to, logged, async (inner, target) => {
        const reply = await inner.request(m);
        // The inner handshake authenticated `to`; the answer must name it and this request (every
        // answer of a RoutedRequest carries both).
        const named = reply as { readonly node: string; readonly requestId: string };
        const by = inner.transport.peer.name;
        if (by !== nodeName(target) || named.node !== by || named.requestId !== m.requestId)
          throw new RegistryError(
            'conflict',
            `the answer from ${by} (${named.node}) is not the one ${nodeName(target)} owes to ${m.requestId}`,
            'route.answer-mismatch',
          );
        return reply;
      });
    },

    async check(to) {
      const started = performance.now();
      return withRoute(to, { kind: 'route-echo' }, async (inner, target, via) => {
        const nonce = randomBytes(16).toString('hex');
        const sent = performance.now();
        const reply = await inner.request(routeEcho(nonce));
        const roundTripMs = performance.now() - sent;
        const answeredBy = inner.transport.peer.name;
        if (reply.nonce !== nonce || reply.node !== nodeName(target) || answeredBy !== reply.node)
          throw new RegistryError(
            'conflict',
            `the echo from ${answeredBy} does not match what was sent to ${nodeName(target)}`,
            'route.echo-mismatch',
          );
        const result: RouteCheck = {
          from: selfName,
          to: nodeName(target),
          via,
          answeredBy,
          municipality: target.code,
          answeredAt: reply.at,
          totalMs: round(performance.now() - started),
          roundTripMs: round(roundTripMs),
        };
        o.log.info('route.checked', {
          to: result.to,
          via: result.via,
          totalMs: result.totalMs,
          roundTripMs: result.roundTripMs,
        });
        return result;
      });
    },
  };

  /**
   * Opens a route to CS `to` through the switch, runs `fn` on its inner session, closes it. A
   * failure is logged once here (`route.refused`, with `logged`: the request's kind, id, card).
   */
  async function withRoute<T>(
    to: string,
    logged: Readonly<Record<string, string>>,
    fn: (inner: Session, target: NodeRef, via: string) => Promise<T>,
  ): Promise<T> {
    if (!sw || !outerSession)
      throw new RegistryError(
        'invalid',
        `${selfName} の設定に交換装置がありません / ${selfName} has no switch in its config (juki network init writes one)`,
        'route.no-switch',
      );
    const target = parseTarget(to);
    try {
      const outer = await outerSession.get();
      const inner = await openRoute({
        outer,
        self,
        credentials: o.credentials(),
        target,
        alerts: o.alerts,
      });
      try {
        return await fn(inner, target, nodeName(sw.node));
      } finally {
        await inner.goaway().catch(() => undefined);
      }
    } catch (e) {
      o.log.warn('route.refused', {
        ...logged,
        to: nodeName(target),
        via: nodeName(sw.node),
        reason: e instanceof RegistryError ? (e.reason ?? e.code) : undefined,
        error: errorText(e),
      });
      throw e;
    }
  }
}

/** The newest route records of a switch, in memory: metadata only (R2). */
export class RouteRecordLog {
  readonly #records: RouteRecord[] = [];
  constructor(private readonly keep = 100) {}
  push(record: RouteRecord): void {
    this.#records.push(record);
    if (this.#records.length > this.keep) this.#records.splice(0, this.#records.length - this.keep);
  }
  /** Newest first. */
  list(limit: number): RouteRecord[] {
    return this.#records.slice(-Math.max(0, limit)).reverse();
  }
}

/** The terminal side's `POST /route/check` body: `{ to: 'cs:011011' }`. */
export function routeCheckFromTerminal(
  routes: CsRoutes | undefined,
  self: NodeRef,
  body: Record<string, unknown>,
): Promise<RouteCheck> {
  if (!routes)
    return Promise.reject(
      new RegistryError(
        'invalid',
        `${nodeName(self)} は交換装置経由の経路を開きません / only a CS opens routes through the switch`,
        'route.not-a-cs',
      ),
    );
  if (typeof body.to !== 'string')
    return Promise.reject(
      new RegistryError('invalid', 'to must be a node name such as cs:011011', 'route.bad-target'),
    );
  return routes.check(body.to);
}

function parseTarget(to: string): NodeRef {
  try {
    return parseNodeName(to);
  } catch {
    throw new RegistryError(
      'invalid',
      `${JSON.stringify(to.slice(0, 40))} はノード名ではありません / not a node name (e.g. cs:011011)`,
      'route.bad-target',
    );
  }
}

const round = (ms: number): number => Math.round(ms * 10) / 10;

/**
 * The switch of a running node (`role: switch`): its listener on `config.listen`, the CS it
 * serves from `config.directory`, each route's record kept in `routeLog` (GET /routes) and logged
 * as `switch.route` — who, when, outcome, bytes, never content (R2).
 */
export function startRunningSwitch(o: {
  readonly config: NodeConfig;
  readonly credentials: NodeTlsCredentials;
  readonly alerts: AlertStore;
  readonly routeLog: RouteRecordLog;
  readonly log: Logger;
}): Promise<SwitchNode> {
  const { config, routeLog, log } = o;
  if (!config.listen)
    throw new RegistryError('invalid', 'the switch needs a listen address', 'config.invalid');
  return startSwitch({
    self: config.node,
    credentials: o.credentials,
    host: config.listen.host,
    port: config.listen.port,
    alerts: o.alerts,
    directory: (target: NodeRef) => config.directory.get(nodeName(target)),
    records: (r) => {
      routeLog.push(r);
      log.info('switch.route', {
        at: r.at,
        caller: r.caller,
        target: r.target,
        bytesUp: r.bytesUp,
        bytesDown: r.bytesDown,
        durationMs: r.durationMs,
        outcome: r.outcome,
        reason: r.reason,
        detail: r.detail,
      });
    },
  });
}

import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import {
  normalizeSerialNumber,
  parseNodeName,
  readCrl,
  type NodeTlsCredentials,
} from '../pki/index.ts';
import {
  routeRequest,
  streamingReply,
  type HandlerContext,
  type RouteRequest,
  type Session,
} from '../protocol/index.ts';
import type { AlertStore } from '../storage/ports.ts';
import type { AuthenticatedPeer } from '../transport/authenticated-peer.ts';
import { connectNetwork } from '../transport/connect.ts';
import type { NetworkLimits } from '../transport/network-limits.ts';
import { TlsTransport } from '../transport/tls-transport.ts';
import {
  listenNetwork,
  type NetworkListener,
  type SessionSettings,
} from '../transport/network-listener.ts';
import { RelayError, relayRoute } from './relay.ts';
import type { RelayTap, RouteRecord, RouteRecordSink } from './RouteRecord.ts';
import { TargetSessions } from './target-sessions.ts';

/** Where a CS listens on the network side; undefined for a CS the switch does not serve. */
export type SwitchDirectory = (
  target: NodeRef,
) => { readonly host: string; readonly port: number } | undefined;

export type StartSwitchOptions = {
  /** This switch (`switch:east-1`). */
  readonly self: NodeRef;
  readonly credentials: NodeTlsCredentials;
  readonly host: string;
  readonly port: number;
  readonly alerts: AlertStore;
  readonly directory: SwitchDirectory;
  /** Where route metadata goes (who, when, how many bytes); never content. */
  readonly records: RouteRecordSink;
  /** An observer of relayed bytes (monitoring, tests); the switch keeps nothing of them. */
  readonly tap?: RelayTap;
  /** How long the target has to accept a route (ms, default 10 000). */
  readonly routeTimeoutMs?: number;
  readonly limits?: Partial<NetworkLimits>;
  readonly session?: SessionSettings;
  readonly now?: () => Date;
  readonly onError?: (error: unknown) => void;
};

export type SwitchNode = {
  readonly listener: NetworkListener;
  readonly address: NetworkListener['address'];
  /**
   * Loads a new CRL (R11) on both sides of the switch: the listener's (`reloadCrl`: checked, then
   * CS sessions it revokes are cut) and the switch's own dials to target CS, whose sessions to a
   * revoked target are cut at once (the next route dials with the new CRL, which refuses it).
   * Throws like the listener's `reloadCrl` (nothing changes then). Returns the sessions cut.
   */
  reloadCrl(crlPem: string): Promise<number>;
  close(): Promise<void>;
};

/**
 * The switch (専用交換装置, R2): lets one CS reach another, and holds nothing it carries.
 *
 * 1. A CS opens an outer mutual-TLS session to the switch (the listener authenticates it; the
 *    allow-list lets a CS send `route-request` to a switch and nothing else).
 * 2. It sends `route-request` (with a stream) naming the target. The switch refuses a target that
 *    is not a CS (`forbidden`, alert `forbidden-operation`), itself as target (`invalid`), a CS
 *    it does not know (`not-found`) or cannot reach (`unavailable`).
 * 3. It opens (or reuses) its OWN outer session to the target, with the switch's certificate —
 *    the target checks that a switch may route to it — and sends `route-request` there.
 * 4. When the target answers `route-accepted`, the switch answers the caller `route-accepted`
 *    and from then on only relays bytes: the caller's upload to the target's upload, the
 *    target's download to the caller's download. The two CS run an inner mutual-TLS session
 *    end to end inside (route-client.ts, route-endpoint.ts): the switch sees TLS records only,
 *    and cannot answer for the target (it has no key of the target's certificate).
 * 5. When the route ends, one RouteRecord goes to `records`: who, when, how long, bytes each way.
 */
export async function startSwitch(options: StartSwitchOptions): Promise<SwitchNode> {
  if (options.self.role !== 'switch')
    throw new RangeError(`a switch runs with a switch certificate, not ${nodeName(options.self)}`);
  const now = options.now ?? (() => new Date());
  const routeTimeoutMs = options.routeTimeoutMs ?? 10_000;
  let credentials = options.credentials;

  const targets = new TargetSessions((target) => {
    const where = options.directory(target);
    if (!where)
      return Promise.reject(
        new RegistryError(
          'not-found',
          `this switch serves no ${nodeName(target)}`,
          'switch.unknown-target',
        ),
      );
    return connectNetwork({
      self: options.self,
      credentials,
      expectedPeer: target,
      host: where.host,
      port: where.port,
      alerts: options.alerts,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.session ? { session: options.session } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    });
  });

  const listener: NetworkListener = await listenNetwork({
    self: options.self,
    credentials: options.credentials,
    host: options.host,
    port: options.port,
    alerts: options.alerts,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.session ? { session: options.session } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
    now,
    // Only CS reach a switch (the listener's allow-list check); route-request is all they may ask.
    onSession: (session, peer) =>
      session.handle('route-request', (m, context) => route(m, context, peer)),
  });

  async function route(m: RouteRequest, context: HandlerContext, caller: AuthenticatedPeer) {
    const started = performance.now();
    const at = now().toISOString();
    const record = (
      r: Pick<RouteRecord, 'outcome' | 'bytesUp' | 'bytesDown'> & {
        reason?: string;
        detail?: string;
      },
    ) =>
      options.records({
        at,
        caller: caller.name,
        target: m.target,
        ...r,
        durationMs: Math.round(performance.now() - started),
      });
    const refuse = (error: RegistryError) => {
      record({ outcome: 'refused', reason: error.reason ?? error.code, bytesUp: 0, bytesDown: 0 });
      return error;
    };

    const target = parseTarget(m.target);
    if (!target)
      throw refuse(new RegistryError('invalid', `${m.target} names no node`, 'switch.bad-target'));
    if (target.role !== 'cs') {
      const reason = `${caller.name} asked the switch to route to ${m.target}: a switch routes only CS to CS (R2)`;
      listener.recordAlert({
        kind: 'forbidden-operation',
        peerAddress: caller.address,
        peerName: caller.name,
        detail: reason,
      });
      throw refuse(new RegistryError('forbidden', reason, 'switch.target-not-cs'));
    }
    if (m.target === caller.name)
      throw refuse(
        new RegistryError('invalid', 'a CS cannot route to itself', 'switch.route-to-self'),
      );
    const fromCaller = context.upload;
    if (!fromCaller)
      throw refuse(
        new RegistryError('invalid', 'route-request must open a stream', 'switch.no-stream'),
      );

    let session: Session;
    try {
      session = await targets.get(target);
    } catch (e) {
      throw refuse(
        e instanceof RegistryError && e.code === 'not-found'
          ? e
          : new RegistryError(
              'unavailable',
              `cannot reach ${m.target}`,
              'switch.target-unreachable',
              { cause: e },
            ),
      );
    }
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), routeTimeoutMs);
    const call = session.call(routeRequest(m.target), { upload: true, signal: abort.signal });
    let reply;
    try {
      reply = await call.reply;
    } catch (e) {
      throw refuse(
        e instanceof RegistryError
          ? e
          : new RegistryError(
              'unavailable',
              `${m.target} did not accept the route`,
              'switch.target-refused',
              { cause: e },
            ),
      );
    } finally {
      clearTimeout(timer);
    }
    const fromTarget = reply.download;
    const toTarget = call.upload;
    if (!fromTarget || !toTarget) {
      call.cancel('route-accepted without a stream');
      throw refuse(
        new RegistryError(
          'unavailable',
          `${m.target} accepted without a stream`,
          'switch.target-no-stream',
        ),
      );
    }
    return streamingReply(reply.message, async (toCaller) => {
      try {
        const relayed = await relayRoute(
          { fromCaller, toTarget, fromTarget, toCaller },
          options.tap,
        );
        record({ outcome: 'relayed', ...relayed });
      } catch (e) {
        const relayed = e instanceof RelayError ? e.relayed : { bytesUp: 0, bytesDown: 0 };
        const cause = e instanceof RelayError ? e.cause : e;
        record({
          outcome: 'failed',
          reason: 'switch.route-broke-off',
          detail: cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause),
          ...relayed,
        });
        throw new RegistryError('unavailable', 'the route broke off', 'switch.route-broke-off', {
          cause: e,
        });
      }
    });
  }

  return {
    listener,
    address: listener.address,
    async reloadCrl(crlPem) {
      const cutCallers = await listener.reloadCrl(crlPem); // checks it first; throws if refused
      credentials = { ...credentials, crlPem };
      const revoked = new Set(readCrl(crlPem).revoked.map((r) => normalizeSerialNumber(r.serial)));
      const cut: AuthenticatedPeer[] = [];
      await targets.cutRevoked((session) => {
        const t = session.transport;
        const peer = t instanceof TlsTransport ? t.authenticated : undefined;
        if (!peer || !revoked.has(peer.serial)) return undefined;
        cut.push(peer);
        return new RegistryError(
          'forbidden',
          `the certificate of ${peer.name} (serial ${peer.serial}) was revoked`,
          'network.certificate-revoked',
        );
      });
      for (const peer of cut)
        listener.recordAlert({
          kind: 'certificate-revoked',
          peerAddress: peer.address,
          peerName: peer.name,
          detail: `the switch's own session to ${peer.name} was cut: certificate ${peer.serial} is revoked by the new CRL`,
        });
      return cutCallers + cut.length;
    },
    async close() {
      await Promise.all([listener.close(), targets.closeAll()]);
    },
  };
}

function parseTarget(name: string): NodeRef | undefined {
  try {
    return parseNodeName(name);
  } catch {
    return undefined;
  }
}

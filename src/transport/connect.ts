import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import type { NodeTlsCredentials } from '../pki/index.ts';
import { createSession, type HandlerMap, type Session } from '../protocol/index.ts';
import type { AlertStore } from '../storage/ports.ts';
import { AlertRecorder } from './alert-recorder.ts';
import { resolveNetworkLimits, type NetworkLimits } from './network-limits.ts';
import type { SessionSettings } from './network-listener.ts';
import { guardSession, registerHandlers, type Authorize } from './session-guard.ts';
import { dialTls, type DialTarget } from './tls-dial.ts';
import { TlsTransport } from './tls-transport.ts';

export type ConnectNetworkOptions = {
  readonly self: NodeRef;
  readonly credentials: NodeTlsCredentials;
  /** The node dialled: a server whose certificate names another node is refused. */
  readonly expectedPeer: NodeRef;
  readonly host: string;
  readonly port: number;
  /** Where refusals of the server are recorded (R11); without it they go to `onError`. */
  readonly alerts?: AlertStore;
  /** Handlers for requests the server may send back (behind the allow-list, like a listener's). */
  readonly handlers?: HandlerMap;
  readonly session?: SessionSettings;
  readonly limits?: Partial<
    Pick<NetworkLimits, 'handshakeTimeoutMs' | 'requestRate' | 'alertIntervalMs' | 'closeTimeoutMs'>
  >;
  readonly authorize?: Authorize;
  readonly now?: () => Date;
  readonly onError?: (error: unknown) => void;
};

/**
 * Opens a session to another node of the closed network (R8, R9): mutual TLS (tls-dial.ts), then
 * our protocol's hello exchange. Resolves once both hellos are done — the server has then
 * accepted this node too. Rejects with a RegistryError (`forbidden` / `unavailable`, reasons
 * `network.*`, see tls-dial.ts; `network.refused-by-peer` when the server closed the connection
 * before hello: it refused this node's certificate or role, and recorded why).
 *
 * Connections are long-lived (a full mutual handshake costs ~1.5 ms of server CPU): keep the
 * session and send many requests over it. Reconnecting after a close (`session.closed`) is the
 * caller's business, with back-off; every write is idempotent, so retrying a call whose outcome
 * is unknown is safe.
 */
export async function connectNetwork(options: ConnectNetworkOptions): Promise<Session> {
  return connectOver(options, { host: options.host, port: options.port });
}

/** `connectNetwork` over any target, e.g. a tunnel through the switch (src/switch). */
export async function connectOver(
  options: Omit<ConnectNetworkOptions, 'host' | 'port'>,
  target: DialTarget,
): Promise<Session> {
  const limits = resolveNetworkLimits(options.limits);
  const selfName = nodeName(options.self);
  const expected = nodeName(options.expectedPeer);
  const onError =
    options.onError ??
    ((e: unknown) => process.stderr.write(`jukinet ${selfName}: network side: ${String(e)}\n`));
  const alerts = new AlertRecorder({
    store: options.alerts ?? reportingStore(selfName, onError),
    observer: selfName,
    intervalMs: limits.alertIntervalMs,
    now: options.now ?? (() => new Date()),
    onStoreError: onError,
  });
  const started = performance.now();
  const { socket, peer } = await dialTls({
    credentials: options.credentials,
    expectedPeer: options.expectedPeer,
    target,
    timeoutMs: limits.handshakeTimeoutMs,
    alerts,
  });
  const transport = new TlsTransport(socket, peer, limits.closeTimeoutMs);
  const session = createSession({ ...options.session, transport, localNode: selfName });
  guardSession(session, {
    self: options.self,
    peer,
    alerts,
    requestRate: limits.requestRate,
    ...(options.authorize ? { authorize: options.authorize } : {}),
  });
  if (options.handlers) registerHandlers(session, options.handlers);

  const remaining = Math.max(1, limits.handshakeTimeoutMs - (performance.now() - started));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // TLS done, no hello: the server stalls us (or is not itself): an alert, as a listener would.
      alerts.record({
        kind: 'handshake-timeout',
        peerAddress: peer.address,
        peerName: peer.name,
        detail: `no complete handshake within ${limits.handshakeTimeoutMs} ms (stalled at: hello from the server)`,
      });
      reject(
        new RegistryError(
          'unavailable',
          `no hello from ${expected} within ${limits.handshakeTimeoutMs} ms`,
          'network.handshake-timeout',
        ),
      );
    }, remaining);
  });
  try {
    await Promise.race([session.ready, timedOut]);
    return session;
  } catch (e) {
    session.close();
    if (e instanceof RegistryError) throw e;
    throw new RegistryError(
      'unavailable',
      `${expected} closed the session before hello: it refused this node (${(e as Error).message})`,
      'network.refused-by-peer',
      { cause: e },
    );
  } finally {
    clearTimeout(timer);
  }
}

/** An AlertStore stand-in that hands alerts to `report` (a client without its own store). */
function reportingStore(observer: string, report: (e: unknown) => void): AlertStore {
  let id = 0;
  return {
    recordAlert(alert) {
      report(`${observer} alert ${alert.kind} from ${alert.peerAddress}: ${alert.detail}`);
      return Promise.resolve({ ...alert, id: ++id });
    },
    listAlerts: () => Promise.resolve([]),
    close: () => Promise.resolve(),
  };
}

import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { RegistryError } from '../domain/errors.ts';
import { mayConnect } from '../domain/network/allow-list.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import { excerptBytes } from '../domain/network/SecurityAlert.ts';
import {
  checkCrlUpdate,
  normalizeSerialNumber,
  type CrlSummary,
  type NodeTlsCredentials,
} from '../pki/index.ts';
import { createSession, type Session, type SessionOptions } from '../protocol/index.ts';
import type { AlertStore } from '../storage/ports.ts';
import { AlertRecorder, formatAddress, type AlertInput } from './alert-recorder.ts';
import type { AuthenticatedPeer } from './authenticated-peer.ts';
import { classifyFirstBytes } from './first-bytes.ts';
import { resolveNetworkLimits, type NetworkLimits } from './network-limits.ts';
import { OpenSessions, type OpenSession } from './open-sessions.ts';
import { PendingConnection } from './pending-connection.ts';
import { guardSession, type Authorize } from './session-guard.ts';
import { TlsAcceptor } from './tls-acceptor.ts';
import { TlsTransport } from './tls-transport.ts';
import { KeyedTokenBuckets, SharedTokenBuckets, type TokenBucket } from './token-bucket.ts';

/** Session settings a node may choose (the transport and its own name are the listener's). */
export type SessionSettings = Partial<Omit<SessionOptions, 'transport' | 'localNode'>>;

export type ListenNetworkOptions = {
  readonly self: NodeRef;
  readonly credentials: NodeTlsCredentials;
  readonly host: string;
  /** 0: any free port (tests). */
  readonly port: number;
  readonly alerts: AlertStore;
  /**
   * A peer's session is up to the hello exchange: register its handlers here
   * (`session.handle(kind, handler)`); every request passes the firewall (session-guard.ts) first.
   */
  readonly onSession: (session: Session, peer: AuthenticatedPeer) => void;
  readonly limits?: Partial<NetworkLimits>;
  readonly session?: SessionSettings;
  /** Default: the network allow-list. */
  readonly authorize?: Authorize;
  /** Clock for alert timestamps (default: the system clock). */
  readonly now?: () => Date;
  /** The alert store failed, or `onSession` threw (default: written to stderr). */
  readonly onError?: (error: unknown) => void;
};

export type NetworkListener = {
  readonly address: { readonly host: string; readonly port: number };
  /** Established sessions, with the node each one's certificate named. */
  sessions(): OpenSession[];
  /**
   * Loads a new CRL (checked against the network CA's signature, and refused when older than the
   * loaded one: `checkCrlUpdate`, alert `crl-refused`): new handshakes use it, and every open
   * session whose peer certificate it lists is cut at once, with a `certificate-revoked` alert.
   * Returns the number of sessions cut.
   */
  reloadCrl(crlPem: string): Promise<number>;
  /**
   * Emergency cut-off (R11): cuts every session of `peerName` now and refuses its new
   * connections until `readmit`; records `node-isolated`. Returns the number of sessions cut.
   * Pair it with a revocation at the CA (`juki pki revoke`) so that no other node accepts it.
   */
  disconnect(peerName: string, reason?: string): number;
  readmit(peerName: string): boolean;
  /**
   * Adds a session this node accepted another way — an inner session through the switch
   * (src/switch/route-endpoint.ts) — to those `reloadCrl` and `disconnect` act on, and to its
   * node's sessions (`maxSessionsPerPeer`, the shared request budget). Returns false (and cuts
   * it) when its node is isolated (alert `node-isolated`) or holds the most sessions already
   * (alert `rate-limited`).
   */
  track(entry: OpenSession): boolean;
  /**
   * The request budget all sessions of `peerName` share (R11), while one is open or tracked: what
   * a tracked inner session's guard takes from (route-endpoint.ts `requestBucket`).
   */
  requestBucket(peerName: string): TokenBucket | undefined;
  /** Raises an alert as this node (for signs of intrusion a node's own logic sees). */
  recordAlert(alert: AlertInput): void;
  /** Resolves when every alert raised so far is stored. */
  flushAlerts(): Promise<void>;
  /** Stops accepting, ends sessions gracefully (goaway), cuts what remains after the grace time. */
  close(): Promise<void>;
};

/**
 * The network side of a node (R8–R11; docs/NETWORK.md "The listener"): one TCP port that speaks
 * only our protocol inside mutual TLS. Each new connection goes through, in order:
 *
 * 1. the per-address connection rate (`rate-limited`);
 * 2. the first bytes: a TLS handshake record, else `not-our-protocol` with what came;
 * 3. the TLS handshake (TLS 1.3, network CA, CRL, client certificate required): failures are
 *    `tls-handshake-failed`, `certificate-revoked`, `certificate-expired`;
 * 4. who came: the certificate must name a node the allow-list lets connect to this node
 *    (`mayConnect(peer, self)`), else `unexpected-peer`; an isolated node, `node-isolated`;
 * 5. the hello exchange; 2–5 together within `handshakeTimeoutMs`, else `handshake-timeout`;
 * 6. then every request: request rate and allow-list (session-guard.ts); bad frames.
 *
 * After the handshake, a node (by its certificate) holding `maxSessionsPerPeer` sessions already
 * is refused one more (`rate-limited`); all sessions of a node share one request budget.
 */
export async function listenNetwork(options: ListenNetworkOptions): Promise<NetworkListener> {
  const limits = resolveNetworkLimits(options.limits);
  const self = options.self;
  const selfName = nodeName(self);
  const now = options.now ?? (() => new Date());
  const onError =
    options.onError ??
    ((e: unknown) => process.stderr.write(`jukinet ${selfName}: network side: ${String(e)}\n`));
  const alerts = new AlertRecorder({
    store: options.alerts,
    observer: selfName,
    intervalMs: limits.alertIntervalMs,
    now,
    onStoreError: onError,
  });
  const open = new OpenSessions();
  const connectionBuckets = new KeyedTokenBuckets(limits.connectionRate);
  /** Each peer node's request budget, shared by its sessions; its holders are its sessions. */
  const peerBudgets = new SharedTokenBuckets(limits.requestRate);
  /** Whether `peerName` holds `maxSessionsPerPeer` sessions (open or in hello) already. */
  const atSessionCap = (peerName: string) =>
    peerBudgets.holders(peerName) >= limits.maxSessionsPerPeer;
  const refuseAtSessionCap = (peerName: string, address: string) =>
    alerts.record({
      kind: 'rate-limited',
      peerAddress: address,
      peerName,
      detail: `${peerName} already holds ${limits.maxSessionsPerPeer} sessions with this node (the most per node): one more from ${address} refused`,
    });
  /** Counts `session` among its node's until it closes; returns the node's shared bucket. */
  const holdPeerBudget = (peerName: string, session: Session) => {
    const lease = peerBudgets.acquire(peerName, performance.now());
    void session.closed.then(() => lease.release());
    return lease.bucket;
  };
  const pendings = new Set<PendingConnection>();
  /** What each pending connection was waiting for, for the timeout alert. */
  const stage = new WeakMap<PendingConnection, string>();
  let closing = false;

  const acceptor = new TlsAcceptor({
    credentials: options.credentials,
    alerts,
    handshakeTimeoutMs: limits.handshakeTimeoutMs + 1_000,
    admit: (peer) => {
      const decision = mayConnect(peer, self);
      return decision.allowed ? undefined : decision.reason;
    },
    onSecure: (socket, peer, pending) => startSession(socket, peer, pending),
  });

  function startSession(socket: TLSSocket, peer: AuthenticatedPeer, pending: PendingConnection) {
    if (open.isIsolated(peer.name)) {
      if (!pending.settle()) return;
      alerts.record({
        kind: 'node-isolated',
        peerAddress: pending.address,
        peerName: peer.name,
        detail: `a connection from ${peer.name}, which an operator cut off, was refused`,
      });
      return pending.destroy();
    }
    if (atSessionCap(peer.name)) {
      if (!pending.settle()) return;
      refuseAtSessionCap(peer.name, pending.address);
      return pending.destroy();
    }
    stage.set(pending, 'hello');
    pendings.delete(pending); // from now on the session ends it (its deadline still runs)
    const transport = new TlsTransport(socket, peer, limits.closeTimeoutMs);
    const session = createSession({ ...options.session, transport, localNode: selfName });
    guardSession(session, {
      self,
      peer,
      alerts,
      requestRate: limits.requestRate,
      requestBucket: holdPeerBudget(peer.name, session),
      ...(options.authorize ? { authorize: options.authorize } : {}),
    });
    open.add({ peer, session, transport });
    try {
      options.onSession(session, peer);
    } catch (e) {
      session.close(e instanceof Error ? e : new Error(String(e)));
      onError(e);
    }
    session.ready.then(
      () => pending.settle(),
      () => pending.settle(), // the session said why (a violation alert, or a closed peer)
    );
  }

  function onConnection(raw: net.Socket) {
    raw.on('error', () => undefined); // ends in 'close'; what it meant is recorded elsewhere
    const address = formatAddress(raw.remoteAddress, raw.remotePort);
    if (closing) return void raw.destroy();
    if (!connectionBuckets.take(raw.remoteAddress ?? address, performance.now())) {
      alerts.record({
        kind: 'rate-limited',
        peerAddress: address,
        detail: `more than ${limits.connectionRate.perSecond} new connections per second (burst ${limits.connectionRate.burst}) from this address: refused`,
      });
      return void raw.destroy();
    }
    const pending = new PendingConnection(raw, address, limits.handshakeTimeoutMs, (p) =>
      alerts.record({
        kind: 'handshake-timeout',
        peerAddress: p.address,
        peerName: p.peerName,
        detail: `no complete handshake within ${limits.handshakeTimeoutMs} ms (stalled at: ${stage.get(p) ?? 'first bytes'})`,
      }),
    );
    pendings.add(pending);
    raw.once('close', () => pendings.delete(pending));
    sniff(raw, pending);
  }

  function sniff(raw: net.Socket, pending: PendingConnection) {
    const chunks: Buffer[] = [];
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      const bytes = chunks.length === 1 ? chunk : Buffer.concat(chunks);
      const verdict = classifyFirstBytes(bytes);
      if (verdict === 'need-more') return;
      raw.off('data', onData);
      raw.off('end', onEnd);
      raw.off('close', onEnd);
      raw.pause();
      if (verdict === 'tls') {
        stage.set(pending, 'the TLS handshake');
        raw.unshift(bytes);
        return acceptor.accept(pending);
      }
      if (!pending.settle()) return;
      alerts.record({
        kind: 'not-our-protocol',
        peerAddress: pending.address,
        detail: `not a TLS handshake: ${excerptBytes(bytes)}`,
      });
      raw.destroy();
    };
    const onEnd = () => {
      if (!pending.settle()) return;
      const seen = Buffer.concat(chunks);
      alerts.record({
        kind: 'not-our-protocol',
        peerAddress: pending.address,
        detail:
          seen.length === 0
            ? 'the connection closed without sending a byte'
            : `the connection closed after: ${excerptBytes(seen)}`,
      });
      raw.destroy();
    };
    raw.on('data', onData);
    raw.once('end', onEnd);
    raw.once('close', onEnd);
  }

  const server = net.createServer({ pauseOnConnect: false }, onConnection);
  server.maxConnections = limits.maxConnections;
  server.on('drop', (data?: { remoteAddress?: string; remotePort?: number }) =>
    alerts.record({
      kind: 'rate-limited',
      peerAddress: formatAddress(data?.remoteAddress, data?.remotePort),
      detail: `more than ${limits.maxConnections} connections open at once: refused`,
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address() as net.AddressInfo;

  return {
    address: { host: bound.address, port: bound.port },
    sessions: () => open.list(),

    async reloadCrl(crlPem) {
      let crl: CrlSummary;
      try {
        crl = await checkCrlUpdate(crlPem, acceptor.credentials);
      } catch (e) {
        if (e instanceof RegistryError)
          alerts.record({ kind: 'crl-refused', peerAddress: 'local', detail: e.message });
        throw e;
      }
      const serials = new Set(crl.revoked.map((r) => normalizeSerialNumber(r.serial)));
      acceptor.reloadCrl(crlPem);
      const cut = open.cutRevoked(serials);
      for (const e of cut)
        alerts.record({
          kind: 'certificate-revoked',
          peerAddress: e.peer.address,
          peerName: e.peer.name,
          detail: `an open session was cut: certificate ${e.peer.serial} is revoked by the new CRL`,
        });
      return cut.length;
    },

    disconnect(peerName, reason = 'emergency cut-off') {
      const cut = open.isolate(peerName);
      alerts.record({
        kind: 'node-isolated',
        peerAddress: cut[0]?.peer.address ?? 'none',
        peerName,
        detail: `${reason}: ${cut.length} open session(s) cut; new connections refused until readmitted`,
      });
      return cut.length;
    },

    readmit: (peerName) => open.readmit(peerName),
    recordAlert: (alert) => alerts.record(alert),

    requestBucket: (peerName) => peerBudgets.bucketOf(peerName),

    track(entry) {
      if (!open.isIsolated(entry.peer.name)) {
        if (atSessionCap(entry.peer.name)) {
          refuseAtSessionCap(entry.peer.name, entry.peer.address);
          entry.transport.destroy();
          return false;
        }
        holdPeerBudget(entry.peer.name, entry.session);
        open.add(entry);
        return true;
      }
      alerts.record({
        kind: 'node-isolated',
        peerAddress: entry.peer.address,
        peerName: entry.peer.name,
        detail: `an inner session from ${entry.peer.name}, which an operator cut off, was refused`,
      });
      entry.transport.destroy();
      return false;
    },
    flushAlerts: () => alerts.flush(),

    async close() {
      if (closing) return;
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const p of pendings) if (p.settle()) p.destroy();
      await open.closeAll(limits.closeTimeoutMs);
      await closed;
      await alerts.flush();
    },
  };
}

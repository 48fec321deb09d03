import { RegistryError } from '../domain/errors.ts';
import { nodeName } from '../domain/network/NodeRef.ts';
import { registerIntegrityHandlers } from '../integrity/index.ts';
import { readNodeBundle } from '../pki/pki-directory.ts';
import type { NodeTlsCredentials } from '../pki/tls-profile.ts';
import { openRegisterFeed } from '../register/open-register.ts';
import type { RegisterFeed } from '../register/register-feed.ts';
import type { RegisterStore } from '../register/RegisterStore.ts';
import { openAlertStore, openIdentityStore } from '../storage/open-store.ts';
import type { AlertStore, IdentityStore } from '../storage/ports.ts';
import type { SwitchNode } from '../switch/switch-node.ts';
import { listenNetwork, type NetworkListener } from '../transport/network-listener.ts';
import { ChangeReceiver } from './change-notice-handler.ts';
import { todayInJapan } from './japan-date.ts';
import { errorText, type Logger } from './json-log.ts';
import type { NodeConfig } from './node-config.ts';
import { RegisterPump } from './register-pump.ts';
import { terminalRoutes } from './node-terminal.ts';
import { startTerminalSides } from './node-terminal-sides.ts';
import { openNodeAccessLog } from './node-web-terminal.ts';
import { SYSTEM_OPERATOR } from '../domain/audit/access-log.ts';
import type { SenderStatus } from './upstream-sender.ts';
import { startUpstream } from './node-upstream.ts';
import { startMaintenance, type NodeMaintenance } from './node-maintenance.ts';
import { startProvision } from './node-provision.ts';
import { startReports } from './node-reports.ts';
import { startRejections, type NodeRejections } from './node-rejections.ts';
import { openAnalysisSource } from './node-analysis-requests.ts';
import { startNodeAnalysis } from './node-analysis.ts';
import { startAuditAnchor } from './node-audit-anchor.ts';
import {
  RouteRecordLog,
  routeCheckFromTerminal,
  startCsRoutes,
  startRunningSwitch,
  type RouteCheck,
} from './node-routes.ts';
import type { RouteRecord } from '../switch/RouteRecord.ts';
import { startNodeCrl, type CrlHealth } from './node-crl.ts';
import {
  answerWideAreaCopy,
  restoreWideAreaSuspensions,
  type WideAreaResidence,
} from './node-wide-area.ts';
import { answerMoveOutCertificate } from './node-move-special.ts';
import { DEFAULT_WIDE_AREA_LIMITS, WideAreaThrottle } from '../domain/wide-area/wide-area-copy.ts';
import { loadLocalGovernmentTable } from '../reference-data/local-governments.ts';

export type NodeHealth = {
  readonly node: string;
  readonly status: 'ok' | 'degraded';
  readonly startedAt: string;
  readonly identities: number | undefined;
  readonly outbox: number | undefined;
  readonly sessions: number;
  readonly upstream: SenderStatus | undefined;
  readonly register: { taken: number; refused: number; lastError: string | undefined } | undefined;
  /** The loaded CRL: number, nextUpdate, hours left (`expiring` under 6 h: docs/PKI.md). */
  readonly crl: CrlHealth | undefined;
};

/** A running node; retention and the integrity check come from its NodeMaintenance. */
export type RunningNode = NodeMaintenance & {
  readonly config: NodeConfig;
  readonly network: { readonly host: string; readonly port: number } | undefined;
  readonly terminal: { readonly host: string; readonly port: number } | undefined;
  /** The web terminal (operators with WebAuthn, docs/WEB-TERMINAL.md), when configured. */
  readonly webTerminal?: { readonly host: string; readonly port: number } | undefined;
  health(): Promise<NodeHealth>;
  /** Emergency cut-off of one peer (R11): its sessions are cut and it is refused until readmitted. */
  isolate(peerName: string, reason: string): number;
  readmit(peerName: string): boolean;
  /** A CS: one `route-echo` round trip with CS `to` through the switch (R2, node-routes.ts). */
  routeCheck(to: string): Promise<RouteCheck>;
  /** The switch: its newest route records, newest first (who, when, bytes; never content). */
  routeRecords(limit: number): RouteRecord[];
  /** Graceful shutdown: stop taking work, finish what is in flight, close the stores. */
  close(): Promise<void>;
};

/**
 * Runs one node of any role from its validated config (docs/OPERATIONS.md):
 * - a CS: its municipality's register feed → the CS store → the prefecture server;
 * - a prefecture server: applies its CSs' changes (R19) and forwards them to the national server;
 * - the national server: applies the prefectures' changes;
 * - the switch: relays CS-to-CS routes (R2).
 * Each keeps its state in its own store; everything crossing the network is mutual TLS 1.3 and
 * our protocol; the terminal side serves health and operator actions.
 */
export async function startNode(config: NodeConfig, log: Logger): Promise<RunningNode> {
  const self = config.node;
  const selfName = nodeName(self);
  const startedAt = new Date().toISOString();
  let credentials = await loadCredentials(config.bundleDir);
  const storeOptions = config.storeSchema ? { schema: config.storeSchema } : {};
  const today = () => todayInJapan();
  const closers: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    for (const c of closers.splice(0).reverse()) {
      await c().catch((e: unknown) => log.error('node.close-failed', { error: errorText(e) }));
    }
  };

  try {
    const alerts: AlertStore = await openAlertStore(config.store, storeOptions);
    closers.push(() => alerts.close());
    const store: IdentityStore | undefined =
      self.role === 'switch' || self.role === 'agency'
        ? undefined
        : await openIdentityStore(config.store, { ...storeOptions, backgroundCheckpoint: true });
    if (store) closers.push(() => store.close());

    // ── upstream: a CS's prefecture, a prefecture's national server ─────────────────────────
    let feed: RegisterFeed | undefined;
    let register: RegisterStore | undefined;
    let rejections: NodeRejections | undefined;
    const {
      sender,
      session: upstreamSession,
      connect: connectUpstream,
    } = startUpstream({
      config,
      store,
      credentials: () => credentials,
      alerts,
      log,
      onRejected: async (entry, upstream, rejection) => {
        await feed?.recordUpstreamRejection(entry.event.transactionId, upstream, rejection);
        await rejections?.recordForwarded(entry, upstream, rejection);
      },
      closers,
    });

    // ── provision (R13, R21): the national server and prefecture servers answer; agencies ask ──
    const provision =
      store && (self.role === 'national' || self.role === 'prefecture')
        ? await startProvision({
            config,
            store,
            storeOptions,
            today,
            upstream: upstreamSession,
            log,
          })
        : undefined;
    if (provision) closers.push(() => provision.close());
    // ── 報告要求 (R5, R6): every node but the switch; docs/REPORTS.md ───────────────────────────
    const analysisRequests =
      self.role === 'cs' || self.role === 'prefecture' || self.role === 'national'
        ? await openAnalysisSource({ config, storeOptions, identities: store })
        : undefined;
    if (analysisRequests) closers.push(() => analysisRequests.close());
    const reports =
      self.role === 'switch'
        ? undefined
        : await startReports({
            config,
            storeOptions,
            upstream: upstreamSession,
            log,
            analysis: analysisRequests,
            onRefused: (peer, detail) =>
              listener?.recordAlert({
                kind: 'forbidden-operation',
                peerAddress: 'session',
                peerName: nodeName(peer),
                detail,
              }),
          });
    if (reports) closers.push(() => reports.close());
    // ── access-log analysis (R16): the national server and prefecture servers ─────────────────
    const analysis = await startNodeAnalysis({ config, storeOptions, log });
    if (analysis) closers.push(() => analysis.close());

    // ── a CS: its municipality's register feeds it ──────────────────────────────────────────
    let pump: RegisterPump | undefined;
    if (config.register && store) {
      const opened = await openRegisterFeed(config.register, {
        municipality: self.code,
        ...(config.registerSchema ? { schema: config.registerSchema } : {}),
      });
      feed = opened;
      register = opened;
      closers.push(() => opened.close());
      pump = new RegisterPump({
        feed: opened,
        store,
        today,
        batchSize: config.delivery.batchSize,
        pollMs: config.delivery.pollMs,
        retry: config.delivery.retry,
        onQueued: () => sender?.notify(),
        log,
      });
      const p = pump;
      closers.push(() => p.stop());
    }
    // ── refusals further up (R19): a prefecture keeps them, its CSs fetch them ──────────────────
    const rej = await startRejections({
      config,
      storeOptions,
      upstream: upstreamSession,
      feed,
      log,
      onRefused: (peer, detail) =>
        listener?.recordAlert({
          kind: 'forbidden-operation',
          peerAddress: 'session',
          peerName: nodeName(peer),
          detail,
        }),
    });
    if (rej) {
      closers.push(() => rej.close());
      rejections = rej;
    }
    // ── access-log seals anchored at the upstream node (R23; docs/AUDIT.md) ──────────────────
    const anchor = await startAuditAnchor({
      config,
      storeOptions,
      upstream: upstreamSession,
      log,
      alert: (a) => listener?.recordAlert(a),
    });
    if (anchor) closers.push(() => anchor.close());
    // The access log (R23): the terminal sides record every act; a CS records there too what it
    // answers another CS about its residents (広域交付, 転入転出の特例).
    const accessLog = await openNodeAccessLog(config, log, anchor && (() => anchor.notify()));
    closers.push(() => accessLog.close());

    // ── network side ────────────────────────────────────────────────────────────────────────
    let listener: NetworkListener | undefined;
    let switchNode: SwitchNode | undefined;
    const routeLog = new RouteRecordLog();
    const table = self.role === 'cs' ? loadLocalGovernmentTable() : undefined;
    const wideAreaResidence: WideAreaResidence | undefined = table && {
      self,
      register: () => register,
      identities: store,
      table,
      throttle: new WideAreaThrottle(config.wideArea ?? DEFAULT_WIDE_AREA_LIMITS),
      alert: (a) => listener?.recordAlert(a),
      record: (act) =>
        accessLog.access.append({
          at: new Date().toISOString(),
          node: selfName,
          operator: SYSTEM_OPERATOR,
          ...act,
        }),
      log,
    };
    if (wideAreaResidence) {
      const restored = await restoreWideAreaSuspensions(wideAreaResidence.throttle, {
        alerts,
        access: accessLog.store,
      });
      if (restored > 0) log.warn('wide-area.suspensions-restored', { cards: restored });
    }
    const csRoutes =
      self.role === 'cs'
        ? startCsRoutes({
            config,
            credentials: () => credentials,
            alerts,
            listener: () => listener,
            ...(wideAreaResidence
              ? {
                  wideArea: (m, caller) => answerWideAreaCopy(wideAreaResidence, m, caller),
                  moveOut: (m, caller) => answerMoveOutCertificate(wideAreaResidence, m, caller),
                }
              : {}),
            log,
          })
        : undefined;
    if (csRoutes) closers.push(() => csRoutes.close());
    if (config.listen && self.role === 'switch') {
      switchNode = await startRunningSwitch({ config, credentials, alerts, routeLog, log });
      listener = switchNode.listener;
      const sw = switchNode;
      closers.push(() => sw.close());
    } else if (config.listen && store) {
      const receiver = new ChangeReceiver({
        store,
        today,
        forward: self.role === 'prefecture',
        onApplied: () => sender?.notify(),
        onOutOfScope: (peer, reason) => {
          log.warn('change.out-of-scope', { peer: nodeName(peer), reason });
          listener?.recordAlert({
            kind: 'forbidden-operation',
            peerAddress: 'session',
            peerName: nodeName(peer),
            detail: reason,
          });
        },
      });
      listener = await listenNetwork({
        self,
        credentials,
        host: config.listen.host,
        port: config.listen.port,
        alerts,
        onSession: (session, peer) => {
          receiver.attach(session, peer.node);
          registerIntegrityHandlers(session, { store, self, peer: peer.node });
          provision?.attach(session, peer.node);
          reports?.attach(session, peer.node);
          rejections?.attach(session, peer.node);
          anchor?.attach(session, peer);
          csRoutes?.attach(session, peer);
        },
        onError: (e) => log.error('network.error', { error: errorText(e) }),
      });
      const l = listener;
      closers.push(async () => {
        await l.close();
        await receiver.drain();
      });
    }

    // ── revocation list: reloaded within seconds of `juki pki revoke` (R11; node-crl.ts) ────
    const networkSide = switchNode ?? listener; // the switch reloads its dials to targets too
    const crl = startNodeCrl({
      bundleDir: config.bundleDir,
      observer: selfName,
      credentials: () => credentials,
      reload: networkSide && ((pem) => networkSide.reloadCrl(pem)),
      accept: (crlPem) => {
        credentials = { ...credentials, crlPem };
        sender?.reconnect();
        upstreamSession?.reset();
        csRoutes?.reset();
      },
      alerts,
      log,
    });
    closers.push(() => Promise.resolve(crl.close()));

    // ── retention and the integrity check, by hand and on schedule ─────────────────────────────
    const maintenance = startMaintenance({
      config,
      store,
      connectUpstream,
      today,
      log,
      closers,
    });

    const health = async (): Promise<NodeHealth> => {
      const upstream = sender?.status();
      const crlHealth = crl.health();
      return {
        node: selfName,
        status:
          (upstream && !upstream.connected) || (crlHealth && crlHealth.state !== 'ok')
            ? 'degraded'
            : 'ok',
        startedAt,
        identities: await store?.countIdentities(),
        outbox: await store?.countOutbox(),
        sessions: listener?.sessions().length ?? 0,
        upstream,
        register: pump?.status(),
        crl: crlHealth,
      };
    };

    const node: RunningNode = {
      config,
      network: listener?.address,
      terminal: undefined,
      health,
      ...maintenance,
      isolate: (peer, reason) => {
        log.warn('node.isolated', { peer, reason });
        return listener?.disconnect(peer, reason) ?? 0;
      },
      readmit: (peer) => {
        log.info('node.readmitted', { peer });
        return listener?.readmit(peer) ?? false;
      },
      routeCheck: (to) => routeCheckFromTerminal(csRoutes, self, { to }),
      routeRecords: (limit) => routeLog.list(limit),
      close,
    };

    // ── terminal side ───────────────────────────────────────────────────────────────────────
    const counter = register && pump && { store: register, today, notify: () => pump.notify() };
    const routes = terminalRoutes({
      self,
      node,
      provision,
      upstream: upstreamSession,
      log,
      reports,
      alerts,
      analysis,
      rejections,
      counter,
      wideAreaThrottle: wideAreaResidence?.throttle,
      wideArea: csRoutes &&
        table && {
          self,
          table,
          ask: (to, m) => csRoutes.ask(to, m),
          log,
        },
      moveIn: csRoutes &&
        table && {
          self,
          table,
          counter,
          ask: (to, m) => csRoutes.ask(to, m),
          log,
        },
    });
    const { terminal, webTerminal } = await startTerminalSides({
      config,
      self,
      routes,
      log,
      accessLog,
      closers,
      reportSources: {
        alerts,
        provision: provision?.store,
        // A switch keeps no register: it checks and erases nothing.
        ...(self.role === 'switch'
          ? {}
          : { integrityChecks: (n) => node.integrityChecks(n), erasures: (n) => node.erasures(n) }),
      },
    });

    sender?.start();
    pump?.start();
    log.info('node.started', {
      network: listener ? `${listener.address.host}:${listener.address.port}` : undefined,
      terminal: terminal ? `${terminal.host}:${terminal.port}` : undefined,
      webTerminal: webTerminal ? `${webTerminal.host}:${webTerminal.port}` : undefined,
      upstream: config.upstream ? nodeName(config.upstream.node) : undefined,
    });
    return { ...node, terminal, webTerminal };
  } catch (e) {
    await close();
    throw e;
  }
}

async function loadCredentials(dir: string): Promise<NodeTlsCredentials> {
  try {
    return await readNodeBundle(dir);
  } catch (e) {
    throw new RegistryError(
      'not-found',
      `証明書を読めません / cannot read the node's certificate bundle in ${dir}: ${errorText(e)} — issue one with juki pki issue (or juki network init)`,
      'config.bundle-unreadable',
    );
  }
}

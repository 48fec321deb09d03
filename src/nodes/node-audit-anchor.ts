import { anchorConflictDetail, anchorSeals, sealCertificate } from '../audit/index.ts';
import { RegistryError } from '../domain/errors.ts';
import { nodeName, prefectureOfCs, type NodeRef } from '../domain/network/NodeRef.ts';
import { readNodeBundle } from '../pki/pki-directory.ts';
import {
  AUDIT_ANCHOR_MAX_SEALS,
  type AuditAnchorAck,
  type AuditSealAnchor,
} from '../protocol/messages/AuditSealAnchor.ts';
import type { Session } from '../protocol/session/session.ts';
import { openAuditAnchorStore, type AuditAnchorStore } from '../storage/audit-anchor-store.ts';
import { openAccessLogStore } from '../storage/open-store.ts';
import type { AccessLogStore } from '../storage/ports.ts';
import type { AlertInput } from '../transport/alert-recorder.ts';
import type { AuthenticatedPeer } from '../transport/authenticated-peer.ts';
import { errorText, type Logger } from './json-log.ts';
import type { NodeConfig } from './node-config.ts';
import type { UpstreamSession } from './upstream-session.ts';

/*
 * アクセスログ封印の外部保管 (R23; docs/AUDIT.md "Anchoring at the upstream node"):
 * - a CS, a prefecture server and an agency server send each seal of their access log to their
 *   upstream node (`audit-seal-anchor`), on each seal, at start and every
 *   `schedule.anchorSeconds`, from a durable cursor: a node cut off from its upstream node
 *   anchors what it sealed meanwhile when it is back;
 * - a prefecture server and the national server keep what their downstream nodes send,
 *   append-only, checked against the caller's TLS certificate. The national server and the
 *   switch have no upstream node: their seals stay their own.
 */

export type AnchorRunReport = {
  /** The upstream node, `prefecture:13`. */
  readonly upstream: string;
  /** Seals acknowledged in this run. */
  readonly sent: number;
  /** The highest seal number acknowledged so far (the cursor). */
  readonly uptoSeal: number;
};

export type NodeAuditAnchor = {
  /** A prefecture or national server: the `audit-seal-anchor` handler (in onSession). */
  attach(session: Session, peer: AuthenticatedPeer): void;
  /** The node sealed its log: anchor in the background. */
  notify(): void;
  /** Sends every seal not yet anchored now. */
  run(): Promise<AnchorRunReport>;
  close(): Promise<void>;
};

export type NodeAuditAnchorOptions = {
  readonly config: NodeConfig;
  readonly storeOptions: { readonly schema?: string };
  /** The session to the upstream node (a CS's prefecture, a prefecture's or agency's national). */
  readonly upstream: UpstreamSession | undefined;
  readonly log: Logger;
  /** A conflicting seal or a refused caller: the node records an alert. */
  readonly alert: (alert: AlertInput) => void;
  /** How long `close` waits for the last seal to be anchored (default 5000 ms). */
  readonly closeWaitMs?: number;
};

const SENDERS = new Set(['cs', 'prefecture', 'agency']);

/** Is `peer` a node whose seals `self` keeps? A CS of its prefecture; a prefecture or agency. */
const keepsSealsOf = (self: NodeRef, peer: NodeRef): boolean =>
  (self.role === 'prefecture' && peer.role === 'cs' && prefectureOfCs(peer) === self.code) ||
  (self.role === 'national' && (peer.role === 'prefecture' || peer.role === 'agency'));

export async function startAuditAnchor(
  o: NodeAuditAnchorOptions,
): Promise<NodeAuditAnchor | undefined> {
  const self = o.config.node;
  const receives = self.role === 'prefecture' || self.role === 'national';
  const sends = SENDERS.has(self.role) && o.upstream !== undefined && o.config.upstream;
  if (!receives && !sends) return undefined;
  const anchors = await openAuditAnchorStore(o.config.store, o.storeOptions);
  let sender: AnchorSender | undefined;
  try {
    if (sends)
      sender = new AnchorSender(
        o,
        anchors,
        await openAccessLogStore(o.config.store, o.storeOptions),
      );
  } catch (e) {
    await anchors.close();
    throw e;
  }
  const every = o.config.schedule.anchorSeconds ?? 0;
  if (sender) sender.start(every);
  return {
    attach: (session, peer) => {
      if (receives) serveAnchors(session, peer, { self, anchors, log: o.log, alert: o.alert });
    },
    notify: () => sender?.notify(),
    run: () =>
      sender
        ? sender.run()
        : Promise.reject(
            new RegistryError(
              'invalid',
              `${nodeName(self)} には封印を送る上位ノードがありません / ${nodeName(self)} has no upstream node to anchor its seals at`,
              'audit.no-anchor-upstream',
            ),
          ),
    close: async () => {
      await sender?.stop(o.closeWaitMs ?? 5000);
      await anchors.close();
    },
  };
}

/** The upstream node's side: keeps a downstream node's seals, verified with its certificate. */
function serveAnchors(
  session: Session,
  peer: AuthenticatedPeer,
  o: {
    readonly self: NodeRef;
    readonly anchors: AuditAnchorStore;
    readonly log: Logger;
    readonly alert: (alert: AlertInput) => void;
  },
): void {
  session.handle('audit-seal-anchor', async (m: AuditSealAnchor): Promise<AuditAnchorAck> => {
    const refuse = (e: RegistryError): never => {
      o.log.warn('audit.anchor-refused', {
        peer: peer.name,
        reason: e.reason,
        seals: m.seals.length,
      });
      throw e;
    };
    if (!keepsSealsOf(o.self, peer.node)) {
      const detail = `${peer.name} の封印は ${nodeName(o.self)} では保管しません / ${nodeName(o.self)} does not keep the seals of ${peer.name}`;
      o.alert({
        kind: 'forbidden-operation',
        peerAddress: peer.address,
        peerName: peer.name,
        detail,
      });
      refuse(new RegistryError('forbidden', detail, 'audit.anchor-caller'));
    }
    if (peer.certificate === undefined)
      refuse(
        new RegistryError(
          'forbidden',
          '送信元の証明書がありません / the caller presented no certificate to verify its seals with',
          'audit.anchor-signature',
        ),
      );
    try {
      const ack = await anchorSeals(
        o.anchors,
        { node: peer.name, certificate: peer.certificate! },
        m.seals,
        {
          onConflict: (conflict) => {
            const detail = anchorConflictDetail(conflict);
            o.log.error('audit.anchor-conflict', { peer: peer.name, detail });
            o.alert({
              kind: 'audit-anchor-conflict',
              peerAddress: peer.address,
              peerName: peer.name,
              detail,
            });
          },
        },
      );
      o.log.info('audit.anchored', { peer: peer.name, ...ack });
      return { kind: 'audit-anchor-ack', ...ack };
    } catch (e) {
      if (e instanceof RegistryError) return refuse(e);
      throw e;
    }
  });
}

/**
 * The downstream node's side: sends the seals after its cursor, a page at a time, and moves the
 * cursor only once the upstream node acknowledged them. Runs one at a time; a notice during a run
 * runs again after it.
 */
class AnchorSender {
  readonly #o: NodeAuditAnchorOptions;
  readonly #anchors: AuditAnchorStore;
  readonly #log: AccessLogStore;
  readonly #upstream: string;
  #running: Promise<AnchorRunReport> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(o: NodeAuditAnchorOptions, anchors: AuditAnchorStore, log: AccessLogStore) {
    this.#o = o;
    this.#anchors = anchors;
    this.#log = log;
    this.#upstream = nodeName(o.config.upstream!.node);
  }

  run(): Promise<AnchorRunReport> {
    this.#running ??= this.#once().finally(() => {
      this.#running = undefined;
      if (this.#again && !this.#stopped) {
        this.#again = false;
        this.notify();
      }
    });
    return this.#running;
  }

  notify(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    void this.run().catch((e: unknown) =>
      this.#o.log.warn('audit.anchor-failed', { upstream: this.#upstream, error: errorText(e) }),
    );
  }

  /** At start (what was sealed while the node was down or cut off), then every `seconds`. */
  start(seconds: number): void {
    this.notify();
    if (seconds <= 0) return;
    this.#timer = setInterval(() => this.notify(), seconds * 1000);
    this.#timer.unref();
  }

  /** Waits (at most `waitMs`) for the seal made at stop to be anchored, then stops. */
  async stop(waitMs: number): Promise<void> {
    clearInterval(this.#timer);
    const last = this.run().catch((e: unknown) =>
      this.#o.log.warn('audit.anchor-failed', { upstream: this.#upstream, error: errorText(e) }),
    );
    this.#stopped = true;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([last, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    clearTimeout(timer);
    await this.#log.close();
  }

  async #once(): Promise<AnchorRunReport> {
    const upstream = this.#upstream;
    const own = sealCertificate((await readNodeBundle(this.#o.config.bundleDir)).certPem);
    let cursor = await this.#anchors.anchorCursor(upstream);
    let sent = 0;
    for (;;) {
      const page = await this.#log.seals(cursor, AUDIT_ANCHOR_MAX_SEALS);
      if (page.length === 0) break;
      // A seal signed with an earlier certificate cannot be checked against the one this node
      // presents now: it is not sent (docs/AUDIT.md).
      const seals = page.filter((s) => s.certFingerprint === own.fingerprint);
      if (seals.length < page.length)
        this.#o.log.warn('audit.anchor-skipped', {
          upstream,
          seals: page
            .filter((s) => s.certFingerprint !== own.fingerprint)
            .map((s) => s.seq)
            .join(','),
        });
      if (seals.length > 0) {
        const session = await this.#o.upstream!.get();
        const ack = await session.request({ kind: 'audit-seal-anchor', seals });
        if (ack.anchored + ack.duplicates !== seals.length || ack.uptoSeal < seals.at(-1)!.seq) {
          this.#o.log.error('audit.anchor-ack-refused', { upstream, ...ack });
          throw new RegistryError(
            'invalid',
            `上位ノードの受領確認が送った封印と合いません / ${upstream} acknowledged ${ack.anchored + ack.duplicates} of ${seals.length} seals (up to ${ack.uptoSeal})`,
            'audit.anchor-ack',
          );
        }
        sent += seals.length;
      }
      cursor = page.at(-1)!.seq;
      await this.#anchors.setAnchorCursor(upstream, cursor);
      if (page.length < AUDIT_ANCHOR_MAX_SEALS) break;
    }
    if (sent > 0) this.#o.log.info('audit.anchors-sent', { upstream, sent, uptoSeal: cursor });
    return { upstream, sent, uptoSeal: cursor };
  }
}

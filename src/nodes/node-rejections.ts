import type { Rejection } from '../domain/change/validate-change.ts';
import { RegistryError } from '../domain/errors.ts';
import { nodeName, prefectureOfCs, type NodeRef } from '../domain/network/NodeRef.ts';
import { encodeMsgpack } from '../protocol/messages/encode-msgpack.ts';
import {
  REJECTION_POLL_MAX_RECORDS,
  type ForwardedRejection,
  type RejectionPoll,
  type RejectionRecords,
} from '../protocol/messages/RejectionPoll.ts';
import type { HandlerContext } from '../protocol/session/incoming-call.ts';
import type { Session } from '../protocol/session/session.ts';
import {
  rejectionLevel,
  type FeedRejection,
  type RegisterFeed,
  type RejectionLevel,
} from '../register/register-feed.ts';
import type { OutboxEntry } from '../storage/ports.ts';
import { openRejectionStore, type RejectionStore } from '../storage/rejection-store.ts';
import { errorText, type Logger } from './json-log.ts';
import type { NodeConfig } from './node-config.ts';
import type { UpstreamSession } from './upstream-session.ts';

/*
 * 差戻しの還送 (R19; docs/FLOW.md §4): a refusal never stops where it happened.
 * - The CS's refusals (R19 format checks) and its prefecture server's (in the change ack) reach
 *   the register at once (register-pump.ts, node-runtime.ts).
 * - The national server refuses a change in the ack to the PREFECTURE server, which had accepted
 *   and forwarded it. The prefecture server records it (`forwarded_rejection`, with the
 *   municipality whose CS sent the change); connections go upward only, so the CS fetches it
 *   (`rejection-poll` after its cursor, every `schedule.rejectionPollSeconds`) and records it in
 *   its register, where the municipality's staff see it like any other (差戻し).
 */

/** A refusal as a node's operator sees it: who refused, at which level. */
export type RejectionView = FeedRejection & { readonly level: RejectionLevel };

export type RejectionPollReport = {
  /** The node the refusals were fetched from: `prefecture:13`. */
  readonly source: string;
  /** Refusals received in this run. */
  readonly fetched: number;
  /** The cursor after the run. */
  readonly afterId: number;
};

export type NodeRejections = {
  /** A prefecture server: the `rejection-poll` handler for its CSs (in onSession). */
  attach(session: Session, peer: NodeRef): void;
  /** A prefecture server: its upstream node refused a change it had forwarded. */
  recordForwarded(entry: OutboxEntry, rejectedBy: string, rejection: Rejection): Promise<void>;
  /** A CS: fetches its municipality's refusals and records them in its register. */
  poll(): Promise<RejectionPollReport>;
  /** A CS: the register's refusals, newest first; a prefecture server: those it forwarded. */
  list(limit: number): Promise<RejectionView[] | ForwardedRejection[]>;
  close(): Promise<void>;
};

export type NodeRejectionsOptions = {
  readonly config: NodeConfig;
  readonly storeOptions: { readonly schema?: string };
  /** A CS's session to its prefecture server. */
  readonly upstream: UpstreamSession | undefined;
  /** A CS's register feed (where its municipality's staff see refusals). */
  readonly feed: RegisterFeed | undefined;
  readonly log: Logger;
  /** A poll refused for its requester: the node records an alert. */
  readonly onRefused?: (peer: NodeRef, detail: string) => void;
  /** Records asked for per call (default 200). */
  readonly pageSize?: number;
};

/** A prefecture server and a CS with a register keep refusals; other nodes have none. */
export async function startRejections(
  o: NodeRejectionsOptions,
): Promise<NodeRejections | undefined> {
  const self = o.config.node;
  const isCs = self.role === 'cs' && o.feed !== undefined && o.upstream !== undefined;
  if (self.role !== 'prefecture' && !isCs) return undefined;
  const store = await openRejectionStore(o.config.store, o.storeOptions);
  const poller = isCs ? new RejectionPoller(o, store) : undefined;
  const every = o.config.schedule.rejectionPollSeconds ?? 0;
  if (poller && every > 0) poller.start(every);
  return {
    attach: (session, peer) => {
      if (self.role === 'prefecture') serveRejectionPoll(session, { self, peer, store, ...o });
    },
    recordForwarded: async (entry, rejectedBy, rejection) => {
      if (self.role !== 'prefecture') return;
      const e = entry.event;
      const fresh = await store.recordForwardedRejection({
        transactionId: e.transactionId,
        municipality: e.values.localGovernmentCode,
        residentCode: e.residentCode,
        reason: e.reason,
        changeDate: e.changeDate,
        rejectedBy,
        rejection,
        at: new Date().toISOString(),
      });
      o.log.warn('change.rejection-kept', {
        transactionId: e.transactionId,
        municipality: e.values.localGovernmentCode,
        rejectedBy,
        rule: rejection.rule,
        fresh,
      });
    },
    poll: () => (poller ? poller.run() : Promise.reject(noRejectionPoll(self))),
    list: async (limit) => {
      if (o.feed)
        return (await o.feed.listRejections(limit)).map((r) => ({
          ...r,
          level: rejectionLevel(r.rejectedBy),
        }));
      return store.listForwardedRejections(limit);
    },
    close: async () => {
      await poller?.stop();
      await store.close();
    },
  };
}

/** The prefecture server's side: a CS gets its own municipality's refusals, by its certificate. */
function serveRejectionPoll(
  session: Session,
  o: {
    readonly self: NodeRef;
    readonly peer: NodeRef;
    readonly store: RejectionStore;
    readonly log: Logger;
    readonly onRefused?: ((peer: NodeRef, detail: string) => void) | undefined;
  },
): void {
  session.handle('rejection-poll', async (m: RejectionPoll, context: HandlerContext) => {
    // The allow-list admits this prefecture's CSs only; the municipality is the certificate's,
    // never the message's, so a CS can never learn of another municipality's refusals.
    if (o.peer.role !== 'cs' || prefectureOfCs(o.peer) !== o.self.code) {
      const detail = `差戻しを受け取れるのは管内の市町村CSだけです / ${nodeName(o.peer)} may not fetch refusals from ${nodeName(o.self)}`;
      o.log.warn('rejection.poll-refused', { peer: nodeName(o.peer) });
      o.onRefused?.(o.peer, detail);
      throw new RegistryError('forbidden', detail, 'rejection.poll-requester');
    }
    const found = await o.store.forwardedRejections(o.peer.code, m.afterId, m.limit);
    const reply = recordsReply(found, m, context.peer.maxFrameSize);
    o.log.info('rejection.poll-served', {
      municipality: o.peer.code,
      afterId: m.afterId,
      records: reply.records.length,
      nextAfterId: reply.nextAfterId,
    });
    return reply;
  });
}

/** As many of `found` as fit the caller's frames (at least one), the cursor after them. */
function recordsReply(
  found: readonly ForwardedRejection[],
  m: RejectionPoll,
  peerMaxFrameSize: number,
): RejectionRecords {
  const budget = Math.min(1 << 20, peerMaxFrameSize) - 1024;
  const records: ForwardedRejection[] = [];
  let used = 0;
  let nextAfterId = m.afterId;
  for (const r of found) {
    const size = encodeMsgpack(r).length + 1;
    if (records.length > 0 && used + size > budget) break;
    records.push(r);
    used += size;
    nextAfterId = r.id;
  }
  return {
    kind: 'rejection-records',
    records,
    nextAfterId,
    more: records.length < found.length || found.length === m.limit,
  };
}

/**
 * A CS's side: fetches after its cursor, page by page; records each refusal in the register
 * (idempotent on the transaction id) BEFORE moving the cursor, so a crash between the two
 * re-fetches the page and records nothing twice — and loses nothing. Runs one at a time.
 */
class RejectionPoller {
  readonly #o: NodeRejectionsOptions;
  readonly #store: RejectionStore;
  readonly #source: string;
  #running: Promise<RejectionPollReport> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(o: NodeRejectionsOptions, store: RejectionStore) {
    this.#o = o;
    this.#store = store;
    this.#source = nodeName(o.config.upstream!.node);
  }

  run(): Promise<RejectionPollReport> {
    this.#running ??= this.#once().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  start(seconds: number): void {
    this.#timer = setInterval(
      () =>
        void this.run().catch((e: unknown) =>
          this.#o.log.warn('rejection.poll-failed', { source: this.#source, error: errorText(e) }),
        ),
      seconds * 1000,
    );
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#running?.catch(() => undefined);
  }

  async #once(): Promise<RejectionPollReport> {
    const { upstream, feed, log, config } = this.#o;
    const source = this.#source;
    let afterId = await this.#store.rejectionCursor(source);
    let fetched = 0;
    const limit = Math.min(this.#o.pageSize ?? 200, REJECTION_POLL_MAX_RECORDS);
    for (;;) {
      const session = await upstream!.get();
      const reply = await session.request({ kind: 'rejection-poll', afterId, limit });
      this.#check(reply, afterId);
      for (const r of reply.records) {
        await feed!.recordUpstreamRejection(r.transactionId, r.rejectedBy, r.rejection);
        log.warn('change.rejected-further-up', {
          source,
          transactionId: r.transactionId,
          rejectedBy: r.rejectedBy,
          rule: r.rejection.rule,
        });
      }
      if (reply.nextAfterId > afterId)
        await this.#store.setRejectionCursor(source, reply.nextAfterId);
      fetched += reply.records.length;
      afterId = reply.nextAfterId;
      if (!reply.more || reply.records.length === 0 || this.#stopped) break;
    }
    if (fetched > 0)
      log.info('rejection.polled', { source, cs: config.node.code, fetched, afterId });
    return { source, fetched, afterId };
  }

  /** A reply the prefecture server could not have meant: nothing of it is recorded. */
  #check(reply: RejectionRecords, afterId: number): void {
    const self = this.#o.config.node;
    const refuse = (reason: string, message: string): never => {
      this.#o.log.error('rejection.poll-reply-refused', { source: this.#source, reason });
      throw new RegistryError('invalid', message, reason);
    };
    if (reply.nextAfterId < afterId || (reply.records.length > 0 && reply.nextAfterId === afterId))
      refuse(
        'rejection.poll-cursor',
        `差戻しの位置が不正です / the prefecture server answered cursor ${reply.nextAfterId} after ${afterId}`,
      );
    for (const r of reply.records)
      if (r.municipality !== self.code || r.id <= afterId || r.id > reply.nextAfterId)
        refuse(
          'rejection.poll-out-of-scope',
          `他の市町村の差戻しです / a refusal of ${r.municipality} (id ${r.id}) reached ${nodeName(self)}`,
        );
  }
}

/** The terminal's refusal routes at a node that keeps none. */
export const noRejectionPoll = (self: NodeRef): RegistryError =>
  new RegistryError(
    'invalid',
    `${nodeName(self)} は差戻しを取得しません / only a CS with a register fetches refusals from its prefecture server`,
    'node.no-rejection-poll',
  );

import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import type { Disclosure } from '../domain/provision/disclosure.ts';
import {
  DISCLOSURE_SYNC_MAX_RECORDS,
  type DisclosureRecords,
  type DisclosureSync,
  type SyncedDisclosure,
} from '../protocol/messages/DisclosureSync.ts';
import { encodeMsgpack } from '../protocol/messages/encode-msgpack.ts';
import type { HandlerContext } from '../protocol/session/incoming-call.ts';
import type { Session } from '../protocol/session/session.ts';
import type { ProvisionStore } from '../storage/ports.ts';
import { errorText, type Logger } from './json-log.ts';
import type { UpstreamSession } from './upstream-session.ts';

/*
 * 開示用データの送付 (R17; docs/DISCLOSURE.md): the national server's disclosure records reach
 * the prefecture servers, each getting those about its own residents. Connections go from the
 * lower node up, so the prefecture server fetches (`disclosure-sync`), in id order after the
 * highest id it has stored, and keeps the copies with the national server's name and time; a
 * resident's report at the prefecture then shows both its own provisions and the national ones.
 */

/** The national server's side: answers `disclosure-sync` from a prefecture server (R17). */
export function serveDisclosureSync(
  session: Session,
  o: { readonly peer: NodeRef; readonly store: ProvisionStore; readonly log: Logger },
): void {
  session.handle('disclosure-sync', async (m: DisclosureSync, context: HandlerContext) => {
    // The allow-list admits prefecture servers only; the scope is the certificate's prefecture,
    // so a prefecture server can never ask for another's residents.
    if (o.peer.role !== 'prefecture')
      throw new RegistryError(
        'forbidden',
        `開示記録を受け取れるのは都道府県サーバだけです / ${nodeName(o.peer)} may not fetch disclosure records`,
        'disclosure.sync-requester',
      );
    const found = await o.store.disclosuresForPrefecture(o.peer.code, m.afterId, m.limit);
    const reply = recordsReply(found, m, context.peer.maxFrameSize);
    o.log.info('disclosure.sync-served', {
      prefecture: o.peer.code,
      afterId: m.afterId,
      records: reply.records.length,
      nextAfterId: reply.nextAfterId,
    });
    return reply;
  });
}

/** As many of `found` as fit the caller's frames (at least one), the cursor after them. */
function recordsReply(
  found: readonly Disclosure[],
  m: DisclosureSync,
  peerMaxFrameSize: number,
): DisclosureRecords {
  const budget = Math.min(1 << 20, peerMaxFrameSize) - 1024;
  const records: SyncedDisclosure[] = [];
  let used = 0;
  let nextAfterId = m.afterId;
  for (const d of found) {
    const record = wireRecord(d);
    const size = encodeMsgpack(record).length + 1;
    if (records.length > 0 && used + size > budget) break;
    records.push(record);
    used += size;
    nextAfterId = d.id;
  }
  return {
    kind: 'disclosure-records',
    records,
    nextAfterId,
    more: records.length < found.length || found.length === m.limit,
  };
}

function wireRecord(d: Disclosure): SyncedDisclosure {
  return {
    at: d.at,
    node: d.node,
    recipientId: d.recipientId,
    recipientName: d.recipientName,
    ...(d.searcher === undefined ? {} : { searcher: d.searcher }),
    affairId: d.affairId,
    legalBasis: d.legalBasis,
    queryId: d.queryId,
    residentCode: d.residentCode,
    channel: d.channel,
    prefectureCode: d.prefectureCode!,
  };
}

/** One run of a prefecture server's sync. */
export type DisclosureSyncReport = {
  /** The node whose records were fetched: `national:jlis`. */
  readonly source: string;
  /** Records received in this run, and how many of them were new here. */
  readonly fetched: number;
  readonly added: number;
  /** The cursor after the run: the highest id of the source's records stored here. */
  readonly afterId: number;
  /** `disclosure-sync` calls made. */
  readonly calls: number;
};

export type DisclosureSyncerOptions = {
  /** This prefecture server. */
  readonly self: NodeRef;
  /** The national server. */
  readonly source: NodeRef;
  readonly upstream: UpstreamSession;
  readonly store: ProvisionStore;
  readonly log: Logger;
  /** Records asked for per call (default 200, at most DISCLOSURE_SYNC_MAX_RECORDS). */
  readonly pageSize?: number;
};

const refuse = (reason: string, message: string): never => {
  throw new RegistryError('invalid', message, reason);
};

/**
 * A prefecture server's side (R17): fetches the national server's records about its residents
 * after its cursor, page by page, and stores each page with the cursor in one transaction — a
 * restart resumes where it stopped, and a page fetched twice adds nothing. A run asked for while
 * one is under way starts when it ends (so it sees everything recorded before it was asked for);
 * callers waiting meanwhile share it.
 */
export class DisclosureSyncer {
  readonly #o: DisclosureSyncerOptions;
  readonly #source: string;
  readonly #pageSize: number;
  #running: Promise<DisclosureSyncReport> | undefined;
  #queued: Promise<DisclosureSyncReport> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: DisclosureSyncerOptions) {
    this.#o = options;
    this.#source = nodeName(options.source);
    this.#pageSize = Math.min(options.pageSize ?? 200, DISCLOSURE_SYNC_MAX_RECORDS);
  }

  /** Fetches everything new now. */
  run(): Promise<DisclosureSyncReport> {
    if (this.#running === undefined) return this.#begin();
    this.#queued ??= this.#running
      .catch(() => undefined)
      .then(() => {
        this.#queued = undefined;
        return this.#begin();
      });
    return this.#queued;
  }

  /** Runs every `minutes` (0: never on its own; the terminal's POST /disclosure/sync still does). */
  start(minutes: number): void {
    if (minutes <= 0 || this.#timer !== undefined) return;
    this.#timer = setInterval(
      () =>
        void this.run().catch((e: unknown) =>
          this.#o.log.error('disclosure.sync-failed', {
            source: this.#source,
            error: errorText(e),
          }),
        ),
      minutes * 60_000,
    );
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await Promise.allSettled([this.#running, this.#queued]);
  }

  #begin(): Promise<DisclosureSyncReport> {
    if (this.#stopped)
      return Promise.reject(
        new RegistryError(
          'unavailable',
          'ノードは停止中です / the node is stopping',
          'node.closing',
        ),
      );
    const run: Promise<DisclosureSyncReport> = this.#once().finally(() => {
      if (this.#running === run) this.#running = undefined;
    });
    this.#running = run;
    return run;
  }

  async #once(): Promise<DisclosureSyncReport> {
    const { store, upstream, log, self } = this.#o;
    const source = this.#source;
    let afterId = await store.disclosureSyncCursor(source);
    let fetched = 0;
    let added = 0;
    let calls = 0;
    for (;;) {
      const session = await upstream.get();
      const reply = await session.request({
        kind: 'disclosure-sync',
        afterId,
        limit: this.#pageSize,
      });
      calls++;
      this.#check(reply, afterId);
      added += await store.recordSyncedDisclosures(source, reply.records, reply.nextAfterId);
      fetched += reply.records.length;
      afterId = reply.nextAfterId;
      if (!reply.more || reply.records.length === 0 || this.#stopped) break;
      log.info('disclosure.sync-progress', { source, fetched, added, afterId });
    }
    log.info('disclosure.synced', {
      source,
      prefecture: self.code,
      fetched,
      added,
      afterId,
      calls,
    });
    return { source, fetched, added, afterId, calls };
  }

  /** A reply the national server could not have meant: nothing of it is stored. */
  #check(reply: DisclosureRecords, afterId: number): void {
    const { self } = this.#o;
    if (reply.nextAfterId < afterId || (reply.records.length > 0 && reply.nextAfterId === afterId))
      refuse(
        'disclosure.sync-cursor',
        `開示記録の位置が不正です / the national server answered cursor ${reply.nextAfterId} after ${afterId}`,
      );
    for (const r of reply.records) {
      if (r.node !== this.#source)
        refuse(
          'disclosure.sync-source',
          `提供元が同期元と一致しません / a record names ${r.node}, not ${this.#source}`,
        );
      if (r.prefectureCode !== self.code)
        refuse(
          'disclosure.sync-out-of-scope',
          `他の都道府県の住民の記録です / a record about a resident of prefecture ${r.prefectureCode} reached ${nodeName(self)}`,
        );
    }
  }
}

/** The terminal's POST /disclosure/sync at a node that does not fetch disclosure records. */
export const noDisclosureSync = (self: NodeRef): RegistryError =>
  new RegistryError(
    'invalid',
    `${nodeName(self)} は開示記録を受け取りません / only a prefecture server fetches the national server's disclosure records`,
    'node.no-disclosure-sync',
  );

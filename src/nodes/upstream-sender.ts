import type { Rejection } from '../domain/change/validate-change.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import { changeNotice } from '../protocol/messages/ChangeNotice.ts';
import type { Session } from '../protocol/session/session.ts';
import type { IdentityStore, OutboxEntry } from '../storage/ports.ts';
import { backoffDelay, sleep, Wakeup, type BackoffPolicy } from './backoff.ts';
import { errorText, type Logger } from './json-log.ts';

export type DeliverySettings = {
  /** Outbox entries sent per round; they are in flight together on one connection. */
  readonly batchSize: number;
  /** How long an idle sender sleeps before looking at the outbox again (a local apply wakes it). */
  readonly pollMs: number;
  readonly retry: BackoffPolicy;
};

/**
 * `pollMs` bounds the latency of a change written by another process (the register's counter
 * feeding a CS): a local apply wakes the sender at once, a write elsewhere is seen at the next
 * poll. An idle poll is one indexed read of an empty table.
 */
export const DEFAULT_DELIVERY: DeliverySettings = {
  batchSize: 256,
  pollMs: 100,
  retry: { initialMs: 250, maxMs: 30_000 },
};

export type UpstreamSenderOptions = {
  readonly store: IdentityStore;
  readonly upstream: NodeRef;
  /** Opens a session to the upstream node (mutual TLS, current credentials). */
  readonly connect: () => Promise<Session>;
  /** The upstream node refused a change (R19): it must reach the municipality, never be dropped. */
  readonly onRejected: (entry: OutboxEntry, rejection: Rejection) => Promise<void>;
  readonly delivery: DeliverySettings;
  readonly log: Logger;
};

export type SenderStatus = {
  readonly upstream: string;
  readonly connected: boolean;
  readonly delivered: number;
  readonly rejected: number;
  readonly failures: number;
  readonly lastDeliveryAt: string | undefined;
  readonly lastError: string | undefined;
};

/**
 * Delivers the node's durable outbox to the next node up (CS → prefecture, prefecture →
 * national), exactly once and in order per resident (docs/FLOW.md §3):
 * - the outbox is read oldest first; a round's entries are sent as pipelined requests on ONE
 *   connection, and the receiver applies them in arrival order (ChangeReceiver);
 * - an entry leaves the outbox only after the receiver's ack (applied, duplicate or rejected);
 * - on any failure the connection is dropped and the whole round is resent after a back-off
 *   with jitter: the receiver answers `duplicate` for what it already applied;
 * - back-pressure: at most `batchSize` notices are in flight; the rest wait on disk.
 */
export class UpstreamSender {
  readonly #o: UpstreamSenderOptions;
  readonly #wakeup = new Wakeup();
  readonly #abort = new AbortController();
  #session: Session | undefined;
  #loop: Promise<void> | undefined;
  #delivered = 0;
  #rejected = 0;
  #failures = 0;
  #lastDeliveryAt: string | undefined;
  #lastError: string | undefined;

  constructor(options: UpstreamSenderOptions) {
    this.#o = options;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** New entries are in the outbox: send them now rather than at the next poll. */
  notify(): void {
    this.#wakeup.notify();
  }

  /** Drops the current connection (new credentials, or an operator's request); the loop reconnects. */
  reconnect(): void {
    this.#session?.close();
    this.#session = undefined;
  }

  status(): SenderStatus {
    return {
      upstream: nodeName(this.#o.upstream),
      connected: this.#session !== undefined,
      delivered: this.#delivered,
      rejected: this.#rejected,
      failures: this.#failures,
      lastDeliveryAt: this.#lastDeliveryAt,
      lastError: this.#lastError,
    };
  }

  /** Stops after the round in flight; closes the connection gracefully. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    const session = this.#session;
    this.#session = undefined;
    await session?.goaway().catch(() => undefined);
  }

  async #run(): Promise<void> {
    const { log } = this.#o;
    const signal = this.#abort.signal;
    let attempt = 0;
    while (!signal.aborted) {
      try {
        const session = await this.#connected();
        const entries = await this.#o.store.pendingOutbox(this.#o.delivery.batchSize);
        if (entries.length === 0) {
          await this.#wakeup.wait(this.#o.delivery.pollMs, signal);
          continue;
        }
        await this.#deliver(session, entries);
        attempt = 0;
      } catch (e) {
        if (signal.aborted) break;
        this.#failures += 1;
        this.#lastError = errorText(e);
        this.reconnect();
        const delay = backoffDelay(this.#o.delivery.retry, attempt++);
        log.warn('delivery.retry', {
          upstream: nodeName(this.#o.upstream),
          attempt,
          delayMs: delay,
          error: this.#lastError,
        });
        await sleep(delay, signal);
      }
    }
  }

  async #connected(): Promise<Session> {
    if (this.#session !== undefined) return this.#session;
    const session = await this.#o.connect();
    this.#session = session;
    void session.closed.then(() => {
      if (this.#session === session) this.#session = undefined;
    });
    this.#o.log.info('upstream.connected', { upstream: nodeName(this.#o.upstream) });
    return session;
  }

  async #deliver(session: Session, entries: readonly OutboxEntry[]): Promise<void> {
    const ids = entries.map((e) => e.id);
    await this.#o.store.recordOutboxAttempts(ids);
    const started = performance.now();
    const acks = await Promise.all(entries.map((e) => session.request(changeNotice(e.event))));
    let rejected = 0;
    for (const [i, ack] of acks.entries()) {
      if (ack.outcome !== 'rejected') continue;
      rejected += 1;
      await this.#o.onRejected(entries[i]!, ack.rejection);
    }
    await this.#o.store.acknowledgeOutbox(ids);
    this.#delivered += entries.length - rejected;
    this.#rejected += rejected;
    this.#lastDeliveryAt = new Date().toISOString();
    this.#o.log.log('debug', 'delivery.round', {
      upstream: nodeName(this.#o.upstream),
      sent: entries.length,
      rejected,
      ms: Math.round(performance.now() - started),
    });
  }
}

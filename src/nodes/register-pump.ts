import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import type { FeedOutcome, RegisterFeed } from '../register/register-feed.ts';
import type { IdentityStore } from '../storage/ports.ts';
import { backoffDelay, sleep, Wakeup, type BackoffPolicy } from './backoff.ts';
import { errorText, type Logger } from './json-log.ts';

export type RegisterPumpOptions = {
  readonly feed: RegisterFeed;
  readonly store: IdentityStore;
  readonly today: () => CalendarDate;
  readonly batchSize: number;
  readonly pollMs: number;
  readonly retry: BackoffPolicy;
  /** Called after a round put changes in the CS outbox (wakes the sender). */
  readonly onQueued: () => void;
  readonly log: Logger;
};

/**
 * The CS side of the existing register's feed (R19: no human step): every change the register
 * accepted is applied to the CS's 本人確認情報 (the CS's format and code checks are the R19
 * table) and queued in the same transaction for the prefecture server; then the feed entry is
 * settled. A crash between the two re-applies the entry, which the store answers `duplicate`:
 * nothing is lost and nothing is applied twice. A change the CS refuses is settled as a
 * rejection, which the register shows to the municipality's staff.
 */
export class RegisterPump {
  readonly #o: RegisterPumpOptions;
  readonly #wakeup = new Wakeup();
  readonly #abort = new AbortController();
  #loop: Promise<void> | undefined;
  #taken = 0;
  #refused = 0;
  #lastError: string | undefined;

  constructor(options: RegisterPumpOptions) {
    this.#o = options;
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  notify(): void {
    this.#wakeup.notify();
  }

  status(): { taken: number; refused: number; lastError: string | undefined } {
    return { taken: this.#taken, refused: this.#refused, lastError: this.#lastError };
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
  }

  /** One round; returns how many feed entries it settled. */
  async pumpOnce(): Promise<number> {
    const { feed, store, today } = this.#o;
    const entries = await feed.pendingFeed(this.#o.batchSize);
    if (entries.length === 0) return 0;
    // One transaction for the round; each entry keeps its own outcome.
    const outcomes = await store.applyChanges(
      entries.map((e) => e.event),
      { today: today(), outbox: true },
    );
    const settled: { id: number; outcome: FeedOutcome }[] = [];
    let refused = 0;
    for (const [i, entry] of entries.entries()) {
      const outcome = outcomes[i]!;
      if (outcome.status === 'rejected') refused += 1;
      settled.push({
        id: entry.id,
        outcome:
          outcome.status === 'applied'
            ? 'accepted'
            : outcome.status === 'duplicate'
              ? 'duplicate'
              : { rejected: outcome.rejection },
      });
    }
    await feed.settleFeed(settled);
    this.#taken += entries.length - refused;
    this.#refused += refused;
    if (refused > 0) this.#o.log.warn('register.changes-refused', { refused });
    this.#o.onQueued();
    return entries.length;
  }

  async #run(): Promise<void> {
    const signal = this.#abort.signal;
    let attempt = 0;
    while (!signal.aborted) {
      try {
        const n = await this.pumpOnce();
        attempt = 0;
        if (n === 0) await this.#wakeup.wait(this.#o.pollMs, signal);
      } catch (e) {
        this.#lastError = errorText(e);
        const delay = backoffDelay(this.#o.retry, attempt++);
        this.#o.log.warn('register.feed-retry', {
          attempt,
          delayMs: delay,
          error: this.#lastError,
        });
        await sleep(delay, signal);
      }
    }
  }
}

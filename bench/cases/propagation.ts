import { round3 } from '../harness.ts';
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import {
  buildEvent,
  buildIdentity,
  date,
  residentCodeOf,
} from '../../src/domain/change/change-builders.ts';
import type { ChangeEvent } from '../../src/domain/change/ChangeEvent.ts';
import { openRegisterStore } from '../../src/register/open-register.ts';
import { parseStoreUrl } from '../../src/storage/store-url.ts';
import { SqliteIdentityStore } from '../../src/storage/sqlite/sqlite-identity-store.ts';
import { ProcessNetwork } from '../../test/e2e/network-harness.ts';
import type { Benchmark } from '../harness.ts';
import { freshSqlitePath } from '../stores.ts';

const TODAY = date('2024-12-31');
const CS = '131016';

/**
 * The changes of the run: N/2 people move in to 千代田区, then each of them moves within it — a
 * create and an update per person, in per-person order, as a counter would produce them.
 */
function changes(n: number): ChangeEvent[] {
  const people = Math.floor(n / 2);
  const out: ChangeEvent[] = [];
  const values = (i: number, street: string) =>
    buildIdentity({
      residentCode: residentCodeOf(String(3_000_000_000 + i)),
      individualNumber: undefined,
      address: `東京都千代田区${street}${(i % 9) + 1}丁目${i}番`,
      localGovernmentCode: CS,
    });
  for (let i = 0; i < people; i++)
    out.push(
      buildEvent('move-in', values(i, '千代田'), {
        changeDate: date('2024-04-01'),
        transactionId: `bench-in-${i}`,
      }),
    );
  for (let i = 0; i < people; i++)
    out.push(
      buildEvent('move-within', values(i, '丸の内'), {
        changeDate: date('2024-06-01'),
        transactionId: `bench-move-${i}`,
      }),
    );
  return out;
}

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;

/** The national server's history as it grows, read by transaction id (a second reader on its WAL file). */
class NationalWatcher {
  readonly #db: Database.Database;
  readonly #after: Database.Statement<[number], { sequence: number; transaction_id: string }>;
  #last = 0;
  readonly arrivals = new Map<string, number>();

  constructor(path: string) {
    this.#db = new Database(path, { readonly: true, fileMustExist: true });
    this.#after = this.#db.prepare(
      'SELECT sequence, transaction_id FROM identity_history WHERE sequence > ? ORDER BY sequence',
    );
  }

  poll(): void {
    const now = performance.now();
    for (const row of this.#after.iterate(this.#last)) {
      this.#last = row.sequence;
      this.arrivals.set(row.transaction_id, now);
    }
  }

  close(): void {
    this.#db.close();
  }
}

export const propagationBenchmark: Benchmark = {
  name: 'propagation',
  description:
    'Changes of 本人確認情報 from a municipality’s register feed through its CS and the prefecture server to the national server: three node processes (SQLite stores, mutual TLS 1.3 over loopback, durable outboxes at each hop), on the same machine as the reference. Sustained rate: all changes appended to the feed at once, until the last is in the national server’s history. Latency: a second run paced at half that rate, p50/p99 from the append to the national server (its history polled every 2 ms). Reference: the national server’s store alone applying the same changes in-process, one applyChange each. Goal: sustained ≥ 0.3 of the reference.',
  async run({ quick, log }) {
    const n = quick ? 2_000 : 20_000;
    const events = changes(n);

    // Reference: the national store alone, in this process.
    const refPath = freshSqlitePath('propagation-ref');
    const ref = SqliteIdentityStore.open(refPath);
    const refStart = performance.now();
    for (const e of events) await ref.applyChange(e, { today: TODAY });
    const refSeconds = (performance.now() - refStart) / 1000;
    await ref.close();
    rmSync(refPath, { force: true });
    const refRate = n / refSeconds;
    log(
      `  reference: the national store applies ${Math.round(refRate).toLocaleString('en')} changes/s in-process`,
    );

    // The nodes' default delivery settings; no scheduled jobs during the run.
    const net = await ProcessNetwork.create({
      prefectures: ['13'],
      municipalities: [CS],
      overrides: { schedule: { integrityMinutes: 0, retentionMinutes: 0 }, log: { level: 'warn' } },
    });
    try {
      await net.startAll();
      const register = await openRegisterStore(net.config(`cs:${CS}`).register!, {
        municipality: CS,
      });
      const nationalPath = parseStoreUrl(net.config('national:jlis').store);
      const watcher = new NationalWatcher((nationalPath as { path: string }).path);
      try {
        // 1. Sustained: everything at once.
        const half = events.length / 2;
        const sustainedEvents = [
          ...events.slice(0, half / 2),
          ...events.slice(half, half + half / 2),
        ];
        const start = performance.now();
        await register.appendChanges(sustainedEvents.map((event, i) => ({ line: i + 1, event })));
        while (watcher.arrivals.size < sustainedEvents.length) {
          await new Promise((r) => setTimeout(r, 2));
          watcher.poll();
        }
        const sustainedSeconds = (performance.now() - start) / 1000;
        const sustainedRate = sustainedEvents.length / sustainedSeconds;
        log(`  sustained: ${Math.round(sustainedRate).toLocaleString('en')} changes/s end to end`);

        // 2. Latency at half the sustained rate, in batches every 10 ms.
        const paced = [...events.slice(half / 2, half), ...events.slice(half + half / 2)];
        const perTick = Math.max(1, Math.round((sustainedRate / 2) * 0.01));
        const appendedAt = new Map<string, number>();
        const pacedStart = performance.now();
        for (let i = 0; i < paced.length; i += perTick) {
          const batch = paced.slice(i, i + perTick);
          const at = performance.now();
          await register.appendChanges(batch.map((event, j) => ({ line: i + j + 1, event })));
          for (const e of batch) appendedAt.set(e.transactionId, at);
          watcher.poll();
          const next = pacedStart + ((i + perTick) / perTick) * 10;
          while (performance.now() < next) {
            await new Promise((r) => setTimeout(r, 2));
            watcher.poll();
          }
        }
        while ([...appendedAt.keys()].some((tx) => !watcher.arrivals.has(tx))) {
          await new Promise((r) => setTimeout(r, 2));
          watcher.poll();
        }
        const latencies = [...appendedAt]
          .map(([tx, at]) => watcher.arrivals.get(tx)! - at)
          .sort((a, b) => a - b);
        const p50 = round3(percentile(latencies, 0.5));
        const p99 = round3(percentile(latencies, 0.99));
        log(`  latency at ${Math.round(perTick * 100)} changes/s: p50 ${p50} ms, p99 ${p99} ms`);

        const ratio = round3(sustainedRate / refRate);
        return {
          parameters: {
            changes: n,
            sustainedChanges: sustainedEvents.length,
            pacedChanges: paced.length,
            pacedRatePerSecond: perTick * 100,
            hops: 'register feed → cs:131016 → prefecture:13 → national:jlis',
            stores: 'SQLite (WAL, synchronous=NORMAL)',
            delivery: net.config('cs:131016').delivery,
          },
          figures: {
            referenceChangesPerSecond: Math.round(refRate),
            sustainedChangesPerSecond: Math.round(sustainedRate),
            latencyMs: { p50, p99 },
          },
          checks: [
            {
              name: 'propagation.vs_store_apply',
              value: ratio,
              goal: 0.3,
              direction: 'min',
              unit: 'ratio',
            },
          ],
        };
      } finally {
        watcher.close();
        await register.close();
      }
    } finally {
      await net.destroy();
    }
  },
};

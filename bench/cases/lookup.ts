import { round3, median } from '../harness.ts';
import type { Benchmark, Check } from '../harness.ts';
import { runWorker } from '../harness.ts';
import { freshPostgres, freshSqlitePath, removeSqlite } from '../stores.ts';

type LookupFigures = {
  lookups: number;
  seconds: number;
  lookupsPerSecond: number;
  maxRssMB: number;
};

const ROUNDS = 5;

export const lookupBenchmark: Benchmark = {
  name: 'lookup',
  description:
    'Point lookup by resident code through the storage port (IdentityStore.findIdentity, row mapped to an IdentityRecord) against the raw prepared statement of the same SQL on the same database, one lookup at a time. Each round runs raw then ports; the check is the median of the per-round ratios. Goal: ratio ≥ 0.9.',
  async run({ quick, log }) {
    const residents = quick ? 50_000 : 1_000_000;
    const lookups = quick ? 20_000 : 200_000;
    const figures: Record<string, unknown> = {};
    const checks: Check[] = [];
    const missing: string[] = [];

    for (const store of ['sqlite', 'postgres'] as const) {
      let target: string;
      let cleanup: () => Promise<void>;
      if (store === 'sqlite') {
        const path = freshSqlitePath('lookup');
        target = path;
        cleanup = () => Promise.resolve(removeSqlite(path));
      } else {
        const db = await freshPostgres();
        if ('missing' in db) {
          missing.push(`lookup.postgres: ${db.missing}`);
          continue;
        }
        target = db.url;
        cleanup = () => db.drop();
      }
      try {
        log(`  ${store}: loading ${residents.toLocaleString('en')} residents`);
        await runWorker('load', { store, mode: 'ports', residents, batch: 10_000, target }, log);
        // Each round measures raw then ports back to back; the ratio of each pair cancels most
        // of what else the machine is doing, and the median over rounds drops an outlier pair.
        const rounds: { raw: LookupFigures; ports: LookupFigures; ratio: number }[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const pair: Partial<Record<'ports' | 'raw', LookupFigures>> = {};
          for (const mode of ['raw', 'ports'] as const) {
            pair[mode] = await runWorker<LookupFigures>(
              'lookup',
              { store, mode, lookups, target, seed: 7 + round },
              log,
            );
            log(
              `  ${store} ${mode} round ${round + 1}: ${pair[mode].lookupsPerSecond.toLocaleString('en')} lookups/s`,
            );
          }
          const ratio = pair.ports!.lookupsPerSecond / pair.raw!.lookupsPerSecond;
          rounds.push({ raw: pair.raw!, ports: pair.ports!, ratio: round3(ratio) });
        }
        const ratio = median(rounds.map((r) => r.ratio));
        figures[store] = { residents, rounds, ratio: round3(ratio) };
        checks.push({
          name: `lookup.${store}.ports_vs_raw`,
          value: round3(ratio),
          goal: 0.9,
          direction: 'min',
          unit: 'ratio',
        });
      } finally {
        await cleanup();
      }
    }
    return {
      parameters: { residents, lookups, rounds: ROUNDS },
      figures,
      checks,
      ...(missing.length ? { missing } : {}),
    };
  },
};

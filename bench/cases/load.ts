import type { Benchmark, Check } from '../harness.ts';
import { runWorker } from '../harness.ts';
import { freshPostgres, freshSqlitePath, removeSqlite } from '../stores.ts';

type LoadFigures = { loaded: number; seconds: number; rowsPerSecond: number; maxRssMB: number };

const BATCH = 10_000;

export const loadBenchmark: Benchmark = {
  name: 'load',
  description:
    'Bulk load of synthetic residents through the storage ports (IdentityStore.loadBatch) against the raw driver’s best insert path on the same schema (SQLite: prepared INSERTs in 10k-row transactions; PostgreSQL: COPY). Goal: ratio ≥ 0.9.',
  async run({ quick, log }) {
    const sizes = quick ? [50_000] : [1_000_000, 10_000_000];
    const figures: Record<string, unknown> = {};
    const checks: Check[] = [];
    const missing: string[] = [];

    for (const store of ['sqlite', 'postgres'] as const) {
      const ratios: number[] = [];
      for (const residents of sizes) {
        const result: Partial<Record<'ports' | 'raw', LoadFigures>> = {};
        for (const mode of ['raw', 'ports'] as const) {
          log(`  ${store} ${mode} ${residents.toLocaleString('en')} residents`);
          if (store === 'sqlite') {
            const path = freshSqlitePath(`load-${mode}`);
            result[mode] = await runWorker<LoadFigures>(
              'load',
              { store, mode, residents, batch: BATCH, target: path },
              log,
            );
            removeSqlite(path);
          } else {
            const db = await freshPostgres();
            if ('missing' in db) {
              missing.push(`load.postgres: ${db.missing}`);
              break;
            }
            try {
              result[mode] = await runWorker<LoadFigures>(
                'load',
                { store, mode, residents, batch: BATCH, target: db.url },
                log,
              );
            } finally {
              await db.drop();
            }
          }
        }
        if (result.ports && result.raw) {
          const ratio = result.ports.rowsPerSecond / result.raw.rowsPerSecond;
          ratios.push(ratio);
          figures[`${store}.${residents}`] = { ...result, ratio: round(ratio) };
        }
      }
      if (ratios.length > 0) {
        checks.push({
          name: `load.${store}.ports_vs_raw`,
          value: round(Math.min(...ratios)),
          goal: 0.9,
          direction: 'min',
          unit: 'ratio',
        });
      }
    }
    return {
      parameters: { sizes, batch: BATCH },
      figures,
      checks,
      ...(missing.length ? { missing } : {}),
    };
  },
};

const round = (x: number): number => Math.round(x * 1000) / 1000;

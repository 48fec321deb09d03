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
        // Alternate raw and ports; the best round of each counts (a 10 M round is run once).
        const rounds = residents > 1_000_000 ? 1 : 2;
        const result: Partial<Record<'ports' | 'raw', LoadFigures>> = {};
        for (let round = 0; round < rounds && !missing.length; round++) {
          for (const mode of ['raw', 'ports'] as const) {
            log(
              `  ${store} ${mode} ${residents.toLocaleString('en')} residents, round ${round + 1}/${rounds}`,
            );
            const r = await measure(store, mode, residents, missing, log);
            if (r && (result[mode] === undefined || r.rowsPerSecond > result[mode].rowsPerSecond))
              result[mode] = r;
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

async function measure(
  store: 'sqlite' | 'postgres',
  mode: 'ports' | 'raw',
  residents: number,
  missing: string[],
  log: (s: string) => void,
): Promise<LoadFigures | undefined> {
  if (store === 'sqlite') {
    const path = freshSqlitePath(`load-${mode}`);
    try {
      return await runWorker<LoadFigures>(
        'load',
        { store, mode, residents, batch: BATCH, target: path },
        log,
      );
    } finally {
      removeSqlite(path);
    }
  }
  const db = await freshPostgres();
  if ('missing' in db) {
    missing.push(`load.postgres: ${db.missing}`);
    return undefined;
  }
  try {
    return await runWorker<LoadFigures>(
      'load',
      { store, mode, residents, batch: BATCH, target: db.url },
      log,
    );
  } finally {
    await db.drop();
  }
}

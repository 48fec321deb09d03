import type { CalendarDate } from '../src/domain/dates/CalendarDate.ts';
import type { IdentityRecord } from '../src/domain/resident/IdentityInfo.ts';
import { generatePopulation } from '../src/population/generate-population.ts';
import { loadLocalGovernmentTable } from '../src/reference-data/local-governments.ts';

export const BENCH_SEED = 'bench';
export const BENCH_AS_OF = '2026-10-01' as CalendarDate;

/** The synthetic population of all Japan, in batches: the same rows for every variant measured. */
export function* populationBatches(
  residents: number,
  batchSize: number,
): Generator<IdentityRecord[]> {
  const rows = generatePopulation({
    residents,
    seed: BENCH_SEED,
    municipalities: loadLocalGovernmentTable().rows,
    asOf: BENCH_AS_OF,
  });
  let batch: IdentityRecord[] = [];
  for (const row of rows) {
    batch.push(row.record);
    if (batch.length === batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Elapsed seconds of `fn` on the monotonic clock. */
export async function timed(fn: () => unknown): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e9;
}

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { isRegistryError, RegistryError } from '../domain/errors.ts';
import type { IdentityRecord } from '../domain/resident/IdentityInfo.ts';
import type { IdentityStore, LoadBatch, LoadRefusal } from '../storage/ports.ts';
import { parsePopulationHeader, parsePopulationLine } from './population-file.ts';

export type BulkLoadOptions = {
  /** Rows per transaction. */
  readonly batchSize?: number;
  /** How many refusals to keep in detail (all are counted). */
  readonly maxRefusalDetails?: number;
  readonly onProgress?: (rowsRead: number, expected: number | undefined) => void;
};

export type BulkLoadReport = {
  readonly rowsRead: number;
  readonly loaded: number;
  /** Rows the router sent to no store (a prefecture loading only its own residents). */
  readonly skipped: number;
  readonly refusedCount: number;
  /** The first `maxRefusalDetails` refusals, with line numbers and reasons. */
  readonly refusals: readonly LoadRefusal[];
};

/**
 * Loads a population file (JSON Lines, docs/POPULATION.md) into a store through the storage port
 * (or into one store per record, when `target` is a function; `undefined` skips the row).
 * Malformed rows are refused with their line number and reason; rows the store refuses (a
 * resident code or individual number already stored) likewise. Nothing already stored is changed
 * by a refused row. The header line is checked before anything is written.
 */
export async function bulkLoadPopulationFile(
  target: IdentityStore | ((record: IdentityRecord) => IdentityStore | undefined),
  path: string,
  options: BulkLoadOptions = {},
): Promise<BulkLoadReport> {
  const batchSize = options.batchSize ?? 10_000;
  const maxDetails = options.maxRefusalDetails ?? 100;
  const refusals: LoadRefusal[] = [];
  let refusedCount = 0;
  const refuse = (r: LoadRefusal): void => {
    refusedCount++;
    if (refusals.length < maxDetails) refusals.push(r);
  };

  const lines = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  let lineNumber = 0;
  let expected: number | undefined;
  let rowsRead = 0;
  let loaded = 0;
  let skipped = 0;
  const storeFor = typeof target === 'function' ? target : () => target;
  // One pending batch per target store (a demo network routes each municipality to its own CS).
  const batches = new Map<IdentityStore, LoadBatch[number][]>();
  let pending = 0;

  const flush = async (): Promise<void> => {
    for (const [store, batch] of batches) {
      const report = await store.loadBatch(batch);
      loaded += report.loaded;
      for (const r of report.refused) refuse(r);
    }
    batches.clear();
    pending = 0;
  };

  for await (const line of lines) {
    lineNumber++;
    if (lineNumber === 1) {
      expected = parsePopulationHeader(line).residents;
      continue;
    }
    if (line.trim() === '') continue;
    rowsRead++;
    try {
      const { record } = parsePopulationLine(line, lineNumber);
      const store = storeFor(record);
      if (store === undefined) {
        skipped++;
        continue;
      }
      let batch = batches.get(store);
      if (batch === undefined) batches.set(store, (batch = []));
      batch.push({ line: lineNumber, record });
      pending++;
    } catch (e) {
      if (!isRegistryError(e)) throw e;
      refuse({
        line: lineNumber,
        residentCode: residentCodeHint(line),
        reason: e.reason ?? e.message,
      });
    }
    if (pending >= batchSize) {
      await flush();
      options.onProgress?.(rowsRead, expected);
    }
  }
  await flush();
  options.onProgress?.(rowsRead, expected);
  if (lineNumber === 0)
    throw new RegistryError(
      'invalid',
      `${path} is empty: expected a population header line`,
      'population.empty',
    );
  return { rowsRead, loaded, skipped, refusedCount, refusals };
}

/** The resident code of a malformed row when it can be seen, for the report only. */
function residentCodeHint(line: string): string {
  return /"residentCode"\s*:\s*"(\d{1,11})"/.exec(line)?.[1] ?? '';
}

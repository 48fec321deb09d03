import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { completeWithCheckDigit } from '../domain/check-digit.ts';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import type { IdentityRecord } from '../domain/resident/IdentityInfo.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import type { NodeRef } from '../domain/network/NodeRef.ts';
import { generatePopulation } from '../population/generate-population.ts';
import { loadLocalGovernmentTable } from '../reference-data/local-governments.ts';
import type { IdentityStore } from '../storage/ports.ts';
import { SqliteIdentityStore } from '../storage/sqlite/sqlite-identity-store.ts';

/*
 * Files for the integrity-check tests: a synthetic population of 千代田区 (and some of 中央区, which
 * only the prefecture holds), loaded into a CS store and a prefecture store with chosen
 * differences. Synthetic people only.
 */

export const CS: NodeRef = { role: 'cs', code: '131016' };
export const PREFECTURE: NodeRef = { role: 'prefecture', code: '13' };
export const CHIYODA_SCOPE = { kind: 'municipality', code: '131016' } as const;

export function population(
  residents: number,
  code = '131016',
  seed = 'integrity',
): IdentityRecord[] {
  const rows = generatePopulation({
    residents,
    seed,
    municipalities: loadLocalGovernmentTable().rows,
    asOf: '2026-10-01' as CalendarDate,
    onlyCodes: [code],
  });
  return [...rows].map((r) => r.record);
}

/** A resident code that the synthetic population does not use (its codes come from a permutation). */
export const freshCode = (n: number): ResidentCode =>
  completeWithCheckDigit('resident-code', `9${String(n).padStart(9, '0')}`) as ResidentCode;

export type Differences = {
  /** Records the prefecture holds with another address. */
  readonly changed: readonly ResidentCode[];
  /** Records the prefecture lacks. */
  readonly missing: readonly ResidentCode[];
  /** Residents only the prefecture holds. */
  readonly extra: readonly ResidentCode[];
};

/** The prefecture's file: the CS's records, with `changed` / `missing` / `extra` applied. */
export function divergedCopy(records: readonly IdentityRecord[], d: Differences): IdentityRecord[] {
  const missing = new Set<string>(d.missing);
  const changed = new Set<string>(d.changed);
  const copy = records
    .filter((r) => !missing.has(r.residentCode))
    .map((r) => (changed.has(r.residentCode) ? { ...r, address: `${r.address}の2` } : r));
  const model = records[0]!;
  for (const code of d.extra)
    copy.push({ ...model, residentCode: code, individualNumber: undefined });
  return copy;
}

/** Picks `count` codes of `records` spread over the file (deterministic). */
export const pick = (
  records: readonly IdentityRecord[],
  from: number,
  count: number,
): ResidentCode[] =>
  Array.from({ length: count }, (_, i) => records[(from + i * 97) % records.length]!.residentCode);

export type TestStores = {
  readonly cs: IdentityStore;
  readonly prefecture: IdentityStore;
  close(): Promise<void>;
};

/** Two SQLite stores in a temporary directory, loaded with the two files. */
export async function openStores(
  csFile: readonly IdentityRecord[],
  prefectureFile: readonly IdentityRecord[],
): Promise<TestStores> {
  const dir = mkdtempSync(join(tmpdir(), 'jukinet-integrity-'));
  const cs = SqliteIdentityStore.open(join(dir, 'cs.sqlite'));
  const prefecture = SqliteIdentityStore.open(join(dir, 'prefecture.sqlite'));
  const load = async (store: IdentityStore, file: readonly IdentityRecord[]) => {
    const report = await store.loadBatch(file.map((record, i) => ({ line: i + 1, record })));
    if (report.refused.length > 0) throw new Error(`fixture refused: ${report.refused[0]!.reason}`);
  };
  await load(cs, csFile);
  await load(prefecture, prefectureFile);
  return {
    cs,
    prefecture,
    async close() {
      await cs.close();
      await prefecture.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

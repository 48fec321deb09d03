/**
 * The integrity benchmark's files. `load`: the synthetic population of one municipality (all
 * under one 団体コード, so that it is one scope), loaded through the storage port; also measures
 * the full copy — the MessagePack size of every record's 本人確認情報, what sending the whole file
 * would cost. `diverge`: on a copy of that file (the prefecture's), 10 silent differences written
 * with the raw driver — changed values, records missing, extra residents — as a lost or
 * mis-applied change notice would leave them, and the expected codes returned.
 */
import Database from 'better-sqlite3';
import { completeWithCheckDigit } from '../../src/domain/check-digit.ts';
import { identityInfoOf, type IdentityRecord } from '../../src/domain/resident/IdentityInfo.ts';
import type { ResidentCode } from '../../src/domain/resident/ResidentCode.ts';
import { generatePopulation } from '../../src/population/generate-population.ts';
import { encodeMsgpack } from '../../src/protocol/messages/encode-msgpack.ts';
import { loadLocalGovernmentTable } from '../../src/reference-data/local-governments.ts';
import { openIdentityStore } from '../../src/storage/open-store.ts';
import { workerMain } from '../harness.ts';
import { BENCH_AS_OF, BENCH_SEED, timed } from '../population-source.ts';

type Args =
  | { mode: 'load'; residents: number; code: string; target: string }
  | { mode: 'diverge'; target: string; changed: number; missing: number; extra: number };

const BATCH = 10_000;

await workerMain(async (a: Args) => {
  if (a.mode === 'load') {
    const store = await openIdentityStore(`sqlite:${a.target}`);
    const rows = generatePopulation({
      residents: a.residents,
      seed: BENCH_SEED,
      municipalities: loadLocalGovernmentTable().rows,
      asOf: BENCH_AS_OF,
      onlyCodes: [a.code],
    });
    let fullCopyBytes = 0;
    let loaded = 0;
    let seconds = 0;
    let batch: { line: number; record: IdentityRecord }[] = [];
    const flush = async () => {
      seconds += await timed(async () => (loaded += (await store.loadBatch(batch)).loaded));
      if (loaded % 1_000_000 < BATCH)
        process.stderr.write(`loaded ${loaded.toLocaleString('en')}\n`);
      batch = [];
    };
    for (const row of rows) {
      fullCopyBytes += encodeMsgpack(identityInfoOf(row.record)).length;
      batch.push({ line: batch.length + 1, record: row.record });
      if (batch.length === BATCH) await flush();
    }
    if (batch.length > 0) await flush();
    await store.close();
    return { loaded, seconds, fullCopyBytes };
  }

  // Spread the picks over the file: every k-th record by its internal id.
  const db = new Database(a.target);
  const total = db.prepare('SELECT count(*) FROM identity').pluck().get() as number;
  const picks = a.changed + a.missing;
  const pick = db.prepare('SELECT resident_code FROM identity WHERE person_id = ?').pluck();
  const codes = Array.from(
    { length: picks },
    (_, i) => pick.get(1 + Math.floor(((i + 0.5) * total) / picks)) as ResidentCode,
  );
  const changed = codes.slice(0, a.changed);
  const missing = codes.slice(a.changed);
  const update = db.prepare(
    "UPDATE identity SET address = address || '（旧）' WHERE resident_code = ?",
  );
  const removeUsed = db.prepare('DELETE FROM used_resident_code WHERE code = ?');
  const remove = db.prepare('DELETE FROM identity WHERE resident_code = ?');
  db.transaction(() => {
    for (const c of changed) update.run(c);
    for (const c of missing) {
      removeUsed.run(c);
      remove.run(c);
    }
  })();
  const model = db
    .prepare('SELECT resident_code FROM identity ORDER BY person_id LIMIT 1')
    .pluck()
    .get() as ResidentCode;
  db.close();
  // Extra residents: codes the population never uses (it draws from a keyed permutation; these
  // are checked against the file), loaded through the port like any record.
  const store = await openIdentityStore(`sqlite:${a.target}`);
  const base = await store.getIdentity(model);
  const extra: ResidentCode[] = [];
  for (let n = 1; extra.length < a.extra; n++) {
    const code = completeWithCheckDigit('resident-code', `${n}`.padStart(10, '9')) as ResidentCode;
    if (!(await store.isResidentCodeUsed(code))) extra.push(code);
  }
  const report = await store.loadBatch(
    extra.map((residentCode, i) => ({
      line: i + 1,
      record: { ...base, residentCode, individualNumber: undefined },
    })),
  );
  await store.close();
  if (report.loaded !== extra.length) throw new Error('extra residents refused');
  return { changed, missing, extra };
});

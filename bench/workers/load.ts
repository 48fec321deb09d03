/**
 * Bulk load of N residents, through the storage port or through the raw driver's best path, on the
 * same schema (created by the store's migrations). Only the store writes are timed: the rows are
 * generated batch by batch outside the clock, identically for both variants.
 *
 * Raw reference, SQLite: one prepared INSERT into `identity` and one into `used_resident_code`
 * (R7: every code ever used is kept) per row, 10k rows per transaction.
 * Raw reference, PostgreSQL: COPY straight into `identity`, then one INSERT … SELECT of the
 * batch's codes into `used_resident_code`, per 10k-row transaction.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { identityValues } from '../../src/storage/identity-row.ts';
import { openIdentityStore } from '../../src/storage/open-store.ts';
import { COPY_IDENTITY_SQL, copyText } from '../../src/storage/postgres/postgres-sql.ts';
import { DEFAULT_SQLITE_CACHE_BYTES } from '../../src/storage/sqlite/sqlite-identity-store.ts';
import { INSERT_IDENTITY_SQL } from '../../src/storage/sqlite/sqlite-sql.ts';
import { workerMain } from '../harness.ts';
import { populationBatches, timed } from '../population-source.ts';

type Args = {
  store: 'sqlite' | 'postgres';
  mode: 'ports' | 'raw';
  residents: number;
  batch: number;
  target: string;
};

await workerMain(async (a: Args) => {
  // The schema comes from the store's own migrations in both variants.
  const store = await openIdentityStore(a.store === 'sqlite' ? `sqlite:${a.target}` : a.target);
  let seconds = 0;
  let loaded = 0;
  let done = 0;
  const progress = (): void => {
    if (done % 1_000_000 < a.batch)
      process.stderr.write(`${a.store}/${a.mode}: ${done.toLocaleString('en')} rows\n`);
  };

  if (a.mode === 'ports') {
    for (const records of populationBatches(a.residents, a.batch)) {
      const batch = records.map((record, i) => ({ line: done + i + 2, record }));
      seconds += await timed(async () => (loaded += (await store.loadBatch(batch)).loaded));
      done += records.length;
      progress();
    }
    await store.close();
  } else if (a.store === 'sqlite') {
    await store.close();
    const db = new Database(a.target);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`cache_size = -${DEFAULT_SQLITE_CACHE_BYTES / 1024}`); // as the store configures it
    const insert = db.prepare(INSERT_IDENTITY_SQL);
    const markUsed = db.prepare('INSERT INTO used_resident_code (code, person_id) VALUES (?, ?)');
    const write = db.transaction((records: readonly Parameters<typeof identityValues>[0][]) => {
      for (const r of records)
        markUsed.run(
          r.residentCode,
          insert.run(...identityValues(r, (b) => (b ? 1 : 0))).lastInsertRowid,
        );
    });
    for (const records of populationBatches(a.residents, a.batch)) {
      seconds += await timed(() => write.immediate(records));
      loaded += records.length;
      done += records.length;
      progress();
    }
    db.close();
  } else {
    await store.close();
    const client = new pg.Client({ connectionString: a.target });
    await client.connect();
    for (const records of populationBatches(a.residents, a.batch)) {
      seconds += await timed(async () => {
        // COPY text in 1,000-line chunks, streamed (as the port does; one big string is slower).
        const chunks = function* () {
          for (let i = 0; i < records.length; i += 1000) {
            yield records
              .slice(i, i + 1000)
              .map(
                (r) =>
                  `${identityValues(r, (b) => b)
                    .map(copyText)
                    .join('\t')}\n`,
              )
              .join('');
          }
        };
        const codes = records.map((r) => r.residentCode);
        await client.query('BEGIN');
        await pipeline(Readable.from(chunks()), client.query(copyFrom(COPY_IDENTITY_SQL)));
        await client.query(
          'INSERT INTO used_resident_code (code, person_id) SELECT resident_code, person_id FROM identity WHERE resident_code = ANY($1)',
          [codes],
        );
        await client.query('COMMIT');
      });
      loaded += records.length;
      done += records.length;
      progress();
    }
    await client.end();
  }
  return { loaded, seconds, rowsPerSecond: Math.round(loaded / seconds) };
});

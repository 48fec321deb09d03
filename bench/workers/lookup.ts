/**
 * Point lookups by resident code: through the storage port (`findIdentity`, which also maps the
 * row to an IdentityRecord) against the raw prepared statement of the same SQL on the same
 * database. Both look up the same codes in the same order, one at a time (a node answers one
 * query after another on one connection).
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import type { ResidentCode } from '../../src/domain/resident/ResidentCode.ts';
import { openIdentityStore } from '../../src/storage/open-store.ts';
import {
  LOOKUP_BY_RESIDENT_CODE_SQL as PG_LOOKUP,
  LOOKUP_STATEMENT_NAME,
} from '../../src/storage/postgres/postgres-sql.ts';
import { DEFAULT_SQLITE_CACHE_BYTES } from '../../src/storage/sqlite/sqlite-identity-store.ts';
import { LOOKUP_BY_RESIDENT_CODE_SQL as SQLITE_LOOKUP } from '../../src/storage/sqlite/sqlite-sql.ts';
import { workerMain } from '../harness.ts';

type Args = {
  store: 'sqlite' | 'postgres';
  mode: 'ports' | 'raw';
  lookups: number;
  target: string;
  seed: number;
};

/** A deterministic sample of stored codes (same for both modes): a seeded shuffle of all codes. */
function sample(codes: string[], count: number, seed: number): string[] {
  let s = seed >>> 0 || 1;
  const next = (): number => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 2 ** 32);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(codes[Math.floor(next() * codes.length)]!);
  return out;
}

await workerMain(async (a: Args) => {
  let allCodes: string[];
  if (a.store === 'sqlite') {
    const db = new Database(a.target, { readonly: true });
    allCodes = db.prepare('SELECT resident_code FROM identity').pluck().all() as string[];
    db.close();
  } else {
    const c = new pg.Client({ connectionString: a.target });
    await c.connect();
    allCodes = (
      await c.query<{ resident_code: string }>('SELECT resident_code FROM identity')
    ).rows.map((r) => r.resident_code);
    await c.end();
  }
  const codes = sample(allCodes, a.lookups, a.seed);
  allCodes = [];
  let found = 0;
  let seconds: number;

  if (a.mode === 'ports') {
    const store = await openIdentityStore(a.store === 'sqlite' ? `sqlite:${a.target}` : a.target);
    for (let i = 0; i < 1000; i++)
      await store.findIdentity(codes[i % codes.length] as ResidentCode); // warm-up
    const t = process.hrtime.bigint();
    for (const code of codes)
      if ((await store.findIdentity(code as ResidentCode)) !== undefined) found++;
    seconds = Number(process.hrtime.bigint() - t) / 1e9;
    await store.close();
  } else if (a.store === 'sqlite') {
    const db = new Database(a.target, { readonly: true });
    db.pragma(`cache_size = -${DEFAULT_SQLITE_CACHE_BYTES / 1024}`); // as the store configures it
    const stmt = db.prepare(SQLITE_LOOKUP).raw(true); // the driver's fastest form: rows as arrays
    for (let i = 0; i < 1000; i++) stmt.get(codes[i % codes.length]);
    const t = process.hrtime.bigint();
    for (const code of codes) if (stmt.get(code) !== undefined) found++;
    seconds = Number(process.hrtime.bigint() - t) / 1e9;
    db.close();
  } else {
    const client = new pg.Client({ connectionString: a.target });
    await client.connect();
    const query = (code: string) =>
      client.query({
        name: LOOKUP_STATEMENT_NAME,
        text: PG_LOOKUP,
        values: [code],
        rowMode: 'array',
      });
    for (let i = 0; i < 1000; i++) await query(codes[i % codes.length]!);
    const t = process.hrtime.bigint();
    for (const code of codes) if ((await query(code)).rows.length > 0) found++;
    seconds = Number(process.hrtime.bigint() - t) / 1e9;
    await client.end();
  }
  if (found !== codes.length)
    throw new Error(`lookup found ${found} of ${codes.length} stored codes`);
  return { lookups: codes.length, seconds, lookupsPerSecond: Math.round(codes.length / seconds) };
});

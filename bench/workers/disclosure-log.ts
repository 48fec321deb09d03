/**
 * The disclosure log (R17) alone, on a fresh SQLite store made by the store's own migrations:
 * `records` records of random residents, written in groups of `group` (one commit each, as the
 * provision service commits the records of the queries answered in one turn of the event loop).
 *
 * - `port`: ProvisionStore.recordDisclosures, as a node writes them (each record validated, the
 *   prepared INSERT … ON CONFLICT DO NOTHING, one IMMEDIATE transaction), the node's identity
 *   store open on the same connection as in a node (its page cache);
 * - `raw`: the same INSERT prepared on the same schema, one transaction per group;
 * - `no-resident-index`: the same rows, raw, into the same table without its uniqueness key
 *   `(resident_code, node, query_id)`, which is also the index of a resident's report: what that
 *   index costs.
 *
 * The records are made before the clock starts, the same for every mode (seeded). CPU and wall
 * time are taken per commit and reported for the whole run and for its last fifth (the log then
 * holding 80–100 % of its records).
 */
import Database from 'better-sqlite3';
import { completeWithCheckDigit } from '../../src/domain/check-digit.ts';
import type { NewDisclosure } from '../../src/domain/provision/disclosure.ts';
import type { ResidentCode } from '../../src/domain/resident/ResidentCode.ts';
import { openIdentityStore, openProvisionStore } from '../../src/storage/open-store.ts';
import { disclosureValues } from '../../src/storage/provision-row.ts';
import { SQLITE_INSERT_DISCLOSURE } from '../../src/storage/sqlite/sqlite-disclosure-sync.ts';
import { DEFAULT_SQLITE_CACHE_BYTES } from '../../src/storage/sqlite/sqlite-identity-store.ts';
import { workerMain } from '../harness.ts';

type Mode = 'port' | 'raw' | 'no-resident-index';
type Args = { mode: Mode; records: number; group: number; target: string; seed: number };

/**
 * Makes the store's disclosure table again without its UNIQUE key (its columns and the prefecture
 * index as the migrations left them, read back from the schema).
 */
function dropResidentKey(db: Database.Database): void {
  const sqlOf = (name: string): string => {
    const sql = db.prepare('SELECT sql FROM sqlite_master WHERE name = ?').pluck().get(name);
    if (typeof sql !== 'string') throw new Error(`the store has no ${name}`);
    return sql;
  };
  const table = sqlOf('disclosure');
  const plain = table.replace(/,\s*UNIQUE \(resident_code, node, query_id\)/, '');
  if (plain === table) throw new Error('the disclosure table has no resident key to leave out');
  const prefectureIndex = sqlOf('disclosure_prefecture'); // read before the table goes
  db.exec(`DROP TABLE disclosure; ${plain}; ${prefectureIndex};`);
}

/** Seeded records: random resident codes and prefectures, a UUID-shaped query id each. */
function records(count: number, seed: number): NewDisclosure[] {
  let s = seed >>> 0 || 1;
  const next = (): number => ((s ^= s << 13), (s ^= s >>> 17), (s ^= s << 5), (s >>> 0) / 2 ** 32);
  const hex = (n: number): string =>
    Array.from({ length: n }, () => Math.floor(next() * 16).toString(16)).join('');
  const at = '2026-11-25T00:00:00.000Z';
  return Array.from({ length: count }, () => ({
    at,
    node: 'national:jlis',
    recipientId: 'mhlw-pension',
    recipientName: '厚生労働省及び日本年金機構',
    searcher: 'pension-operator-7',
    affairId: '別表第一:七十三の六',
    legalBasis: '住民基本台帳法別表第一の七十三の六',
    queryId: `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`,
    residentCode: completeWithCheckDigit(
      'resident-code',
      String(Math.floor(next() * 1e10)).padStart(10, '0'),
    ) as ResidentCode,
    channel: 'immediate',
    prefectureCode: String(1 + Math.floor(next() * 47)).padStart(2, '0'),
  }));
}

const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

await workerMain(async (a: Args) => {
  const all = records(a.records, a.seed);
  const groups: NewDisclosure[][] = [];
  for (let i = 0; i < all.length; i += a.group) groups.push(all.slice(i, i + a.group));

  // Both stores on one connection, as a node opens them (the identity store sets the cache).
  const identities = await openIdentityStore(`sqlite:${a.target}`);
  const provision = await openProvisionStore(`sqlite:${a.target}`);
  let write: (group: NewDisclosure[]) => Promise<unknown>;
  let db: Database.Database | undefined;
  if (a.mode === 'port') write = (g) => provision.recordDisclosures(g);
  else {
    await provision.close();
    await identities.close();
    db = new Database(a.target);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma(`cache_size = -${DEFAULT_SQLITE_CACHE_BYTES / 1024}`);
    let sql = SQLITE_INSERT_DISCLOSURE;
    if (a.mode === 'no-resident-index') {
      dropResidentKey(db);
      sql = sql.replace(/\s*ON CONFLICT[\s\S]*$/, '');
    }
    const insert = db.prepare<(string | null)[]>(sql);
    const tx = db.transaction((g: readonly NewDisclosure[]) => {
      for (const d of g) insert.run(...disclosureValues(d));
    });
    write = (g) => Promise.resolve(tx.immediate(g));
  }

  const tailFrom = Math.floor(groups.length * 0.8);
  let cpu = 0;
  let wall = 0;
  let tailCpu = 0;
  let tailWall = 0;
  let tailRecords = 0;
  for (const [i, g] of groups.entries()) {
    const c0 = cpuUs();
    const w0 = performance.now();
    await write(g);
    const c = cpuUs() - c0;
    const w = (performance.now() - w0) * 1000;
    cpu += c;
    wall += w;
    if (i >= tailFrom) {
      tailCpu += c;
      tailWall += w;
      tailRecords += g.length;
    }
    if ((i + 1) % Math.ceil(groups.length / 5) === 0)
      process.stderr.write(`${a.mode}: ${((i + 1) * a.group).toLocaleString('en')} records\n`);
  }
  if (db) db.close();
  else {
    await provision.close();
    await identities.close();
  }
  const us = (x: number, n: number): number => Math.round((x / n) * 10) / 10;
  return {
    records: all.length,
    cpuUsPerRecord: us(cpu, all.length),
    wallUsPerRecord: us(wall, all.length),
    tail: {
      records: tailRecords,
      cpuUsPerRecord: us(tailCpu, tailRecords),
      wallUsPerRecord: us(tailWall, tailRecords),
    },
  };
});

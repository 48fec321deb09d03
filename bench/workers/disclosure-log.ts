/**
 * The disclosure log (R17) alone, on a fresh store (SQLite or PostgreSQL) made by the store's own
 * migrations: `records` records of random residents, written in groups of `group` (one commit
 * each, as the provision service commits the records of the queries answered in one turn of the
 * event loop).
 *
 * - `port`: ProvisionStore.recordDisclosures, as a node writes them (each record validated, the
 *   prepared INSERT … ON CONFLICT DO NOTHING, one IMMEDIATE transaction; on SQLite the node's
 *   identity store open on the same connection as in a node, for its page cache);
 * - `raw`: the same INSERT on the same schema, one transaction per group;
 * - `no-resident-index`: the same rows, raw, into the same table without its uniqueness key
 *   `(resident_code, node, query_id)`, which is also the index of a resident's report: what that
 *   index costs.
 *
 * The three write to three fresh databases in one process, group by group in turn. The records
 * are made before the clock starts, the same for every mode (seeded). CPU and wall time are taken
 * per commit and reported for the whole run and for its last fifth (the log then holding 80–100 %
 * of its records).
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import { completeWithCheckDigit } from '../../src/domain/check-digit.ts';
import type { NewDisclosure } from '../../src/domain/provision/disclosure.ts';
import type { ResidentCode } from '../../src/domain/resident/ResidentCode.ts';
import { openIdentityStore, openProvisionStore } from '../../src/storage/open-store.ts';
import {
  disclosureColumns,
  INSERT_DISCLOSURES_SQL,
} from '../../src/storage/postgres/postgres-disclosure-sync.ts';
import { disclosureValues } from '../../src/storage/provision-row.ts';
import { SQLITE_INSERT_DISCLOSURE } from '../../src/storage/sqlite/sqlite-disclosure-sync.ts';
import { DEFAULT_SQLITE_CACHE_BYTES } from '../../src/storage/sqlite/sqlite-identity-store.ts';
import { workerMain } from '../harness.ts';

type Mode = 'port' | 'raw' | 'no-resident-index';
type Args = {
  store: 'sqlite' | 'postgres';
  records: number;
  group: number;
  /** JSON: a fresh database per mode ({ port, raw, 'no-resident-index' }). */
  targets: string;
  seed: number;
};
const MODES: readonly Mode[] = ['port', 'raw', 'no-resident-index'];

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

type Writer = {
  write: (group: NewDisclosure[]) => Promise<unknown>;
  close: () => Promise<void>;
};

async function sqliteWriter(mode: Mode, target: string): Promise<Writer> {
  // Both stores on one connection, as a node opens them (the identity store sets the cache).
  const identities = await openIdentityStore(`sqlite:${target}`);
  const provision = await openProvisionStore(`sqlite:${target}`);
  if (mode === 'port')
    return {
      write: (g) => provision.recordDisclosures(g),
      close: async () => {
        await provision.close();
        await identities.close();
      },
    };
  await provision.close();
  await identities.close();
  const db = new Database(target);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`cache_size = -${DEFAULT_SQLITE_CACHE_BYTES / 1024}`);
  let sql = SQLITE_INSERT_DISCLOSURE;
  if (mode === 'no-resident-index') {
    dropResidentKey(db);
    sql = sql.replace(/\s*ON CONFLICT[\s\S]*$/, '');
  }
  const insert = db.prepare<(string | null)[]>(sql);
  const tx = db.transaction((g: readonly NewDisclosure[]) => {
    for (const d of g) insert.run(...disclosureValues(d));
  });
  return {
    write: (g) => Promise.resolve(tx.immediate(g)),
    close: () => Promise.resolve(void db.close()),
  };
}

/**
 * PostgreSQL: the port (its pool; each write a transaction taking the table's write lock, one
 * INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING) against the same statements on one
 * client; the database does the work, so the check compares wall time.
 */
async function postgresWriter(mode: Mode, target: string): Promise<Writer> {
  const provision = await openProvisionStore(target);
  if (mode === 'port')
    return { write: (g) => provision.recordDisclosures(g), close: () => provision.close() };
  await provision.close();
  const client = new pg.Client({ connectionString: target });
  await client.connect();
  let sql = INSERT_DISCLOSURES_SQL;
  if (mode === 'no-resident-index') {
    await client.query('ALTER TABLE disclosure DROP CONSTRAINT disclosure_resident_query');
    sql = sql.replace(/\s*ON CONFLICT[\s\S]*$/, '');
  }
  return {
    write: async (g) => {
      await client.query('BEGIN');
      await client.query('LOCK TABLE disclosure IN SHARE ROW EXCLUSIVE MODE');
      await client.query(sql, disclosureColumns(g));
      await client.query('COMMIT');
    },
    close: () => client.end(),
  };
}

type Totals = { cpu: number; wall: number; tailCpu: number; tailWall: number; tailRecords: number };

await workerMain(async (a: Args) => {
  const all = records(a.records, a.seed);
  const groups: NewDisclosure[][] = [];
  for (let i = 0; i < all.length; i += a.group) groups.push(all.slice(i, i + a.group));
  const targets = JSON.parse(a.targets) as Record<Mode, string>;
  const writers = {} as Record<Mode, Writer>;
  for (const mode of MODES)
    writers[mode] =
      a.store === 'sqlite'
        ? await sqliteWriter(mode, targets[mode])
        : await postgresWriter(mode, targets[mode]);

  // The modes take turns group by group (in a turned order), so that whatever else the machine
  // does at a moment falls on all three alike.
  const tailFrom = Math.floor(groups.length * 0.8);
  const totals = Object.fromEntries(
    MODES.map((m) => [m, { cpu: 0, wall: 0, tailCpu: 0, tailWall: 0, tailRecords: 0 }]),
  ) as Record<Mode, Totals>;
  for (const [i, g] of groups.entries()) {
    for (let k = 0; k < MODES.length; k++) {
      const mode = MODES[(i + k) % MODES.length]!;
      const t = totals[mode];
      const c0 = cpuUs();
      const w0 = performance.now();
      await writers[mode].write(g);
      const c = cpuUs() - c0;
      const w = (performance.now() - w0) * 1000;
      t.cpu += c;
      t.wall += w;
      if (i >= tailFrom) {
        t.tailCpu += c;
        t.tailWall += w;
        t.tailRecords += g.length;
      }
    }
    if ((i + 1) % Math.ceil(groups.length / 5) === 0)
      process.stderr.write(
        `${a.store}: ${((i + 1) * a.group).toLocaleString('en')} records each\n`,
      );
  }
  for (const mode of MODES) await writers[mode].close();
  const us = (x: number, n: number): number => Math.round((x / n) * 10) / 10;
  return Object.fromEntries(
    MODES.map((m) => {
      const t = totals[m];
      return [
        m,
        {
          records: all.length,
          cpuUsPerRecord: us(t.cpu, all.length),
          wallUsPerRecord: us(t.wall, all.length),
          tail: {
            records: t.tailRecords,
            cpuUsPerRecord: us(t.tailCpu, t.tailRecords),
            wallUsPerRecord: us(t.tailWall, t.tailRecords),
          },
        },
      ];
    }),
  );
});

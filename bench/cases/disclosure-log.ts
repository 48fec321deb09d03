import { median, round3, runWorker, type Benchmark, type Check } from '../harness.ts';
import { freshPostgres, freshSqlitePath, removeSqlite } from '../stores.ts';

type LogFigures = {
  records: number;
  cpuUsPerRecord: number;
  wallUsPerRecord: number;
  tail: { records: number; cpuUsPerRecord: number; wallUsPerRecord: number };
};

const MODES = ['port', 'raw', 'no-resident-index'] as const;
type Mode = (typeof MODES)[number];
const ROUNDS = 3;
const GROUP = 16;

/** No PostgreSQL to write to: the store's part is reported missing, not run. */
class MissingStore extends Error {}

/**
 * What a record costs in the last fifth of a run: CPU on SQLite (the work is in this process),
 * wall time on PostgreSQL (the work is in the database server).
 */
const COST = {
  sqlite: (f: LogFigures) => f.tail.cpuUsPerRecord,
  postgres: (f: LogFigures) => f.tail.wallUsPerRecord,
} as const;

export const disclosureLogBenchmark: Benchmark = {
  name: 'disclosure-log',
  description:
    'The disclosure log (R17) alone, the largest write of a provision: records of random residents (UUID query ids, 47 prefectures) committed in groups of 16 into a fresh store, as the provision service commits the records of the queries answered in one turn. Through the ProvisionStore port (recordDisclosures, as a node writes them) against the raw INSERT on the same schema (goal: port ≥ 0.9 × raw), and, reported, the same raw INSERT into the same table without its uniqueness key (resident code, node, query id), which is also the index of a resident’s report: what that index costs (`residentIndexShare`). Cost per record over the last fifth of each run (the log then holding 80–100 % of its records): CPU on SQLite, wall time on PostgreSQL (its work is in the database server; one write at a time, as the node’s group writer makes them). Each round writes the three modes to three fresh databases in one process, group by group in turn, so that the machine’s other work falls on all three alike; the median of three rounds counts.',
  async run({ quick, log }) {
    const records = quick ? 20_000 : 300_000;
    const figures: Record<string, unknown> = {};
    const checks: Check[] = [];
    const missing: string[] = [];
    for (const store of ['sqlite', 'postgres'] as const) {
      const rounds: Record<Mode, LogFigures>[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const targets: Partial<Record<Mode, string>> = {};
        const cleanups: (() => Promise<void>)[] = [];
        try {
          for (const mode of MODES) {
            if (store === 'sqlite') {
              const path = freshSqlitePath(`disclosure-log-${mode}`);
              targets[mode] = path;
              cleanups.push(() => Promise.resolve(removeSqlite(path)));
            } else {
              const db = await freshPostgres();
              if ('missing' in db) throw new MissingStore(db.missing);
              targets[mode] = db.url;
              cleanups.push(() => db.drop());
            }
          }
          const r = await runWorker<Record<Mode, LogFigures>>(
            'disclosure-log',
            { store, records, group: GROUP, targets: JSON.stringify(targets), seed: 11 + round },
            log,
          );
          log(
            `  ${store} round ${round + 1}: ${MODES.map((m) => `${m} ${COST[store](r[m])}`).join(', ')} µs a record (${store === 'sqlite' ? 'CPU' : 'wall'}, last fifth)`,
          );
          rounds.push(r);
        } catch (e) {
          if (!(e instanceof MissingStore)) throw e;
          missing.push(`disclosure-log.${store}: ${e.message}`);
          break;
        } finally {
          for (const c of cleanups) await c();
        }
      }
      if (rounds.length === 0) continue;
      const cost = COST[store];
      figures[store] = {
        unit: store === 'sqlite' ? 'µs of CPU a record' : 'µs of wall time a record',
        rounds,
        tailUsPerRecord: Object.fromEntries(MODES.map((m) => [m, rounds.map((r) => cost(r[m]))])),
        /** The share of a raw record's cost that the resident's uniqueness key takes. */
        residentIndexShare: round3(
          median(rounds.map((r) => 1 - cost(r['no-resident-index']) / cost(r.raw))),
        ),
      };
      checks.push({
        name: `disclosure.${store}.port_vs_raw`,
        value: round3(median(rounds.map((r) => cost(r.raw) / cost(r.port)))),
        goal: 0.9,
        direction: 'min',
        unit: 'ratio',
      });
    }
    return {
      parameters: {
        records,
        group: GROUP,
        rounds: ROUNDS,
        sqlite: 'WAL, synchronous NORMAL, the node’s page cache',
        postgres: 'the server as it runs on this machine (synchronous_commit as configured)',
      },
      figures,
      checks,
      ...(missing.length ? { missing } : {}),
    };
  },
};

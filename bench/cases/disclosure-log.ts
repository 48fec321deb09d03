import { round3, median } from '../harness.ts';
import type { Benchmark } from '../harness.ts';
import { runWorker } from '../harness.ts';
import { freshSqlitePath, removeSqlite } from '../stores.ts';

type LogFigures = {
  records: number;
  cpuUsPerRecord: number;
  wallUsPerRecord: number;
  tail: { records: number; cpuUsPerRecord: number; wallUsPerRecord: number };
};

const MODES = ['port', 'raw', 'no-resident-index'] as const;
const ROUNDS = 3;
const GROUP = 16;

export const disclosureLogBenchmark: Benchmark = {
  name: 'disclosure-log',
  description:
    'The disclosure log (R17) alone, the largest write of a provision: records of random residents (UUID query ids, 47 prefectures) committed in groups of 16 into a fresh SQLite store, as the provision service commits the records of the queries answered in one turn. Through the ProvisionStore port (recordDisclosures, as a node writes them) against the raw prepared INSERT on the same schema (goal: port ≥ 0.9 × raw, by CPU per record), and, reported, the same raw INSERT into the same table without its uniqueness key (resident code, node, query id), which is also the index of a resident’s report: what that index costs. CPU per record over the last fifth of each run (the log then holding 80–100 % of its records); each round runs the three modes one after another on fresh files; the median round counts.',
  async run({ quick, log }) {
    const records = quick ? 20_000 : 300_000;
    const rounds: Record<(typeof MODES)[number], LogFigures>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const r: Partial<Record<(typeof MODES)[number], LogFigures>> = {};
      for (const mode of MODES) {
        const target = freshSqlitePath('disclosure-log');
        try {
          r[mode] = await runWorker<LogFigures>(
            'disclosure-log',
            { mode, records, group: GROUP, target, seed: 11 + round },
            log,
          );
        } finally {
          removeSqlite(target);
        }
        log(
          `  round ${round + 1} ${mode}: ${r[mode].tail.cpuUsPerRecord} µs of CPU a record (last fifth)`,
        );
      }
      rounds.push(r as Record<(typeof MODES)[number], LogFigures>);
    }
    const tail = (mode: (typeof MODES)[number]) => rounds.map((r) => r[mode].tail.cpuUsPerRecord);
    const portVsRaw = median(
      rounds.map((r) => r.raw.tail.cpuUsPerRecord / r.port.tail.cpuUsPerRecord),
    );
    const indexShare = median(
      rounds.map((r) => 1 - r['no-resident-index'].tail.cpuUsPerRecord / r.raw.tail.cpuUsPerRecord),
    );
    return {
      parameters: {
        records,
        group: GROUP,
        rounds: ROUNDS,
        store: 'SQLite (WAL, synchronous NORMAL, the node’s page cache)',
      },
      figures: {
        rounds,
        tailCpuUsPerRecord: {
          port: tail('port'),
          raw: tail('raw'),
          noResidentIndex: tail('no-resident-index'),
        },
        /** The share of a record's CPU (raw) that the resident's uniqueness key costs. */
        residentIndexShare: round3(indexShare),
      },
      checks: [
        {
          name: 'disclosure.port_vs_raw',
          value: round3(portVsRaw),
          goal: 0.9,
          direction: 'min',
          unit: 'ratio',
        },
      ],
    };
  },
};

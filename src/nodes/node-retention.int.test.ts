import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';
import { captureIO } from '../cli/test-io.ts';
import {
  buildEvent,
  buildIdentity,
  date,
  residentCodeOf,
} from '../domain/change/change-builders.ts';
import type { ChangeEvent } from '../domain/change/ChangeEvent.ts';
import { DEFAULT_RETENTION_POLICY } from '../domain/retention/retention.ts';
import { openIdentityStore } from '../storage/open-store.ts';
import type { ErasureReport, ErasureRun } from '../storage/ports.ts';
import { parseStoreUrl } from '../storage/store-url.ts';
import { todayInJapan } from './japan-date.ts';
import { jsonLogger } from './json-log.ts';
import { initNetwork } from './network-init.ts';
import { loadNodeConfig, type NodeConfig } from './node-config.ts';
import { startNode, type RunningNode } from './node-runtime.ts';
import { callTerminal } from './terminal-server.ts';
import { runningTerminalTarget } from './terminal-token.ts';
import { reserveBasePort } from './port-range.ts';

const A = residentCodeOf('30000001'); // a resident: two old changes are due, the newest never
const B = residentCodeOf('30000002'); // died in 2014: the record and its history are due
const C = residentCodeOf('30000003'); // moved in last year: nothing is due
const NAMES = ['保存 一郎', '保存 二郎', '保存 三郎'];

const person = (code: typeof A, name: string, address: string): ChangeEvent['values'] =>
  buildIdentity({
    residentCode: code,
    individualNumber: undefined,
    name: { kanji: name, kana: 'ホゾン' },
    address,
    localGovernmentCode: '131016',
  });

/** The history the node holds before retention runs (as if delivered over the years). */
function seed(today: string): ChangeEvent[] {
  const lastYear = `${Number(today.slice(0, 4)) - 1}-06-01`;
  return [
    buildEvent('move-in', person(A, NAMES[0]!, '東京都千代田区千代田1番'), {
      changeDate: date('2010-01-01'),
    }),
    buildEvent('move-within', person(A, NAMES[0]!, '東京都千代田区一番町1番'), {
      changeDate: date('2012-05-01'),
    }),
    buildEvent('move-within', person(A, NAMES[0]!, '東京都千代田区二番町1番'), {
      changeDate: date('2019-01-01'),
    }),
    buildEvent('move-in', person(B, NAMES[1]!, '東京都千代田区三番町1番'), {
      changeDate: date('2000-04-01'),
    }),
    buildEvent('death', person(B, NAMES[1]!, '東京都千代田区三番町1番'), {
      changeDate: date('2014-03-01'),
    }),
    buildEvent('move-in', person(C, NAMES[2]!, '東京都千代田区四番町1番'), {
      changeDate: date(lastYear),
    }),
  ];
}

/** Raw row counts in the node's SQLite file: gone means gone, not flagged. */
function rows(config: NodeConfig, table: 'identity' | 'identity_history'): number {
  const location = parseStoreUrl(config.store);
  if (location.kind !== 'sqlite') throw new Error('expected SQLite');
  const db = new Database(location.path, { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * Retention at a running node (R1, R33; docs/FLOW.md §5): the national server, started from the
 * config `juki network init` wrote, erases history past the 5-year period of the domain rule on
 * demand (`POST /retention/run`) and on its schedule, and shows what it erased on
 * `GET /retention` and `juki node retention --list`: counts and periods, never content.
 */
describe('retention at a running node', () => {
  let dir: string;
  let node: RunningNode | undefined;
  let configPath: string;
  const lines: string[] = [];

  async function nationalWithHistory(retentionMinutes: number): Promise<NodeConfig> {
    const manifest = await initNetwork({
      prefectures: ['13'],
      municipalities: ['131016'],
      dir,
      host: '127.0.0.1',
      basePort: reserveBasePort(),
      overrides: {
        schedule: { integrityMinutes: 0, retentionMinutes, reportPollSeconds: 0 },
        log: { level: 'info' },
      },
    });
    configPath = manifest.nodes.find((n) => n.node === 'national:jlis')!.config;
    const config = await loadNodeConfig(configPath);
    const store = await openIdentityStore(config.store);
    try {
      for (const e of seed(todayInJapan()))
        expect((await store.applyChange(e, { today: todayInJapan() })).status).toBe('applied');
    } finally {
      await store.close();
    }
    return config;
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-retention-'));
    lines.length = 0;
  });
  afterEach(async () => {
    await node?.close();
    node = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const start = async (config: NodeConfig): Promise<RunningNode> =>
    (node = await startNode(config, jsonLogger({ write: (l) => void lines.push(l) })));

  /** What nothing about retention may show: names, addresses, resident codes. */
  const expectNoContent = (text: string): void => {
    for (const name of NAMES) expect(text).not.toContain(name);
    expect(text).not.toContain('千代田区');
    for (const code of [A, B, C]) expect(text).not.toContain(code);
  };

  it('R1, R33: POST /retention/run erases the expired history for real, and GET /retention and `juki node retention --list` show the run with counts and periods only', async () => {
    const config = await nationalWithHistory(0);
    expect(rows(config, 'identity')).toBe(3);
    expect(rows(config, 'identity_history')).toBe(6);
    const n = await start(config);
    const terminal = await runningTerminalTarget(n);
    expect(await callTerminal(terminal, 'GET', '/retention')).toEqual([]);

    const report = (await callTerminal(terminal, 'POST', '/retention/run')) as ErasureReport;
    expect(report).toEqual({
      erasedHistoryEntries: 4, // A's 2010 and 2012 entries, B's two
      erasedRecords: 1, // B
      oldestErased: '2000-04-01',
      newestErased: '2014-03-01',
    });
    // Really gone: raw rows in the node's file, not a flag.
    expect(rows(config, 'identity')).toBe(2);
    expect(rows(config, 'identity_history')).toBe(2);

    const runs = (await callTerminal(terminal, 'GET', '/retention')) as ErasureRun[];
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      ...report,
      asOf: todayInJapan(),
      policy: DEFAULT_RETENTION_POLICY,
    });
    expect(Object.keys(runs[0]!).sort()).toEqual(
      [
        'asOf',
        'erasedHistoryEntries',
        'erasedRecords',
        'id',
        'newestErased',
        'oldestErased',
        'policy',
        'ranAt',
      ].sort(),
    );
    expectNoContent(JSON.stringify(runs));
    expectNoContent(lines.filter((l) => l.includes('retention')).join('\n'));

    // The operator's view from the command line: the same record, newest first.
    const path = configPath;
    expect(await main(['node', 'retention', '--config', path], captureIO())).toBe(0); // none due
    const io = captureIO();
    expect(await main(['node', 'retention', '--list', '--config', path], io)).toBe(0);
    const listed = JSON.parse(io.stdout()) as ErasureRun[];
    expect(listed.map((r) => [r.erasedHistoryEntries, r.erasedRecords])).toEqual([
      [0, 0],
      [4, 1],
    ]);
    expectNoContent(io.stdout());
  });

  it('R1, R33: the schedule (schedule.retentionMinutes) erases and records by itself', async () => {
    const config = await nationalWithHistory(0.01); // every 0.6 s
    expect(config.schedule.retentionMinutes).toBe(0.01);
    const n = await start(config);
    const terminal = await runningTerminalTarget(n);
    const deadline = Date.now() + 15_000;
    let runs: ErasureRun[] = [];
    while (runs.length === 0) {
      if (Date.now() > deadline) throw new Error('the scheduled retention did not run');
      await new Promise((r) => setTimeout(r, 100));
      runs = (await callTerminal(terminal, 'GET', '/retention')) as ErasureRun[];
    }
    expect(runs.at(-1)).toMatchObject({ erasedHistoryEntries: 4, erasedRecords: 1 });
    expect(rows(config, 'identity')).toBe(2);
    expect(lines.some((l) => l.includes('"retention.erased"'))).toBe(true);
  });
});

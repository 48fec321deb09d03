import { round3 } from '../harness.ts';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IntegrityScope } from '../../src/domain/integrity/IntegrityScope.ts';
import type { IntegrityReport } from '../../src/integrity/index.ts';
import { createTestPki, parseNodeName, type NodeTlsCredentials } from '../../src/pki/index.ts';
import type { Benchmark, Check } from '../harness.ts';
import { runWorker } from '../harness.ts';
import { startServer } from '../protocol-servers.ts';
import { freshSqlitePath, removeSqlite, WORK_DIR } from '../stores.ts';

/** 横浜市西区's code, carrying a municipality of Yokohama's size (3.7 M) as one scope. */
export const INTEGRITY_SCOPE: IntegrityScope = { kind: 'municipality', code: '141038' };
const NODES = { cs: 'cs:141038', prefecture: 'prefecture:14' } as const;

export function readIntegrityPki(path: string) {
  const creds = JSON.parse(readFileSync(path, 'utf8')) as Record<
    keyof typeof NODES,
    NodeTlsCredentials
  >;
  const node = (role: keyof typeof NODES) => ({
    node: parseNodeName(NODES[role]),
    credentials: creds[role],
  });
  return { cs: node('cs'), prefecture: node('prefecture') };
}

type SenderResult = {
  seconds: number;
  treeSeconds?: number;
  report: IntegrityReport;
  maxRssMB: number;
};

const DIFFERENCES = { changed: 4, missing: 3, extra: 3 };

export const integrityBenchmark: Benchmark = {
  name: 'integrity',
  description:
    '本人確認情報整合 (R20): a CS checks its municipality (Yokohama’s size, 3.7 M residents, one scope) against its prefecture server over mutual TLS, both on SQLite, the prefecture’s copy carrying 10 silent differences (4 changed values, 3 missing, 3 extra). Bytes of the check’s messages against a full copy (the MessagePack size of every in-scope record’s 本人確認情報); every difference found; then the repair, and a second check that must match. Goals: bytes ≤ 0.01 of the full copy, all differences found.',
  async run({ quick, log }) {
    const residents = quick ? 50_000 : 3_700_000;
    const csPath = freshSqlitePath('integrity-cs');
    const prefPath = freshSqlitePath('integrity-prefecture');
    const pkiPath = `${WORK_DIR}integrity-pki.json`;
    let server: Awaited<ReturnType<typeof startServer<{ host: string; port: number }>>> | undefined;
    try {
      log(`  loading ${residents.toLocaleString('en')} residents of ${INTEGRITY_SCOPE.code}`);
      const load = await runWorker<{ loaded: number; seconds: number; fullCopyBytes: number }>(
        'integrity-load',
        { mode: 'load', residents, code: INTEGRITY_SCOPE.code, target: csPath },
        log,
      );
      // The prefecture's file starts as a copy of the CS's (closed, so the WAL is checkpointed).
      copyFileSync(csPath, prefPath);
      if (existsSync(`${csPath}-wal`)) copyFileSync(`${csPath}-wal`, `${prefPath}-wal`);
      const expected = await runWorker<{ changed: string[]; missing: string[]; extra: string[] }>(
        'integrity-load',
        { mode: 'diverge', target: prefPath, ...DIFFERENCES },
        log,
      );

      const pki = await createTestPki();
      writeFileSync(
        pkiPath,
        JSON.stringify({
          cs: pki.credentials(await pki.issue(NODES.cs)),
          prefecture: pki.credentials(await pki.issue(NODES.prefecture)),
        }),
        { mode: 0o600 },
      );
      server = await startServer<{ host: string; port: number }>(
        'integrity-receiver',
        { pki: pkiPath, store: prefPath },
        log,
      );
      const send = (checkId: string, repair: boolean, treeOnly: boolean) =>
        runWorker<SenderResult>(
          'integrity-sender',
          {
            pki: pkiPath,
            store: csPath,
            host: server!.ready.host,
            port: server!.ready.port,
            checkId,
            repair: repair ? 1 : 0,
            treeOnly: treeOnly ? 1 : 0,
          },
          log,
        );
      log('  check with repair');
      const first = await send('bench-1', true, true);
      log('  check again');
      const second = await send('bench-2', false, false);
      const receiver = await server.stop();
      server = undefined;

      const r = first.report;
      const found = {
        changed: count(r.differences.differingValues, expected.changed),
        missing: count(r.differences.missingAtReceiver, expected.missing),
        extra: count(r.differences.extraAtReceiver, expected.extra),
      };
      const expectedTotal =
        expected.changed.length + expected.missing.length + expected.extra.length;
      const reportedTotal =
        r.differenceCounts.differingValues +
        r.differenceCounts.missingAtReceiver +
        r.differenceCounts.extraAtReceiver;
      const foundTotal = found.changed + found.missing + found.extra;
      // A false report counts against the ratio as much as a miss.
      const foundRatio = foundTotal / Math.max(expectedTotal, reportedTotal);
      // The check alone (the repair re-sends 7 whole records: reported apart).
      const repairBytes = (r.repaired?.bytes.sent ?? 0) + (r.repaired?.bytes.received ?? 0);
      const checkBytes = r.bytes.sent + r.bytes.received - repairBytes;
      const bytesRatio = checkBytes / load.fullCopyBytes;
      const checks: Check[] = [
        {
          name: 'integrity.bytes_vs_full',
          value: round6(bytesRatio),
          goal: 0.01,
          direction: 'max',
          unit: 'ratio',
        },
        {
          name: 'integrity.differences_found_ratio',
          value: round6(foundRatio),
          goal: 1,
          direction: 'min',
          unit: 'ratio',
        },
      ];
      return {
        parameters: {
          residents,
          scope: INTEGRITY_SCOPE,
          differences: DIFFERENCES,
          store: 'sqlite',
        },
        figures: {
          load: { ...load, rowsPerSecond: Math.round(load.loaded / load.seconds) },
          fullCopyBytes: load.fullCopyBytes,
          check: {
            seconds: round3(first.seconds),
            senderTreeSeconds: round3(first.treeSeconds ?? 0),
            depth: r.depth,
            buckets: 2 ** r.depth,
            calls: r.calls,
            bytesSent: r.bytes.sent,
            bytesReceived: r.bytes.received,
            checkBytes,
            repairBytes,
            bytesRatio: round6(bytesRatio),
            counts: r.counts,
            differenceCounts: r.differenceCounts,
            found,
            falseReports: reportedTotal - foundTotal,
            repaired: r.repaired,
            senderMaxRssMB: first.maxRssMB,
          },
          recheck: {
            seconds: round3(second.seconds),
            matching: second.report.matching,
            calls: second.report.calls,
            bytes: second.report.bytes.sent + second.report.bytes.received,
          },
          receiver: receiver,
        },
        checks,
      };
    } finally {
      server?.kill();
      removeSqlite(csPath);
      removeSqlite(prefPath);
      rmSync(pkiPath, { force: true });
    }
  },
};

const count = (reported: readonly string[], expected: readonly string[]): number =>
  expected.filter((c) => reported.includes(c)).length;
const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AccessLogSeal, AccessRecord } from '../../domain/audit/access-log.ts';
import {
  parseAnchorsExport,
  sealAccessLog,
  sealKeyFromBundle,
  verifyAccessLog,
  type VerifyReport,
} from '../../audit/index.ts';
import { loadNodeConfig } from '../../nodes/node-config.ts';
import { callTerminal } from '../../nodes/terminal-server.ts';
import { openAccessLogStore } from '../../storage/open-store.ts';
import { nodeTerminal } from '../terminal-target.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';
import { AUDIT_ANALYSE_DETAIL, AUDIT_ANALYSE_HELP, runAuditAnalyse } from './audit-analyse.ts';
import { AUDIT_ANCHORS_DETAIL, AUDIT_ANCHORS_HELP, runAuditAnchors } from './audit-anchors.ts';
import { AUDIT_REPORT_DETAIL, AUDIT_REPORT_HELP, runAuditReport } from './audit-report.ts';

export const AUDIT_HELP = `juki audit verify --store URL --bundle DIR [--cert PEM …] [--anchors FILE] [--json]
juki audit verify --config NODE.json [--json]
juki audit list --store URL [--operator ID] [--limit N] [--json]
juki audit list --config NODE.json [--operator ID] [--limit N] [--json]
juki audit seal --store URL --bundle DIR
${AUDIT_ANALYSE_HELP}
${AUDIT_ANCHORS_HELP}
${AUDIT_REPORT_HELP}

  The node's access log (アクセスログ, R23; docs/AUDIT.md): every operation, refused ones
  included, hash-chained and sealed with the node's key.

  verify   walks the whole log: recomputes every hash, checks the order and every seal. Prints
           OK with the counts and the last seal (exit 0), or where and what kind of tampering
           it found: changed, removed, reordered, inserted, seal-invalid (exit 1). Records
           after the last seal are a warning (unsealed-tail), not tampering. With --anchors,
           also compares the seals with those the upstream node anchored: anchor-mismatch (the
           log was sealed again), anchor-missing-locally (an anchored seal is gone).
  list     the newest records first
  seal     seals the log up to its last record now (otherwise every 1000 records)
${AUDIT_ANALYSE_DETAIL}
${AUDIT_ANCHORS_DETAIL}
${AUDIT_REPORT_DETAIL}

  --config FILE   list, verify: ask the running node (POST /audit/list, /audit/verify), so that
                  reading the log is itself in the log, under the auditor of
                  JUKI_OPERATOR_SESSION (at most 200 records; verify uses the node's current
                  certificate); --store reads the store directly and records nothing
  --store URL     the node's store (sqlite:PATH or postgres://…)
  --bundle DIR    the node's certificate bundle (node.crt, node.key)
  --cert PEM      verify: an earlier certificate of the node whose key sealed part of the log
                  (repeatable)
  --anchors FILE  verify: the upstream node's anchors of this node (juki audit anchors --json)
  --operator ID   list: one operator's records only
  --limit N       list: at most N records (default 50)
  --node NAME     analyse: the observer of the alerts (default: the node of the log)
  --threshold R=N analyse: a rule's threshold instead of its default (repeatable)
  --json          machine-readable output`;

export async function runAudit(args: readonly string[], io: CommandIO): Promise<number> {
  const [verb, ...rest] = args;
  switch (verb) {
    case 'verify':
      return runVerify(rest, io);
    case 'list':
      return runList(rest, io);
    case 'seal':
      return runSeal(rest, io);
    case 'analyse':
      return runAuditAnalyse(rest, io);
    case 'anchors':
      return runAuditAnchors(rest, io);
    case 'report':
      return runAuditReport(rest, io);
    case undefined:
    default:
      throw new UsageError(`unknown audit command ${JSON.stringify(verb ?? '')}`);
  }
}

const required = (value: string | undefined, flag: string): string => {
  if (value === undefined) throw new UsageError(`${flag} is required`);
  return value;
};

const sealLine = (s: AccessLogSeal): string =>
  `封印 ${s.seq}: 記録 ${s.uptoSeq} まで ${s.at} ${s.node} (seal ${s.seq}: up to record ${s.uptoSeq})`;

async function runVerify(args: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      store: { type: 'string' },
      bundle: { type: 'string' },
      cert: { type: 'string', multiple: true, default: [] },
      anchors: { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.config !== undefined) {
    if (values.store !== undefined || values.cert.length > 0 || values.anchors !== undefined)
      throw new UsageError('verify --config takes no --store, --cert or --anchors');
    const at = await nodeTerminal(await loadNodeConfig(values.config));
    const report = (await callTerminal(at, 'POST', '/audit/verify')) as VerifyReport;
    if (values.json) printJson(io, report);
    else printReport(report, io);
    return report.ok ? EXIT.ok : EXIT.failed;
  }
  const url = required(values.store, '--store');
  const bundle = required(values.bundle, '--bundle');
  const pems = [await readFile(join(bundle, 'node.crt'), 'utf8')];
  for (const file of values.cert) pems.push(await readFile(file, 'utf8'));
  const anchors =
    values.anchors === undefined
      ? undefined
      : parseAnchorsExport(await readFile(values.anchors, 'utf8'));
  const store = await openAccessLogStore(url);
  let report: VerifyReport;
  try {
    report = await verifyAccessLog(store, pems, anchors === undefined ? {} : { anchors });
  } finally {
    await store.close();
  }
  if (values.json) printJson(io, report);
  else printReport(report, io);
  return report.ok ? EXIT.ok : EXIT.failed;
}

function printReport(r: VerifyReport, io: CommandIO): void {
  if (r.problem !== undefined) {
    const p = r.problem;
    io.out(`改ざんを検出しました / TAMPERING DETECTED: ${p.kind} at record ${p.seq}`);
    io.out(`  ${p.detail}`);
    io.out(
      `  (記録 ${r.records} 件と封印 ${r.seals} 件までは正常 / the first ${r.records} records and ${r.seals} seals verified)`,
    );
    return;
  }
  io.out(
    `OK: 記録 ${r.records} 件、封印 ${r.seals} 件を検証しました (${r.records} records, ${r.seals} seals verified)`,
  );
  io.out(
    r.lastSeal === undefined
      ? '  封印はまだありません (no seal yet)'
      : `  最後の${sealLine(r.lastSeal)}`,
  );
  if (r.anchors !== undefined)
    io.out(
      `  上位ノードの保管記録と一致: 封印 ${r.anchors.compared} 件、未保管 ${r.anchors.notAnchored} 件 ` +
        `(${r.anchors.compared} seals match their anchors; ${r.anchors.notAnchored} not anchored yet)`,
    );
  if (r.unsealedTail !== undefined)
    io.out(
      `  警告 unsealed-tail: 記録 ${r.unsealedTail.fromSeq} 以降の ${r.unsealedTail.count} 件は未封印です ` +
        `(warning: ${r.unsealedTail.count} records from ${r.unsealedTail.fromSeq} are not sealed yet; run juki audit seal)`,
    );
}

async function runList(args: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      store: { type: 'string' },
      operator: { type: 'string' },
      limit: { type: 'string', default: '50' },
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const limit = Number(values.limit);
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new UsageError('--limit must be a positive integer');
  const operator = values.operator === undefined ? {} : { operator: values.operator };
  let records: AccessRecord[];
  if (values.config !== undefined) {
    const at = await nodeTerminal(await loadNodeConfig(values.config));
    const answer = (await callTerminal(at, 'POST', '/audit/list', {
      limit,
      ...operator,
    })) as { records: AccessRecord[] };
    return printList(answer.records, values.json, io);
  }
  const store = await openAccessLogStore(required(values.store, '--store'));
  try {
    records = await store.list({ limit, ...operator });
  } finally {
    await store.close();
  }
  return printList(records, values.json, io);
}

function printList(records: readonly AccessRecord[], json: boolean, io: CommandIO): number {
  if (json) printJson(io, records);
  else if (records.length === 0) io.out('アクセスログの記録はありません (no access log records)');
  else
    for (const r of records)
      io.out(
        `#${r.seq} ${r.at} ${r.node} ${r.operator} ${r.operation} ${r.target || '-'} ${r.result}` +
          `${r.reason === undefined ? '' : ` [${r.reason}]`}${r.purpose === undefined ? '' : ` 目的: ${r.purpose}`}`,
      );
  return EXIT.ok;
}

async function runSeal(args: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { store: { type: 'string' }, bundle: { type: 'string' } },
  });
  const url = required(values.store, '--store');
  const key = await sealKeyFromBundle(required(values.bundle, '--bundle'));
  const store = await openAccessLogStore(url);
  try {
    const seal = await sealAccessLog(store, key, new Date().toISOString());
    io.out(
      seal === undefined
        ? '封印するべき新しい記録はありません (nothing new to seal)'
        : `封印しました / sealed: ${sealLine(seal)}`,
    );
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

import { parseArgs } from 'node:util';
import { analyseAccessLog, type AnalysisResult } from '../../audit/analyse.ts';
import { ANALYSIS_RULES, thresholdsFrom } from '../../domain/audit/analysis.ts';
import { openAnalysisStore } from '../../storage/analysis-store.ts';
import { openAccessLogStore } from '../../storage/open-store.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';

export const AUDIT_ANALYSE_HELP = `juki audit analyse --store URL [--node NAME] [--threshold RULE=N …] [--json]`;

const ruleLines = (): string => {
  const ids = ANALYSIS_RULES.map((r) => r.id);
  const lines: string[] = [];
  for (let i = 0; i < ids.length; i += 3)
    lines.push(`           ${ids.slice(i, i + 3).join(', ')}`);
  return lines.join(',\n');
};

export const AUDIT_ANALYSE_DETAIL = `  analyse  runs the analysis rules (R16) once over what is new in the access log, provision
           refusals and disclosures since the last run; each new finding becomes an alert of
           kind audit-finding (juki alerts). Rules (docs/AUDIT.md "Analysis (R16)"):
${ruleLines()}`;

function parseThresholds(list: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of list) {
    const m = /^([a-z.-]+)=(\d+)$/.exec(item);
    if (!m) throw new UsageError(`--threshold must be RULE=N, got ${JSON.stringify(item)}`);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

/** `juki audit analyse`: one analysis run against a node's store. */
export async function runAuditAnalyse(args: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      store: { type: 'string' },
      node: { type: 'string' },
      threshold: { type: 'string', multiple: true, default: [] },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.store === undefined) throw new UsageError('--store is required');
  let thresholds;
  try {
    thresholds = thresholdsFrom(parseThresholds(values.threshold));
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
  const accessLog = await openAccessLogStore(values.store);
  let result: AnalysisResult;
  try {
    const analysis = await openAnalysisStore(values.store);
    try {
      const observer = values.node ?? (await accessLog.last())?.node ?? 'local';
      result = await analyseAccessLog({ accessLog, analysis, observer }, { thresholds });
    } finally {
      await analysis.close();
    }
  } finally {
    await accessLog.close();
  }
  if (values.json) {
    printJson(io, { run: result.run, findings: result.findings, newFindings: result.fresh });
    return EXIT.ok;
  }
  const r = result.run;
  io.out(
    `解析 ${r.id}: 記録 ${r.records} 件、所見 ${r.findings} 件（新規 ${r.newFindings} 件） ` +
      `(analysis ${r.id}: ${r.records} records, ${r.findings} findings, ${r.newFindings} new)`,
  );
  for (const f of result.findings)
    io.out(`  ${result.fresh.includes(f) ? '新規 new ' : '既出 seen'} ${f.detail}`);
  return EXIT.ok;
}

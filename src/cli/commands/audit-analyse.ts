import { parseArgs } from 'node:util';
import { analyseAccessLog, type AnalyseOptions, type AnalysisResult } from '../../audit/analyse.ts';
import { ANALYSIS_RULES, thresholdsFrom } from '../../domain/audit/analysis.ts';
import { nodeName } from '../../domain/network/NodeRef.ts';
import { loadNodeConfig } from '../../nodes/node-config.ts';
import { openAnalysisStore } from '../../storage/analysis-store.ts';
import { openAccessLogStore } from '../../storage/open-store.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';

export const AUDIT_ANALYSE_HELP = `juki audit analyse (--config NODE.json | --store URL [--node NAME]) [--threshold RULE=N …] [--json]`;

const ruleLines = (): string => {
  const ids = ANALYSIS_RULES.map((r) => r.id);
  const lines: string[] = [];
  for (let i = 0; i < ids.length; i += 3)
    lines.push(`           ${ids.slice(i, i + 3).join(', ')}`);
  return lines.join(',\n');
};

export const AUDIT_ANALYSE_DETAIL = `  analyse  runs the analysis rules (R16) once over what is new in the access log, provision
           refusals and disclosures since the last run; each new finding becomes an alert of
           kind audit-finding (juki alerts). With --config, the node's store, name and
           settings (config "analysis": thresholds, office hours, holidays) are used, as the
           node's own scheduled run uses them; --threshold overrides a rule on top of them. With
           --store alone, the defaults. Rules (docs/AUDIT.md "Analysis (R16)"):
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
      config: { type: 'string' },
      node: { type: 'string' },
      threshold: { type: 'string', multiple: true, default: [] },
      json: { type: 'boolean', default: false },
    },
  });
  if ((values.store === undefined) === (values.config === undefined))
    throw new UsageError('give either --config NODE.json or --store URL');
  if (values.config !== undefined && values.node !== undefined)
    throw new UsageError('--node goes with --store; with --config the node is the config’s');
  const overrides = parseThresholds(values.threshold);
  try {
    thresholdsFrom(overrides); // checks the rule names and values
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
  const config = values.config === undefined ? undefined : await loadNodeConfig(values.config);
  const store = config?.store ?? values.store!;
  const storeOptions = config?.storeSchema ? { schema: config.storeSchema } : {};
  const options: AnalyseOptions = {
    ...config?.analysis,
    thresholds: { ...(config?.analysis?.thresholds ?? thresholdsFrom({})), ...overrides },
  };
  const accessLog = await openAccessLogStore(store, storeOptions);
  let result: AnalysisResult;
  try {
    const analysis = await openAnalysisStore(store, storeOptions);
    try {
      const observer = config
        ? nodeName(config.node)
        : (values.node ?? (await accessLog.last())?.node ?? 'local');
      result = await analyseAccessLog({ accessLog, analysis, observer }, options);
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

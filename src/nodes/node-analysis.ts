import { analyseAccessLog, type AnalysisResult } from '../audit/analyse.ts';
import type { Finding } from '../domain/audit/analysis.ts';
import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import { openAnalysisStore } from '../storage/analysis-store.ts';
import { openAccessLogStore, type OpenStoreOptions } from '../storage/open-store.ts';
import { errorText, type Logger } from './json-log.ts';
import type { NodeConfig } from './node-config.ts';

/**
 * The access-log analysis of a prefecture or national server (R16; docs/AUDIT.md "Analysis
 * (R16)"): every `schedule.analysisMinutes` (default 60; 0: on demand only) and on demand
 * (terminal POST /audit/analyse), with the node's thresholds and office hours (config `analysis`).
 * Findings and their alerts are written in one transaction of the node's store. One run at a time: a request during a run waits for it and
 * then runs over what came after.
 */
export type NodeAnalysis = {
  run(): Promise<AnalysisSummary>;
  close(): Promise<void>;
};

/** What the terminal answers: the run's counts and its new findings (identifiers and counts). */
export type AnalysisSummary = {
  readonly run: number;
  readonly at: string;
  readonly records: number;
  readonly findings: number;
  readonly newFindings: readonly Finding[];
};

const summary = (r: AnalysisResult): AnalysisSummary => ({
  run: r.run.id,
  at: r.run.at,
  records: r.run.records,
  findings: r.run.findings,
  newFindings: r.fresh,
});

/** Analyses on the national server and prefecture servers only (R16); undefined elsewhere. */
export async function startNodeAnalysis(o: {
  readonly config: NodeConfig;
  readonly storeOptions: Pick<OpenStoreOptions, 'schema'>;
  readonly log: Logger;
}): Promise<NodeAnalysis | undefined> {
  const self = o.config.node;
  if (self.role !== 'prefecture' && self.role !== 'national') return undefined;
  const accessLog = await openAccessLogStore(o.config.store, o.storeOptions);
  const analysis = await openAnalysisStore(o.config.store, o.storeOptions).catch(
    async (e: unknown) => {
      await accessLog.close();
      throw e;
    },
  );
  const observer = nodeName(self);
  let queue: Promise<unknown> = Promise.resolve();
  let running = false;
  const run = (): Promise<AnalysisSummary> => {
    const next = queue.then(async () => {
      running = true;
      try {
        const result = await analyseAccessLog(
          { accessLog, analysis, observer },
          o.config.analysis ?? {},
        );
        o.log.info('audit.analysed', {
          run: result.run.id,
          records: result.run.records,
          findings: result.run.findings,
          newFindings: result.fresh.length,
        });
        for (const f of result.fresh) o.log.warn('audit.finding', { detail: f.detail });
        return summary(result);
      } finally {
        running = false;
      }
    });
    queue = next.catch(() => undefined);
    return next;
  };

  const minutes = o.config.schedule.analysisMinutes ?? 0;
  let timer: NodeJS.Timeout | undefined;
  if (minutes > 0) {
    timer = setInterval(() => {
      if (running) return;
      run().catch((e: unknown) => o.log.error('audit.analysis-failed', { error: errorText(e) }));
    }, minutes * 60_000);
    timer.unref();
  }
  return {
    run,
    close: async () => {
      if (timer) clearInterval(timer);
      await queue;
      await analysis.close();
      await accessLog.close();
    },
  };
}

/** The terminal route's answer where a node does not analyse (a CS, an agency, the switch). */
export const noAnalysis = (self: NodeRef): RegistryError =>
  new RegistryError(
    'invalid',
    `${nodeName(self)} はアクセスログを解析しません（都道府県サーバと全国サーバが解析します） / this node does not analyse access logs (prefecture and national servers do)`,
    'node.no-analysis',
  );

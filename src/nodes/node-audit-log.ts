import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyAccessLog, type VerifyReport } from '../audit/index.ts';
import { selfCheckReport, type SelfCheckSources } from '../audit/self-check.ts';
import type { AccessRecord } from '../domain/audit/access-log.ts';
import { RegistryError } from '../domain/errors.ts';
import type { AccessLogStore } from '../storage/ports.ts';
import type { TerminalRoute } from './terminal-server.ts';

/*
 * The access log (アクセスログ, R23) read and verified at the running node, for its auditor
 * (監査担当者, operations audit.read and audit.verify): `POST /audit/list` and `POST /audit/verify`
 * on the terminal side, so that reading the log is itself an act in the log (who looked, when)
 * — `juki audit list|verify --store` open the store directly and record nothing.
 */

export const AUDIT_LIST_MAX = 200;

/** `POST /audit/list` `{ operator?, beforeSeq?, limit? }`: the newest records first. */
export async function auditList(
  store: AccessLogStore,
  b: Readonly<Record<string, unknown>>,
): Promise<{ readonly records: AccessRecord[]; readonly more: boolean }> {
  const limit = b.limit === undefined ? 100 : b.limit;
  if (typeof limit !== 'number' || !Number.isSafeInteger(limit) || limit < 1)
    throw new RegistryError('invalid', 'limit must be a positive integer', 'audit.limit');
  const beforeSeq = b.beforeSeq;
  if (
    beforeSeq !== undefined &&
    (typeof beforeSeq !== 'number' || !Number.isSafeInteger(beforeSeq) || beforeSeq < 1)
  )
    throw new RegistryError('invalid', 'beforeSeq must be a positive integer', 'audit.before-seq');
  const operator = b.operator;
  if (
    operator !== undefined &&
    (typeof operator !== 'string' || !/^[\x21-\x7e]{1,64}$/.test(operator))
  )
    throw new RegistryError(
      'invalid',
      '操作者IDが不正です / operator must be an operator id (printable ASCII, no spaces)',
      'audit.operator',
    );
  const take = Math.min(limit, AUDIT_LIST_MAX);
  const records = await store.list({
    limit: take + 1,
    ...(beforeSeq === undefined ? {} : { beforeSeq }),
    ...(operator === undefined ? {} : { operator }),
  });
  return { records: records.slice(0, take), more: records.length > take };
}

/**
 * `POST /audit/verify`: the whole chain and every seal, against the node's current certificate
 * (a log partly sealed with an earlier key needs `juki audit verify --cert` for that one).
 */
export async function auditVerify(store: AccessLogStore, bundleDir: string): Promise<VerifyReport> {
  const pem = await readFile(join(bundleDir, 'node.crt'), 'utf8');
  return verifyAccessLog(store, pem);
}

/** The terminal routes of the access log. */
export const auditRoutes = (store: AccessLogStore, bundleDir: string): TerminalRoute[] => [
  { method: 'POST', path: '/audit/list', run: (b) => auditList(store, b) },
  { method: 'POST', path: '/audit/verify', run: () => auditVerify(store, bundleDir) },
];

/**
 * `POST /audit/report` `{from, to}` (dates in Japan, both included): the node's self-check report
 * (点検報告, R34; src/audit/self-check.ts) for the auditor (operation `audit.read`).
 */
export const auditReportRoute = (sources: SelfCheckSources): TerminalRoute => ({
  method: 'POST',
  path: '/audit/report',
  run: async (b) => {
    const { from, to } = b;
    if (typeof from !== 'string' || typeof to !== 'string')
      throw new RegistryError(
        'invalid',
        '期間（from, to: YYYY-MM-DD）が必要です / from and to are required',
        'self-check.period',
      );
    return selfCheckReport(sources, { from, to });
  },
});

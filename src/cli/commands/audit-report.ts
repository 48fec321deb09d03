import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { renderSelfCheckHtml } from '../../audit/self-check-html.ts';
import { renderPdf } from '../../disclosure/pdf.ts';
import type { SelfCheckReport } from '../../audit/self-check.ts';
import { loadNodeConfig } from '../../nodes/node-config.ts';
import { callTerminal } from '../../nodes/terminal-server.ts';
import { nodeTerminal } from '../terminal-target.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';

export const AUDIT_REPORT_HELP = `juki audit report --config NODE.json --from DATE --to DATE [--html FILE] [--pdf FILE] [--json]`;

export const AUDIT_REPORT_DETAIL = `  report   点検報告 (R34): the node's self-check report for the dates in Japan from–to (both
           included), from the running node (POST /audit/report, recorded in its access log):
           the access log by operation and result, the refusals' reasons, each operator's
           acts, the log's verification; the operator register's grants, revocations and
           revoked cards; the intrusion alerts by kind; at a providing node its provisions per
           recipient, affair and channel, its refused attempts and its media outputs. Counts and
           identifiers only (docs/AUDIT.md "The self-check report"); --html and --pdf write it as a
           printable document (the PDF through Debian's chromium with fonts-noto-cjk)`;

const RESULT = { ok: '正常', refused: '拒否', failed: '失敗' } as const;

/** `juki audit report …` (args after `report`). */
export async function runAuditReport(args: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      config: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean', default: false },
      html: { type: 'string' },
      pdf: { type: 'string' },
    },
  });
  const need = (v: string | undefined, flag: string): string => {
    if (v === undefined) throw new UsageError(`${flag} is required\n${AUDIT_REPORT_HELP}`);
    return v;
  };
  const target = await nodeTerminal(await loadNodeConfig(need(values.config, '--config')));
  const report = (await callTerminal(target, 'POST', '/audit/report', {
    from: need(values.from, '--from'),
    to: need(values.to, '--to'),
  })) as SelfCheckReport;
  if (values.html !== undefined || values.pdf !== undefined) {
    const html = renderSelfCheckHtml(report);
    if (values.html !== undefined) await writeFile(values.html, html);
    if (values.pdf !== undefined) await writeFile(values.pdf, await renderPdf(html));
  }
  if (values.json) printJson(io, report);
  else for (const line of reportLines(report)) io.out(line);
  return EXIT.ok;
}

/** The report as text, a line each (the web terminal shows the same as tables). */
export function reportLines(r: SelfCheckReport): string[] {
  const out = [
    `点検報告 self-check report — ${r.node}, ${r.period.from} – ${r.period.to} (JST), made ${r.generatedAt}`,
    '',
    `アクセスログ access log: ${r.accessLog.records} record(s) in the period`,
  ];
  for (const o of r.accessLog.operations)
    out.push(
      `  ${o.operation}: ${RESULT.ok} ${o.ok} / ${RESULT.refused} ${o.refused} / ${RESULT.failed} ${o.failed}`,
    );
  if (r.accessLog.refusals.length > 0) out.push('  拒否の理由 refusals by reason:');
  for (const x of r.accessLog.refusals) out.push(`    ${x.reason}: ${x.count}`);
  out.push('  操作者ごと per operator:');
  for (const o of r.accessLog.operators)
    out.push(`    ${o.operator}: ${o.acts} act(s), ${o.refused} refused`);
  const v = r.accessLog.verification;
  if (v)
    out.push(
      v.ok
        ? `  検証 verification: OK — ${v.records} record(s), ${v.seals} seal(s)${v.unsealed ? `, ${v.unsealed} not sealed yet` : ''}`
        : `  検証 verification: 改ざんを検出 TAMPERING — ${v.problem ?? ''}`,
    );
  out.push(
    '',
    `操作者 operators: ${r.operators.active.map((a) => `${a.cardType} ${a.count}`).join(', ') || 'none active'}`,
  );
  for (const e of r.operators.events)
    out.push(
      `  ${e.at} ${e.kind === 'granted' ? '付与 granted' : '失効 revoked'} ${e.operatorId} by ${e.by}: ${e.detail}`,
    );
  for (const c of r.operators.cardRevocations)
    out.push(
      `  ${c.at} カード失効 card revoked ${c.operatorId} ${c.credentialId} by ${c.by}: ${c.reason}`,
    );
  if (r.alerts) {
    out.push('', `侵入検知 alerts: ${r.alerts.total}`);
    for (const k of r.alerts.kinds) out.push(`  ${k.kind}: ${k.count}`);
  }
  if (r.integrity)
    out.push(
      '',
      `本人確認情報整合 integrity checks: ${r.integrity.checks} (${r.integrity.matching} matching, ${r.integrity.differing} differing, ${r.integrity.repaired} record(s) repaired) with ${r.integrity.peers.join(', ') || '—'}`,
    );
  if (r.retention)
    out.push(
      `保存期間 retention runs: ${r.retention.runs}, erased ${r.retention.erasedHistoryEntries} history entr(ies) and ${r.retention.erasedRecords} record(s)`,
    );
  if (r.provision) {
    const p = r.provision;
    out.push('', `本人確認情報の提供 provisions: ${p.total}`);
    for (const x of p.provisions)
      out.push(`  ${x.recipientId} ${x.affairId} ${x.channel}: ${x.count}`);
    out.push(`拒否された照会 refused attempts: ${p.refusedTotal}`);
    for (const x of p.refusals) out.push(`  ${x.recipientId} ${x.reason}: ${x.count}`);
    out.push(
      `媒体出力 media outputs: ${p.media.outputs} (${p.media.rows} row(s)), disposed of ${p.media.disposed}, still out ${p.media.outputs - p.media.disposed}`,
    );
  }
  return out;
}

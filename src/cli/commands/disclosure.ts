import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { CalendarDate } from '../../domain/dates/CalendarDate.ts';
import { parseResidentCode } from '../../domain/resident/ResidentCode.ts';
import {
  disclosureReportModel,
  renderDisclosureHtml,
  renderDisclosureModelHtml,
  renderPdf,
  type DisclosureReportModel,
} from '../../disclosure/index.ts';
import { disclosureReportOf } from '../../nodes/disclosure-report.ts';
import { todayInJapan } from '../../nodes/japan-date.ts';
import { loadNodeConfig } from '../../nodes/node-config.ts';
import type { DisclosureSyncReport } from '../../nodes/node-disclosure-sync.ts';
import { callTerminal } from '../../nodes/terminal-server.ts';
import { nodeTerminal } from '../terminal-target.ts';
import { openIdentityStore, openProvisionStore } from '../../storage/open-store.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';

export const DISCLOSURE_HELP = `juki disclosure report --config NODE.json --resident-code CODE
                       [--from DATE] [--to DATE] [--pdf FILE] [--html FILE] [--json]
juki disclosure report --store URL --resident-code CODE [--issuer NODE]
                       [--from DATE] [--to DATE] [--pdf FILE] [--html FILE] [--json]
juki disclosure sync --config PREFECTURE.json [--json]

  report: a resident's disclosure report (本人確認情報の提供状況の開示, R17): every provision of
  their 本人確認情報 recorded at this node — when, to whom, for which affair (purpose) and on which
  legal basis, and which node provided it — under all of their resident codes (re-codes
  followed). At a prefecture server it holds its own provisions and the national server's copies
  (fetched by sync). Refused queries are not in it: they provided nothing. PDF through Chromium
  (Debian's chromium and fonts-noto-cjk; docs/DISCLOSURE.md).

  sync: the running prefecture server fetches the national server's disclosure records about its
  residents now (it also does so every schedule.disclosureSyncMinutes, default 10).

  --config FILE   report: asks the running node's terminal side (POST /disclosure/report): the
                  act is in its access log (R23) under the operator of JUKI_OPERATOR_SESSION,
                  which a node with a web terminal requires (an auditor's card)
  --store URL     report: reads the providing node's store directly (national or prefecture
                  server; offline, for the OS user that owns the store: nothing is recorded)
  --schema S      PostgreSQL: the node's schema
  --issuer NODE   the issuing node's name printed as 発行, e.g. prefecture:13 (default
                  national:jlis). The store does not record which node it belongs to (a
                  prefecture's store also holds the national server's copies), so name the node
                  whose store --store is: at a prefecture server's store, --issuer prefecture:NN.
                  sync: the prefecture server's config (its terminal side is called)`;

export async function runDisclosure(args: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      store: { type: 'string' },
      schema: { type: 'string' },
      'resident-code': { type: 'string' },
      issuer: { type: 'string', default: 'national:jlis' },
      from: { type: 'string' },
      to: { type: 'string' },
      pdf: { type: 'string' },
      html: { type: 'string' },
      json: { type: 'boolean', default: false },
      config: { type: 'string' },
    },
  });
  if (positionals[0] === 'sync') return runSync(values.config, values.json, io);
  if (positionals[0] !== 'report') throw new UsageError(DISCLOSURE_HELP);
  if (!values['resident-code'] || (values.store === undefined) === (values.config === undefined))
    throw new UsageError('--resident-code and either --config or --store are required');
  if (values.config !== undefined) return reportAtNode(values.config, values, io);
  const store = values.store!;
  const code = parseResidentCode(values['resident-code']);
  const options = values.schema ? { schema: values.schema } : {};
  const identities = await openIdentityStore(store, options);
  const provision = await openProvisionStore(store, options);
  try {
    const report = await disclosureReportOf(
      { identities, provision },
      {
        residentCode: code,
        from: values.from as CalendarDate | undefined,
        to: (values.to ?? todayInJapan()) as CalendarDate,
        issuer: values.issuer,
        generatedAt: new Date(),
      },
    );
    return await writeReport(
      disclosureReportModel(report),
      renderDisclosureHtml(report),
      values,
      io,
    );
  } finally {
    await identities.close();
    await provision.close();
  }
}

/** `report --config`: the running node makes the report; the act is in its access log (R23). */
async function reportAtNode(
  config: string,
  v: {
    'resident-code'?: string | undefined;
    from?: string | undefined;
    to?: string | undefined;
    pdf?: string | undefined;
    html?: string | undefined;
    json?: boolean | undefined;
  },
  io: CommandIO,
): Promise<number> {
  const base = await nodeTerminal(await loadNodeConfig(config));
  const model = (await callTerminal(base, 'POST', '/disclosure/report', {
    residentCode: v['resident-code'],
    ...(v.from === undefined ? {} : { from: v.from }),
    ...(v.to === undefined ? {} : { to: v.to }),
  })) as DisclosureReportModel;
  return writeReport(model, renderDisclosureModelHtml(model), v, io);
}

async function writeReport(
  model: DisclosureReportModel,
  html: string,
  v: { pdf?: string | undefined; html?: string | undefined; json?: boolean | undefined },
  io: CommandIO,
): Promise<number> {
  if (v.html) await writeFile(v.html, html);
  if (v.pdf) await writeFile(v.pdf, await renderPdf(html));
  if (v.json) printJson(io, model);
  else
    io.out(
      `開示報告 (disclosure report) for ${model.resident.residentCode}: ${model.lines.length} provision(s)${v.pdf ? `, PDF ${v.pdf}` : ''}${v.html ? `, HTML ${v.html}` : ''}`,
    );
  return EXIT.ok;
}

async function runSync(config: string | undefined, json: boolean, io: CommandIO): Promise<number> {
  if (config === undefined) throw new UsageError('--config FILE is required');
  const c = await loadNodeConfig(config);
  const base = await nodeTerminal(c);
  const r = (await callTerminal(base, 'POST', '/disclosure/sync', {})) as DisclosureSyncReport;
  if (json) printJson(io, r);
  else
    io.out(
      `開示記録の同期 (disclosure sync) from ${r.source}: ${r.fetched} fetched, ${r.added} new, up to id ${r.afterId}`,
    );
  return EXIT.ok;
}

import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { CalendarDate } from '../../domain/dates/CalendarDate.ts';
import { parseResidentCode } from '../../domain/resident/ResidentCode.ts';
import {
  disclosureReportModel,
  renderDisclosureHtml,
  renderDisclosurePdf,
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

export const DISCLOSURE_HELP = `juki disclosure report --store URL --resident-code CODE [--issuer NODE]
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

  --store URL     the providing node's store (national or prefecture server)
  --schema S      PostgreSQL: the node's schema
  --issuer NODE   the issuing node's name printed as 発行, e.g. prefecture:13 (default
                  national:jlis). The store does not record which node it belongs to (a
                  prefecture's store also holds the national server's copies), so name the node
                  whose store --store is: at a prefecture server's store, --issuer prefecture:NN.
  --config FILE   sync: the prefecture server's config (its terminal side is called)`;

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
  if (!values.store || !values['resident-code'])
    throw new UsageError('--store and --resident-code are required');
  const code = parseResidentCode(values['resident-code']);
  const options = values.schema ? { schema: values.schema } : {};
  const identities = await openIdentityStore(values.store, options);
  const provision = await openProvisionStore(values.store, options);
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
    const html = renderDisclosureHtml(report);
    if (values.html) await writeFile(values.html, html);
    if (values.pdf) await writeFile(values.pdf, await renderDisclosurePdf(html));
    if (values.json) printJson(io, disclosureReportModel(report));
    else
      io.out(
        `開示報告 (disclosure report) for ${code}: ${report.lines.length} provision(s)${values.pdf ? `, PDF ${values.pdf}` : ''}${values.html ? `, HTML ${values.html}` : ''}`,
      );
    return EXIT.ok;
  } finally {
    await identities.close();
    await provision.close();
  }
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

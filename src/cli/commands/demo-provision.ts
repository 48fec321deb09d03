import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CalendarDate } from '../../domain/dates/CalendarDate.ts';
import { RegistryError } from '../../domain/errors.ts';
import type { ProvidedIdentity } from '../../domain/provision/answer.ts';
import type { RecipientId } from '../../domain/provision/recipient.ts';
import { identityInfoOf, type IdentityRecord } from '../../domain/resident/IdentityInfo.ts';
import {
  disclosureLineOf,
  nodeLabel,
  renderDisclosureHtml,
  renderPdf,
} from '../../disclosure/index.ts';
import type { LocalNetwork } from '../../nodes/local-network.ts';
import { callTerminal } from '../../nodes/terminal-server.ts';
import { runningTerminalTarget } from '../../nodes/terminal-token.ts';
import { loadStatutoryAffairs } from '../../reference-data/statutory-affairs.ts';
import { openProvisionStore } from '../../storage/open-store.ts';
import type { CommandIO } from '../io.ts';

export const DEMO_AGENCIES = ['mhlw-pension', 'mofa-passport'] as const;
/** The pension service's affair in the demo (国民年金法: the annual status check, R30). */
export const DEMO_PENSION_AFFAIR = '別表第一:七十三の六';
const PENSION = DEMO_PENSION_AFFAIR;
const PASSPORT = '別表第一:四十一';
const GOVERNOR_PASSPORT = '別表第五:六';

/**
 * The demo's provision part (R3–R5, R7, R13, R15, R17): the national server's register gets two
 * agencies (the pension service with an agreement, the foreign ministry without one) and 東京都
 * its governor; lawful and unlawful queries go through the agency servers; the prefecture server,
 * which has a web terminal, refuses its console's query (an operator session is needed), while
 * 神奈川県's server, which has none, answers its governor about a resident of 東京都 by asking the
 * national server (R21); one
 * resident's disclosure report is written (PDF when Chromium is installed, HTML always).
 */
export async function runDemoProvision(options: {
  network: LocalNetwork;
  dir: string;
  today: CalendarDate;
  tokyoResident: IdentityRecord;
  otherPrefectureResident: IdentityRecord;
  io: CommandIO;
}): Promise<void> {
  const { network, io, today } = options;
  const affairs = loadStatutoryAffairs();
  const national = await openProvisionStore(network.node('national:jlis').config.store);
  const tokyo = await openProvisionStore(network.node('prefecture:13').config.store);
  const kanagawa = await openProvisionStore(network.node('prefecture:14').config.store);
  try {
    for (const [id, name, affair] of [
      ['mhlw-pension', '厚生労働省及び日本年金機構', PENSION],
      ['mofa-passport', '外務省', PASSPORT],
    ] as const) {
      await national.registerRecipient({
        id: id as RecipientId,
        name,
        kind: 'national-agency',
        servedBy: { role: 'national', code: 'jlis' },
        node: { role: 'agency', code: id },
      });
      await national.permitAffair(
        {
          recipientId: id as RecipientId,
          affairId: affairs.byId(affair)!.id,
          identifier: 'pseudonym',
        },
        affairs.byId(affair)!,
      );
    }
    await national.addAgreement({
      id: 'demo-agreement-mhlw',
      recipientId: 'mhlw-pension' as RecipientId,
      signedOn: today,
      validFrom: today,
      protectionMeasures: '照会端末の限定、操作者の認証、提供記録の保存',
    });
    for (const [store, id, name, code] of [
      [tokyo, 'tokyo-governor', '東京都知事', '13'],
      [kanagawa, 'kanagawa-governor', '神奈川県知事', '14'],
    ] as const) {
      await store.registerRecipient({
        id: id as RecipientId,
        name,
        kind: 'prefecture-body',
        servedBy: { role: 'prefecture', code },
      });
      await store.permitAffair(
        {
          recipientId: id as RecipientId,
          affairId: affairs.byId(GOVERNOR_PASSPORT)!.id,
          identifier: 'pseudonym',
        },
        affairs.byId(GOVERNOR_PASSPORT)!,
      );
    }
    io.out(
      `      registers: mhlw-pension (${PENSION}, 協定書 signed), mofa-passport (${PASSPORT}, no 協定書) at national:jlis; tokyo-governor and kanagawa-governor (${GOVERNOR_PASSPORT}) at prefecture:13 and prefecture:14`,
    );

    const person = options.tokyoResident;
    const other = options.otherPrefectureResident;
    const ask = async (
      node: string,
      what: string,
      body: Record<string, unknown>,
    ): Promise<void> => {
      const base = await runningTerminalTarget(network.node(node));
      try {
        const a = (await callTerminal(base, 'POST', '/provision/query', body)) as {
          identities: ProvidedIdentity[];
          source?: string;
        };
        const first = a.identities[0];
        io.out(
          `      ✓ ${node.padEnd(20)} ${what}: ${a.identities.length} person(s)${first ? ` — ${first.name.kanji}, ${first.identifier.kind} ${first.identifier.value.slice(0, 12)}…` : ''}${a.source === 'national' ? ' (asked the national server, R21)' : a.source === 'both' ? ' (own residents and, from the national server, others: R21)' : ''}`,
        );
      } catch (e) {
        const r = e as RegistryError;
        io.out(`      ✗ ${node.padEnd(20)} ${what}: refused ${r.code} [${r.reason ?? ''}]`);
      }
    };
    await ask('agency:mhlw-pension', '年金 by resident code', {
      query: { affairId: PENSION, residentCode: person.residentCode },
      searcher: 'pension-operator-7',
    });
    await ask('agency:mhlw-pension', '年金 by name prefix + date of birth', {
      query: {
        affairId: PENSION,
        name: person.name.kanji.slice(0, 1),
        nameMatch: 'prefix',
        birthDate: person.birthDate,
      },
    });
    await ask('agency:mhlw-pension', '旅券 (not its affair)', {
      query: { affairId: PASSPORT, residentCode: person.residentCode },
    });
    await ask('agency:mofa-passport', '旅券 without a 協定書', {
      query: { affairId: PASSPORT, residentCode: person.residentCode },
    });
    await ask('agency:mhlw-pension', '年金 by a name prefix and a district (below the minimums)', {
      query: {
        affairId: PENSION,
        name: person.name.kanji.slice(0, 1),
        nameMatch: 'prefix',
        address: '東京都千代田区',
        addressMatch: 'prefix',
      },
    });
    // prefecture:13 has a web terminal, so its console (the machine token alone) may not provide:
    // R15 wants a logged-in provision operator's terminal session (JUKI_OPERATOR_SESSION).
    await ask('prefecture:13', '旅券 for a resident of another prefecture, from the console', {
      recipientId: 'tokyo-governor',
      query: { affairId: GOVERNOR_PASSPORT, name: other.name.kanji, birthDate: other.birthDate },
    });
    io.out(
      `      (prefecture:13 has a web terminal: provision there needs a provision operator's 端末コマンド用セッション, JUKI_OPERATOR_SESSION — R15, docs/WEB-TERMINAL.md)`,
    );
    // prefecture:14 has no web terminal (no operators log in there), so its console provides: its
    // governor asks about a resident of 東京都, and the prefecture server asks the national server.
    await ask('prefecture:14', '旅券 for a resident of another prefecture', {
      recipientId: 'kanagawa-governor',
      searcher: 'kanagawa-clerk-3',
      query: { affairId: GOVERNOR_PASSPORT, name: person.name.kanji, birthDate: person.birthDate },
    });

    // The national server's records about Tokyo's residents go to prefecture:13, which keeps
    // them with its own (R17); the resident's report is made there.
    const sync = (await callTerminal(
      await runningTerminalTarget(network.node('prefecture:13')),
      'POST',
      '/disclosure/sync',
      {},
    )) as { fetched: number; added: number };
    io.out(
      `      開示記録 (R17): prefecture:13 fetched ${sync.fetched} record(s) of national:jlis about its residents (${sync.added} new)`,
    );
    const disclosures = await tokyo.disclosuresOf(person.residentCode);
    // prefecture:13's catalog: the Act's tables and its own ordinance affairs (R3, R17).
    const catalog = affairs.with((await tokyo.loadRegistry()).ordinanceAffairs);
    const report = {
      resident: identityInfoOf(person),
      period: { to: today },
      generatedAt: new Date().toISOString(),
      // Built from prefecture:13's store, so issued by prefecture:13 (東京都サーバ).
      issuer: nodeLabel('prefecture:13'),
      lines: disclosures.map((d) =>
        disclosureLineOf(d, { affairDescription: (id) => catalog.byId(id)?.affair }),
      ),
    };
    const html = renderDisclosureHtml(report);
    const htmlPath = join(options.dir, `disclosure-${person.residentCode}.html`);
    await writeFile(htmlPath, html);
    let pdfNote = '';
    try {
      const pdfPath = join(options.dir, `disclosure-${person.residentCode}.pdf`);
      await writeFile(pdfPath, await renderPdf(html));
      pdfNote = `, ${pdfPath}`;
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      pdfNote = ` (no PDF: ${e.reason}; install Debian's chromium and fonts-noto-cjk)`;
    }
    io.out(
      `      開示 (R17): ${person.name.kanji}'s report at prefecture:13 lists ${disclosures.length} provision(s), each with its purpose and legal basis; refused queries provided nothing and are not in it: ${htmlPath}${pdfNote}`,
    );
    // 媒体による提供 (R22): a file of rows from the governor's other system, on the medium
    // mounted at 東京都's server (config mediaDir), for its web terminal's provision operator.
    const medium = join(options.dir, 'media', 'prefecture-13', 'passport-rows.jsonl');
    await writeFile(
      medium,
      `${JSON.stringify({
        ref: 'passport-1',
        address: person.address,
        name: person.name.kanji,
        birth_date: person.birthDate,
        sex: person.sex === 'male' ? '男' : '女',
      })}\n`,
    );
    io.out(
      `      媒体 (R22): a rows file for 東京都's web terminal (媒体による提供, recipient tokyo-governor, ${GOVERNOR_PASSPORT}) is on its medium: ${medium}`,
    );
  } finally {
    await Promise.all([national.close(), tokyo.close(), kanagawa.close()]);
  }
}

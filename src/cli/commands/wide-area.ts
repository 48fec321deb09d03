import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { renderPdf } from '../../disclosure/pdf.ts';
import { SEX_LABEL, type Sex } from '../../domain/resident/IdentityInfo.ts';
import { loadNodeConfig } from '../../nodes/node-config.ts';
import type { WideAreaCopy } from '../../nodes/node-wide-area.ts';
import { callTerminal } from '../../nodes/terminal-server.ts';
import { certificationText, renderWideAreaCopyHtml } from '../../wide-area/copy-html.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';
import { nodeTerminal } from '../terminal-target.ts';

export const WIDE_AREA_HELP = `juki wide-area copy --config CS.json --name NAME --address ADDRESS
    (--resident-code CODE | --photo-id --birth-date YYYY-MM-DD --sex 男|女)
    (--person NAME ... | --household) [--relationship] [--with-resident-code]
    [--operator ID] [--html FILE] [--pdf FILE] [--json]
juki wide-area suspensions --config CS.json [--json]
juki wide-area release --config CS.json --card cs:131016/clerk-9 [--json]

  copy   住民票の写しの広域交付 (R24; docs/WIDE-AREA.md) at the running CS of the issuing
         municipality (POST /wide-area/copy, recorded in its access log): the residence
         municipality is found from the stated address; its CS is asked through the switch and
         answers, from its register, the items of 法第12条の4 for the requester and the persons
         named (only the requester and members of their household; --household: all of them).
         --resident-code: from the Juki card (住民基本台帳カード, the default), or stated with a
         photo ID (--photo-id); with a photo ID and no code, --birth-date and --sex. --relationship
         and --with-resident-code put 続柄 and 住民票コード on the copy. --operator: the clerk at the
         counter, on the console of a CS without a web terminal (a terminal session names its own).
         --html and --pdf write the copy with its certification (the PDF through Debian's chromium
         with fonts-noto-cjk).

  suspensions  at a residence CS (R18): other municipalities' operator cards whose 広域交付
         requests are refused here now (over the limit of config wideArea), until when.
  release      lifts one card's suspension (a security officer's act, in the access log).`;

/** `juki wide-area <sub> …`. */
export async function runWideArea(args: readonly string[], io: CommandIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'suspensions' || sub === 'release') return runSuspensions(sub, rest, io);
  if (sub !== 'copy') throw new UsageError(WIDE_AREA_HELP);
  const { values } = parseArgs({
    args: rest,
    options: {
      config: { type: 'string' },
      name: { type: 'string' },
      address: { type: 'string' },
      'resident-code': { type: 'string' },
      'photo-id': { type: 'boolean', default: false },
      'birth-date': { type: 'string' },
      sex: { type: 'string' },
      person: { type: 'string', multiple: true },
      household: { type: 'boolean', default: false },
      relationship: { type: 'boolean', default: false },
      'with-resident-code': { type: 'boolean', default: false },
      operator: { type: 'string' },
      html: { type: 'string' },
      pdf: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const need = (v: string | undefined, flag: string): string => {
    if (v === undefined) throw new UsageError(`${flag} is required\n${WIDE_AREA_HELP}`);
    return v;
  };
  const name = need(values.name, '--name');
  const address = need(values.address, '--address');
  if (!values.household && (values.person ?? []).length === 0)
    throw new UsageError(`name the persons (--person NAME …) or --household\n${WIDE_AREA_HELP}`);
  const target = await nodeTerminal(await loadNodeConfig(need(values.config, '--config')));
  const copy = (await callTerminal(target, 'POST', '/wide-area/copy', {
    identification: values['photo-id'] ? 'photo-id' : 'juki-card',
    requester: {
      name,
      address,
      residentCode: values['resident-code'],
      birthDate: values['birth-date'],
      sex: values.sex === undefined ? undefined : sexOf(values.sex),
    },
    persons: values.person ?? [],
    wholeHousehold: values.household,
    withRelationship: values.relationship,
    withResidentCode: values['with-resident-code'],
    ...(values.operator === undefined ? {} : { operator: values.operator }),
  })) as WideAreaCopy;
  if (values.html !== undefined || values.pdf !== undefined) {
    const html = renderWideAreaCopyHtml(copy);
    if (values.html !== undefined) await writeFile(values.html, html);
    if (values.pdf !== undefined) await writeFile(values.pdf, await renderPdf(html));
  }
  if (values.json) printJson(io, copy);
  else for (const line of copyLines(copy)) io.out(line);
  return EXIT.ok;
}

function sexOf(s: string): Sex {
  if (s === '男' || s === 'male') return 'male';
  if (s === '女' || s === 'female') return 'female';
  throw new UsageError(`--sex is 男 or 女 (male, female), not ${JSON.stringify(s)}`);
}

/** The copy as text, a line each. */
export function copyLines(c: WideAreaCopy): string[] {
  const out = [
    `住民票の写し（広域交付）: ${c.residence.prefecture}${c.residence.name} (${c.residence.node}) → ${c.issuing.prefecture}${c.issuing.name} (${c.issuing.node}), 請求番号 ${c.requestId}, ${c.issuedAt}`,
  ];
  for (const p of c.persons)
    out.push(
      [
        `  ${p.name.kanji}（${p.name.kana}）`,
        p.birthDate,
        SEX_LABEL[p.sex],
        ...(p.relationship === undefined ? [] : [`続柄 ${p.relationship}`]),
        `住民となった年月日 ${p.becameResidentOn}`,
        p.address,
        ...(p.notifiedOn === undefined ? [] : [`届出 ${p.notifiedOn}`]),
        ...(p.previousAddress === undefined ? [] : [`従前 ${p.previousAddress}`]),
        ...(p.residentCode === undefined ? [] : [`住民票コード ${p.residentCode}`]),
      ].join(' / '),
    );
  out.push(`  ${certificationText(c)}`);
  return out;
}

/** `juki wide-area suspensions | release --card C --config CS.json` (R18). */
async function runSuspensions(
  sub: 'suspensions' | 'release',
  args: readonly string[],
  io: CommandIO,
): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      config: { type: 'string' },
      card: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.config === undefined) throw new UsageError(`--config is required\n${WIDE_AREA_HELP}`);
  const target = await nodeTerminal(await loadNodeConfig(values.config));
  if (sub === 'release') {
    if (values.card === undefined) throw new UsageError(`--card is required\n${WIDE_AREA_HELP}`);
    const r = await callTerminal(target, 'POST', '/wide-area/release', { card: values.card });
    if (values.json) printJson(io, r);
    else io.out(`${values.card}: 停止を解除しました (suspension lifted)`);
    return EXIT.ok;
  }
  const list = (await callTerminal(target, 'GET', '/wide-area/suspensions')) as {
    card: string;
    until: string;
  }[];
  if (values.json) printJson(io, list);
  else if (list.length === 0) io.out('停止中のカードはありません (no card is suspended)');
  else for (const x of list) io.out(`${x.card}\t停止 until ${x.until}`);
  return EXIT.ok;
}

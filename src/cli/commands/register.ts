import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { changeReasonLabel, type ChangeReason } from '../../domain/change/ChangeReason.ts';
import type { CalendarDate } from '../../domain/dates/CalendarDate.ts';
import { isRegistryError } from '../../domain/errors.ts';
import { parseLocalGovernmentCode } from '../../domain/local-government/LocalGovernmentCode.ts';
import { withCounterDefaults } from '../../domain/register/counter-defaults.ts';
import { changeReasonFromName } from '../../domain/register/form-fields.ts';
import { parseResidentCode } from '../../domain/resident/ResidentCode.ts';
import { todayInJapan } from '../../nodes/japan-date.ts';
import { loadLocalGovernmentTable } from '../../reference-data/local-governments.ts';
import { importChangesFile } from '../../register/import-changes-file.ts';
import { openRegisterStore } from '../../register/open-register.ts';
import type { RegisterStore } from '../../register/RegisterStore.ts';
import { rejectionLevel } from '../../register/register-feed.ts';
import { loadNodeConfig } from '../../nodes/node-config.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { nodeTerminal } from '../terminal-target.ts';
import {
  moveInSpecialAtNode,
  operateAtNode,
  rejectionsAtNode,
  showAtNode,
} from './register-at-node.ts';
import { formatResidentRecord, printPerformed, printRejections } from './register-format.ts';
import { printJson, type CommandIO } from '../io.ts';

export const REGISTER_HELP = `juki register — the municipality's existing register (既存住基システム): 住民票 and counter operations

  juki register init --register URL --municipality CODE
  juki register <operation> --register URL [--form JSON | --form @FILE] [field flags] [--tx ID] [--json]
  juki register show --register URL RESIDENT-CODE [--json]
  juki register history --register URL RESIDENT-CODE [--json]
  juki register household --register URL HOUSEHOLD-ID [--json]
  juki register feed --register URL [--limit N] [--json]          changes not yet taken by the CS
  juki register rejections --register URL [--limit N] [--json]    changes refused by the CS, the prefecture or the national server (差戻し)
  juki register import --register URL FILE [--json]               a real register's changes (JSON Lines)

  At the running CS (its terminal side; the act is in the node's access log, R23):
  juki register <operation> --config CS.json [field flags] [--tx ID] [--json]
  juki register show --config CS.json RESIDENT-CODE [--json]      the 住民票, its household and history
  juki register rejections --config CS.json [--limit N] [--json]
  juki register move-in-special --config CS.json --code C --name 漢字 --birth-date D
      --previous-address A --address A [--household new|ID --relationship 続柄] [--date D]
      [--operator ID] [--tx ID] [--json]
                        転入転出の特例 (R25): the 転入 of a Juki card holder who notified the move-out
                        by mail, taken from the old municipality's 転出証明書情報 (asked through the
                        switch; --code from the card, --name and --birth-date as stated); docs/WIDE-AREA.md
  With JUKI_OPERATOR_SESSION (a counter clerk's terminal session, 窓口担当者) the node acts under
  that operator; at a CS with a web terminal the console may not do counter work. Left-out dates
  are the node's today.

  The register is a database of its own (not a CS store): sqlite:PATH or postgres://…; init records
  its municipality once. Each operation stores the new 住民票 and queues the change of 本人確認情報
  for the CS in one transaction; a refused operation stores nothing (exit 1, with the rule).

  operations (the ten change reasons of R1; the Japanese term works too):
    move-in 転入, birth 出生, entry-by-authority 職権記載等, move-out 転出, death 死亡,
    deletion-by-authority 職権消除等, move-within 転居, correction-by-authority 職権修正等,
    code-change-request 住民票コードの記載の変更請求, code-entry-by-authority 住民票コードの職権記載等

  field flags (each fills the form field in brackets; --form gives the whole form as JSON):
    --code C              住民票コード [residentCode]        --parent C     父母 [parentCode] (出生)
    --name 漢字 --kana カナ 氏名 [name]                       --sex male|female|男|女 [sex]
    --birth-date D        生年月日 [birthDate]                --address A    住所 [address]
    --date D              異動年月日 [changeDate] (default today; 出生: the date of birth)
    --notified D          届出年月日 [notifiedOn] (default today for notified operations)
    --household new|keep|ID [--relationship 続柄]   世帯 [household] (転入 default new, 転居 keep)
    --domicile A --head-of-family 名   本籍・筆頭者 [registeredDomicile]   --nationality N 国籍・地域
    --previous-address A  前住所   --destination A 転出先   --overseas 国外転出
    --new-head C          新しい世帯主 (the head leaves members)   --individual-number N|none 個人番号
  For correction-by-authority the item flags fill [corrections].
  --tx ID               the operation's transaction id (default random): a retry with the same id
                        returns the stored result and changes nothing.`;

const SUBCOMMANDS = ['init', 'show', 'history', 'household', 'feed', 'rejections', 'import'];
/** What `--config` (the running CS's terminal side) offers besides the ten operations. */
const AT_NODE = ['show', 'rejections', 'move-in-special'];

const FLAGS = {
  register: { type: 'string' },
  config: { type: 'string' },
  municipality: { type: 'string' },
  json: { type: 'boolean', default: false },
  limit: { type: 'string', default: '50' },
  form: { type: 'string' },
  tx: { type: 'string' },
  code: { type: 'string' },
  parent: { type: 'string' },
  name: { type: 'string' },
  kana: { type: 'string' },
  sex: { type: 'string' },
  'birth-date': { type: 'string' },
  address: { type: 'string' },
  date: { type: 'string' },
  notified: { type: 'string' },
  household: { type: 'string' },
  relationship: { type: 'string' },
  domicile: { type: 'string' },
  'head-of-family': { type: 'string' },
  nationality: { type: 'string' },
  'previous-address': { type: 'string' },
  destination: { type: 'string' },
  overseas: { type: 'boolean' },
  'new-head': { type: 'string' },
  'individual-number': { type: 'string' },
  operator: { type: 'string' },
} as const;

type Flags = ReturnType<typeof parseFlags>['values'];

const parseFlags = (args: readonly string[]) =>
  parseArgs({ args: [...args], allowPositionals: true, options: FLAGS, strict: true });

export async function runRegister(args: readonly string[], io: CommandIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined) throw new UsageError('expected an operation or a subcommand');
  const { values, positionals } = parseFlags(rest);
  const limit = Number(values.limit);
  if (!Number.isSafeInteger(limit) || limit < 1)
    throw new UsageError('--limit must be a positive integer');
  if (values.config !== undefined) {
    if (values.register !== undefined)
      throw new UsageError('give either --register (offline) or --config (the running CS)');
    if (SUBCOMMANDS.includes(sub) && !AT_NODE.includes(sub))
      throw new UsageError(`${sub} takes --register (the register itself), not --config`);
    const at = await nodeTerminal(await loadNodeConfig(values.config));
    if (sub === 'show') return showAtNode(at, positionals, values.json, io);
    if (sub === 'rejections') return rejectionsAtNode(at, limit, values.json, io);
    if (sub === 'move-in-special') {
      const form = formFromFlags('move-in', values);
      return moveInSpecialAtNode(
        at,
        {
          residentCode: values.code,
          name: values.name,
          birthDate: values['birth-date'],
          previousAddress: values['previous-address'],
          address: values.address,
          ...(form.household === undefined ? {} : { household: form.household }),
          ...(form.changeDate === undefined ? {} : { changeDate: form.changeDate }),
          ...(form.notifiedOn === undefined ? {} : { notifiedOn: form.notifiedOn }),
          ...(values.tx === undefined ? {} : { transactionId: values.tx }),
          ...(values.operator === undefined ? {} : { operator: values.operator }),
        },
        values.json,
        io,
      );
    }
    const reason = reasonOrUsage(sub);
    return operateAtNode(at, reason, formFromFlags(reason, values), values.tx, values.json, io);
  }
  if (sub === 'move-in-special')
    throw new UsageError(
      'move-in-special works at the running CS (--config CS.json): it asks the old CS through the switch',
    );
  if (values.register === undefined) throw new UsageError('--register or --config is required');
  if (sub === 'init') return init(values.register, values.municipality, io, values.json);
  if (!SUBCOMMANDS.includes(sub)) {
    const reason = reasonOrUsage(sub);
    const store = await openRegisterStore(values.register);
    try {
      return await operate(store, reason, values, io);
    } finally {
      await store.close();
    }
  }
  const one = (what: string): string => {
    if (positionals.length !== 1) throw new UsageError(`expected one ${what}`);
    return positionals[0]!;
  };
  const arg = sub === 'show' || sub === 'history' ? one('RESIDENT-CODE') : undefined;
  const store = await openRegisterStore(values.register);
  try {
    switch (sub) {
      case 'show': {
        const record = await store.getRecord(parseResidentCode(arg!));
        if (record === undefined) {
          io.err(`住民票がありません / no resident record for ${arg}`);
          return EXIT.failed;
        }
        if (values.json) printJson(io, record);
        else io.out(formatResidentRecord(record));
        return EXIT.ok;
      }
      case 'history': {
        const history = await store.history(parseResidentCode(arg!));
        if (values.json) printJson(io, history);
        else if (history.length === 0) io.out('履歴はありません (no history)');
        else
          for (const h of history)
            io.out(
              `#${h.sequence} ${changeReasonLabel(h.operation)} (${h.operation})${h.subject ? '' : ' 世帯の異動 (household)'} ${h.recordedAt}  ${h.record.residentCode} ${h.record.name.kanji} ${h.record.address} ${h.record.relationship}  tx ${h.transactionId}`,
            );
        return EXIT.ok;
      }
      case 'household': {
        const members = await store.household(one('HOUSEHOLD-ID'));
        if (values.json) printJson(io, members);
        else if (members.length === 0) io.out('世帯員はいません (no resident members)');
        else
          for (const m of members)
            io.out(`${m.relationship}\t${m.residentCode}\t${m.name.kanji}（${m.name.kana}）`);
        return EXIT.ok;
      }
      case 'feed': {
        const entries = await store.pendingFeed(limit);
        if (values.json) printJson(io, entries);
        else if (entries.length === 0)
          io.out('未送信の異動はありません (nothing waiting for the CS)');
        else
          for (const e of entries)
            io.out(
              `#${e.id} ${changeReasonLabel(e.event.reason)} (${e.event.reason}) ${e.event.changeDate} ${e.event.residentCode}  tx ${e.event.transactionId}`,
            );
        return EXIT.ok;
      }
      case 'rejections': {
        const rejections = (await store.listRejections(limit)).map((r) => ({
          ...r,
          level: rejectionLevel(r.rejectedBy),
        }));
        if (values.json) printJson(io, rejections);
        else printRejections(io, rejections);
        return EXIT.ok;
      }
      case 'import': {
        const report = await importChangesFile(one('FILE'), store, {
          municipality: store.municipality,
        });
        if (values.json) printJson(io, report);
        else {
          io.out(
            `${report.linesRead} 行: 追加 ${report.appended} / 既出 ${report.duplicates} (appended ${report.appended}, already in the feed ${report.duplicates})`,
          );
          if (report.refusedCount > 0) {
            io.out(
              `不正な行 ${report.refusedCount} のため何も追加していません / ${report.refusedCount} refused lines, nothing appended:`,
            );
            for (const r of report.refused) io.out(`  line ${r.line}: ${r.reason}: ${r.message}`);
          }
        }
        return report.refusedCount === 0 ? EXIT.ok : EXIT.failed;
      }
      default:
        throw new UsageError(`unknown subcommand ${JSON.stringify(sub)}`);
    }
  } finally {
    await store.close();
  }
}

function reasonOrUsage(name: string): ChangeReason {
  try {
    return changeReasonFromName(name);
  } catch (e) {
    if (isRegistryError(e))
      throw new UsageError(
        `unknown operation or subcommand ${JSON.stringify(name)}: ${SUBCOMMANDS.join(', ')} or one of the ten change reasons`,
      );
    throw e;
  }
}

async function init(
  url: string,
  municipality: string | undefined,
  io: CommandIO,
  json: boolean,
): Promise<number> {
  if (municipality === undefined) throw new UsageError('--municipality is required');
  const code = parseLocalGovernmentCode(municipality);
  const row = loadLocalGovernmentTable().byCode(code);
  if (row === undefined || row.municipality === '')
    throw new UsageError(`--municipality ${code} is not a municipality of the code table`);
  const store = await openRegisterStore(url, { municipality: code });
  await store.close();
  if (json) printJson(io, { municipality: code, name: `${row.prefecture}${row.municipality}` });
  else io.out(`住民基本台帳: ${row.prefecture}${row.municipality} (${code})`);
  return EXIT.ok;
}

async function operate(
  store: RegisterStore,
  reason: ChangeReason,
  values: Flags,
  io: CommandIO,
): Promise<number> {
  const today = todayInJapan();
  const form = formFromFlags(reason, values, today);
  const result = await store.perform({ reason, form } as Parameters<RegisterStore['perform']>[0], {
    today,
    transactionId: values.tx,
  });
  if (values.json) printJson(io, result);
  else printPerformed(io, { reason, ...result });
  return EXIT.ok;
}

function jsonForm(text: string): Record<string, unknown> {
  const source = text.startsWith('@') ? readFileSync(text.slice(1), 'utf8') : text;
  let parsed: unknown;
  try {
    parsed = JSON.parse(source);
  } catch (e) {
    throw new UsageError(`--form is not JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError('--form must be a JSON object (the operation’s form)');
  return parsed as Record<string, unknown>;
}

const SEXES: Readonly<Record<string, string>> = {
  male: 'male',
  female: 'female',
  男: 'male',
  女: 'female',
};

/** The form of `reason` from --form and the field flags (flags win); checked by the domain. */
export function formFromFlags(
  reason: ChangeReason,
  v: Flags,
  today?: CalendarDate,
): Record<string, unknown> {
  const form: Record<string, unknown> = v.form === undefined ? {} : jsonForm(v.form);
  const items: Record<string, unknown> = {};
  const set = (field: string, value: unknown) => {
    if (value !== undefined) items[field] = value;
  };
  set('residentCode', v.code);
  set('parentCode', v.parent);
  if (v.name !== undefined || v.kana !== undefined) set('name', { kanji: v.name, kana: v.kana });
  set('sex', v.sex === undefined ? undefined : (SEXES[v.sex] ?? v.sex));
  set('birthDate', v['birth-date']);
  set('address', v.address);
  set('changeDate', v.date);
  set('notifiedOn', v.notified);
  set('relationship', v.relationship);
  if (v.domicile !== undefined || v['head-of-family'] !== undefined)
    set('registeredDomicile', { address: v.domicile, headOfFamily: v['head-of-family'] });
  set('nationality', v.nationality);
  set('previousAddress', v['previous-address']);
  set('destination', v.destination);
  set('overseas', v.overseas);
  set('newHeadCode', v['new-head']);
  const number = v['individual-number'];
  set('individualNumber', number === 'none' ? null : number);
  if (v.household !== undefined) {
    const h = v.household;
    set(
      'household',
      h === 'new' || h === 'keep'
        ? { kind: h }
        : { kind: 'join', householdId: h, relationship: v.relationship },
    );
    if (h !== 'new' && h !== 'keep') delete items.relationship;
  } else if (
    v.relationship !== undefined &&
    reason !== 'birth' &&
    reason !== 'correction-by-authority'
  )
    throw new UsageError('--relationship needs --household ID (the household joined)');

  if (reason === 'correction-by-authority') {
    const { residentCode, changeDate, ...corrections } = items;
    Object.assign(form, { residentCode, changeDate });
    form.corrections = { ...(form.corrections as object | undefined), ...corrections };
  } else Object.assign(form, items);
  for (const k of Object.keys(form)) if (form[k] === undefined) delete form[k];
  // Without `today` (the running CS), the node fills the same defaults by its own clock.
  return today === undefined ? form : withCounterDefaults(reason, form, today);
}

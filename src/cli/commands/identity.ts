import { parseArgs } from 'node:util';
import { changeReasonLabel } from '../../domain/change/ChangeReason.ts';
import { formatJapaneseDate } from '../../domain/dates/era.ts';
import { SEX_LABEL, type IdentityRecord } from '../../domain/resident/IdentityInfo.ts';
import { parseResidentCode } from '../../domain/resident/ResidentCode.ts';
import { openIdentityStore } from '../../storage/open-store.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';

export const IDENTITY_HELP = `juki identity <show | history> --store URL RESIDENT-CODE [--json]

  show      the current 本人確認情報 (identity information) of one resident
  history   its accepted changes (異動), each with the values before it`;

export function formatIdentity(r: IdentityRecord): string {
  return [
    `住民票コード (resident code): ${r.residentCode}`,
    `氏名 (name):                  ${r.name.kanji}（${r.name.kana}）`,
    `性別 (sex):                   ${SEX_LABEL[r.sex]}`,
    `生年月日 (date of birth):     ${formatJapaneseDate(r.birthDate)} (${r.birthDate})`,
    `住所 (address):               ${r.address}`,
    `団体コード (municipality):    ${r.localGovernmentCode}`,
    `状態 (status):                ${r.status === 'resident' ? '在住 (resident)' : '消除 (removed)'}`,
    `最終異動 (last change):       ${changeReasonLabel(r.lastChange.reason)} ${formatJapaneseDate(r.lastChange.date)}`,
  ].join('\n');
}

export async function runIdentity(args: readonly string[], io: CommandIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'show' && sub !== 'history')
    throw new UsageError(
      `unknown subcommand ${JSON.stringify(sub ?? '')}: expected show or history`,
    );
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { store: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  if (values.store === undefined) throw new UsageError('--store is required');
  if (positionals.length !== 1) throw new UsageError('expected one RESIDENT-CODE');
  const code = parseResidentCode(positionals[0]!);
  const store = await openIdentityStore(values.store);
  try {
    if (sub === 'show') {
      const record = await store.getIdentity(code);
      if (values.json) printJson(io, record);
      else io.out(formatIdentity(record));
      return EXIT.ok;
    }
    const history = await store.history(code);
    if (values.json) printJson(io, history);
    else {
      for (const h of history) {
        io.out(
          `#${h.sequence} ${changeReasonLabel(h.event.reason)} (${h.event.reason}) ${formatJapaneseDate(h.event.changeDate)}  tx ${h.event.transactionId}`,
        );
        if (h.before)
          io.out(
            `    before: ${h.before.name.kanji} / ${h.before.address} / ${h.before.residentCode}`,
          );
      }
      if (history.length === 0) io.out('no history');
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

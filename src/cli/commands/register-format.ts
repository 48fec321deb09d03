import { changeReasonLabel, type ChangeReason } from '../../domain/change/ChangeReason.ts';
import type { CalendarDate } from '../../domain/dates/CalendarDate.ts';
import { formatJapaneseDate } from '../../domain/dates/era.ts';
import type { ResidentRecord } from '../../domain/register/ResidentRecord.ts';
import { SEX_LABEL } from '../../domain/resident/IdentityInfo.ts';
import type { RejectionView } from '../../nodes/node-rejections.ts';
import { REJECTION_LEVEL_LABELS } from '../../register/register-feed.ts';
import type { CommandIO } from '../io.ts';

/* How `juki register` prints a 住民票, an operation's outcome and the 差戻し list, the same for the
 * register itself (--register) and the running CS (--config). */

/** An operation's outcome: accepted or already performed, what goes to the CS, the 住民票. */
export function printPerformed(
  io: CommandIO,
  r: {
    readonly reason: ChangeReason;
    readonly transactionId: string;
    readonly duplicate: boolean;
    readonly feedId: number | undefined;
    readonly record: ResidentRecord;
    readonly householdChanges: readonly ResidentRecord[];
  },
): void {
  io.out(
    `${r.duplicate ? '処理済みです / already performed' : '受理しました / accepted'}: ${changeReasonLabel(r.reason)} (${r.reason})  tx ${r.transactionId}`,
  );
  io.out(
    r.feedId !== undefined
      ? `CS への異動: 送信待ち #${r.feedId} (change queued for the CS)`
      : 'CS への異動はありません (register items only: nothing for the CS)',
  );
  for (const m of r.householdChanges)
    io.out(
      `世帯の異動 (household): ${m.residentCode} ${m.name.kanji} → ${m.relationship}, 世帯主 ${m.headOfHousehold}`,
    );
  io.out('');
  io.out(formatResidentRecord(r.record));
}

/** The 差戻し list, newest first, each with who refused it and by which rule. */
export function printRejections(io: CommandIO, rejections: readonly RejectionView[]): void {
  if (rejections.length === 0) io.out('差戻しはありません (no rejected changes)');
  for (const r of rejections) {
    const what = r.event
      ? `${changeReasonLabel(r.event.reason)} ${r.event.changeDate} ${r.event.residentCode}`
      : '(not in this register’s feed)';
    const by = `${r.rejectedBy} (${REJECTION_LEVEL_LABELS[r.level]})`;
    io.out(`#${r.id} ${r.recordedAt} by ${by}: ${what}  tx ${r.transactionId}`);
    io.out(`    ${r.rejection.rule}: ${r.rejection.message}`);
  }
}

export function formatResidentRecord(r: ResidentRecord): string {
  const d = (x: CalendarDate | undefined) =>
    x === undefined ? '—' : `${formatJapaneseDate(x)} (${x})`;
  const lines = [
    `住民票コード (resident code):   ${r.residentCode}`,
    `個人番号 (individual number):   ${r.individualNumber ?? '—'}`,
    `氏名 (name):                    ${r.name.kanji}（${r.name.kana}）`,
    `性別 (sex):                     ${SEX_LABEL[r.sex]}`,
    `生年月日 (date of birth):       ${d(r.birthDate)}`,
    `住所 (address):                 ${r.address}`,
    `団体コード (municipality):      ${r.localGovernmentCode}`,
    `世帯主 (head of household):     ${r.headOfHousehold}  世帯番号 ${r.householdId}`,
    `続柄 (relationship):            ${r.relationship}`,
    r.registeredDomicile
      ? `本籍・筆頭者 (domicile):        ${r.registeredDomicile.address}  筆頭者 ${r.registeredDomicile.headOfFamily}`
      : `国籍・地域 (nationality):       ${r.nationality ?? '—'}`,
    `住民となった年月日:             ${d(r.becameResidentOn)}`,
    `住所を定めた年月日:             ${d(r.addressSetOn)}`,
    `前住所 (previous address):      ${r.previousAddress ?? '—'}`,
    `届出年月日 (notified):          ${d(r.notifiedOn)}`,
    `最終異動 (last change):         ${changeReasonLabel(r.lastChange.reason)} ${d(r.lastChange.date)}`,
    `状態 (status):                  ${r.status === 'resident' ? '在住 (resident)' : '消除 (removed)'}`,
  ];
  if (r.removal)
    lines.push(
      `消除 (removal):                 ${changeReasonLabel(r.removal.reason)} ${d(r.removal.date)}${r.removal.movedOverseas ? ' 国外転出' : ''}${r.removal.destination ? `  転出先 ${r.removal.destination}` : ''}`,
    );
  return lines.join('\n');
}

import { completeWithCheckDigit } from '../domain/check-digit.ts';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import type { IdentityInfo } from '../domain/resident/IdentityInfo.ts';
import type { IndividualNumber } from '../domain/resident/IndividualNumber.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import type { DisclosureLine, DisclosureReport } from './model.ts';

/*
 * Synthetic reports for the disclosure tests: no real person. The affairs are examples in the
 * shape of the law's annexed table (affair id, description, legal basis); the real table is
 * loaded from data/ by the provision code, not from here.
 */

export const RESIDENT: IdentityInfo = {
  residentCode: completeWithCheckDigit('resident-code', '2472705960') as ResidentCode,
  individualNumber: completeWithCheckDigit('individual-number', '12345678901') as IndividualNumber,
  name: { kanji: '渡邉　花子', kana: 'ワタナベ　ハナコ' },
  sex: 'female',
  birthDate: '1989-01-08' as CalendarDate,
  address: '東京都千代田区霞が関二丁目1番2号',
  localGovernmentCode: '131016',
};

export const PENSION = {
  recipientId: 'agency:nenkin',
  recipientName: '日本年金機構',
  affairId: '別表第一:一の二',
  affairDescription: '厚生年金保険法による年金たる保険給付の支給に関する事務（受給権者の現況確認）',
  legalBasis: '住民基本台帳法第30条の9・別表第一',
} as const;

export const PASSPORT = {
  recipientId: 'agency:mofa',
  recipientName: '外務省',
  affairId: '別表第一:四',
  affairDescription: '旅券法による一般旅券の発給に関する事務',
  legalBasis: '住民基本台帳法第30条の9・別表第一',
} as const;

export const line = (over: Partial<DisclosureLine> = {}): DisclosureLine => ({
  at: '2026-03-14T01:23:45.678Z',
  ...PENSION,
  channel: 'batch',
  providedBy: '全国サーバ（地方公共団体情報システム機構）',
  queryId: 'q-0001',
  ...over,
});

export const report = (lines: readonly DisclosureLine[], over: Partial<DisclosureReport> = {}) =>
  ({
    resident: RESIDENT,
    period: { from: '2025-04-01' as CalendarDate, to: '2026-03-31' as CalendarDate },
    generatedAt: '2026-04-02T00:30:00Z',
    issuer: '東京都サーバ',
    lines,
    ...over,
  }) satisfies DisclosureReport;

/** A year of provisions to two recipients, enough to fill more than one A4 page. */
export function busyReport(count = 60): DisclosureReport {
  const lines: DisclosureLine[] = [];
  for (let i = 0; i < count; i++) {
    const day = 1 + (i % 28);
    const month = 4 + (i % 12);
    const year = month > 12 ? 2026 : 2025;
    const mm = String(((month - 1) % 12) + 1).padStart(2, '0');
    lines.push(
      line({
        at: `${year}-${mm}-${String(day).padStart(2, '0')}T0${i % 10}:15:00Z`,
        ...(i % 3 === 0 ? PASSPORT : PENSION),
        channel: i % 3 === 0 ? 'immediate' : 'batch',
        queryId: `q-${String(i).padStart(4, '0')}`,
      }),
    );
  }
  return report(lines);
}

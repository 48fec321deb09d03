import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import { formatJapaneseDate } from '../domain/dates/era.ts';
import { SEX_LABEL } from '../domain/resident/IdentityInfo.ts';
import { IDENTIFICATION_LABEL, type WideAreaPerson } from '../domain/wide-area/wide-area-copy.ts';
import { escapeHtml } from '../disclosure/html.ts';
import { japanTime } from '../disclosure/model.ts';
import type { WideAreaCopy } from '../nodes/node-wide-area.ts';

/*
 * 住民票の写し（広域交付） as a printable document (R24): what the issuing municipality hands
 * over — each person's items as the residence CS sent them, and the issuing mayor's certification
 * (認証文, 法第12条の4第4項) naming the municipality whose notice it is made from. One
 * self-contained HTML page (no script, nothing loaded), every value escaped; the web terminal
 * prints it and `juki wide-area copy --pdf` prints it through Chromium (src/disclosure/pdf.ts).
 */

export const WIDE_AREA_COPY_TITLE = '住民票の写し（広域交付）';

const SANS = "'Noto Sans CJK JP', 'Noto Sans JP', sans-serif";
const SERIF = "'Noto Serif CJK JP', 'Noto Serif JP', serif";

const day = (d: CalendarDate | undefined): string =>
  d === undefined ? '—' : formatJapaneseDate(d);

/** The certification statement of the copy (認証文), as printed under the persons. */
export function certificationText(c: WideAreaCopy): string {
  return `この写しは、住民基本台帳法第12条の4第4項の規定により、${c.residence.prefecture}${c.residence.name}長からの通知に基づいて作成したものであり、住民票に記載されている事項と相違ないことを証明する。`;
}

/** What the copy shows, formatted: the document below and the web terminal both print this. */
export type WideAreaCopyView = {
  readonly title: string;
  /** 住所地 as printed: `北海道札幌市中央区（011011）`. */
  readonly residence: string;
  readonly requestId: string;
  /** Each person's rows, label and value, in the order of a 住民票. */
  readonly persons: readonly (readonly (readonly [string, string])[])[];
  /** 以下余白 line: how many persons and the document shown. */
  readonly closing: string;
  readonly certification: string;
  /** The date of issue in the Japanese era (Japan's date of the residence CS's answer). */
  readonly issuedOn: string;
  /** 東京都千代田区長. */
  readonly mayor: string;
};

export function wideAreaCopyView(c: WideAreaCopy): WideAreaCopyView {
  return {
    title: WIDE_AREA_COPY_TITLE,
    residence: `${c.residence.prefecture}${c.residence.name}（${c.residence.code}）`,
    requestId: c.requestId,
    persons: c.persons.map((p) => personRows(p, c)),
    closing: `以下余白（記載 ${c.persons.length} 名・本人確認書類 ${IDENTIFICATION_LABEL[c.identification]}）`,
    certification: certificationText(c),
    issuedOn: japanTime(c.issuedAt).eraDate,
    mayor: `${c.issuing.prefecture}${c.issuing.name}長`,
  };
}

function personRows(p: WideAreaPerson, c: WideAreaCopy): [string, string][] {
  return [
    ['氏名', `${p.name.kanji}（${p.name.kana}）`],
    ['生年月日', day(p.birthDate)],
    ['性別', SEX_LABEL[p.sex]],
    ...(c.withRelationship ? [['続柄', p.relationship ?? '—'] as [string, string]] : []),
    ['住民となった年月日', day(p.becameResidentOn)],
    ['住所', p.address],
    ['住所を定めた旨の届出の年月日', day(p.notifiedOn)],
    ['従前の住所', p.previousAddress ?? '—'],
    ...(c.withResidentCode ? [['住民票コード', p.residentCode ?? '—'] as [string, string]] : []),
  ];
}

function personTable(rows: readonly (readonly [string, string])[], n: number): string {
  return `<table class="person"><caption>${n}</caption><tbody>
${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n')}
</tbody></table>`;
}

export function renderWideAreaCopyHtml(c: WideAreaCopy): string {
  const v = wideAreaCopyView(c);
  return `<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(v.title)}</title>
<style>
@page { size: A4 portrait; margin: 20mm 18mm; }
body { font-family: ${SANS}; font-size: 10.5pt; line-height: 1.6; color: #111; margin: 0 auto; max-width: 174mm; overflow-wrap: anywhere; }
h1 { font-family: ${SERIF}; font-size: 18pt; text-align: center; letter-spacing: 0.3em; margin: 0 0 4mm; }
.meta { font-size: 8.5pt; color: #444; display: flex; justify-content: space-between; margin-bottom: 4mm; }
table.person { width: 100%; border-collapse: collapse; margin-bottom: 5mm; page-break-inside: avoid; }
table.person caption { text-align: left; font-size: 8.5pt; color: #444; }
table.person th, table.person td { border: 0.6pt solid #333; padding: 1.5mm 2.5mm; vertical-align: top; }
table.person th { width: 34%; background: #f3f3f3; font-weight: normal; text-align: left; }
.certify { margin-top: 8mm; font-family: ${SERIF}; }
.certify .when, .certify .who { text-align: right; margin: 2mm 0 0; }
.certify .who { font-size: 12pt; }
.end { text-align: center; font-size: 8.5pt; color: #444; margin-top: 6mm; }
</style>
</head>
<body>
<h1>${escapeHtml(v.title)}</h1>
<div class="meta"><span>住所地 ${escapeHtml(v.residence)}</span><span>請求番号 ${escapeHtml(v.requestId)}</span></div>
${v.persons.map((rows, i) => personTable(rows, i + 1)).join('\n')}
<p class="end">${escapeHtml(v.closing)}</p>
<div class="certify">
<p>${escapeHtml(v.certification)}</p>
<p class="when">${escapeHtml(v.issuedOn)}</p>
<p class="who">${escapeHtml(v.mayor)}</p>
</div>
</body>
</html>
`;
}

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

function personTable(p: WideAreaPerson, c: WideAreaCopy, n: number): string {
  const rows: [string, string][] = [
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
  return `<table class="person"><caption>${n}</caption><tbody>
${rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n')}
</tbody></table>`;
}

export function renderWideAreaCopyHtml(c: WideAreaCopy): string {
  const issued = japanTime(c.issuedAt);
  const mayor = `${c.issuing.prefecture}${c.issuing.name}長`;
  return `<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(WIDE_AREA_COPY_TITLE)}</title>
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
<h1>${escapeHtml(WIDE_AREA_COPY_TITLE)}</h1>
<div class="meta"><span>住所地 ${escapeHtml(`${c.residence.prefecture}${c.residence.name}`)}（${escapeHtml(c.residence.code)}）</span><span>請求番号 ${escapeHtml(c.requestId)}</span></div>
${c.persons.map((p, i) => personTable(p, c, i + 1)).join('\n')}
<p class="end">以下余白（記載 ${c.persons.length} 名・本人確認書類 ${escapeHtml(IDENTIFICATION_LABEL[c.identification])}）</p>
<div class="certify">
<p>${escapeHtml(certificationText(c))}</p>
<p class="when">${escapeHtml(issued.eraDate)}</p>
<p class="who">${escapeHtml(mayor)}</p>
</div>
</body>
</html>
`;
}

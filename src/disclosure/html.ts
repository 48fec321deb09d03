import type {
  ChannelCounts,
  DisclosureLineView,
  DisclosureReport,
  DisclosureReportModel,
  JapanTime,
  RecipientSummary,
} from './model.ts';
import { CHANNEL_LABEL, DISCLOSURE_CHANNELS, disclosureReportModel } from './model.ts';

/*
 * The disclosure report as one self-contained HTML document (R17), printable on A4: no script, no
 * external resource (a Content-Security-Policy forbids both), fonts from the machine. Japanese
 * first, English glosses in small type. Every text from a record goes through `esc`: names,
 * addresses and recipients may hold any character, and the document is opened in a browser.
 */

export const DISCLOSURE_TITLE = '本人確認情報の提供状況に関する開示';
export const NO_RECORDS_TEXT = '提供の記録はありません';
/** Shown where a record holds an empty field, so a gap is visible instead of a blank cell. */
export const MISSING_TEXT = '（記録なし）';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text (or a double- or single-quoted attribute value) safe to place in HTML. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);

/** An escaped field, or a visible marker when the record left it empty. */
function esc(s: string): string {
  return s.trim() === '' ? `<span class="missing">${MISSING_TEXT}</span>` : escapeHtml(s);
}

export function renderDisclosureHtml(report: DisclosureReport): string {
  return renderDisclosureModelHtml(disclosureReportModel(report));
}

export function renderDisclosureModelHtml(m: DisclosureReportModel): string {
  const title = `${DISCLOSURE_TITLE}（${m.resident.nameKanji}）`;
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="head">
<table class="issued">
<tr><th>交付日</th><td>${dateTime(m.generatedAt)}</td></tr>
<tr><th>発行</th><td>${esc(m.issuer)}</td></tr>
</table>
<h1>${DISCLOSURE_TITLE}</h1>
<p class="en subtitle">Disclosure of the provision of your identity information (本人確認情報)</p>
</header>
${residentSection(m)}
${periodSection(m)}
${m.lines.length === 0 ? '' : summarySection(m.recipients)}
${m.lines.length === 0 ? '' : linesSection(m.lines)}
${notesSection(m)}
</body>
</html>
`;
}

function residentSection(m: DisclosureReportModel): string {
  const r = m.resident;
  return `<section class="resident">
<h2>開示を受ける方 <span class="en">Resident</span></h2>
<table class="kv">
<tr><th>氏名<span class="en">Name</span></th><td class="name">${esc(r.nameKanji)}</td></tr>
<tr><th>ふりがな<span class="en">Reading</span></th><td>${esc(r.nameKana)}</td></tr>
<tr><th>生年月日<span class="en">Date of birth</span></th><td>${escapeHtml(r.birthEraDate)}<span class="greg">（${escapeHtml(r.birthDate)}）</span></td></tr>
<tr><th>性別<span class="en">Sex</span></th><td>${esc(r.sex)}</td></tr>
<tr><th>住所<span class="en">Address</span></th><td>${esc(r.address)}</td></tr>
<tr><th>住民票コード<span class="en">Resident code</span></th><td class="code">${esc(r.residentCode)}</td></tr>
</table>
</section>`;
}

function periodSection(m: DisclosureReportModel): string {
  const { from, to } = m.period;
  const fromText = from
    ? `${escapeHtml(from.eraDate)}<span class="greg">（${escapeHtml(from.date)}）</span>`
    : '保存されている最初の記録';
  const toText = `${escapeHtml(to.eraDate)}<span class="greg">（${escapeHtml(to.date)}）</span>`;
  const t = m.totals;
  const result =
    t.lines === 0
      ? `<p class="empty">${NO_RECORDS_TEXT}。<span class="en">No provision of your identity information was recorded in this period.</span></p>`
      : `<p class="total">この期間に、あなたの本人確認情報は <strong>${t.recipients}</strong> の提供先に、合計 <strong>${t.lines}</strong> 件提供されました（${channelCounts(t.byChannel, 'ja')}）。<span class="en">Your identity information was provided ${t.lines} time(s) to ${t.recipients} recipient(s) in this period (${channelCounts(t.byChannel, 'en')}).</span></p>`;
  return `<section class="period">
<h2>対象期間 <span class="en">Period</span></h2>
<p>${fromText} から ${toText} まで</p>
${result}
</section>`;
}

/** '即時提供 20 件、一括提供 40 件': the channels that were used, in a fixed order. */
function channelCounts(counts: ChannelCounts, lang: 'ja' | 'en'): string {
  const used = DISCLOSURE_CHANNELS.filter((c) => counts[c] > 0);
  return lang === 'ja'
    ? used.map((c) => `${CHANNEL_LABEL[c].ja} ${counts[c]} 件`).join('、')
    : used.map((c) => `${counts[c]} ${CHANNEL_LABEL[c].en}`).join(', ');
}

function summarySection(recipients: readonly RecipientSummary[]): string {
  const rows = recipients
    .map(
      (r) => `<tr>
<td>${esc(r.recipientName)}<div class="sub">${esc(r.recipientId)}</div></td>
<td class="num">${r.count}</td>
<td><ul>${r.affairs
        .map(
          (a) =>
            `<li>${esc(a.affairDescription)}<span class="sub">（${esc(a.affairId)}・${a.count} 件）</span></li>`,
        )
        .join('')}</ul></td>
<td>${escapeHtml(r.latest.eraDate)}<div class="sub">${escapeHtml(r.latest.date)}</div></td>
</tr>`,
    )
    .join('\n');
  return `<section class="summary">
<h2>提供先ごとの件数 <span class="en">Summary by recipient</span></h2>
<table class="grid">
<colgroup><col style="width:30%"><col style="width:8%"><col style="width:44%"><col style="width:18%"></colgroup>
<thead><tr><th>提供先<span class="en">Recipient</span></th><th>件数<span class="en">Count</span></th><th>事務（利用目的）<span class="en">Affairs</span></th><th>最終提供日<span class="en">Latest</span></th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</section>`;
}

function linesSection(lines: readonly DisclosureLineView[]): string {
  const rows = lines
    .map(
      (l) => `<tr>
<td class="num">${l.number}</td>
<td>${dateTime(l.when)}</td>
<td>${esc(l.recipientName)}${l.searcher === undefined ? '' : `<div class="sub">照会者 ${esc(l.searcher)}</div>`}</td>
<td>${esc(l.affairDescription)}<div class="sub">${esc(l.affairId)}</div></td>
<td>${esc(l.legalBasis)}</td>
<td>${escapeHtml(l.channelLabel)}<div class="sub">${esc(l.providedBy)}</div><div class="sub code">${esc(l.queryId)}</div></td>
</tr>`,
    )
    .join('\n');
  return `<section class="lines">
<h2>提供の記録 <span class="en">Each provision, newest first</span></h2>
<table class="grid">
<colgroup><col style="width:6%"><col style="width:14%"><col style="width:15%"><col style="width:29%"><col style="width:19%"><col style="width:17%"></colgroup>
<thead><tr><th>番号<span class="en">No.</span></th><th>提供日時<span class="en">Date (JST)</span></th><th>提供先<span class="en">Recipient</span></th><th>事務（利用目的）<span class="en">Affair / purpose</span></th><th>根拠法令<span class="en">Legal basis</span></th><th>提供方法・提供元・照会番号<span class="en">Channel / by / query</span></th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</section>`;
}

function notesSection(m: DisclosureReportModel): string {
  return `<section class="notes">
<h2>この書面について <span class="en">About this document</span></h2>
<ul>
<li>この書面は、${esc(m.issuer)}が保存する記録に基づき、対象期間にあなたの本人確認情報（氏名・住所・性別・生年月日・住民票コード等）が、いつ、どの提供先に、どの事務（利用目的）のために、どの法令の根拠に基づいて提供されたかをお知らせするものです。<span class="en">It lists, from the records kept by the issuer, when your identity information was provided, to whom, for which affair and on which legal basis.</span></li>
<li>${CHANNEL_LABEL.immediate.ja}は照会に応じて一件ずつ提供したもの、${CHANNEL_LABEL.batch.ja}は照会条件を記載したファイルに対してまとめて提供したもの（例：年金受給者の現況確認）、${CHANNEL_LABEL.media.ja}は電子記録媒体に記録して提供したものです。日時は日本標準時です。<span class="en">Immediate: one query at a time. Batch: a file of queries (e.g. the pension service's annual status check). By medium: written to an encrypted medium. Times are Japan Standard Time.</span></li>
<li>本人確認情報は、法律又は条例に定められた事務のためにのみ提供され、それ以外の目的での利用は禁止されています。記載の内容に心当たりがない場合は、お住まいの市区町村又は都道府県の窓口にお問い合わせください。その際、照会番号をお伝えください。<span class="en">Use outside the listed affair is forbidden. If a line seems wrong, ask your municipality or prefecture and quote its query number.</span></li>
<li>個人番号はこの書面に記載していません。<span class="en">Your individual number is not printed on this document.</span></li>
</ul>
</section>`;
}

function dateTime(t: JapanTime): string {
  return `${escapeHtml(t.eraDate)}<div class="sub">${escapeHtml(t.date)} ${escapeHtml(t.time)}</div>`;
}

// Gothic (sans) throughout, from Debian's fonts-noto-cjk; the rest are the usual Japanese fonts on
// other systems. Not Mincho (Noto Serif CJK JP), though printed forms often use it: Chromium
// embeds these CFF fonts as Type 3 and pays per face used — measured here, printing a 60-line
// report took ~1.9 s with one Sans face, ~3.6 s with Sans regular + bold, ~7 s with Serif added.
// `lang="ja"` makes unified Han characters take their Japanese forms. @page margin boxes print
// the page number in Chromium ≥ 131 (the PDF and the browser's own print).
const SANS = `'Noto Sans CJK JP', 'Noto Sans JP', 'IPAexGothic', 'IPAGothic', 'Yu Gothic', 'YuGothic', 'Hiragino Sans', 'Hiragino Kaku Gothic ProN', 'Meiryo', sans-serif`;
const MONO = `'DejaVu Sans Mono', 'Noto Sans Mono CJK JP', monospace`;

const STYLE = `
@page { size: A4 portrait; margin: 18mm 15mm 20mm 15mm;
  @bottom-center { content: "${DISCLOSURE_TITLE}\\3000 " counter(page) " / " counter(pages); font-family: ${SANS}; font-size: 7.5pt; color: #555; } }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
/* The side padding keeps the tables' collapsed outer borders inside the printable area. */
body { font-family: ${SANS}; font-size: 10pt; line-height: 1.5; color: #111; margin: 0 auto; padding: 0 1pt; max-width: 182mm; overflow-wrap: anywhere; }
h1 { font-size: 17pt; font-weight: 700; text-align: center; letter-spacing: 0.08em; margin: 6mm 0 0; }
.subtitle { text-align: center; margin: 1mm 0 6mm; }
h2 { font-size: 11pt; font-weight: 700; border-left: 3pt solid #1f3a60; padding-left: 2mm; margin: 6mm 0 2mm; break-after: avoid; }
.en { display: block; font-size: 7pt; font-weight: 400; color: #555; letter-spacing: 0; }
h2 .en { display: inline; margin-left: 2mm; }
.head { border-bottom: 1.2pt solid #1f3a60; padding-bottom: 2mm; }
.issued { width: auto; margin-left: auto; font-size: 8.5pt; }
.issued th { font-weight: 400; color: #555; text-align: left; padding: 0 3mm 0 0; vertical-align: top; }
.issued td { padding: 0; }
table { border-collapse: collapse; width: 100%; }
.kv th, .kv td { border: 0.6pt solid #999; padding: 1.5mm 2.5mm; text-align: left; vertical-align: top; }
.kv th { width: 32%; background: #eef1f6; font-weight: 400; }
.kv .name { font-size: 13pt; }
.code { font-family: ${MONO}; letter-spacing: 0.03em; }
.greg { color: #555; font-size: 8.5pt; margin-left: 1mm; }
.grid { font-size: 8.5pt; table-layout: fixed; }
.grid th, .grid td { border: 0.6pt solid #999; padding: 1mm 1.5mm; vertical-align: top; text-align: left; line-height: 1.4; }
.grid thead th { background: #eef1f6; font-weight: 700; }
.grid thead { display: table-header-group; }
.grid tr { break-inside: avoid; }
.grid .num { text-align: right; }
.grid ul { margin: 0; padding-left: 1.1em; }
.sub { color: #555; font-size: 7.5pt; }
.missing { color: #a00; }
.total strong { font-size: 11pt; }
.empty { font-size: 12pt; font-weight: 700; border: 1pt solid #1f3a60; padding: 4mm; text-align: center; }
.empty .en { font-size: 8pt; }
.notes { font-size: 8.5pt; margin-top: 8mm; break-inside: avoid; }
.notes ul { padding-left: 1.2em; }
.notes li { margin-bottom: 1.5mm; }
`;

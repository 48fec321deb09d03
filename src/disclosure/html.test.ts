import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DisclosureLine } from './model.ts';
import {
  DISCLOSURE_TITLE,
  MISSING_TEXT,
  NO_RECORDS_TEXT,
  escapeHtml,
  renderDisclosureHtml,
} from './html.ts';
import { PASSPORT, RESIDENT, busyReport, line, report } from './test-fixtures.ts';

/** Hostile or awkward text a record may hold: markup, entities, quotes, comment and CDATA openers. */
const HOSTILE = [
  '<script>globalThis.pwned = 1</script>',
  '"><img src=x onerror="globalThis.pwned = 1">',
  "' onmouseover='globalThis.pwned = 1",
  '&amp; &lt;literal&gt; &#x3C;',
  '</style><style>body{display:none}</style>',
  '<!-- ]]> </td></tr></table>',
];

/** The inverse of escapeHtml, for the five entities it writes (and no others). */
const unescape = (s: string): string =>
  s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) =>
    e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'quot' ? '"' : "'",
  );

/** The rows of the section whose heading is `heading` (each `<tr>…</tr>` of its tbody). */
function bodyRows(html: string, heading: string): string[] {
  const section = html.slice(html.indexOf(heading));
  const tbody = section.slice(section.indexOf('<tbody>'), section.indexOf('</tbody>'));
  return tbody.split('<tr>').slice(1);
}

describe('R17: the disclosure report as HTML', () => {
  it("R17: is a self-contained Japanese document with the title and the resident's items", () => {
    const html = renderDisclosureHtml(report([line()]));
    expect(html.startsWith('<!doctype html>\n<html lang="ja">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain(`<h1>${DISCLOSURE_TITLE}</h1>`);
    for (const item of [
      '渡邉　花子',
      'ワタナベ　ハナコ',
      '平成元年1月8日',
      '1989-01-08',
      '女',
      RESIDENT.address,
      RESIDENT.residentCode,
      '令和8年4月2日', // issued (2026-04-02 09:30 JST)
      '東京都サーバ',
      '令和7年4月1日', // the period
      '令和8年3月31日',
    ]) {
      expect(html).toContain(item);
    }
    // Self-contained and inert: no script, nothing fetched, and a policy that forbids both.
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'"`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|\shref=|url\(|@import/i);
    // The individual number is not printed (see model.ts).
    expect(html).not.toContain(RESIDENT.individualNumber);
  });

  it('R17: every provision line shows its date (also in 和暦), recipient, purpose and legal basis', () => {
    const r = busyReport(30);
    const html = renderDisclosureHtml(r);
    const rows = bodyRows(html, '提供の記録');
    expect(rows).toHaveLength(30);
    // Newest first: row 1 is the latest provision of the fixture (2026-03-24 12:15 JST).
    expect(rows[0]).toContain('令和8年3月24日');
    expect(rows[0]).toContain('2026-03-24 12:15');
    for (const row of rows) {
      const queryId = /q-\d{4}/.exec(row)![0];
      const source = r.lines.find((l) => l.queryId === queryId)!;
      expect(row).toContain(escapeHtml(source.recipientName));
      expect(row).toContain(escapeHtml(source.affairDescription));
      expect(row).toContain(escapeHtml(source.affairId));
      expect(row).toContain(escapeHtml(source.legalBasis));
      expect(row).toMatch(/(令和|平成)(元|\d+)年\d+月\d+日/);
      expect(row).toContain(source.channel === 'batch' ? '一括提供' : '即時提供');
      expect(row).toContain(escapeHtml(source.providedBy));
    }
  });

  it('R17: the summary has one row per recipient with its count', () => {
    const html = renderDisclosureHtml(busyReport(30));
    const rows = bodyRows(html, '提供先ごとの件数');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('日本年金機構');
    expect(rows[0]).toContain('<td class="num">20</td>');
    expect(rows[1]).toContain(PASSPORT.recipientName);
    expect(rows[1]).toContain('<td class="num">10</td>');
    expect(html).toContain(
      '合計 <strong>30</strong> 件提供されました（即時提供 10 件、一括提供 20 件）',
    );
  });

  it('R17: an empty report says explicitly that nothing was provided, with no empty tables', () => {
    const html = renderDisclosureHtml(report([]));
    expect(html).toContain(NO_RECORDS_TEXT);
    expect(html).not.toContain('<table class="grid">');
    // A report with lines never carries that sentence.
    expect(renderDisclosureHtml(report([line()]))).not.toContain(NO_RECORDS_TEXT);
  });

  it('R17: lines outside the period do not make the report non-empty', () => {
    const html = renderDisclosureHtml(report([line({ at: '2024-01-01T00:00:00Z' })]));
    expect(html).toContain(NO_RECORDS_TEXT);
  });

  it('R17: names the searcher at the recipient when the record has one', () => {
    const html = renderDisclosureHtml(
      report([line({ searcher: 'op-0042', queryId: 'with' }), line({ queryId: 'without' })]),
    );
    const rows = bodyRows(html, '提供の記録');
    expect(rows.find((r) => r.includes('without'))).not.toContain('照会者');
    expect(rows.find((r) => r.includes('>with<'))).toContain('照会者 op-0042');
  });

  it('marks a field the record left empty instead of printing a blank cell', () => {
    const html = renderDisclosureHtml(report([line({ legalBasis: ' ', affairDescription: '' })]));
    const [row] = bodyRows(html, '提供の記録');
    expect(row!.split(MISSING_TEXT)).toHaveLength(3);
  });

  it('escapes every text from a record: no markup from a name, address, recipient or affair survives', () => {
    for (const evil of HOSTILE) {
      const hostileLine: DisclosureLine = line({
        recipientId: evil,
        recipientName: evil,
        affairId: evil,
        affairDescription: evil,
        legalBasis: evil,
        providedBy: evil,
        queryId: evil,
        searcher: evil,
      });
      const html = renderDisclosureHtml(
        report([hostileLine], {
          resident: { ...RESIDENT, name: { kanji: evil, kana: evil }, address: evil },
          issuer: evil,
        }),
      );
      // Refused: the raw text anywhere in the document (it would be markup, not text).
      expect(html, evil).not.toContain(evil);
      // No element from the text (its words stay, as harmless text between the document's tags).
      expect(html).not.toMatch(/<script|<img/i);
      // Its escaped form is there instead: once per field: 17 places (the name in the title too, the issuer twice).
      const occurrences = html.split(escapeHtml(evil)).length - 1;
      expect(occurrences, evil).toBe(17);
      // The structure is intact: the closing tags are the document's own.
      expect(html.match(/<\/table>/g)).toHaveLength(4);
      expect(html.match(/<\/style>/g)).toHaveLength(1);
      expect(html.endsWith('</body>\n</html>\n')).toBe(true);
    }
  });

  it('(property) escapeHtml leaves no markup character and loses nothing', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        (s) =>
          !/[<>"']/.test(escapeHtml(s)) &&
          !/&(?!(amp|lt|gt|quot|#39);)/.test(escapeHtml(s)) &&
          unescape(escapeHtml(s)) === s,
      ),
      { numRuns: 500 },
    );
  });

  it('keeps any character of a name as written: variant kanji with IVS, emoji, RTL marks', () => {
    const kanji = '髙\u{E0100}橋　𠮷子\u200F🙂';
    const html = renderDisclosureHtml(
      report([line()], { resident: { ...RESIDENT, name: { kanji, kana: 'タカハシ　ヨシコ' } } }),
    );
    expect(html).toContain(`<td class="name">${kanji}</td>`);
  });
});

import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { RegistryError } from '../domain/errors.ts';
import { DISCLOSURE_TITLE, NO_RECORDS_TEXT, renderDisclosureHtml } from './html.ts';
import { chromiumPath, renderPdf } from './pdf.ts';
import { PENSION, RESIDENT, busyReport, line, report } from './test-fixtures.ts';

/*
 * The PDF made by the real Chromium (Debian's `chromium`, fonts-noto-cjk). Without the browser
 * these tests are skipped with a loud warning, except under CI=true, where the report must be
 * tested and they fail instead. The text is read back with poppler's pdftotext when installed.
 */

const CHROMIUM = chromiumPath();
const hasChromium = ((): boolean => {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return true;
  } catch {
    return false;
  }
})();
const missingChromium =
  `Chromium is not installed at ${CHROMIUM}: the disclosure PDF cannot be tested. ` +
  'Install it (apt-get install chromium fonts-noto-cjk) or set JUKINET_CHROMIUM.';
if (!hasChromium) {
  if (process.env['CI'] === 'true') throw new Error(missingChromium);
  console.warn(`\n!!!!! SKIPPING the disclosure PDF tests !!!!!\n${missingChromium}\n`);
}

const hasPdftotext = ((): boolean => {
  try {
    execFileSync('which', ['pdftotext'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const work = mkdtempSync(join(tmpdir(), 'jukinet-disclosure-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The text of the PDF (pages `first`..`last`), or undefined (loudly) without pdftotext. */
function pdfText(pdf: Buffer, name: string, pages?: { first: number; last: number }) {
  if (!hasPdftotext) {
    console.warn(
      '\n!!!!! NOT CHECKING the text of the disclosure PDF !!!!!\n' +
        'pdftotext is not installed (apt-get install poppler-utils).\n',
    );
    return undefined;
  }
  const file = join(work, `${name}.pdf`);
  writeFileSync(file, pdf);
  const range = pages ? ['-f', String(pages.first), '-l', String(pages.last)] : [];
  return execFileSync('pdftotext', ['-enc', 'UTF-8', ...range, file, '-'], { encoding: 'utf8' });
}

/** Page objects (`/Type /Page`, not the `/Pages` tree): Chromium writes them uncompressed. */
const pageCount = (pdf: Buffer): number =>
  pdf.toString('latin1').match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0;

/** The Japanese faces html.ts names (Debian's fonts-noto-cjk first). */
const JAPANESE_FONTS = /Noto Sans CJK JP|Noto Sans JP|IPAexGothic|IPAGothic/;

/** pdftotext keeps line breaks of the layout; compare without white space. */
const squeeze = (s: string): string => s.replace(/\s+/g, '');

describe('R17: the disclosure report as PDF', () => {
  it('refuses with `unavailable` and says what to install when there is no browser', async () => {
    const e: unknown = await renderPdf('<p>x</p>', {
      executablePath: join(work, 'no-such-chromium'),
    }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(RegistryError);
    const err = e as RegistryError;
    expect([err.code, err.reason]).toEqual(['unavailable', 'disclosure.no-browser']);
    expect(err.message).toContain('chromium');
    expect(err.message).toContain('fonts-noto-cjk');
    expect(err.message).toMatch(/HTML または JSON/);
    expect(err.message).toContain('HTML or JSON output');
  });

  it('takes the browser from JUKINET_CHROMIUM when no path is given', async () => {
    vi.stubEnv('JUKINET_CHROMIUM', join(work, 'configured-chromium'));
    try {
      expect(chromiumPath()).toBe(join(work, 'configured-chromium'));
      await expect(renderPdf('<p>x</p>')).rejects.toThrow(/configured-chromium/);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  describe.skipIf(!hasChromium)('with Chromium', () => {
    it('R17: prints a multi-page A4 PDF holding the Japanese text of every line', async () => {
      const r = busyReport(60);
      const pdf = await renderPdf(renderDisclosureHtml(r));
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pageCount(pdf)).toBeGreaterThan(1);
      // A4 is 595 × 842 points.
      expect(pdf.toString('latin1')).toMatch(/\/MediaBox\s*\[\s*0\s+0\s+59[45](\.\d+)?\s+84[12]/);

      const text = pdfText(pdf, 'busy');
      if (text === undefined) return;
      const flat = squeeze(text);
      // Short pieces: pdftotext interleaves the wrapped lines of neighbouring table cells, so a
      // long description is not one run of text in its output.
      for (const s of [
        DISCLOSURE_TITLE,
        RESIDENT.name.kanji,
        RESIDENT.address,
        '平成元年1月8日',
        '提供先ごとの件数',
        '令和8年3月24日', // the newest line's date in 和暦
        PENSION.recipientName,
        '厚生年金保険法による', // the affair (purpose)
        '住民基本台帳法第30条', // the legal basis
        PENSION.affairId,
        '旅券法による一般旅券',
        '一括提供',
        '即時提供',
      ]) {
        expect(flat.includes(squeeze(s)), `the PDF's text holds ${s}`).toBe(true);
      }
      // Every provision made it into the PDF (its query id is printed on its line).
      for (const l of r.lines) expect(flat.includes(l.queryId), l.queryId).toBe(true);
      // The table header is repeated on the next page, so a page read alone still makes sense.
      const page2 = squeeze(pdfText(pdf, 'busy-p2', { first: 2, last: 2 })!);
      expect(page2.includes('事務（利用目的）'), 'header on page 2').toBe(true);
      expect(page2.includes('根拠法令'), 'header on page 2').toBe(true);
      expect(page2.includes(`${DISCLOSURE_TITLE}2/${pageCount(pdf)}`), 'page number').toBe(true);
    });

    it('R17: prints the empty report with its explicit sentence', async () => {
      const pdf = await renderPdf(renderDisclosureHtml(report([])));
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pageCount(pdf)).toBe(1);
      const text = pdfText(pdf, 'empty');
      if (text !== undefined)
        expect(squeeze(text).includes(NO_RECORDS_TEXT), 'sentence').toBe(true);
    });

    it('in a browser with scripts ON and no CSP, hostile record text stays text, set in a Japanese font', async () => {
      const evil =
        '<img src=x onerror="document.title=\'pwned\'"><script>document.title="pwned"</script>';
      const html = renderDisclosureHtml(
        report([line({ recipientName: evil, affairDescription: evil })], {
          resident: { ...RESIDENT, name: { kanji: `渡邉${evil}`, kana: 'ワタナベ' } },
        }),
      ).replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
      expect(html).not.toContain('Content-Security-Policy'); // the escaping alone is under test

      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
      });
      try {
        const page = await browser.newPage();
        await page.route('**/*', (route) => route.abort());
        await page.setContent(html, { waitUntil: 'load' });
        expect(await page.title()).not.toBe('pwned');
        expect(await page.locator('img, script').count()).toBe(0);
        expect(await page.locator('td.name').textContent()).toBe(`渡邉${evil}`);

        // Which font really drew the title and the name: a CJK JP face, not a fallback (tofu).
        const cdp = await page.context().newCDPSession(page);
        const { root } = await cdp.send('DOM.getDocument');
        await cdp.send('CSS.enable');
        for (const selector of ['h1', 'td.name']) {
          const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector });
          const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId });
          const japanese = fonts.filter((f) => JAPANESE_FONTS.test(f.familyName));
          expect(japanese.length, `${selector}: ${JSON.stringify(fonts)}`).toBeGreaterThan(0);
        }
      } finally {
        await browser.close();
      }
    });
  });
});

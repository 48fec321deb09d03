import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { RegistryError } from '../domain/errors.ts';

/*
 * The disclosure report (R17) and the self-check report (R34, src/audit/self-check-html.ts) as
 * PDFs: their self-contained HTML printed by a headless Chromium. We do
 * not ship a browser: Debian's `chromium` package (and `fonts-noto-cjk` for the Japanese text) is
 * used where it is installed; elsewhere the HTML or JSON output is the report. The servers sit on a
 * closed network (R8), so the flags below stop Chromium from reaching for updates, sync or QUIC,
 * and the page itself can run no script and load nothing.
 */

export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type PdfOptions = {
  /** The Chromium executable; default: env JUKINET_CHROMIUM, else /usr/bin/chromium. */
  readonly executablePath?: string | undefined;
  /** Limit for launching the browser and for printing, each (ms). Default 60 s. */
  readonly timeoutMs?: number | undefined;
};

export const chromiumPath = (options: PdfOptions = {}): string =>
  options.executablePath ?? (process.env['JUKINET_CHROMIUM'] || DEFAULT_CHROMIUM);

/** An A4 PDF of a self-contained HTML document (the disclosure report, the self-check report). */
export async function renderPdf(html: string, options: PdfOptions = {}): Promise<Buffer> {
  const executablePath = chromiumPath(options);
  const timeout = options.timeoutMs ?? 60_000;
  try {
    await access(executablePath, constants.X_OK);
  } catch (e) {
    throw new RegistryError(
      'unavailable',
      `PDFを作成できません: ブラウザ ${executablePath} がありません。Debian の chromium と fonts-noto-cjk を導入する（apt-get install chromium fonts-noto-cjk）か、環境変数 JUKINET_CHROMIUM で Chromium の場所を指定するか、HTML または JSON の出力を使ってください。 / ` +
        `Cannot make the PDF: no browser at ${executablePath}. Install Debian's chromium and fonts-noto-cjk ` +
        `(apt-get install chromium fonts-noto-cjk), set JUKINET_CHROMIUM to a Chromium executable, or use the HTML or JSON output.`,
      'disclosure.no-browser',
      { cause: e },
    );
  }

  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout });
    // The report needs no script; with none running, nothing in a record can act in the page.
    const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
    const page = await context.newPage();
    // Belt and braces with the document's Content-Security-Policy: no request leaves the page.
    await page.route('**/*', (route) => route.abort());
    page.setDefaultTimeout(timeout);
    await page.setContent(html, { waitUntil: 'load' });
    return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true });
  } catch (e) {
    if (e instanceof RegistryError) throw e;
    throw new RegistryError(
      'unavailable',
      `PDFを作成できません: ブラウザ ${executablePath} が失敗しました。HTML または JSON の出力を使ってください。 / ` +
        `Cannot make the PDF: the browser at ${executablePath} failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); use the HTML or JSON output.`,
      'disclosure.browser-failed',
      { cause: e },
    );
  } finally {
    await browser?.close().catch(() => undefined);
  }
}

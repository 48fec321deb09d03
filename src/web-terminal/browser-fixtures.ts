import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';
import { chromiumPath } from '../disclosure/pdf.ts';

/*
 * Test fixtures: operator login in a real browser (R15). Debian's chromium driven by
 * playwright-core, with a CDP virtual authenticator (ctap2, internal transport, user
 * verification) as the operator ID card; the login page's own forms (login-page.ts).
 */

const CHROMIUM = chromiumPath();

/**
 * Whether Chromium is there. Without it the browser tests are skipped with a loud warning, except
 * under CI=true, where this throws instead (CI installs it: .ci/run).
 */
export function chromiumAvailable(what: string): boolean {
  try {
    accessSync(CHROMIUM, constants.X_OK);
    return true;
  } catch {
    const missing =
      `Chromium is not installed at ${CHROMIUM}: ${what} cannot be tested. ` +
      'Install it (apt-get install chromium fonts-noto-cjk) or set JUKINET_CHROMIUM.';
    if (process.env['CI'] === 'true') throw new Error(missing);
    console.warn(`\n!!!!! SKIPPING ${what} !!!!!\n${missing}\n`);
    return false;
  }
}

/**
 * The text of a PDF Chromium printed, by poppler's pdftotext; undefined (loudly) where it is not
 * installed, except under CI=true, where this throws (CI installs poppler-utils: .ci/run).
 */
export function pdfText(file: string, what: string): string | undefined {
  try {
    return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  } catch {
    if (process.env['CI'] === 'true')
      throw new Error('pdftotext is missing (apt-get install poppler-utils)');
    console.warn(`\n!!!!! NOT CHECKING the text of ${what}: no pdftotext !!!!!\n`);
    return undefined;
  }
}

export const launchBrowser = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    timeout: 60_000,
  });

export type Terminal = { page: Page; cdp: CDPSession; authenticatorId: string };

/** A fresh browser profile at the login page of `origin`, with one virtual authenticator. */
export async function openTerminal(browser: Browser, origin: string): Promise<Terminal> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  await page.goto(origin);
  return { page, cdp, authenticatorId };
}

/** Runs one form action and waits for its outcome: the status line's reason and text. */
export async function act(
  page: Page,
  action: () => Promise<void>,
): Promise<{ kind: string; reason: string | undefined; text: string }> {
  await page.evaluate("document.getElementById('status').className = 'pending'");
  await action();
  const status = page.locator('#status.ok, #status.error');
  await status.waitFor();
  return {
    kind: (await status.getAttribute('class')) ?? '',
    reason: (await status.getAttribute('data-reason')) ?? undefined,
    text: (await status.textContent()) ?? '',
  };
}

export const enroll = (page: Page, operatorId: string, tok: string) =>
  act(page, async () => {
    await page.fill('#enroll-operator', operatorId);
    await page.fill('#enroll-token', tok);
    await page.click('#enroll button[type=submit]');
  });

export const login = (page: Page, operatorId: string) =>
  act(page, async () => {
    await page.fill('#login-operator', operatorId);
    await page.click('#login button[type=submit]');
  });

/** A JSON call made by the page itself, with its session cookie and its origin. */
export const apiCall = (page: Page, method: 'GET' | 'POST', path: string, body?: unknown) =>
  page.evaluate(
    async ({ method, path, body }) => {
      const res = await fetch(path, {
        method,
        ...(method === 'POST'
          ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) }
          : {}),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    { method, path, body },
  );

/** What the page's own session sees at /api/me. */
export const me = (page: Page) => apiCall(page, 'GET', '/api/me');

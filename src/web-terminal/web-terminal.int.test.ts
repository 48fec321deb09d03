import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLogger } from '../nodes/json-log.ts';
import { openCredentialStore } from '../storage/open-credential-store.ts';
import type { CredentialStore } from '../storage/ports.ts';
import {
  act,
  chromiumAvailable,
  enroll,
  launchBrowser,
  login,
  me,
  openTerminal,
  type Terminal,
} from './browser-fixtures.ts';
import { issueEnrollmentToken } from './enrollment.ts';
import { InMemoryOperatorDirectory } from './operator-directory.ts';
import { startWebTerminal, type WebTerminal } from './web-terminal-server.ts';

/*
 * Operator login in a real browser (R15): Debian's chromium driven by playwright-core, with a CDP
 * virtual authenticator (ctap2, internal transport, user verification) as the operator ID card.
 * Without the browser these tests are skipped with a loud warning, except under CI=true, where
 * they fail instead.
 */
const hasChromium = chromiumAvailable('the web terminal browser tests');

const operators = new InMemoryOperatorDirectory(
  ['clerk-1', 'clerk-2', 'clerk-3', 'clerk-4', 'clerk-5'].map((id, i) => ({
    id,
    name: `窓口 太郎${i + 1}`,
    cardType: 'counter-clerk',
    node: 'cs:131016',
    revoked: false,
  })),
);
const logLines: string[] = [];
const log = jsonLogger({ write: (l) => logLines.push(l), minLevel: 'debug' });
const events = (event: string): Record<string, unknown>[] =>
  logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e['event'] === event);

const work = mkdtempSync(join(tmpdir(), 'jukinet-web-terminal-'));
const storeUrl = `sqlite:${join(work, 'node.sqlite')}`;
let credentials: CredentialStore;
let terminal: WebTerminal;
let browser: Browser;
let origin: string;
const issuedTokens: string[] = [];

/** A port in 20000–26000 that depends on the pid, so parallel runs rarely meet; next on a clash. */
async function start(): Promise<WebTerminal> {
  const base = 20000 + ((process.pid * 7) % 5900);
  for (let port = base; ; port++) {
    try {
      const t = await startWebTerminal({
        port,
        rpId: 'localhost',
        origin: `http://localhost:${port}`,
        operators,
        credentials,
        log,
      });
      origin = `http://localhost:${port}`;
      return t;
    } catch (e) {
      if (!(e instanceof Error && 'code' in e && e.code === 'EADDRINUSE') || port > base + 50)
        throw e;
    }
  }
}

async function token(operatorId: string, now?: Date): Promise<string> {
  const issued = await issueEnrollmentToken(credentials, operators, {
    operatorId,
    issuedBy: 'admin-1',
    ...(now ? { now } : {}),
  });
  issuedTokens.push(issued.token);
  return issued.token;
}

/**
 * A terminal whose authenticator holds a credential for this site that was never registered
 * (injected over CDP), and whose page lets any credential answer (no allowCredentials): what
 * reaches the server is an answer signed by a stranger's key.
 */
async function strangerTerminal(): Promise<Terminal> {
  const t = await openTerminal(browser, origin);
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await t.cdp.send('WebAuthn.addCredential', {
    authenticatorId: t.authenticatorId,
    credential: {
      credentialId: randomBytes(16).toString('base64'),
      isResidentCredential: true,
      rpId: 'localhost',
      privateKey: privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'),
      userHandle: Buffer.from('stranger').toString('base64'),
      signCount: 0,
    },
  });
  await offerAnyCredential(t.page);
  return t;
}

/** Serves the login options without allowCredentials: a page that lets any credential answer. */
async function offerAnyCredential(page: Page): Promise<void> {
  await page.route('**/api/login/options', async (route) => {
    const response = await route.fetch();
    const options = (await response.json()) as Record<string, unknown>;
    delete options['allowCredentials'];
    await route.fulfill({ response, json: options });
  });
}

describe.skipIf(!hasChromium)('web terminal login in Chromium (R15)', () => {
  beforeAll(async () => {
    credentials = await openCredentialStore(storeUrl);
    terminal = await start();
    browser = await launchBrowser();
  }, 90_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await terminal?.close();
    await credentials?.close();
    rmSync(work, { recursive: true, force: true });
    // Nothing secret reached the log: no token, no challenge, no credential id.
    for (const t of issuedTokens)
      for (const part of t.split('.')) expect(logLines.join('')).not.toContain(part);
  });

  it('registers a card with a one-time token, logs in, and /api/me shows the operator', async () => {
    const t = await openTerminal(browser, origin);
    const tok = await token('clerk-1');
    expect(await enroll(t.page, 'clerk-1', tok)).toMatchObject({ kind: 'ok', reason: 'enrolled' });
    const [cred] = await credentials.credentialsOf('clerk-1');
    expect(cred).toMatchObject({ operatorId: 'clerk-1', transports: ['internal'] });

    const challenges: string[] = [];
    t.page.on('response', (r) => {
      if (r.url().endsWith('/api/login/options'))
        void r.json().then((o: { challenge: string }) => challenges.push(o.challenge));
    });
    let verifyBody: string | undefined;
    t.page.on('request', (r) => {
      if (r.url().endsWith('/api/login/verify')) verifyBody = r.postData() ?? undefined;
    });
    expect(await login(t.page, 'clerk-1')).toMatchObject({ kind: 'ok' });
    expect(await t.page.isVisible('#me')).toBe(true);
    expect(await t.page.textContent('#me-card')).toBe('窓口担当者 (counter-clerk)');
    expect(await me(t.page)).toEqual({
      status: 200,
      body: {
        operator: {
          id: 'clerk-1',
          name: '窓口 太郎1',
          cardType: 'counter-clerk',
          cardTypeName: '窓口担当者',
          node: 'cs:131016',
        },
        routes: [], // this terminal offers no work screens
      },
    });
    expect(events('web-terminal.login')).toEqual([
      expect.objectContaining({ operator: 'clerk-1', cardType: 'counter-clerk' }),
    ]);
    expect((await credentials.credential(cred!.credentialId))?.lastUsedAt).toBeDefined();

    // The challenge was single use: the same answer sent again is refused.
    const replay = await t.page.evaluate(async (body) => {
      const res = await fetch('/api/login/verify', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    }, verifyBody!);
    expect(replay).toMatchObject({
      status: 403,
      body: { error: { reason: 'login.challenge-missing' } },
    });
    for (const c of challenges) expect(logLines.join('')).not.toContain(c);
    expect(logLines.join('')).not.toContain(cred!.credentialId);

    // Logout ends the session.
    expect(await act(t.page, () => t.page.click('#logout'))).toMatchObject({
      reason: 'logged-out',
    });
    expect((await me(t.page)).body).toMatchObject({ error: { reason: 'session.none' } });
  });

  it('refuses an enrollment token used twice, expired, or of another operator', async () => {
    const t = await openTerminal(browser, origin);
    const tok = await token('clerk-2');
    expect(await enroll(t.page, 'clerk-2', tok)).toMatchObject({ reason: 'enrolled' });
    const second = await openTerminal(browser, origin);
    expect(await enroll(second.page, 'clerk-2', tok)).toMatchObject({
      kind: 'error',
      reason: 'enrollment.token-used',
    });
    const old = await token('clerk-2', new Date(Date.now() - 16 * 60 * 1000));
    expect(await enroll(second.page, 'clerk-2', old)).toMatchObject({
      reason: 'enrollment.token-expired',
    });
    expect(await enroll(second.page, 'clerk-3', await token('clerk-2'))).toMatchObject({
      reason: 'enrollment.token-invalid',
    });
    const forged = `${tok.split('.')[0]}.${'A'.repeat(43)}`;
    expect(await enroll(second.page, 'clerk-2', forged)).toMatchObject({
      reason: 'enrollment.token-invalid',
    });
    expect(await credentials.credentialsOf('clerk-2')).toHaveLength(1);
    expect(events('web-terminal.refused').map((e) => e['reason'])).toEqual(
      expect.arrayContaining([
        'enrollment.token-used',
        'enrollment.token-expired',
        'enrollment.token-invalid',
      ]),
    );
  });

  it('refuses a login without user verification: in the browser, and at the server if the page asks for none', async () => {
    const t = await openTerminal(browser, origin);
    expect(await enroll(t.page, 'clerk-3', await token('clerk-3'))).toMatchObject({
      reason: 'enrolled',
    });
    await t.cdp.send('WebAuthn.setUserVerified', {
      authenticatorId: t.authenticatorId,
      isUserVerified: false,
    });
    // The honest page asks for user verification: the browser itself gives no answer.
    expect(await login(t.page, 'clerk-3')).toMatchObject({
      kind: 'error',
      reason: 'browser.not-allowed',
    });
    // A page that asks for none gets an answer without the UV flag: the server refuses it.
    await t.page.route('**/api/login/options', async (route) => {
      const response = await route.fetch();
      const options = (await response.json()) as Record<string, unknown>;
      await route.fulfill({ response, json: { ...options, userVerification: 'discouraged' } });
    });
    expect(await login(t.page, 'clerk-3')).toMatchObject({
      kind: 'error',
      reason: 'login.user-not-verified',
    });
    expect((await me(t.page)).status).toBe(401);
    expect(await credentials.loginLock('clerk-3')).toMatchObject({ failures: 1 });
    expect(events('web-terminal.refused')).toContainEqual(
      expect.objectContaining({ reason: 'login.user-not-verified', operator: 'clerk-3' }),
    );
  });

  it('refuses an authenticator whose credential was never registered', async () => {
    const t = await openTerminal(browser, origin);
    expect(await enroll(t.page, 'clerk-4', await token('clerk-4'))).toMatchObject({
      reason: 'enrolled',
    });
    const stranger = await strangerTerminal();
    expect(await login(stranger.page, 'clerk-4')).toMatchObject({
      kind: 'error',
      reason: 'login.unknown-credential',
    });
    expect((await me(stranger.page)).status).toBe(401);
    expect(await credentials.loginLock('clerk-4')).toMatchObject({ failures: 1 });
    // The operator's own card still works, and a success clears the count.
    expect(await login(t.page, 'clerk-4')).toMatchObject({ kind: 'ok' });
    expect(await credentials.loginLock('clerk-4')).toBeUndefined();
  });

  it('shuts a revoked operator out at the next request, and refuses their login', async () => {
    const t = await openTerminal(browser, origin);
    expect(await enroll(t.page, 'clerk-5', await token('clerk-5'))).toMatchObject({
      reason: 'enrolled',
    });
    expect(await login(t.page, 'clerk-5')).toMatchObject({ kind: 'ok' });
    expect((await me(t.page)).status).toBe(200);
    operators.revoke('clerk-5');
    expect(await act(t.page, () => t.page.click('#check'))).toMatchObject({
      kind: 'error',
      reason: 'session.operator-revoked',
    });
    expect(await t.page.isVisible('#me')).toBe(false);
    expect(await me(t.page)).toMatchObject({
      status: 401,
      body: { error: { reason: 'session.none' } },
    });
    expect(events('web-terminal.sessions-ended')).toContainEqual(
      expect.objectContaining({ operator: 'clerk-5', reason: 'operator-revoked' }),
    );
    expect(await login(t.page, 'clerk-5')).toMatchObject({ reason: 'login.operator-revoked' });
  });

  it('locks an operator after 5 failures, and the lock survives a restart of the listener', async () => {
    operators.add({
      id: 'clerk-6',
      name: '窓口 花子',
      cardType: 'counter-clerk',
      node: 'cs:131016',
      revoked: false,
    });
    const own = await openTerminal(browser, origin);
    expect(await enroll(own.page, 'clerk-6', await token('clerk-6'))).toMatchObject({
      reason: 'enrolled',
    });
    const stranger = await strangerTerminal();
    for (let i = 0; i < 5; i++)
      expect(await login(stranger.page, 'clerk-6')).toMatchObject({
        reason: 'login.unknown-credential',
      });
    expect(await login(stranger.page, 'clerk-6')).toMatchObject({ reason: 'login.locked' });
    // Locked: the operator's own card is refused too.
    expect(await login(own.page, 'clerk-6')).toMatchObject({ reason: 'login.locked' });
    const lock = await credentials.loginLock('clerk-6');
    expect(lock?.failures).toBe(5);
    const minutes = (Date.parse(lock!.lockedUntil!) - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(14);
    expect(minutes).toBeLessThanOrEqual(15);
    expect(events('web-terminal.operator-locked')).toContainEqual(
      expect.objectContaining({ operator: 'clerk-6', failures: 5 }),
    );

    await terminal.close();
    terminal = await start();
    await own.page.goto(origin);
    expect(await login(own.page, 'clerk-6')).toMatchObject({ reason: 'login.locked' });
    // Another operator is not affected: a second card for clerk-1 registers and logs in.
    const other = await openTerminal(browser, origin);
    expect(await enroll(other.page, 'clerk-1', await token('clerk-1'))).toMatchObject({
      reason: 'enrolled',
    });
    expect(await login(other.page, 'clerk-1')).toMatchObject({ kind: 'ok' });
    expect(await credentials.credentialsOf('clerk-1')).toHaveLength(2);
  });
});

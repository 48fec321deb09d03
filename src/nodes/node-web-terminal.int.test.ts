import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAccessLogStore, openOperatorStore } from '../storage/open-store.ts';
import {
  act,
  apiCall,
  chromiumAvailable,
  enroll,
  launchBrowser,
  login,
  openTerminal,
  type Terminal,
} from '../web-terminal/browser-fixtures.ts';
import { nodeTerminal } from '../cli/terminal-target.ts';
import { jsonLogger } from './json-log.ts';
import { loadNodeConfig } from './node-config.ts';
import { startNode, type RunningNode } from './node-runtime.ts';
import { callTerminal } from './terminal-server.ts';
import type { TerminalTarget } from './terminal-token.ts';
import { grantOperator, juki, networkWithWebTerminal } from './web-terminal-node-fixtures.ts';

/*
 * A node's web terminal end to end (R15, R31, R23): a national server started as `juki node
 * start` starts it, operators registered with `juki operator`, cards enrolled with the token of
 * `juki operator enroll` and used in Chromium (virtual authenticator), the node's routes reached
 * under /api/node within each card's rights, and `juki audit verify` / `list` over what they did.
 */
const hasChromium = chromiumAvailable('the node web terminal test');

describe.skipIf(!hasChromium)('a node’s web terminal: login, rights, access log', () => {
  let dir: string;
  let node: RunningNode;
  let browser: Browser;
  let origin: string;
  let store: string;
  let bundle: string;
  let configPath: string;

  /** The page's 端末コマンド用セッション button, then the token it shows once. */
  const issueTerminalSession = async (t: Terminal): Promise<string> => {
    const r = await act(t.page, () => t.page.click('#terminal-session'));
    expect(r).toMatchObject({ kind: 'ok', reason: 'terminal-session' });
    const shown = (await t.page.textContent('#terminal-session-command')) ?? '';
    expect(shown).toMatch(/^export JUKI_OPERATOR_SESSION=[A-Za-z0-9_-]{43}$/);
    return shown.split('=')[1]!;
  };
  /** What `juki` on the node's machine calls with JUKI_OPERATOR_SESSION set (or not). */
  const cli = async (session?: string): Promise<TerminalTarget> =>
    nodeTerminal(
      await loadNodeConfig(configPath),
      session ? { JUKI_OPERATOR_SESSION: session } : {},
    );
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => ({ reason: 'none' }),
      (e: { code: string; reason: string }) => ({ code: e.code, reason: e.reason }),
    );

  const tokenFor = async (id: string, by: string): Promise<string> => {
    const r = await juki('operator', 'enroll', '--store', store, '--id', id, '--by', by, '--json');
    expect(r.code, r.err).toBe(0);
    return (JSON.parse(r.out) as { token: string }).token;
  };

  const grant = (id: string, card: string, by: string) =>
    grantOperator(store, 'national:jlis', { id, card, by });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-web-node-'));
    origin = await networkWithWebTerminal({
      dir,
      webNode: 'national-jlis.json',
      webOffset: 90,
    });
    const path = join(dir, 'nodes', 'national-jlis.json');
    configPath = path;
    const config = await loadNodeConfig(path);
    store = config.store;
    bundle = config.bundleDir;

    // The register, as an administrator keeps it: the first administrator, then the others.
    await grant('admin-1', 'administrator', 'bootstrap');
    await grant('sec-1', 'security-officer', 'admin-1');

    node = await startNode(config, jsonLogger({ write: () => undefined }));
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await node?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('each operator reaches what the card permits, nothing else, and every act is logged', async () => {
    expect(node.webTerminal).toBeDefined();
    const admin = await openTerminal(browser, origin);
    expect(await enroll(admin.page, 'admin-1', await tokenFor('admin-1', 'admin-1'))).toMatchObject(
      { kind: 'ok' },
    );
    expect(await login(admin.page, 'admin-1')).toMatchObject({ kind: 'ok' });
    const security = await openTerminal(browser, origin);
    expect(await enroll(security.page, 'sec-1', await tokenFor('sec-1', 'admin-1'))).toMatchObject({
      kind: 'ok',
    });
    expect(await login(security.page, 'sec-1')).toMatchObject({ kind: 'ok' });

    // The administrator sees the node's health but may not cut a node off (R11: the security
    // officer's act); the security officer may.
    expect(await apiCall(admin.page, 'GET', '/api/node/health')).toMatchObject({
      status: 200,
      body: { node: 'national:jlis' },
    });
    expect(
      await apiCall(admin.page, 'POST', '/api/node/isolate', { peer: 'prefecture:13' }),
    ).toMatchObject({
      status: 403,
      body: { error: { reason: 'operator.not-permitted' } },
    });
    expect(
      await apiCall(security.page, 'POST', '/api/node/isolate', { peer: 'prefecture:13' }),
    ).toMatchObject({
      status: 200,
      body: { sessionsCut: 0 },
    });

    // The security officer takes a terminal session on the page and gives it to juki on the
    // node's machine (the loopback terminal side): their card decides there too.
    const secSession = await issueTerminalSession(security);
    expect(
      await callTerminal(await cli(secSession), 'POST', '/readmit', { peer: 'prefecture:13' }),
    ).toEqual({ readmitted: true });
    expect(await refusal(callTerminal(await cli(secSession), 'POST', '/retention/run'))).toEqual({
      code: 'forbidden',
      reason: 'operator.not-permitted',
    });
    // Without a session the console reaches only what touches nobody's data (R15).
    expect(await callTerminal(await cli(), 'GET', '/health')).toMatchObject({
      node: 'national:jlis',
    });
    expect(
      await refusal(callTerminal(await cli(), 'POST', '/isolate', { peer: 'prefecture:13' })),
    ).toEqual({ code: 'forbidden', reason: 'operator.session-required' });
    // The administrator's session works until they log out, then not at all.
    const adminSession = await issueTerminalSession(admin);
    expect(await callTerminal(await cli(adminSession), 'POST', '/retention/run')).toBeDefined();
    await act(admin.page, () => admin.page.click('#logout'));
    expect(await admin.page.locator('#terminal-session-out').isHidden()).toBe(true);
    expect(await refusal(callTerminal(await cli(adminSession), 'POST', '/retention/run'))).toEqual({
      code: 'forbidden',
      reason: 'session.none',
    });

    // Without a session nothing is reached (and nothing is an operator's act).
    const stranger = await openTerminal(browser, origin);
    expect((await apiCall(stranger.page, 'GET', '/api/node/health')).status).toBe(401);
    expect(await apiCall(stranger.page, 'POST', '/api/terminal-session', {})).toMatchObject({
      status: 401,
      body: { error: { reason: 'session.none' } },
    });

    // A token is issued only by an administrator of the same node.
    const refused = await juki(
      'operator',
      'enroll',
      '--store',
      store,
      '--id',
      'sec-1',
      '--by',
      'sec-1',
    );
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain('operator.not-authorized');

    // A revoked operator is out at the next request.
    const operators = await openOperatorStore(store);
    await operators.revoke('sec-1', 'admin-1', '異動 / transferred', new Date().toISOString());
    await operators.close();
    expect(
      await refusal(
        callTerminal(await cli(secSession), 'POST', '/readmit', { peer: 'prefecture:13' }),
      ),
    ).toEqual({ code: 'forbidden', reason: 'session.operator-revoked' });
    expect((await apiCall(security.page, 'GET', '/api/node/health')).status).toBe(401);

    const log = await openAccessLogStore(store);
    const records = (await log.list({ limit: 20 })).reverse();
    await log.close();
    expect(records.map((r) => [r.operator, r.operation, r.target, r.result, r.reason])).toEqual([
      ['admin-1', 'health', '', 'ok', undefined],
      ['admin-1', 'node.isolate', 'prefecture:13', 'refused', 'operator.not-permitted'],
      ['sec-1', 'node.isolate', 'prefecture:13', 'ok', undefined],
      ['sec-1', 'node.readmit', 'prefecture:13', 'ok', undefined],
      ['sec-1', 'retention.run', '', 'refused', 'operator.not-permitted'],
      ['local-terminal', 'node.isolate', 'prefecture:13', 'refused', 'operator.session-required'],
      ['admin-1', 'retention.run', '', 'ok', undefined],
      ['local-terminal', 'retention.run', '', 'refused', 'session.none'],
      ['sec-1', 'node.readmit', 'prefecture:13', 'refused', 'session.operator-revoked'],
    ]);
  });

  it('the access log verifies, and lists each operator’s acts', async () => {
    const verify = await juki('audit', 'verify', '--store', store, '--bundle', bundle, '--json');
    expect(verify.code, verify.err).toBe(0);
    expect(JSON.parse(verify.out)).toMatchObject({ ok: true, records: 9 });
    const list = await juki('audit', 'list', '--store', store, '--operator', 'sec-1', '--json');
    expect((JSON.parse(list.out) as unknown[]).length).toBe(4);
  });

  it('a report request names the logged-in auditor, never a name from the body (R6, R23)', async () => {
    await grant('aud-1', 'auditor', 'admin-1');
    const auditor = await openTerminal(browser, origin);
    expect(await enroll(auditor.page, 'aud-1', await tokenFor('aud-1', 'admin-1'))).toMatchObject({
      kind: 'ok',
    });
    expect(await login(auditor.page, 'aud-1')).toMatchObject({ kind: 'ok' });
    const request = {
      to: 'agency:mhlw-pension',
      subject: '保護措置の実施状況',
      body: '報告を求めます',
    };

    const onPage = await apiCall(auditor.page, 'POST', '/api/node/reports/request', request);
    expect(onPage).toMatchObject({ status: 200, body: { request: { operator: 'aud-1' } } });
    expect(
      await apiCall(auditor.page, 'POST', '/api/node/reports/request', {
        ...request,
        operator: '監査 太郎',
      }),
    ).toMatchObject({ status: 403, body: { error: { reason: 'terminal.not-the-operator' } } });

    // juki on the node's machine with the auditor's terminal session: --operator left out.
    const session = await issueTerminalSession(auditor);
    const bodyFile = join(dir, 'request.txt');
    await writeFile(bodyFile, '報告を求めます');
    const args = ['--config', configPath, '--to', 'agency:mhlw-pension', '--subject', '件名'];
    process.env.JUKI_OPERATOR_SESSION = session;
    try {
      const r = await juki('report', 'request', ...args, '--body-file', bodyFile, '--json');
      expect(r.code, r.err).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ request: { operator: 'aud-1' } });
    } finally {
      delete process.env.JUKI_OPERATOR_SESSION;
    }
    // On the console of this node (it has a web terminal) a report request needs a session.
    const consoleTry = await juki('report', 'request', ...args, '--body-file', bodyFile);
    expect(consoleTry.code).not.toBe(0);
    expect(consoleTry.err).toContain('--operator is required');

    const log = await openAccessLogStore(store);
    const acts = (await log.list({ limit: 3 })).reverse();
    await log.close();
    expect(acts.map((a) => [a.operator, a.operation, a.result, a.reason])).toEqual([
      ['aud-1', 'reports.request', 'ok', undefined],
      ['aud-1', 'reports.request', 'refused', 'terminal.not-the-operator'],
      ['aud-1', 'reports.request', 'ok', undefined],
    ]);
  });
});

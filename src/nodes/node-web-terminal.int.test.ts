import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli/main.ts';
import { captureIO } from '../cli/test-io.ts';
import { openAccessLogStore, openOperatorStore } from '../storage/open-store.ts';
import {
  apiCall,
  chromiumAvailable,
  enroll,
  launchBrowser,
  login,
  openTerminal,
} from '../web-terminal/browser-fixtures.ts';
import { jsonLogger } from './json-log.ts';
import { loadNodeConfig } from './node-config.ts';
import { startNode, type RunningNode } from './node-runtime.ts';
import { initNetwork } from './network-init.ts';

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

  const juki = async (...args: string[]) => {
    const io = captureIO();
    const code = await main(args, io);
    return { code, out: io.stdout(), err: io.stderr() };
  };
  const tokenFor = async (id: string, by: string): Promise<string> => {
    const r = await juki('operator', 'enroll', '--store', store, '--id', id, '--by', by, '--json');
    expect(r.code, r.err).toBe(0);
    return (JSON.parse(r.out) as { token: string }).token;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-web-node-'));
    const basePort = 21_000 + Math.floor(Math.random() * 40) * 100;
    await initNetwork({
      prefectures: ['13'],
      municipalities: ['131016'],
      dir,
      host: '127.0.0.1',
      basePort,
      overrides: { schedule: { integrityMinutes: 0, retentionMinutes: 0, reportPollSeconds: 0 } },
    });
    const path = join(dir, 'nodes', 'national-jlis.json');
    const file = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    const port = basePort + 90;
    origin = `http://localhost:${port}`;
    file.webTerminal = { host: '127.0.0.1', port, rpId: 'localhost', origin };
    await writeFile(path, JSON.stringify(file));
    const config = await loadNodeConfig(path);
    store = config.store;
    bundle = config.bundleDir;

    // The register, as an administrator keeps it: the first administrator, then the others.
    const grant = (id: string, card: string, by: string) =>
      juki(
        'operator',
        'grant',
        '--store',
        store,
        '--node',
        'national:jlis',
        '--id',
        id,
        '--name',
        `操作者 ${id}`,
        '--card',
        card,
        '--granted-by',
        by,
      );
    expect((await grant('admin-1', 'administrator', 'bootstrap')).code).toBe(0);
    expect((await grant('sec-1', 'security-officer', 'admin-1')).code).toBe(0);

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
    // Without a session nothing is reached (and nothing is an operator's act).
    const stranger = await openTerminal(browser, origin);
    expect((await apiCall(stranger.page, 'GET', '/api/node/health')).status).toBe(401);

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
    expect((await apiCall(security.page, 'GET', '/api/node/health')).status).toBe(401);

    const log = await openAccessLogStore(store);
    const records = (await log.list({ limit: 20 })).reverse();
    await log.close();
    expect(records.map((r) => [r.operator, r.operation, r.target, r.result, r.reason])).toEqual([
      ['admin-1', 'health', '', 'ok', undefined],
      ['admin-1', 'node.isolate', 'prefecture:13', 'refused', 'operator.not-permitted'],
      ['sec-1', 'node.isolate', 'prefecture:13', 'ok', undefined],
    ]);
  });

  it('the access log verifies, and lists each operator’s acts', async () => {
    const verify = await juki('audit', 'verify', '--store', store, '--bundle', bundle, '--json');
    expect(verify.code, verify.err).toBe(0);
    expect(JSON.parse(verify.out)).toMatchObject({ ok: true, records: 3 });
    const list = await juki('audit', 'list', '--store', store, '--operator', 'sec-1', '--json');
    expect((JSON.parse(list.out) as unknown[]).length).toBe(1);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTerminal } from '../cli/terminal-target.ts';
import { act, chromiumAvailable, launchBrowser } from '../web-terminal/browser-fixtures.ts';
import { jsonLogger } from './json-log.ts';
import { loadNodeConfig } from './node-config.ts';
import { startNode, type RunningNode } from './node-runtime.ts';
import { callTerminal } from './terminal-server.ts';
import {
  grantOperator,
  loggedIn,
  networkWithWebTerminal,
  tableCells,
} from './web-terminal-node-fixtures.ts';

/*
 * The switch's web terminal (R2, R15): its security officer lists the route records — who asked
 * for which CS, the outcome and its reason, bytes each way, never content — here a route a CS
 * asked for to itself, refused by the switch; the security officer's card opens no maintenance
 * screen at the switch (there is none to run there).
 */
const hasChromium = chromiumAvailable('the web terminal test at the switch');

describe.skipIf(!hasChromium)('the route records at the switch’s web terminal', () => {
  let dir: string;
  let sw: RunningNode;
  let cs: RunningNode;
  let browser: Browser;
  let origin: string;
  let store: string;
  const quiet = jsonLogger({ write: () => undefined });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-web-switch-'));
    origin = await networkWithWebTerminal({
      dir,
      webNode: 'switch-main.json',
      webOffset: 97,
    });
    const config = await loadNodeConfig(join(dir, 'nodes', 'switch-main.json'));
    store = config.store;
    await grantOperator(store, 'switch:main', {
      id: 'admin-1',
      card: 'administrator',
      by: 'bootstrap',
    });
    await grantOperator(store, 'switch:main', {
      id: 'sec-1',
      card: 'security-officer',
      by: 'admin-1',
    });
    sw = await startNode(config, quiet);
    cs = await startNode(await loadNodeConfig(join(dir, 'nodes', 'cs-131016.json')), quiet);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await cs?.close();
    await sw?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the security officer sees a refused route with its reason', async () => {
    // 千代田区's CS asks the switch for a route to itself (its console: it has no web terminal).
    await expect(
      callTerminal(await nodeTerminal(cs.config, {}), 'POST', '/route/check', { to: 'cs:131016' }),
    ).rejects.toMatchObject({ reason: 'switch.route-to-self' });

    const t = await loggedIn(browser, origin, store, 'sec-1', 'admin-1');
    expect(await t.page.isVisible('#routes-section')).toBe(true);
    expect(await t.page.isHidden('#maintenance-section')).toBe(true);
    expect(await act(t.page, () => t.page.click('#routes-refresh'))).toMatchObject({
      kind: 'ok',
      reason: 'routes.listed',
    });
    const [route] = await tableCells(t, 'routes-table');
    expect(route?.slice(1)).toEqual([
      'cs:131016',
      'cs:131016',
      '拒否',
      'switch.route-to-self',
      '0・0',
      expect.stringMatching(/^\d+$/),
    ]);
  });
});

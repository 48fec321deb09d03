import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAccessLogStore } from '../storage/open-store.ts';
import { act, chromiumAvailable, launchBrowser } from '../web-terminal/browser-fixtures.ts';
import { jsonLogger } from './json-log.ts';
import { loadNodeConfig } from './node-config.ts';
import { startNode, type RunningNode } from './node-runtime.ts';
import { nodeTerminal } from '../cli/terminal-target.ts';
import { callTerminal } from './terminal-server.ts';
import {
  grantOperator,
  loggedIn as loggedInAt,
  networkWithWebTerminal,
  tableCells,
} from './web-terminal-node-fixtures.ts';
import { SAPPORO_ADDRESS, sapporoHousehold } from './wide-area.fixtures.ts';

/*
 * 広域交付 (R24) at 千代田区's web terminal, in Chromium: the counter clerk enters what a resident
 * of 札幌市中央区 shows and states, the CS asks 札幌市中央区's CS through the switch, and the page
 * shows the copy — each person's items and the certification naming the residence municipality,
 * signed by 千代田区長 — ready to print alone. A person outside the household is refused with its
 * reason and nothing is shown; the copy is gone at log out; an auditor's card does not open the
 * screen. Each act is in 千代田区's access log under the clerk, with the requester's code. The same
 * clerk takes a 転入 by 転入転出の特例 (R25): the old CS sends the 転出証明書情報.
 */
const hasChromium = chromiumAvailable('the web terminal test of 広域交付');

describe.skipIf(!hasChromium)('広域交付 at a CS’s web terminal (R24)', () => {
  let dir: string;
  const nodes: RunningNode[] = [];
  let browser: Browser;
  let origin: string;
  let store: string;
  let taro = '';
  let jiro = '';
  const loggedIn = (id: string) => loggedInAt(browser, origin, store, id, 'admin-1');
  const quiet = jsonLogger({ write: () => undefined });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-web-wide-area-'));
    origin = await networkWithWebTerminal({
      dir,
      prefectures: ['13', '01'],
      municipalities: ['131016', '011011'],
      webNode: 'cs-131016.json',
      webOffset: 95,
    });
    const config = await loadNodeConfig(join(dir, 'nodes', 'cs-131016.json'));
    store = config.store;
    for (const [id, card, by] of [
      ['admin-1', 'administrator', 'bootstrap'],
      ['clerk-1', 'counter-clerk', 'admin-1'],
      ['aud-1', 'auditor', 'admin-1'],
      ['sec-1', 'security-officer', 'admin-1'],
    ] as const)
      await grantOperator(store, 'cs:131016', { id, card, by });
    for (const file of ['switch-main.json', 'cs-011011.json'])
      nodes.push(await startNode(await loadNodeConfig(join(dir, 'nodes', file)), quiet));
    nodes.push(await startNode(config, quiet));
    ({ taro, jiro } = await sapporoHousehold(nodes[1]!));
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    for (const n of nodes.reverse()) await n.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the clerk issues a copy for a household of 札幌市中央区 and can print it alone', async () => {
    const t = await loggedIn('clerk-1');
    const page = t.page;
    expect(await page.isVisible('#wide-area-section')).toBe(true);
    await page.fill('#wide-area-name', '住基 太郎');
    await page.fill('#wide-area-address', SAPPORO_ADDRESS);
    await page.fill('#wide-area-code', taro);
    await page.check('#wide-area-household');
    await page.check('#wide-area-relationship');
    expect(await act(page, () => page.click('#wide-area button[type=submit]'))).toMatchObject({
      kind: 'ok',
      reason: 'wide-area.issued',
    });
    // Shown, not only there: the copy's tables are visible on the page.
    expect(await page.isVisible('#wide-area-copy-persons table')).toBe(true);
    const tables = await page.locator('#wide-area-copy-persons table').all();
    const rows = await Promise.all(
      tables.map(async (table): Promise<Record<string, string>> => {
        const pairs = await Promise.all(
          (await table.locator('tr').all()).map(async (tr) => [
            (await tr.locator('th').textContent()) ?? '',
            (await tr.locator('td').textContent()) ?? '',
          ]),
        );
        return Object.fromEntries(pairs) as Record<string, string>;
      }),
    );
    expect(rows).toEqual([
      {
        氏名: '住基 太郎（ジュウキ タロウ）',
        生年月日: '昭和55年5月5日',
        性別: '男',
        続柄: '世帯主',
        住民となった年月日: '令和8年4月1日',
        住所: SAPPORO_ADDRESS,
        住所を定めた旨の届出の年月日: '令和8年4月3日',
        従前の住所: '東京都港区芝公園4丁目2番8号',
      },
      expect.objectContaining({ 氏名: '住基 花子（ジュウキ ハナコ）', 続柄: '妻' }),
    ]);
    expect(await page.textContent('#wide-area-certification')).toContain(
      '北海道札幌市中央区長からの通知に基づいて作成したもの',
    );
    expect(await page.textContent('#wide-area-mayor')).toBe('東京都千代田区長');

    // Printed, the page shows the copy alone: no form, no other screen, no print button.
    await page.evaluate("document.body.classList.add('print-wide-area')");
    await page.emulateMedia({ media: 'print' });
    expect(await page.isVisible('#wide-area-out')).toBe(true);
    for (const hidden of ['#wide-area', '#wide-area-print', '#counter-section', '#logout'])
      expect(await page.isVisible(hidden), hidden).toBe(false);
    await page.emulateMedia({ media: 'screen' });
    await page.evaluate("document.body.classList.remove('print-wide-area')");

    // A refusal shows its reason and no copy.
    await page.uncheck('#wide-area-household');
    await page.fill('#wide-area-persons', '別世帯 次郎');
    expect(await act(page, () => page.click('#wide-area button[type=submit]'))).toMatchObject({
      kind: 'error',
      reason: 'wide-area.not-in-household',
    });
    expect(await page.isHidden('#wide-area-out')).toBe(true);
    expect(await page.locator('#wide-area-copy-persons table').count()).toBe(0);

    // At log out the copy goes with everything else.
    await page.fill('#wide-area-persons', '住基 花子');
    expect(await act(page, () => page.click('#wide-area button[type=submit]'))).toMatchObject({
      kind: 'ok',
    });
    await page.click('#logout');
    await page.waitForSelector('#login-section', { state: 'visible' });
    expect(await page.locator('#wide-area-copy-persons table').count()).toBe(0);
    expect(await page.textContent('#wide-area-certification')).toBe('');
    await page.context().close();

    const log = await openAccessLogStore(store);
    const acts = (await log.list({ limit: 50, operator: 'clerk-1' })).filter(
      (a) => a.operation === 'wide-area.issue',
    );
    await log.close();
    expect(acts.map((a) => [a.target, a.result, a.reason]).reverse()).toEqual([
      [taro, 'ok', undefined],
      [taro, 'refused', 'wide-area.not-in-household'],
      [taro, 'ok', undefined],
    ]);
  });

  it('the clerk takes a 転入 by 転入転出の特例 from the old CS (R25)', async () => {
    // 別世帯 次郎 sent his 転出届 to 札幌市中央区 by mail, naming 千代田区.
    const NEW_ADDRESS = '東京都千代田区九段南1丁目2番1号';
    await callTerminal(await nodeTerminal(nodes[1]!.config, {}), 'POST', '/register/operation', {
      reason: '転出',
      form: { residentCode: jiro, destination: NEW_ADDRESS },
    });
    const t = await loggedIn('clerk-1');
    const page = t.page;
    expect(await page.isVisible('#counter-special')).toBe(true);
    await page.fill('#special-code', jiro);
    await page.fill('#special-name', '別世帯 次郎');
    await page.fill('#special-birth', '1975-01-01');
    await page.fill('#special-previous', SAPPORO_ADDRESS);
    await page.fill('#special-address', NEW_ADDRESS);
    expect(await act(page, () => page.click('#counter-special button[type=submit]'))).toMatchObject(
      {
        kind: 'ok',
        reason: 'counter.moved-in',
      },
    );
    const shown = Object.fromEntries(
      (await tableCells(t, 'counter-record')).map(([k, v]) => [k!, v!]),
    );
    expect(shown).toMatchObject({
      住民票コード: jiro,
      氏名: '別世帯 次郎（ベツセタイ ジロウ）',
      住所: NEW_ADDRESS,
      前住所: SAPPORO_ADDRESS,
      状態: '在住',
    });
    expect(await page.textContent('#counter-outcome')).toContain('転出証明書情報 cs:011011');
    // Asked again for someone who sent no 転出届: refused with the old CS's reason.
    await page.fill('#special-code', taro);
    await page.fill('#special-name', '住基 太郎');
    await page.fill('#special-birth', '1980-05-05');
    expect(await act(page, () => page.click('#counter-special button[type=submit]'))).toMatchObject(
      {
        kind: 'error',
        reason: 'move-out.no-notice',
      },
    );
    await page.context().close();
  });

  it('the security officer lists the suspended cards of other municipalities and lifts one (R18)', async () => {
    const t = await loggedIn('sec-1');
    const page = t.page;
    expect(await page.isHidden('#wide-area-section')).toBe(true);
    expect(await page.isVisible('#wide-area-suspensions-section')).toBe(true);
    expect(await act(page, () => page.click('#wide-area-suspensions-refresh'))).toMatchObject({
      kind: 'ok',
      reason: 'wide-area.suspensions',
    });
    expect(await tableCells(t, 'wide-area-suspensions-table')).toEqual([]);
    await page.fill('#wide-area-release-card', 'cs:011011/clerk-5');
    expect(
      await act(page, () => page.click('#wide-area-release button[type=submit]')),
    ).toMatchObject({ kind: 'error', reason: 'wide-area.not-suspended' });
    await page.context().close();
  });

  it('an auditor’s card does not open 広域交付', async () => {
    const t = await loggedIn('aud-1');
    expect(await t.page.isHidden('#wide-area-section')).toBe(true);
    expect(await t.page.isHidden('#wide-area-suspensions-section')).toBe(true);
    await t.page.context().close();
  });
});

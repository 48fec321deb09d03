import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAccessLogStore, openProvisionStore } from '../storage/open-store.ts';
import {
  act,
  apiCall,
  chromiumAvailable,
  launchBrowser,
} from '../web-terminal/browser-fixtures.ts';
import type { RunningNode } from './node-runtime.ts';
import { GOVERNOR, GOVERNOR_PASSPORT } from './provision-fixtures.ts';
import {
  grantOperator,
  loggedIn as loggedInAt,
  tableCells,
  TOKYO_PEOPLE,
  tokyoWithWebTerminal,
} from './web-terminal-node-fixtures.ts';

/*
 * 提供先の管理 (the recipient register, R3, R5) on the web terminal of a running prefecture server
 * (東京都), in Chromium: a provision operator suspends provision to the governor and reinstates it,
 * adds a recipient, permits its affair and records its 協定書, and registers an affair of Tokyo's
 * ordinance (条例事務); each change is in force at once and in the node's access log, and what is
 * refused says why.
 */
const hasChromium = chromiumAvailable('the recipient register screens test');

const { ICHIRO, TARO } = TOKYO_PEOPLE;

describe.skipIf(!hasChromium)(
  'the recipient register at a prefecture server’s web terminal',
  () => {
    let dir: string;
    let nodes: RunningNode[] = [];
    let browser: Browser;
    let origin: string;
    let store: string;

    const grant = (id: string, card: string, by: string) =>
      grantOperator(store, 'prefecture:13', { id, card, by });
    const loggedIn = (id: string) => loggedInAt(browser, origin, store, id, 'admin-1');
    const cells = tableCells;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'jukinet-web-register-'));
      ({ origin, store, nodes } = await tokyoWithWebTerminal(dir, [ICHIRO, TARO]));
      browser = await launchBrowser();
    }, 120_000);

    afterAll(async () => {
      await browser?.close().catch(() => undefined);
      for (const n of nodes) await n.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('a provision operator suspends provision to the governor and reinstates it (R5)', async () => {
      await grant('prov-2', 'provision-operator', 'admin-1');
      const t = await loggedIn('prov-2');
      expect(await t.page.isVisible('#register-section')).toBe(true);
      expect(await act(t.page, () => t.page.click('#register-refresh'))).toMatchObject({
        kind: 'ok',
        reason: 'register.listed',
      });
      const governor = async () =>
        (await cells(t, 'register-table')).find((r) => r[0] === GOVERNOR)!;
      expect((await governor()).slice(1, 4)).toEqual([
        '東京都知事',
        '都道府県の執行機関',
        GOVERNOR_PASSPORT,
      ]);
      expect((await governor())[5]).toBe('提供中');

      const decide = async (action: 'suspend' | 'reinstate', recipient = GOVERNOR) => {
        await t.page.fill('#suspension-recipient', recipient);
        await t.page.fill('#suspension-reason', '監査のため / for an audit');
        return act(t.page, () => t.page.click(`#suspension button[value=${action}]`));
      };
      const query = async () => {
        await t.page.fill('#provision-recipient', GOVERNOR);
        await t.page.fill('#provision-affair', GOVERNOR_PASSPORT);
        await t.page.fill('#provision-code', TARO.residentCode);
        return act(t.page, () => t.page.click('#provision button[type=submit]'));
      };
      expect(await decide('suspend')).toMatchObject({ kind: 'ok', reason: 'provision.suspend' });
      expect((await governor())[5]).toMatch(/^停止中（.+、prov-2：監査のため \/ for an audit）$/);
      expect(await query()).toMatchObject({
        kind: 'error',
        reason: 'provision.recipient-suspended',
      });
      expect(await decide('reinstate')).toMatchObject({
        kind: 'ok',
        reason: 'provision.reinstate',
      });
      expect((await governor())[5]).toBe('提供中');
      expect(await query()).toMatchObject({ kind: 'ok' });
      expect(await decide('suspend', 'no-such-recipient')).toMatchObject({
        kind: 'error',
        reason: 'provision.unknown-recipient',
      });
    });

    it('a provision operator adds a recipient, permits its affair and records its 協定書 (R3, R5)', async () => {
      await grant('prov-3', 'provision-operator', 'admin-1');
      const t = await loggedIn('prov-3');
      const page = t.page;
      for (const shown of ['#recipient-add', '#permit', '#agreement'])
        expect(await page.isVisible(shown), shown).toBe(true);
      // The providing node is this one unless said otherwise.
      expect(await page.inputValue('#recipient-served-by')).toBe('prefecture:13');

      await page.fill('#recipient-id', 'tokyo-passport-office');
      await page.fill('#recipient-name', '東京都旅券事務所');
      await page.selectOption('#recipient-kind', 'prefecture-body');
      expect(await act(page, () => page.click('#recipient-add button[type=submit]'))).toMatchObject(
        {
          kind: 'ok',
          reason: 'register.recipient',
        },
      );
      await page.fill('#permit-recipient', 'tokyo-passport-office');
      await page.fill('#permit-affair', GOVERNOR_PASSPORT);
      expect(await act(page, () => page.click('#permit button[type=submit]'))).toMatchObject({
        kind: 'ok',
        reason: 'register.permit',
      });
      // An affair of the national server's tables is not this prefecture server's to provide.
      await page.fill('#permit-affair', '別表第一:一');
      expect(await act(page, () => page.click('#permit button[type=submit]'))).toMatchObject({
        kind: 'error',
        reason: 'permission.wrong-provider',
      });
      await page.fill('#agreement-recipient', 'tokyo-passport-office');
      await page.fill('#agreement-id', 'tokyo-passport-2026');
      await page.fill('#agreement-signed', '2026-04-01');
      await page.fill('#agreement-from', '2026-04-01');
      await page.fill('#agreement-measures', '照会端末の限定、操作者の記録');
      expect(await act(page, () => page.click('#agreement button[type=submit]'))).toMatchObject({
        kind: 'ok',
        reason: 'register.agreement',
      });
      // The same 協定書 number again: an agreement id is never reused.
      await page.fill('#agreement-id', 'tokyo-passport-2026');
      await page.fill('#agreement-measures', '照会端末の限定');
      expect(await act(page, () => page.click('#agreement button[type=submit]'))).toMatchObject({
        kind: 'error',
      });

      const office = (await cells(t, 'register-table')).find(
        (r) => r[0] === 'tokyo-passport-office',
      );
      expect(office).toEqual([
        'tokyo-passport-office',
        '東京都旅券事務所',
        '都道府県の執行機関',
        GOVERNOR_PASSPORT,
        'tokyo-passport-2026（2026-04-01 ～ ）',
        '提供中',
      ]);
      // In force at once: the new recipient is answered for its affair.
      await page.fill('#provision-recipient', 'tokyo-passport-office');
      await page.fill('#provision-affair', GOVERNOR_PASSPORT);
      await page.fill('#provision-code', TARO.residentCode);
      expect(await act(page, () => page.click('#provision button[type=submit]'))).toMatchObject({
        kind: 'ok',
        reason: 'provision.answered',
      });
      const access = await openAccessLogStore(store);
      const acts = (await access.list({ limit: 10, operator: 'prov-3' })).filter(
        (a) => a.operation === 'provision.register',
      );
      await access.close();
      // Each change and each list it refreshed (GET /provision/register is the same operation).
      expect(acts.filter((a) => a.result === 'ok')).toHaveLength(6);
      expect(acts.filter((a) => a.result === 'refused').map((a) => [a.target, a.reason])).toEqual([
        ['tokyo-passport-office', expect.stringMatching(/^agreement\./)],
        ['tokyo-passport-office', 'permission.wrong-provider'],
      ]);
    });

    it('a provision operator registers an affair of Tokyo’s ordinance (条例事務, R3), permits it and a query under it is answered', async () => {
      await grant('prov-4', 'provision-operator', 'admin-1');
      const t = await loggedIn('prov-4');
      const page = t.page;
      expect(await page.isVisible('#ordinance')).toBe(true);

      await page.fill('#ordinance-item', '九');
      await page.fill('#ordinance-recipient', '教育委員会');
      await page.fill('#ordinance-affair', '高等学校等就学支援金の支給に関する事務');
      await page.fill('#ordinance-basis', '東京都住民基本台帳法施行条例第二条・別表第一の九の項');
      expect(await act(page, () => page.click('#ordinance button[type=submit]'))).toMatchObject({
        kind: 'ok',
        reason: 'register.ordinance',
      });
      // Its id goes to the permit form; the list shows it.
      expect(await page.inputValue('#permit-affair')).toBe('条例:13:九');
      expect(await cells(t, 'ordinance-table')).toContainEqual([
        '条例:13:九',
        '教育委員会',
        '高等学校等就学支援金の支給に関する事務',
        '東京都住民基本台帳法施行条例第二条・別表第一の九の項',
      ]);
      // Without a legal basis: refused by the node, nothing registered.
      await page.fill('#ordinance-item', '十');
      await page.fill('#ordinance-recipient', '教育委員会');
      await page.fill('#ordinance-affair', '奨学金');
      await page.fill('#ordinance-basis', ' ');
      expect(await act(page, () => page.click('#ordinance button[type=submit]'))).toMatchObject({
        kind: 'error',
        reason: 'register.missing-field',
      });
      // Only this prefecture's own ordinance: another prefecture's code is refused.
      const other = await apiCall(page, 'POST', '/api/node/provision/register', {
        change: 'ordinance',
        prefectureCode: '14',
        item: '一',
        recipientText: '教育委員会',
        affairText: '奨学金',
        legalBasis: '神奈川県条例',
      });
      expect(other).toMatchObject({
        status: 403,
        body: { error: { reason: 'ordinance-affair.other-prefecture' } },
      });
      const provision = await openProvisionStore(store);
      expect((await provision.loadRegistry()).ordinanceAffairs.map((a) => a.id)).toEqual([
        '条例:13:九',
      ]);
      await provision.close();

      // Permitted to the governor, a query under it is answered with its legal basis recorded.
      await page.fill('#permit-recipient', GOVERNOR);
      expect(await act(page, () => page.click('#permit button[type=submit]'))).toMatchObject({
        kind: 'ok',
        reason: 'register.permit',
      });
      await page.fill('#provision-recipient', GOVERNOR);
      await page.fill('#provision-affair', '条例:13:九');
      await page.fill('#provision-code', ICHIRO.residentCode);
      expect(await act(page, () => page.click('#provision button[type=submit]'))).toMatchObject({
        kind: 'ok',
        reason: 'provision.answered',
      });
      const after = await openProvisionStore(store);
      const [latest] = await after.disclosuresOf(ICHIRO.residentCode);
      await after.close();
      expect(latest).toMatchObject({
        affairId: '条例:13:九',
        legalBasis: '東京都住民基本台帳法施行条例第二条・別表第一の九の項',
        searcher: 'prov-4',
      });
    });
  },
);

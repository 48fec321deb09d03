import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTerminal } from '../cli/terminal-target.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import { openAccessLogStore, openIdentityStore } from '../storage/open-store.ts';
import {
  act,
  chromiumAvailable,
  launchBrowser,
  type Terminal,
} from '../web-terminal/browser-fixtures.ts';
import { jsonLogger } from './json-log.ts';
import type { CounterAnswer } from './node-counter.ts';
import { loadNodeConfig } from './node-config.ts';
import { startNode, type RunningNode } from './node-runtime.ts';
import { callTerminal } from './terminal-server.ts';
import {
  grantOperator,
  loggedIn as loggedInAt,
  networkWithWebTerminal,
  tableCells,
} from './web-terminal-node-fixtures.ts';

/*
 * 窓口業務 at a running CS's web terminal (千代田区), in Chromium (R1, R15, R19, R23): a counter
 * clerk (窓口担当者) logs in with their card, enters a person by 転入, sees the 住民票, moves them
 * by 転居 and looks the record up with its history; the change reaches the prefecture server with
 * no further step. A refused form shows the field or rule. Only the counter clerk's card opens the
 * counter; the console of a CS with a web terminal may not do counter work, and the clerk's
 * terminal session may. Every act is in the CS's access log under the clerk, and an auditor
 * (監査担当者) reads that log on the page and verifies it, the reading recorded too. The
 * operator register's screen has its own test (web-terminal-operators.int.test.ts).
 */
const hasChromium = chromiumAvailable('the web terminal test at a CS');

/** The 住民票 the page shows: item → value. */
const shownRecord = async (t: Terminal): Promise<Record<string, string>> =>
  Object.fromEntries((await tableCells(t, 'counter-record')).map(([k, v]) => [k!, v!]));

describe.skipIf(!hasChromium)('the counter and the access log at a CS’s web terminal', () => {
  let dir: string;
  let cs: RunningNode;
  let prefecture: RunningNode;
  let national: RunningNode;
  let browser: Browser;
  let origin: string;
  let store: string;

  const loggedIn = (id: string) => loggedInAt(browser, origin, store, id, 'admin-1');
  const quiet = jsonLogger({ write: () => undefined });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-web-counter-'));
    origin = await networkWithWebTerminal({
      dir,
      webNode: 'cs-131016.json',
      webOffset: 93,
    });
    const csConfig = await loadNodeConfig(join(dir, 'nodes', 'cs-131016.json'));
    store = csConfig.store;
    for (const [id, card, by] of [
      ['admin-1', 'administrator', 'bootstrap'],
      ['clerk-1', 'counter-clerk', 'admin-1'],
      ['aud-1', 'auditor', 'admin-1'],
    ] as const)
      await grantOperator(store, 'cs:131016', { id, card, by });
    national = await startNode(
      await loadNodeConfig(join(dir, 'nodes', 'national-jlis.json')),
      quiet,
    );
    prefecture = await startNode(
      await loadNodeConfig(join(dir, 'nodes', 'prefecture-13.json')),
      quiet,
    );
    cs = await startNode(csConfig, quiet);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await cs?.close();
    await prefecture?.close();
    await national?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a counter clerk enters a person by 転入, moves them by 転居 and looks the record up', async () => {
    const t = await loggedIn('clerk-1');
    const page = t.page;
    expect(await page.isVisible('#counter-section')).toBe(true);
    for (const hidden of ['#provision-section', '#disclosure-section', '#isolate-section'])
      expect(await page.isHidden(hidden), hidden).toBe(true);

    // 転入: the fields follow the operation (no 転出先 here, no parent's code).
    await page.selectOption('#counter-reason', 'move-in');
    expect(await page.isHidden('#counter-destination')).toBe(true);
    expect(await page.isHidden('#counter-parent')).toBe(true);
    await page.fill('#counter-kanji', '窓口 春子');
    await page.fill('#counter-kana', 'マドグチ ハルコ');
    await page.selectOption('#counter-sex', 'female');
    await page.fill('#counter-birth', '1992-03-04');
    await page.fill('#counter-address', '東京都千代田区九段南1丁目2番1号');
    await page.fill('#counter-domicile', '東京都千代田区九段南1丁目');
    await page.fill('#counter-head-of-family', '窓口 春子');
    await page.fill('#counter-previous', '埼玉県さいたま市浦和区高砂3丁目15番1号');
    const entered = await act(page, () => page.click('#counter button[type=submit]'));
    expect(entered, entered.text).toMatchObject({ kind: 'ok', reason: 'counter.performed' });
    const record = await shownRecord(t);
    const code = record['住民票コード']!;
    expect(code).toMatch(/^\d{11}$/);
    expect(record).toMatchObject({
      氏名: '窓口 春子（マドグチ ハルコ）',
      性別: '女',
      住所: '東京都千代田区九段南1丁目2番1号',
      続柄: '世帯主',
      状態: '在住',
    });
    expect(await page.textContent('#counter-outcome')).toContain('転入 を受理しました');

    // The change of 本人確認情報 went on to the prefecture server by itself (R19).
    const end = Date.now() + 15_000;
    for (;;) {
      const identities = await openIdentityStore(prefecture.config.store);
      const found = await identities.findIdentity(code as ResidentCode);
      await identities.close();
      if (found) break;
      if (Date.now() > end) throw new Error('the 転入 did not reach the prefecture server');
      await new Promise((r) => setTimeout(r, 100));
    }

    // 転居 to the same address: the register's rule refuses it, and the page says which.
    await page.selectOption('#counter-reason', 'move-within');
    expect(await page.isHidden('#counter-kanji')).toBe(true);
    await page.fill('#counter-code', code);
    await page.fill('#counter-address', '東京都千代田区九段南1丁目2番1号');
    const same = await act(page, () => page.click('#counter button[type=submit]'));
    expect(same).toMatchObject({ kind: 'error', reason: 'move-within.address-unchanged' });
    expect(await page.isHidden('#counter-out')).toBe(true);
    await page.fill('#counter-address', '東京都千代田区九段北1丁目3番5号');
    const moved = await act(page, () => page.click('#counter button[type=submit]'));
    expect(moved, moved.text).toMatchObject({ kind: 'ok', reason: 'counter.performed' });

    // The record by its code: the new address, the old one as 前住所, both versions.
    await page.fill('#counter-lookup-code', code);
    expect(await act(page, () => page.click('#counter-lookup button[type=submit]'))).toMatchObject({
      kind: 'ok',
      reason: 'counter.shown',
    });
    const shown = await shownRecord(t);
    expect(shown).toMatchObject({
      住所: '東京都千代田区九段北1丁目3番5号',
      前住所: '東京都千代田区九段南1丁目2番1号',
    });
    expect((await tableCells(t, 'counter-history')).map((r) => r.slice(0, 2))).toEqual([
      ['1', '転入'],
      ['2', '転居'],
    ]);
    expect(await tableCells(t, 'counter-household-table')).toEqual([['世帯主', code, '窓口 春子']]);

    // A form missing a required field is refused by the node with the field's name.
    await page.selectOption('#counter-reason', 'birth');
    await page.fill('#counter-kanji', '窓口 夏子');
    const missing = await act(page, () => page.click('#counter button[type=submit]'));
    expect(missing).toMatchObject({ kind: 'error', reason: 'register.form.missing-field' });

    // The 差戻し list (none here) and, at log out, nothing of the 住民票 left on the page.
    expect(await act(page, () => page.click('#counter-rejections'))).toMatchObject({
      kind: 'ok',
      reason: 'rejections.listed',
    });
    await act(page, () => page.click('#logout'));
    expect(await tableCells(t, 'counter-record')).toEqual([]);
    expect(await page.inputValue('#counter-lookup-code')).toBe('');

    const log = await openAccessLogStore(store);
    const acts = (await log.list({ limit: 20, operator: 'clerk-1' })).filter(
      (a) => a.operation === 'register.counter',
    );
    await log.close();
    expect(acts.map((a) => [a.target, a.result, a.reason]).reverse()).toEqual([
      [code, 'ok', undefined],
      [code, 'refused', 'move-within.address-unchanged'],
      [code, 'ok', undefined],
      [code, 'ok', undefined],
      ['', 'refused', 'register.form.missing-field'],
    ]);
  });

  it('only the counter clerk’s card does counter work; the console may not, the clerk’s session may', async () => {
    const auditor = await loggedIn('aud-1');
    expect(await auditor.page.isHidden('#counter-section')).toBe(true);
    await auditor.page.context().close();

    const console = await nodeTerminal(cs.config, {});
    const form = {
      name: { kanji: '窓口 秋子', kana: 'マドグチ アキコ' },
      sex: 'female',
      birthDate: '1970-10-10',
      address: '東京都千代田区神田神保町1丁目1番',
      nationality: 'フランス',
      previousAddress: '東京都港区芝公園4丁目2番8号',
    };
    await expect(
      callTerminal(console, 'POST', '/register/operation', { reason: '転入', form }),
    ).rejects.toMatchObject({ reason: 'operator.session-required' });

    const t = await loggedIn('clerk-1');
    expect(await act(t.page, () => t.page.click('#terminal-session'))).toMatchObject({
      kind: 'ok',
    });
    const command = (await t.page.textContent('#terminal-session-command')) ?? '';
    const token = command.replace(/^export JUKI_OPERATOR_SESSION=/, '');
    const clerk = await nodeTerminal(cs.config, { JUKI_OPERATOR_SESSION: token });
    const answer = (await callTerminal(clerk, 'POST', '/register/operation', {
      reason: '転入',
      form,
    })) as CounterAnswer;
    expect(answer.record).toMatchObject({ nationality: 'フランス', status: 'resident' });

    const log = await openAccessLogStore(store);
    const [last] = await log.list({ limit: 1, operator: 'clerk-1' });
    await log.close();
    expect(last).toMatchObject({
      operation: 'register.counter',
      target: answer.record.residentCode,
      result: 'ok',
    });
  });

  it('an auditor reads one operator’s acts in the access log and verifies the log (R23)', async () => {
    const t = await loggedIn('aud-1');
    const page = t.page;
    expect(await page.isVisible('#audit-section')).toBe(true);
    expect(await page.isHidden('#counter-section')).toBe(true);

    await page.fill('#audit-operator', 'clerk-1');
    expect(await act(page, () => page.click('#audit-list button[type=submit]'))).toMatchObject({
      kind: 'ok',
      reason: 'audit.listed',
    });
    const rows = await tableCells(t, 'audit-table');
    expect(rows.length).toBeGreaterThanOrEqual(6);
    expect(new Set(rows.map((r) => r[2]))).toEqual(new Set(['clerk-1']));
    const refused = rows.find((r) => r[7] === 'move-within.address-unchanged');
    expect(refused?.slice(3, 7)).toEqual([
      '窓口業務 (十の異動事由) (register.counter)',
      expect.stringMatching(/^\d{11}$/),
      '—',
      '拒否',
    ]);
    const seqs = rows.map((r) => Number(r[0]));
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));

    const verified = await act(page, () => page.click('#audit-verify'));
    expect(verified).toMatchObject({ kind: 'ok', reason: 'audit.verified' });
    expect(await page.textContent('#audit-verify-out')).toMatch(
      /^改ざんは見つかりません：記録 \d+ 件/,
    );

    // Reading the log is itself recorded, under the auditor; at log out the page keeps none of it.
    const log = await openAccessLogStore(store);
    const reads = await log.list({ limit: 5, operator: 'aud-1' });
    await log.close();
    expect(reads.slice(0, 2).map((a) => [a.operation, a.result])).toEqual([
      ['audit.verify', 'ok'],
      ['audit.read', 'ok'],
    ]);
    await act(page, () => page.click('#logout'));
    expect(await tableCells(t, 'audit-table')).toEqual([]);
    expect(await page.isHidden('#audit-verify-out')).toBe(true);

    // The console of a node with a web terminal may not read it; an auditor's session may.
    const console = await nodeTerminal(cs.config, {});
    await expect(callTerminal(console, 'POST', '/audit/list', {})).rejects.toMatchObject({
      reason: 'operator.session-required',
    });
  });

  it('the administrator runs the integrity check and the retention run now and reads their records', async () => {
    const t = await loggedIn('admin-1');
    const page = t.page;
    for (const shown of [
      '#maintenance-section',
      '#integrity-run',
      '#retention-run',
      '#route-check',
    ])
      expect(await page.isVisible(shown), shown).toBe(true);
    // The disclosure records are a prefecture server's to fetch.
    expect(await page.isHidden('#disclosure-sync')).toBe(true);

    // 本人確認情報整合 (R20): what the counter sent is at the prefecture server, record for record.
    const checked = await act(page, () => page.click('#integrity-run'));
    expect(checked, checked.text).toMatchObject({ kind: 'ok', reason: 'integrity.matching' });
    expect(checked.text).toMatch(/^prefecture:13 と一致しました/);
    const [check] = await tableCells(t, 'integrity-table');
    expect(check?.slice(1)).toEqual([
      'prefecture:13（送信側）',
      expect.stringMatching(/^(\d+)・\1$/),
      '一致',
      '—',
    ]);

    // 保存期間 (R33): nothing here is old enough; the run is recorded with its counts.
    expect(await act(page, () => page.click('#retention-run'))).toMatchObject({
      kind: 'ok',
      reason: 'retention.ran',
    });
    const [run] = await tableCells(t, 'retention-table');
    expect(run?.slice(2)).toEqual(['0', '0', '—']);

    // 疎通確認 (R2) with a node that is not a CS: refused with its reason.
    await page.fill('#route-check-to', 'prefecture:13');
    expect(await act(page, () => page.click('#route-check button[type=submit]'))).toMatchObject({
      kind: 'error',
    });

    const log = await openAccessLogStore(store);
    const acts = await log.list({ limit: 10, operator: 'admin-1' });
    await log.close();
    expect(acts.map((a) => [a.operation, a.result]).slice(0, 5)).toEqual([
      ['route.check', expect.stringMatching(/^(refused|failed)$/)],
      ['retention.list', 'ok'],
      ['retention.run', 'ok'],
      ['integrity.list', 'ok'],
      ['integrity.check', 'ok'],
    ]);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTerminal } from '../cli/terminal-target.ts';
import { openAccessLogStore, openProvisionStore, openReportStore } from '../storage/open-store.ts';
import { act, chromiumAvailable, launchBrowser, login } from '../web-terminal/browser-fixtures.ts';
import { todayInJapan } from './japan-date.ts';
import type { RunningNode } from './node-runtime.ts';
import { GOVERNOR, GOVERNOR_PASSPORT } from './provision-fixtures.ts';
import { callTerminal } from './terminal-server.ts';
import {
  grantOperator,
  loggedIn as loggedInAt,
  tableCells,
  TOKYO_PEOPLE,
  tokyoWithWebTerminal,
} from './web-terminal-node-fixtures.ts';

/*
 * The web terminal's work screens at a running prefecture server (東京都), in Chromium with a
 * virtual authenticator: a provision operator queries (R13) and sees the answer or the refusal
 * with its reason; an auditor makes a resident's disclosure report (R17) and prints it, and the
 * self-check report (R34). Each card sees only the screens it may use, and what the screens did
 * is in the node's records. The recipient register's screen has its own test
 * (web-terminal-register.int.test.ts).
 */
const hasChromium = chromiumAvailable('the web terminal screens test');

const { HANAKO, ICHIRO, TARO } = TOKYO_PEOPLE;

describe.skipIf(!hasChromium)('the web terminal’s work screens at a prefecture server', () => {
  let dir: string;
  let node: RunningNode;
  let national: RunningNode;
  let cs: RunningNode;
  let browser: Browser;
  let origin: string;
  let store: string;

  const grant = (id: string, card: string, by: string) =>
    grantOperator(store, 'prefecture:13', { id, card, by });
  const loggedIn = (id: string) => loggedInAt(browser, origin, store, id, 'admin-1');
  const cells = tableCells;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-web-screens-'));
    let nodes: RunningNode[];
    ({ origin, store, nodes } = await tokyoWithWebTerminal(dir, [HANAKO, ICHIRO, TARO]));
    [cs, node, national] = nodes as [RunningNode, RunningNode, RunningNode];
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await cs?.close();
    await node?.close();
    await national?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a provision operator queries by resident code and by name + date of birth; refusals show their reason', async () => {
    const t = await loggedIn('prov-1');
    expect(await t.page.isVisible('#provision-section')).toBe(true);
    expect(await t.page.isHidden('#disclosure-section')).toBe(true);

    await t.page.fill('#provision-recipient', GOVERNOR);
    await t.page.fill('#provision-affair', GOVERNOR_PASSPORT);
    await t.page.fill('#provision-code', HANAKO.residentCode);
    expect(await act(t.page, () => t.page.click('#provision button[type=submit]'))).toMatchObject({
      kind: 'ok',
      reason: 'provision.answered',
    });
    const [byCode] = await cells(t, 'provision-table');
    expect(byCode).toEqual([
      expect.stringMatching(/^仮名識別子 \S+$/),
      '開示　花子',
      'カイジ　ハナコ',
      '女',
      '1980-04-02',
      HANAKO.address,
      '住民',
    ]);
    expect(await t.page.textContent('#provision-count')).toBe('1');

    // The first character of the name and the whole date of birth (R13's third form).
    await t.page.check('#provision input[value=birth]');
    expect(await t.page.isHidden('#provision-code')).toBe(true);
    await t.page.fill('#provision-name', '開');
    await t.page.check('#provision-name-prefix');
    await t.page.fill('#provision-birth', '1980-04-02');
    const byBirth = await act(t.page, () => t.page.click('#provision button[type=submit]'));
    expect(byBirth, byBirth.text).toMatchObject({ kind: 'ok' });
    expect((await cells(t, 'provision-table')).map((r) => r[1]).sort()).toEqual(
      ['開示　花子', '開発　一郎'].sort(),
    );

    // Below the minimums: a name prefix with an address that stops at the prefecture.
    await t.page.check('#provision input[value=address]');
    await t.page.fill('#provision-address', '東京都');
    await t.page.check('#provision-address-prefix');
    const below = await act(t.page, () => t.page.click('#provision button[type=submit]'));
    expect(below).toMatchObject({ kind: 'error', reason: 'search.below-minimum' });
    expect(await t.page.isHidden('#provision-out')).toBe(true);

    // An affair the governor is not permitted (R3): refused, nothing shown.
    await t.page.check('#provision input[value=code]');
    await t.page.fill('#provision-affair', '別表第一:一');
    const refused = await act(t.page, () => t.page.click('#provision button[type=submit]'));
    expect(refused).toMatchObject({ kind: 'error', reason: 'provision.affair-not-permitted' });

    // At log out the answers leave the page: the next operator at this terminal sees none.
    await t.page.fill('#provision-affair', GOVERNOR_PASSPORT);
    expect(await act(t.page, () => t.page.click('#provision button[type=submit]'))).toMatchObject({
      kind: 'ok',
    });
    expect(await cells(t, 'provision-table')).toHaveLength(1);
    await act(t.page, () => t.page.click('#logout'));
    expect(await cells(t, 'provision-table')).toEqual([]);
    expect(await t.page.inputValue('#provision-code')).toBe('');
    expect(await login(t.page, 'prov-1')).toMatchObject({ kind: 'ok' });
    expect(await t.page.isVisible('#provision-section')).toBe(true);
    expect(await t.page.isHidden('#provision-out')).toBe(true);
  });

  it('an auditor makes a resident’s disclosure report and prints it; the provisions name prov-1', async () => {
    const t = await loggedIn('aud-1');
    expect(await t.page.isVisible('#disclosure-section')).toBe(true);
    expect(await t.page.isHidden('#provision-section')).toBe(true);

    await t.page.fill('#disclosure-code', HANAKO.residentCode);
    expect(await act(t.page, () => t.page.click('#disclosure button[type=submit]'))).toMatchObject({
      kind: 'ok',
      reason: 'disclosure.made',
    });
    expect(await t.page.textContent('#disclosure-name')).toBe('開示　花子');
    expect(await t.page.textContent('#disclosure-issuer')).toBe('東京都サーバ');
    // Hanako was provided three times (by code, by name + date of birth, by code again); the
    // refusals are not here.
    const lines = await cells(t, 'disclosure-table');
    expect(lines).toHaveLength(3);
    for (const [number, when, recipient, purpose, basis, channel, by] of lines) {
      expect(number).toMatch(/^[123]$/);
      expect(when).toMatch(/^令和\d+年\d+月\d+日 \d\d:\d\d$/);
      expect(recipient).toBe('東京都知事');
      expect(purpose).toContain('旅券');
      expect(basis).not.toBe('');
      expect([channel, by]).toEqual(['即時提供', '東京都サーバ']);
    }
    const provision = await openProvisionStore(store);
    const records = await provision.disclosuresOf(HANAKO.residentCode);
    await provision.close();
    expect(records.map((r) => r.searcher)).toEqual(['prov-1', 'prov-1', 'prov-1']);

    // Printed, only the report is on the page.
    await t.page.emulateMedia({ media: 'print' });
    expect(await t.page.isVisible('#disclosure-table')).toBe(true);
    expect(await t.page.isHidden('#disclosure-section form')).toBe(true);
    expect(await t.page.isHidden('#logout')).toBe(true);
    expect(await t.page.isHidden('h1')).toBe(true);
    await t.page.emulateMedia({ media: 'screen' });

    // A malformed code: the reason, and no report left on the page.
    await t.page.fill('#disclosure-code', '123');
    const bad = await act(t.page, () => t.page.click('#disclosure button[type=submit]'));
    expect(bad).toMatchObject({ kind: 'error', reason: 'resident-code.malformed' });
    expect(await t.page.isHidden('#disclosure-out')).toBe(true);
  });

  it('an auditor demands a report from the national server and answers the CS’s request (R5, R6)', async () => {
    await grant('aud-2', 'auditor', 'admin-1');
    const t = await loggedIn('aud-2');
    for (const shown of ['#reports-section', '#report-request', '#report-answer', '#reports-poll'])
      expect(await t.page.isVisible(shown), shown).toBe(true);

    // Up: 東京都 asks the national server; the national server's console answers; the answer
    // comes back when 東京都 fetches its mail.
    await t.page.fill('#report-to', 'national:jlis');
    await t.page.fill('#report-subject', '提供状況の報告');
    await t.page.fill('#report-body', '本年度の提供件数を報告してください。');
    const asked = await act(t.page, () => t.page.click('#report-request button[type=submit]'));
    expect(asked).toMatchObject({ kind: 'ok', reason: 'report.requested' });
    const [row] = await cells(t, 'reports-table');
    expect(row!.slice(1, 6)).toEqual([
      '提供状況の報告',
      'prefecture:13 → national:jlis',
      '要求元',
      '回答待ち',
      '',
    ]);
    const id = row![6]!;
    const nationalTerminal = await nodeTerminal(national.config, {});
    await callTerminal(nationalTerminal, 'POST', '/reports/answer', {
      id,
      body: '本年度の提供は 3 件です。',
      operator: '全国センター 監査',
    });
    expect(await act(t.page, () => t.page.click('#reports-poll'))).toMatchObject({
      kind: 'ok',
      reason: 'reports.polled',
    });
    expect((await cells(t, 'reports-table'))[0]!.slice(4, 6)).toEqual([
      '回答済み',
      '本年度の提供は 3 件です。',
    ]);

    // Down: 千代田区's CS asks 東京都 (its console: the CS has no web terminal), and the auditor
    // answers on the page; the request names the auditor as who answered.
    const csTerminal = await nodeTerminal(cs.config, {});
    const request = (await callTerminal(csTerminal, 'POST', '/reports/request', {
      to: 'prefecture:13',
      subject: '保護措置の実施状況',
      body: '報告を求めます。',
      operator: '千代田区 住民課',
    })) as { request: { id: string } };
    expect(await act(t.page, () => t.page.click('#reports-refresh'))).toMatchObject({ kind: 'ok' });
    const addressed = (await cells(t, 'reports-table')).find((r) => r[6] === request.request.id);
    expect(addressed!.slice(2, 5)).toEqual(['cs:131016 → prefecture:13', '宛先', '回答待ち']);
    await t.page.fill('#answer-id', request.request.id);
    await t.page.fill('#answer-body', '実施しています。');
    const answered = await act(t.page, () => t.page.click('#report-answer button[type=submit]'));
    expect(answered).toMatchObject({ kind: 'ok', reason: 'report.answered' });
    const reports = await openReportStore(store);
    const answer = (await reports.report(request.request.id))?.answer;
    await reports.close();
    expect(answer).toMatchObject({ operator: 'aud-2', body: '実施しています。' });

    // A request that is not here: refused with its reason.
    await t.page.fill('#answer-id', '00000000-0000-4000-8000-000000000000');
    await t.page.fill('#answer-body', '回答');
    expect(
      await act(t.page, () => t.page.click('#report-answer button[type=submit]')),
    ).toMatchObject({ kind: 'error', reason: 'report.unknown-request' });
  });

  it('an auditor makes today’s self-check report (R34): counts only, printable alone', async () => {
    const t = await loggedIn('aud-1');
    const page = t.page;
    const today = todayInJapan();
    await page.fill('#self-check-from', today);
    await page.fill('#self-check-to', today);
    expect(await act(page, () => page.click('#self-check button[type=submit]'))).toMatchObject({
      kind: 'ok',
      reason: 'audit.report',
    });
    expect(await page.textContent('#self-check-title')).toContain('prefecture:13');
    const tables = await page.locator('#self-check-tables table').all();
    const rows = (
      await Promise.all(tables.map((table) => table.locator('tbody tr').allTextContents()))
    ).flat();
    // The governor's provisions for the passport affair by the earlier tests, and their refusals.
    expect(rows.some((r) => r.startsWith(`${GOVERNOR}${GOVERNOR_PASSPORT}即時`))).toBe(true);
    expect(rows.some((r) => r.includes('search.below-minimum'))).toBe(true);
    const headings = await page.locator('#self-check-tables h4').allTextContents();
    expect(headings[0]).toMatch(/^アクセスログ \d+ 件（検証：改ざんなし）$/);
    // No resident is named.
    const text = (await page.textContent('#self-check-out')) ?? '';
    for (const person of [HANAKO, ICHIRO, TARO]) {
      expect(text).not.toContain(person.residentCode);
      expect(text).not.toContain(person.name.kanji);
    }
    // Printed, only the report is on the paper.
    await page.evaluate("document.body.classList.add('print-self-check')");
    await page.emulateMedia({ media: 'print' });
    expect(await page.isVisible('#self-check-tables')).toBe(true);
    expect(await page.isHidden('#self-check')).toBe(true);
    expect(await page.isHidden('#audit-list')).toBe(true);
    expect(await page.isHidden('#disclosure-section')).toBe(true);
    await page.emulateMedia({ media: 'screen' });
    await page.evaluate("document.body.classList.remove('print-self-check')");

    // A reversed period: refused with its reason.
    await page.fill('#self-check-from', '2026-03-02');
    await page.fill('#self-check-to', '2026-03-01');
    expect(await act(page, () => page.click('#self-check button[type=submit]'))).toMatchObject({
      kind: 'error',
      reason: 'self-check.period',
    });
  });

  it('an auditor analyses the access log now (R16) and reads it', async () => {
    const t = await loggedIn('aud-1');
    const analysed = await act(t.page, () => t.page.click('#audit-analyse'));
    expect(analysed, analysed.text).toMatchObject({ kind: 'ok', reason: 'audit.analysed' });
    expect(analysed.text).toMatch(/^解析しました：記録 \d+ 件・所見 \d+ 件（新規 \d+ 件/);
    expect(await act(t.page, () => t.page.click('#audit-list button[type=submit]'))).toMatchObject({
      kind: 'ok',
      reason: 'audit.listed',
    });
    const [newest] = await cells(t, 'audit-table');
    expect(newest?.slice(2, 7)).toEqual([
      'aud-1',
      'アクセスログの解析 (audit.analyse)',
      '—',
      '—',
      '正常',
    ]);
  });

  it('a security officer watches the alerts and cuts a node off, then readmits it (R11)', async () => {
    const t = await loggedIn('sec-1');
    for (const shown of ['#monitor-section', '#isolate-section', '#readmit'])
      expect(await t.page.isVisible(shown), shown).toBe(true);
    for (const hidden of ['#provision-section', '#disclosure-section'])
      expect(await t.page.isHidden(hidden), hidden).toBe(true);

    // An HTTP request on the network side: dropped, and an intrusion alert.
    await new Promise<void>((resolve, reject) => {
      const socket = connect(node.network!.port, node.network!.host, () =>
        socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'),
      );
      socket.on('close', () => resolve()).on('error', reject);
    });
    const refresh = () => act(t.page, () => t.page.click('#monitor-refresh'));
    const kinds = async () => (await cells(t, 'monitor-table')).map((r) => r[1]);
    await expect
      .poll(async () => ((await refresh()).kind === 'ok' ? kinds() : []), { timeout: 10_000 })
      .toContain('当システム以外の通信 (not-our-protocol)');
    expect(await t.page.textContent('#monitor-status')).toMatch(/^(正常|縮退)/);

    await t.page.fill('#isolate-peer', 'cs:131016');
    await t.page.fill('#isolate-reason', '不審な通信のため / suspicious traffic');
    const cut = await act(t.page, () => t.page.click('#isolate button[type=submit]'));
    expect(cut).toMatchObject({ kind: 'ok', reason: 'node.isolated' });
    expect(cut.text).toContain('cs:131016 を遮断しました');
    expect(await refresh()).toMatchObject({ kind: 'ok' });
    expect(await kinds()).toContain('緊急遮断 (node-isolated)');
    const back = await act(t.page, () => t.page.click('#readmit'));
    expect(back).toMatchObject({ kind: 'ok', reason: 'node.readmitted' });
    expect(back.text).toContain('遮断を解除しました');

    // A malformed node name is refused with its reason.
    await t.page.fill('#isolate-peer', 'not a node');
    expect(await act(t.page, () => t.page.click('#isolate button[type=submit]'))).toMatchObject({
      kind: 'error',
      reason: 'terminal.peer',
    });

    const log = await openAccessLogStore(store);
    const acts = (await log.list({ limit: 50 })).filter((a) => a.operator === 'sec-1').reverse();
    await log.close();
    // Each view of the monitor is an act of its own on the web terminal (a person looked).
    expect(acts.filter((a) => a.operation === 'monitor.view').length).toBeGreaterThanOrEqual(2);
    const cuts = acts.filter((a) => a.operation !== 'monitor.view');
    expect(cuts.map((a) => [a.operation, a.target, a.result, a.reason])).toEqual([
      ['node.isolate', 'cs:131016', 'ok', undefined],
      ['node.readmit', 'cs:131016', 'ok', undefined],
      ['node.isolate', '', 'refused', 'terminal.peer'],
    ]);
  });
});

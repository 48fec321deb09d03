import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTerminal } from '../cli/terminal-target.ts';
import { openAccessLogStore } from '../storage/open-store.ts';
import {
  act,
  apiCall,
  chromiumAvailable,
  enroll,
  launchBrowser,
  login,
  me,
  openTerminal,
} from '../web-terminal/browser-fixtures.ts';
import { jsonLogger } from './json-log.ts';
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
 * 操作者の管理 (the operator register, R15, R31) at a running CS's web terminal (千代田区), in
 * Chromium: the administrator grants a new clerk and issues their enrollment token on the page;
 * the clerk enrolls and logs in; the security officer revokes them, and their session ends at
 * once; the register's history shows both. A lost card is revoked on its own: its web and
 * terminal sessions end and it logs in no more, while the operator enrolls a new card. Every act
 * is in the CS's access log.
 */
const hasChromium = chromiumAvailable('the operator register test at a CS');

describe.skipIf(!hasChromium)('the operator register at a CS’s web terminal', () => {
  let dir: string;
  let cs: RunningNode;
  let browser: Browser;
  let origin: string;
  let store: string;

  const loggedIn = (id: string) => loggedInAt(browser, origin, store, id, 'admin-1');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-web-operators-'));
    origin = await networkWithWebTerminal({
      dir,
      webNode: 'cs-131016.json',
      webOffset: 93,
    });
    const csConfig = await loadNodeConfig(join(dir, 'nodes', 'cs-131016.json'));
    store = csConfig.store;
    for (const [id, card, by] of [
      ['admin-1', 'administrator', 'bootstrap'],
      ['sec-1', 'security-officer', 'admin-1'],
    ] as const)
      await grantOperator(store, 'cs:131016', { id, card, by });
    // The CS alone: the register is the CS's own; nothing here needs its prefecture server.
    cs = await startNode(csConfig, jsonLogger({ write: () => undefined }));
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await cs?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('the administrator grants a clerk and issues their token; the security officer revokes them (R31)', async () => {
    const admin = await loggedIn('admin-1');
    const a = admin.page;
    for (const shown of [
      '#operators-section',
      '#operator-grant',
      '#operator-enroll',
      '#operator-revoke',
    ])
      expect(await a.isVisible(shown), shown).toBe(true);
    expect(await a.isHidden('#counter-section')).toBe(true);

    await a.fill('#grant-id', 'clerk-2');
    await a.fill('#grant-name', '窓口 次郎');
    await a.selectOption('#grant-card', 'counter-clerk');
    expect(await act(a, () => a.click('#operator-grant button[type=submit]'))).toMatchObject({
      kind: 'ok',
      reason: 'operator.granted',
    });
    expect(await act(a, () => a.click('#operators-refresh'))).toMatchObject({ kind: 'ok' });
    const granted = (await tableCells(admin, 'operators-table')).find((r) => r[0] === 'clerk-2');
    expect(granted?.[1]).toBe('窓口 次郎');
    expect(granted?.[2]).toBe('窓口担当者 (counter-clerk)');
    expect(granted?.[3]).toMatch(/、admin-1$/);
    expect(granted?.[4]).toBe('有効');

    await a.fill('#issue-token-id', 'clerk-2');
    expect(await act(a, () => a.click('#operator-enroll button[type=submit]'))).toMatchObject({
      kind: 'ok',
      reason: 'operator.enrollment-issued',
    });
    const token = (await a.textContent('#issue-token-value')) ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}$/);

    // The last administrator cannot be revoked: the register refuses it.
    await a.fill('#revoke-id', 'admin-1');
    await a.fill('#revoke-reason', '異動のため');
    expect(await act(a, () => a.click('#operator-revoke button[type=submit]'))).toMatchObject({
      kind: 'error',
      reason: 'operator.last-administrator',
    });
    await act(a, () => a.click('#logout'));
    expect(await a.textContent('#issue-token-value')).toBe('');

    // The new clerk registers their card with the token and logs in to the counter.
    const clerk = await openTerminal(browser, origin);
    expect(await enroll(clerk.page, 'clerk-2', token)).toMatchObject({ kind: 'ok' });
    expect(await login(clerk.page, 'clerk-2')).toMatchObject({ kind: 'ok' });
    expect(await clerk.page.isVisible('#counter-section')).toBe(true);

    // The security officer sees the register and revokes; granting is not theirs.
    const sec = await loggedIn('sec-1');
    expect(await sec.page.isVisible('#operator-revoke')).toBe(true);
    expect(await sec.page.isHidden('#operator-grant')).toBe(true);
    expect(await sec.page.isHidden('#operator-enroll')).toBe(true);
    const grantBySec = await apiCall(sec.page, 'POST', '/api/node/operators/grant', {
      id: 'clerk-3',
      name: '窓口 三郎',
      cardType: 'counter-clerk',
    });
    expect(grantBySec).toMatchObject({
      status: 403,
      body: { error: { reason: 'operator.not-permitted' } },
    });
    await sec.page.fill('#revoke-id', 'clerk-2');
    await sec.page.fill('#revoke-reason', 'カード紛失のため');
    expect(
      await act(sec.page, () => sec.page.click('#operator-revoke button[type=submit]')),
    ).toMatchObject({ kind: 'ok', reason: 'operator.revoked' });

    // The revoked clerk's session ends at once.
    const after = await me(clerk.page);
    expect(after).toMatchObject({
      status: 401,
      body: { error: { reason: 'session.operator-revoked' } },
    });

    // The register's history, newest first: clerk-2 granted by admin-1, then revoked by sec-1.
    expect(await act(sec.page, () => sec.page.click('#operators-history'))).toMatchObject({
      kind: 'ok',
      reason: 'operators.history',
    });
    const history = (await tableCells(sec, 'operators-history-table')).filter(
      (r) => r[2] === 'clerk-2',
    );
    expect(history.map((r) => [r[3], r[4]])).toEqual([
      ['失効：カード紛失のため', 'sec-1'],
      ['付与：窓口担当者', 'admin-1'],
    ]);

    const log = await openAccessLogStore(store);
    const acts = (await log.list({ limit: 30 })).filter((r) => r.operation.startsWith('operator.'));
    await log.close();
    expect(
      acts.map((r) => [r.operator, r.operation, r.target, r.result, r.reason]).reverse(),
    ).toEqual([
      ['admin-1', 'operator.grant', 'clerk-2', 'ok', undefined],
      ['admin-1', 'operator.list', '', 'ok', undefined],
      ['admin-1', 'operator.grant', 'clerk-2', 'ok', undefined],
      ['admin-1', 'operator.revoke', 'admin-1', 'refused', 'operator.last-administrator'],
      ['sec-1', 'operator.grant', 'clerk-3', 'refused', 'operator.not-permitted'],
      ['sec-1', 'operator.revoke', 'clerk-2', 'ok', undefined],
      ['sec-1', 'operator.list', '', 'ok', undefined],
    ]);
  });

  it('a lost card is revoked on its own: its sessions end, it logs in no more, a new card does (R15, R31)', async () => {
    await grantOperator(store, 'cs:131016', {
      id: 'clerk-4',
      card: 'counter-clerk',
      by: 'admin-1',
    });
    const lost = await loggedIn('clerk-4');
    expect(await act(lost.page, () => lost.page.click('#terminal-session'))).toMatchObject({
      kind: 'ok',
    });
    const command = (await lost.page.textContent('#terminal-session-command')) ?? '';
    const terminalSession = await nodeTerminal(cs.config, {
      JUKI_OPERATOR_SESSION: command.replace(/^export JUKI_OPERATOR_SESSION=/, ''),
    });
    expect(await callTerminal(terminalSession, 'GET', '/rejections')).toEqual(expect.any(Array));

    // The clerk's own card does not let them touch the operator register.
    const bySelf = await apiCall(lost.page, 'POST', '/api/node/operators/credentials/revoke', {
      id: 'clerk-4',
      credentialId: 'x',
      reason: '自分で',
    });
    expect(bySelf).toMatchObject({
      status: 403,
      body: { error: { reason: 'operator.not-permitted' } },
    });

    // The security officer lists clerk-4's cards and revokes the one reported lost.
    const sec = await loggedIn('sec-1');
    const s = sec.page;
    await s.fill('#credentials-id', 'clerk-4');
    expect(await act(s, () => s.click('#operator-credentials button[type=submit]'))).toMatchObject({
      kind: 'ok',
      reason: 'credentials.listed',
    });
    const [card] = await tableCells(sec, 'credentials-table');
    expect(card![3]).toBe('有効');
    // Without a reason: refused by the node, the card stays.
    expect(await act(s, () => s.click('button.credential-revoke'))).toMatchObject({
      kind: 'error',
      reason: 'operator.reason',
    });
    await s.fill('#credential-revoke-reason', 'カード紛失の届出');
    expect(await act(s, () => s.click('button.credential-revoke'))).toMatchObject({
      kind: 'ok',
      reason: 'credential.revoked',
    });
    const [revoked] = await tableCells(sec, 'credentials-table');
    expect(revoked![0]).toBe(card![0]);
    expect(revoked![3]).toMatch(/^失効（.+、sec-1：カード紛失の届出）$/);
    expect(await s.locator('button.credential-revoke').count()).toBe(0);
    // Once: a second revocation of the same card finds no live card.
    expect(
      await apiCall(s, 'POST', '/api/node/operators/credentials/revoke', {
        id: 'clerk-4',
        credentialId: card![0],
        reason: '二重',
      }),
    ).toMatchObject({ status: 404, body: { error: { reason: 'operator.unknown-credential' } } });

    // The lost card's web session and the terminal session issued under it end at once; the
    // operator is not revoked, and the card logs in no more. (A web session that meets the
    // revocation first ends the terminal sessions of its card too; those then say session.none.)
    await expect(callTerminal(terminalSession, 'GET', '/rejections')).rejects.toMatchObject({
      reason: 'session.credential-revoked',
    });
    expect(await me(lost.page)).toMatchObject({
      status: 401,
      body: { error: { reason: 'session.credential-revoked' } },
    });
    await lost.page.reload();
    expect(await login(lost.page, 'clerk-4')).toMatchObject({
      kind: 'error',
      reason: 'login.credential-revoked',
    });

    // A new token, a new card: clerk-4 works again; the register keeps both cards.
    const renewed = await loggedIn('clerk-4');
    expect(await renewed.page.isVisible('#counter-section')).toBe(true);
    await act(s, () => s.click('#operator-credentials button[type=submit]'));
    expect((await tableCells(sec, 'credentials-table')).map((r) => r[3]!.slice(0, 2))).toEqual([
      '失効',
      '有効',
    ]);

    const log = await openAccessLogStore(store);
    const acts = (await log.list({ limit: 20, operator: 'sec-1' })).filter(
      (r) => r.target === 'clerk-4',
    );
    await log.close();
    expect(acts.map((r) => [r.operation, r.result, r.reason]).reverse()).toEqual([
      ['operator.list', 'ok', undefined],
      ['operator.revoke', 'refused', 'operator.reason'],
      ['operator.revoke', 'ok', undefined],
      ['operator.list', 'ok', undefined], // the page lists the cards again
      ['operator.revoke', 'refused', 'operator.unknown-credential'],
      ['operator.list', 'ok', undefined],
    ]);
  });
});

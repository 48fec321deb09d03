import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResidentCode } from '../../domain/resident/ResidentCode.ts';
import type { CounterAnswer, CounterRecord } from '../../nodes/node-counter.ts';
import { startLocalNetwork, type LocalNetwork } from '../../nodes/local-network.ts';
import { initNetwork } from '../../nodes/network-init.ts';
import { callTerminal } from '../../nodes/terminal-server.ts';
import { runningTerminalTarget } from '../../nodes/terminal-token.ts';
import { juki } from '../../nodes/web-terminal-node-fixtures.ts';
import { openAccessLogStore, openIdentityStore } from '../../storage/open-store.ts';
import type { AccessRecord } from '../../domain/audit/access-log.ts';
import { reserveBasePort } from '../../nodes/port-range.ts';

/*
 * 窓口業務 at the running CS (R1, R19, R23): `juki register <operation> --config CS.json` goes
 * through the CS's terminal side (POST /register/operation). The 住民票 is stored in the
 * municipality's register, the change reaches the prefecture server with no further step, and the
 * act is in the CS's access log with the person's resident code — also a new one the register
 * drew. What is refused, and why: a form with a bad field, a rule of the register (a move to the
 * same address), a node that keeps no register; each refusal stores nothing and is recorded.
 * `juki audit list|verify --config` then read that log at the node.
 */
describe('the counter, the access log and the operator register at a running CS (… --config)', () => {
  let dir: string;
  let net: LocalNetwork;
  let csConfig: string;
  const counter = (...args: string[]) => juki('register', ...args, '--config', csConfig);
  const counterActs = async (): Promise<AccessRecord[]> => {
    const log = await openAccessLogStore(net.node('cs:131016').config.store);
    try {
      return (await log.list({ limit: 50 })).filter((a) => a.operation === 'register.counter');
    } finally {
      await log.close();
    }
  };
  const atPrefecture = async (code: string) => {
    const store = await openIdentityStore(net.node('prefecture:13').config.store);
    try {
      return await store.findIdentity(code as ResidentCode);
    } finally {
      await store.close();
    }
  };
  const until = async (check: () => Promise<boolean>) => {
    const end = Date.now() + 15_000;
    while (!(await check())) {
      if (Date.now() > end) throw new Error('the change did not reach the prefecture server');
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-counter-'));
    const manifest = await initNetwork({
      prefectures: ['13'],
      municipalities: ['131016'],
      dir,
      host: '127.0.0.1',
      basePort: reserveBasePort(),
      overrides: { schedule: { integrityMinutes: 0, retentionMinutes: 0 } },
    });
    net = await startLocalNetwork(dir, manifest);
    csConfig = join(dir, 'nodes', 'cs-131016.json');
  }, 120_000);

  afterAll(async () => {
    await net?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a 転入 gets a new code, reaches the prefecture server, and is in the access log under it', async () => {
    const r = await counter(
      '転入',
      ...['--name', '窓口 花子', '--kana', 'マドグチ ハナコ', '--sex', '女'],
      ...['--birth-date', '1990-02-03', '--address', '東京都千代田区千代田1番1号'],
      ...['--domicile', '東京都千代田区千代田1番', '--head-of-family', '窓口 花子'],
      ...['--previous-address', '大阪府大阪市北区梅田1丁目1番1号', '--tx', 'counter-test-1'],
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    const answer = JSON.parse(r.out) as CounterAnswer;
    const code = answer.record.residentCode;
    expect(answer).toMatchObject({ reason: 'move-in', reasonLabel: '転入', duplicate: false });
    expect(answer.record).toMatchObject({ status: 'resident', relationship: '世帯主' });
    expect(answer.feedId).toBeGreaterThan(0);
    // The node's clock filled the left-out dates: 異動年月日 and 届出年月日 are today.
    expect(answer.record.notifiedOn).toBe(answer.record.addressSetOn);

    await until(async () => (await atPrefecture(code)) !== undefined);
    expect((await atPrefecture(code))?.name.kanji).toBe('窓口 花子');

    // The same transaction again: the stored result, nothing performed twice.
    const again = await counter(
      '転入',
      ...['--name', '窓口 花子', '--kana', 'マドグチ ハナコ', '--sex', '女'],
      ...['--birth-date', '1990-02-03', '--address', '東京都千代田区千代田1番1号'],
      ...['--previous-address', '大阪府大阪市北区梅田1丁目1番1号', '--tx', 'counter-test-1'],
      '--json',
    );
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({
      duplicate: true,
      record: { residentCode: code },
    });

    const shown = await counter('show', code, '--json');
    expect(shown.code, shown.err).toBe(0);
    const found = JSON.parse(shown.out) as CounterRecord;
    expect(found.household.map((m) => [m.relationship, m.residentCode])).toEqual([
      ['世帯主', code],
    ]);
    expect(found.history.map((h) => [h.operation, h.transactionId])).toEqual([
      ['move-in', 'counter-test-1'],
    ]);
    const text = await counter('show', code);
    expect(text.out).toContain('窓口 花子（マドグチ ハナコ）');
    expect(text.out).toContain('#1 転入 (move-in)');

    // Both operations and the look-up are recorded with the new code as their target (the
    // console acts here: this CS has no web terminal).
    expect((await counterActs()).map((a) => [a.operator, a.target, a.result])).toEqual([
      ['local-terminal', code, 'ok'],
      ['local-terminal', code, 'ok'],
      ['local-terminal', code, 'ok'],
      ['local-terminal', code, 'ok'],
    ]);
  });

  it('refuses a bad field and a broken rule, stores nothing, and records each refusal', async () => {
    const moved = await counter(
      '転入',
      ...['--name', '窓口 一郎', '--kana', 'マドグチ イチロウ', '--sex', '男'],
      ...['--birth-date', '1985-06-07', '--address', '東京都千代田区丸の内1丁目1番1号'],
      ...['--nationality', '大韓民国', '--previous-address', '神奈川県横浜市中区1番'],
      '--json',
    );
    expect(moved.code, moved.err).toBe(0);
    const code = (JSON.parse(moved.out) as CounterAnswer).record.residentCode;
    const before = await counter('show', code, '--json');

    // 転居 to the address the person already has: the register's rule refuses it.
    const same = await counter(
      '転居',
      '--code',
      code,
      '--address',
      '東京都千代田区丸の内1丁目1番1号',
    );
    expect(same.code).toBe(1);
    expect(same.err).toContain('move-within.address-unchanged');
    // A resident code with a wrong check digit: the form's check refuses it before anything.
    const wrong = `${code.slice(0, 10)}${(Number(code[10]) + 1) % 10}`;
    const bad = await counter('死亡', '--code', wrong, '--date', '2026-01-01');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('resident-code.check-digit');
    // A field the operation does not have.
    const extra = await counter('死亡', '--code', code, '--form', '{"destination":"海外"}');
    expect(extra.code).toBe(1);
    expect(extra.err).toContain('register.form.unknown-field');

    expect((await counter('show', code, '--json')).out).toBe(before.out);
    const refused = (await counterActs()).filter((a) => a.result === 'refused');
    expect(refused.map((a) => [a.target, a.reason])).toEqual([
      [code, 'register.form.unknown-field'],
      [wrong, 'resident-code.check-digit'],
      [code, 'move-within.address-unchanged'],
    ]);
  });

  it('lists the 差戻し and says which nodes keep no register', async () => {
    const listed = await counter('rejections', '--json');
    expect(listed.code, listed.err).toBe(0);
    expect(JSON.parse(listed.out)).toEqual([]);
    const prefecture = await runningTerminalTarget(net.node('prefecture:13'));
    await expect(
      callTerminal(prefecture, 'POST', '/register/record', { residentCode: '24727059608' }),
    ).rejects.toMatchObject({ reason: 'node.no-register' });
    // The auditor's commands at the same node read what the counter left in the access log.
    const listedLog = await juki('audit', 'list', '--config', csConfig, '--limit', '3', '--json');
    expect(listedLog.code, listedLog.err).toBe(0);
    const newest = JSON.parse(listedLog.out) as { operation: string }[];
    expect(newest.map((r) => r.operation)).toEqual([
      'register.rejections',
      'register.counter',
      'register.counter',
    ]);
    const verified = await juki('audit', 'verify', '--config', csConfig);
    expect(verified.code, verified.err).toBe(0);
    expect(verified.out).toMatch(/^OK: 記録 \d+ 件/);

    const wrongFlag = await juki('register', 'feed', '--config', csConfig);
    expect(wrongFlag.code).toBe(2);
    expect(wrongFlag.err).toContain('feed takes --register');
  });

  it('changes the operator register at the running node (juki operator … --config), each act recorded', async () => {
    const store = net.node('cs:131016').config.store;
    const boot = await juki(
      ...['operator', 'grant', '--store', store, '--node', 'cs:131016', '--id', 'admin-9'],
      ...['--name', '管理 九郎', '--card', 'administrator', '--granted-by', 'bootstrap'],
    );
    expect(boot.code, boot.err).toBe(0);
    const op = (...args: string[]) => juki('operator', ...args, '--config', csConfig);
    const granted = await op(
      ...['grant', '--id', 'clerk-9', '--name', '窓口 九子', '--card', 'counter-clerk'],
      ...['--granted-by', 'admin-9', '--json'],
    );
    expect(granted.code, granted.err).toBe(0);
    expect(JSON.parse(granted.out)).toMatchObject({ node: 'cs:131016', grantedBy: 'admin-9' });
    const token = await op('enroll', '--id', 'clerk-9', '--by', 'admin-9', '--json');
    expect(token.code, token.err).toBe(0);
    expect(JSON.parse(token.out)).toMatchObject({ operatorId: 'clerk-9' });
    // Nobody named as who acts on the console: refused before anything changes.
    const anonymous = await op('revoke', '--id', 'clerk-9', '--reason', '退職');
    expect(anonymous.code).toBe(1);
    expect(anonymous.err).toContain('operator.actor-required');
    const revoked = await op('revoke', '--id', 'clerk-9', '--reason', '退職', '--by', 'admin-9');
    expect(revoked.code, revoked.err).toBe(0);
    const listed = await op('list', '--all', '--json');
    expect(
      (JSON.parse(listed.out) as { id: string; revoked?: object }[]).map((o) => [
        o.id,
        o.revoked !== undefined,
      ]),
    ).toEqual([
      ['admin-9', false],
      ['clerk-9', true],
    ]);
    // The register's history of clerk-9, oldest first: granted, then revoked, with who and why.
    const history = await op('history', '--id', 'clerk-9', '--json');
    expect(history.code, history.err).toBe(0);
    expect(
      (JSON.parse(history.out) as { kind: string; by: string; detail: string }[]).map((e) => [
        e.kind,
        e.by,
        e.detail,
      ]),
    ).toEqual([
      ['granted', 'admin-9', 'counter-clerk'],
      ['revoked', 'admin-9', '退職'],
    ]);

    const log = await openAccessLogStore(store);
    const acts = (await log.list({ limit: 10 })).filter((a) => a.operation.startsWith('operator.'));
    await log.close();
    expect(acts.map((a) => [a.operation, a.target, a.result, a.reason]).reverse()).toEqual([
      ['operator.grant', 'clerk-9', 'ok', undefined],
      ['operator.grant', 'clerk-9', 'ok', undefined],
      ['operator.revoke', 'clerk-9', 'refused', 'operator.actor-required'],
      ['operator.revoke', 'clerk-9', 'ok', undefined],
      ['operator.list', '', 'ok', undefined],
      ['operator.list', 'clerk-9', 'ok', undefined],
    ]);
  });

  it('refuses malformed requests at the counter and the operator register, each recorded with its reason', async () => {
    const at = await runningTerminalTarget(net.node('cs:131016'));
    const refusal = (path: string, body: Record<string, unknown>) =>
      callTerminal(at, 'POST', path, body).then(
        () => 'answered',
        (e: { reason: string }) => e.reason,
      );
    expect(
      await refusal('/register/operation', { reason: '死亡', form: {}, transactionId: 'a b' }),
    ).toBe('register.form.transaction-id');
    expect(await refusal('/register/operation', { reason: '死亡', form: [] })).toBe(
      'register.form.not-an-object',
    );
    expect(await refusal('/register/record', { residentCode: '24727059608' })).toBe(
      'register.no-record',
    );
    expect(
      await refusal('/operators/grant', { id: 'x-1', name: 'x', cardType: 'king', grantedBy: 'a' }),
    ).toBe('operator.card-type');
    expect(await refusal('/operators/revoke', { id: 'clerk-9', by: 'admin-9' })).toBe(
      'operator.reason',
    );
    expect(await refusal('/operators/enroll', { id: 'nobody', by: 'admin-9' })).toBe(
      'operator.unknown',
    );

    const log = await openAccessLogStore(net.node('cs:131016').config.store);
    const refused = (await log.list({ limit: 6 })).map((a) => [a.operation, a.result, a.reason]);
    await log.close();
    expect(refused.reverse()).toEqual([
      ['register.counter', 'refused', 'register.form.transaction-id'],
      ['register.counter', 'refused', 'register.form.not-an-object'],
      ['register.counter', 'refused', 'register.no-record'],
      ['operator.grant', 'refused', 'operator.card-type'],
      ['operator.revoke', 'refused', 'operator.reason'],
      ['operator.grant', 'refused', 'operator.unknown'],
    ]);
  });
});

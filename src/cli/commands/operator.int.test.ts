import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Operator, OperatorEvent } from '../../domain/operator/operator.ts';
import { openCredentialStore } from '../../storage/open-credential-store.ts';
import { main } from '../main.ts';
import { captureIO } from '../test-io.ts';

let dir: string;
let store: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jukinet-operator-cli-'));
  store = `sqlite:${join(dir, 'node.sqlite')}`;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const run = async (...argv: string[]) => {
  const io = captureIO();
  const exit = await main(argv, io);
  return { exit, out: io.stdout(), err: io.stderr() };
};
const grant = (id: string, card: string, by: string, node = 'cs:131016') =>
  run('operator', 'grant', '--store', store, '--node', node, '--id', id, '--name', `氏名 ${id}`,
    '--card', card, '--granted-by', by); // prettier-ignore

describe('juki operator', () => {
  it('R31: bootstrap the first administrator, grant, list, revoke, history', async () => {
    const empty = await run('operator', 'list', '--store', store);
    expect(empty.exit).toBe(0);
    expect(empty.out).toContain('--granted-by bootstrap');

    const first = await grant('admin-1', 'administrator', 'bootstrap');
    expect(first.exit).toBe(0);
    expect(first.out).toContain('操作者を登録しました / operator granted: admin-1');
    expect(first.out).toContain('システム管理者');
    expect((await grant('clerk-1', 'counter-clerk', 'admin-1')).exit).toBe(0);

    const listed = await run('operator', 'list', '--store', store, '--json');
    expect((JSON.parse(listed.out) as Operator[]).map((o) => [o.id, o.cardType])).toEqual([
      ['admin-1', 'administrator'],
      ['clerk-1', 'counter-clerk'],
    ]);

    const revoked = await run('operator', 'revoke', '--store', store, '--id', 'clerk-1',
      '--by', 'admin-1', '--reason', '異動のため'); // prettier-ignore
    expect(revoked.exit).toBe(0);
    expect(revoked.out).toContain('操作者を失効させました / operator revoked: clerk-1');
    expect((await run('operator', 'list', '--store', store)).out).not.toContain('clerk-1');
    expect((await run('operator', 'list', '--store', store, '--all')).out).toMatch(
      /clerk-1 .*失効 .* by admin-1: 異動のため/u,
    );
    const events = JSON.parse(
      (await run('operator', 'history', '--store', store, '--json')).out,
    ) as OperatorEvent[];
    expect(events.map((e) => [e.operatorId, e.kind, e.by])).toEqual([
      ['admin-1', 'granted', 'bootstrap'],
      ['clerk-1', 'granted', 'admin-1'],
      ['clerk-1', 'revoked', 'admin-1'],
    ]);
  });

  it('R31: refusals exit 1 with their reason: bootstrap twice, a granter who is not an administrator of the node, a reused id', async () => {
    await grant('admin-1', 'administrator', 'bootstrap');
    const again = await grant('admin-2', 'administrator', 'bootstrap');
    expect(again.exit).toBe(1);
    expect(again.err).toContain('[operator.bootstrap-used]');
    await grant('auditor-1', 'auditor', 'admin-1');
    const byAuditor = await grant('clerk-1', 'counter-clerk', 'auditor-1');
    expect(byAuditor.exit).toBe(1);
    expect(byAuditor.err).toContain('[operator.not-authorized]');
    const otherNode = await grant('clerk-1', 'counter-clerk', 'admin-1', 'cs:131024');
    expect(otherNode.err).toContain('[operator.not-authorized]');
    const self = await grant('admin-1', 'administrator', 'admin-1');
    expect(self.err).toContain('[operator.self-grant]');
    const reused = await grant('auditor-1', 'auditor', 'admin-1');
    expect(reused.err).toContain('[operator.exists]');
    const last = await run('operator', 'revoke', '--store', store, '--id', 'admin-1',
      '--by', 'admin-1', '--reason', '退職'); // prettier-ignore
    expect(last.exit).toBe(1);
    expect(last.err).toContain('[operator.last-administrator]');
  });

  it('R15, R31: a lost card is listed and revoked on its own by a security officer of the node, once', async () => {
    expect((await grant('admin-1', 'administrator', 'bootstrap')).exit).toBe(0);
    expect((await grant('sec-1', 'security-officer', 'admin-1')).exit).toBe(0);
    expect((await grant('clerk-1', 'counter-clerk', 'admin-1')).exit).toBe(0);
    expect((await grant('clerk-2', 'counter-clerk', 'admin-1')).exit).toBe(0);
    // clerk-1's card, as the web terminal registers it with a token.
    const credentials = await openCredentialStore(store);
    const now = new Date();
    await credentials.addEnrollment({
      tokenId: 'tok-1',
      operatorId: 'clerk-1',
      secretHash: new Uint8Array(32),
      issuedBy: 'admin-1',
      issuedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 60_000).toISOString(),
    });
    const card = {
      credentialId: 'card-1',
      operatorId: 'clerk-1',
      publicKey: new Uint8Array([1]),
      counter: 0,
      transports: ['usb'],
      createdAt: now.toISOString(),
    };
    expect(await credentials.registerCredential(card, 'tok-1')).toBe(true);
    await credentials.close();

    const listed = await run(
      'operator',
      'credentials',
      '--store',
      store,
      '--id',
      'clerk-1',
      '--json',
    );
    expect(JSON.parse(listed.out)).toEqual([
      { credentialId: 'card-1', createdAt: card.createdAt, transports: ['usb'] },
    ]);
    const revoke = (by: string, credential = 'card-1') =>
      run('operator', 'revoke-credential', '--store', store, '--id', 'clerk-1',
        '--credential', credential, '--by', by, '--reason', 'カード紛失'); // prettier-ignore
    // Another clerk may not; nothing is written.
    const byClerk = await revoke('clerk-2');
    expect(byClerk.exit).toBe(1);
    expect(byClerk.err).toContain('[operator.not-authorized]');
    expect(
      (await run('operator', 'credentials', '--store', store, '--id', 'clerk-1')).out.trim(),
    ).toMatch(/^card-1 .* 有効$/);
    const done = await revoke('sec-1');
    expect(done.exit, done.err).toBe(0);
    expect(done.out).toContain('card revoked: card-1（失効: sec-1、理由: カード紛失）');
    // Once; and a card clerk-1 does not have is not found either.
    for (const again of [await revoke('sec-1'), await revoke('sec-1', 'card-9')]) {
      expect(again.exit).toBe(1);
      expect(again.err).toContain('[operator.unknown-credential]');
    }
    // The operator stays active.
    expect((await run('operator', 'list', '--store', store)).out).toContain('clerk-1');
  });

  it('bad usage exits 2: an unknown card type, a missing flag, no action', async () => {
    const card = await grant('x-1', 'root', 'bootstrap');
    expect(card.exit).toBe(2);
    expect(card.err).toContain('--card must be one of');
    expect((await run('operator', 'revoke', '--store', store, '--id', 'x')).exit).toBe(2);
    expect((await run('operator')).exit).toBe(2);
  });

  it('cards prints every card type with what it may do on which node role', async () => {
    const cards = await run('operator', 'cards');
    expect(cards.exit).toBe(0);
    expect(cards.out).toContain('セキュリティ管理者 (security-officer');
    expect(cards.out).toMatch(
      /窓口担当者 \(counter-clerk[^\n]*\n\s+cs\s+register\.counter, wide-area\.issue, register\.rejections\n/u,
    );
    expect(cards.out).toContain('（現在の操作なし / no operations yet）');
    const json = JSON.parse((await run('operator', 'cards', '--json')).out) as {
      cardTypes: { cardType: string; operations: string[] }[];
    };
    expect(json.cardTypes.find((c) => c.cardType === 'administrator')?.operations).not.toContain(
      'provision.query',
    );
  });
});

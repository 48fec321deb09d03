import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTerminal } from '../cli/terminal-target.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import { openAccessLogStore, openIdentityStore } from '../storage/open-store.ts';
import type { LocalNetwork } from './local-network.ts';
import type { MoveInSpecialAnswer } from './node-move-special.ts';
import { callTerminal } from './terminal-server.ts';
import { juki } from './web-terminal-node-fixtures.ts';
import {
  SAPPORO_ADDRESS,
  sapporoHousehold,
  twoMunicipalities,
  type SapporoPeople,
} from './wide-area.fixtures.ts';

/*
 * 転入転出の特例 (R25) between two running CS through the switch: 別世帯 次郎 of 札幌市中央区
 * (cs:011011) notified his move-out to 千代田区 there (by mail: the old counter records the
 * 転出); at 千代田区 (cs:131016) he shows his card once, and the CS asks 札幌市中央区's CS for his
 * 転出証明書情報 and takes the 転入 from it, keeping his resident code — then the move flows up
 * to the national server as any other. What is refused, and why: a resident who has not notified
 * a move-out, stated items that do not match, a move-out to another municipality, an old address
 * in the same municipality; nothing is entered at the new counter then. Each act is in 千代田区's
 * access log as counter work.
 */
describe('転入転出の特例 between two CS through the switch (R25)', () => {
  let dir: string;
  let net: LocalNetwork;
  let people: SapporoPeople;
  const NEW_ADDRESS = '東京都千代田区九段南1丁目2番1号';

  const console = async (cs: string) => nodeTerminal(net.node(cs).config, {});
  const moveOut = async (residentCode: string, destination: string) =>
    callTerminal(await console('cs:011011'), 'POST', '/register/operation', {
      reason: '転出',
      form: { residentCode, destination, changeDate: '2026-11-20', notifiedOn: '2026-11-10' },
    });
  const moveIn = async (body: Record<string, unknown>) =>
    (await callTerminal(await console('cs:131016'), 'POST', '/register/move-in-special', {
      operator: 'clerk-1',
      previousAddress: SAPPORO_ADDRESS,
      address: NEW_ADDRESS,
      changeDate: '2026-11-22',
      ...body,
    })) as MoveInSpecialAnswer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-move-special-'));
    net = await twoMunicipalities(dir);
    people = await sapporoHousehold(net.node('cs:011011'));
  }, 180_000);

  afterAll(async () => {
    await net?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refuses a resident who has not notified a move-out, and enters nothing', async () => {
    await expect(
      moveIn({ residentCode: people.jiro, name: '別世帯 次郎', birthDate: '1975-01-01' }),
    ).rejects.toMatchObject({ reason: 'move-out.no-notice' });
  });

  it('takes the 転入 from the old CS’s 転出証明書情報, with the same resident code', async () => {
    await moveOut(people.jiro, NEW_ADDRESS);
    const done = await moveIn({
      residentCode: people.jiro,
      name: '別世帯次郎',
      birthDate: '1975-01-01',
    });
    expect(done.from).toBe('cs:011011');
    expect(done.certificate).toMatchObject({
      address: SAPPORO_ADDRESS,
      moveOutDate: '2026-11-20',
      destination: NEW_ADDRESS,
    });
    expect(done.record).toMatchObject({
      residentCode: people.jiro,
      name: { kanji: '別世帯 次郎', kana: 'ベツセタイ ジロウ' },
      sex: 'male',
      birthDate: '1975-01-01',
      address: NEW_ADDRESS,
      localGovernmentCode: '131016',
      previousAddress: SAPPORO_ADDRESS,
      registeredDomicile: {
        address: '北海道札幌市中央区北一条西二丁目',
        headOfFamily: '別世帯 次郎',
      },
      relationship: '世帯主',
      status: 'resident',
    });

    // The move flows up as any other: the national server has him at 千代田区 (R19).
    const national = await openIdentityStore(net.node('national:jlis').config.store);
    try {
      let at: string | undefined;
      for (let i = 0; i < 150 && at !== '131016'; i++) {
        at = (await national.findIdentity(people.jiro as ResidentCode))?.localGovernmentCode;
        if (at !== '131016') await new Promise((r) => setTimeout(r, 100));
      }
      expect(at).toBe('131016');
    } finally {
      await national.close();
    }
  });

  it.each([
    ['stated items that do not match', { birthDate: '1975-01-02' }, 'move-out.mismatch'],
    [
      'an old address in this municipality (a 転居)',
      { previousAddress: '東京都千代田区千代田1番1号' },
      'move-in-special.same-municipality',
    ],
    ['a malformed resident code', { residentCode: '12345' }, 'move-in-special.form'],
  ])('refuses %s', async (_what, body, reason) => {
    await expect(
      moveIn({ residentCode: people.taro, name: '住基 太郎', birthDate: '1980-05-05', ...body }),
    ).rejects.toMatchObject({ reason });
  });

  it('refuses the console without an operator, and a node that is not a CS', async () => {
    await expect(
      callTerminal(await console('cs:131016'), 'POST', '/register/move-in-special', {
        residentCode: people.taro,
        name: '住基 太郎',
        birthDate: '1980-05-05',
        previousAddress: SAPPORO_ADDRESS,
        address: NEW_ADDRESS,
      }),
    ).rejects.toMatchObject({ reason: 'move-in-special.operator-required' });
    const prefecture = await console('prefecture:13');
    await expect(
      callTerminal(prefecture, 'POST', '/register/move-in-special', { operator: 'clerk-1' }),
    ).rejects.toMatchObject({ reason: 'move-in-special.not-a-cs' });
    await expect(
      callTerminal(prefecture, 'POST', '/wide-area/copy', { operator: 'clerk-1' }),
    ).rejects.toMatchObject({ reason: 'wide-area.not-a-cs' });
    await expect(callTerminal(prefecture, 'GET', '/wide-area/suspensions')).rejects.toMatchObject({
      reason: 'wide-area.not-a-cs',
    });
  });

  it('refuses a move-out that names another municipality', async () => {
    await moveOut(people.hanako, '大阪府大阪市北区梅田1丁目1番1号');
    await expect(
      moveIn({ residentCode: people.hanako, name: '住基 花子', birthDate: '1982-08-08' }),
    ).rejects.toMatchObject({ reason: 'move-out.other-destination' });
  });

  it('`juki register move-in-special --config` takes a 転入 the same way', async () => {
    await moveOut(people.taro, NEW_ADDRESS);
    // (his wife moved out above: he leaves a household of one, so no new head is named)
    const r = await juki(
      ...['register', 'move-in-special', '--config', join(dir, 'nodes', 'cs-131016.json')],
      ...['--code', people.taro, '--name', '住基 太郎', '--birth-date', '1980-05-05'],
      ...['--previous-address', SAPPORO_ADDRESS, '--address', NEW_ADDRESS],
      ...['--operator', 'clerk-1', '--date', '2026-11-23', '--json'],
    );
    expect(r.code, r.err).toBe(0);
    const done = JSON.parse(r.out) as MoveInSpecialAnswer;
    expect(done).toMatchObject({
      from: 'cs:011011',
      reason: 'move-in',
      record: { residentCode: people.taro, address: NEW_ADDRESS, status: 'resident' },
    });
    const offline = await juki('register', 'move-in-special', '--register', 'sqlite:x.sqlite');
    expect(offline.code).toBe(2);
    expect(offline.err).toContain('--config CS.json');
  });

  it('records what the old CS answered, and refused, in its own access log (R23)', async () => {
    const log = await openAccessLogStore(net.node('cs:011011').config.store);
    const acts = (await log.list({ limit: 50 })).filter((a) => a.operation === 'move-out.answer');
    await log.close();
    expect(acts.map((a) => [a.operator, a.target, a.result, a.reason ?? null]).reverse()).toEqual([
      ['system', people.jiro, 'refused', 'move-out.no-notice'],
      ['system', people.jiro, 'ok', null],
      ['system', people.taro, 'refused', 'move-out.mismatch'],
      ['system', people.hanako, 'refused', 'move-out.other-destination'],
      ['system', people.taro, 'ok', null],
    ]);
    expect(acts[0]?.purpose).toMatch(/^転出証明書情報 for cs:131016 card clerk-1 \(mo-/);
  });

  it('records each act at the new CS as counter work, its target the resident code', async () => {
    const log = await openAccessLogStore(net.node('cs:131016').config.store);
    const acts = (await log.list({ limit: 50 })).filter((a) => a.operation === 'register.counter');
    await log.close();
    expect(acts.map((a) => [a.target, a.result, a.reason ?? null]).reverse()).toEqual([
      [people.jiro, 'refused', 'move-out.no-notice'],
      [people.jiro, 'ok', null],
      [people.taro, 'refused', 'move-out.mismatch'],
      [people.taro, 'refused', 'move-in-special.same-municipality'],
      ['12345', 'refused', 'move-in-special.form'],
      [people.taro, 'refused', 'move-in-special.operator-required'],
      [people.hanako, 'refused', 'move-out.other-destination'],
      [people.taro, 'ok', null],
    ]);
  });
});

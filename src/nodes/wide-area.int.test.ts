import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeTerminal } from '../cli/terminal-target.ts';
import { openAccessLogStore, openAlertStore } from '../storage/open-store.ts';
import { chromiumAvailable, pdfText } from '../web-terminal/browser-fixtures.ts';
import { jsonLogger } from './json-log.ts';
import type { LocalNetwork } from './local-network.ts';
import { startNode, type RunningNode } from './node-runtime.ts';
import type { WideAreaCopy } from './node-wide-area.ts';
import { callTerminal } from './terminal-server.ts';
import { juki } from './web-terminal-node-fixtures.ts';
import { SAPPORO_ADDRESS, sapporoHousehold, twoMunicipalities } from './wide-area.fixtures.ts';

const hasChromium = chromiumAvailable('the PDF of a wide-area copy');

/*
 * 住民票の写しの広域交付 (R24) between two running CS through the switch: 住基 太郎 and his wife,
 * residents of 札幌市中央区 (cs:011011), ask for a copy at 千代田区 (cs:131016). The issuing CS finds
 * the residence municipality from the stated address, opens a route through switch:main (outer
 * mutual TLS to the switch, inner mutual TLS end to end) and gets exactly the items of 法第12条の4
 * from the residence CS's register. What is refused, and why: a person outside the household, a
 * requester whose stated items do not match (one reason for any mismatch), a photo ID without
 * code or date of birth, an address in the issuing municipality, the console without an operator;
 * and R18's fraud prevention: one operator card over the limit is suspended at the residence CS,
 * with an alert there, while another card of the same municipality still gets answers. Every
 * act is in the issuing CS's access log (the web terminal's clerk: wide-area-web.int.test.ts).
 */
describe('広域交付 between two CS through the switch (R24)', () => {
  let dir: string;
  let net: LocalNetwork;
  const SAPPORO = SAPPORO_ADDRESS;
  let taro = '';

  const issuing = async () => nodeTerminal(net.node('cs:131016').config, {});
  const copy = async (body: Record<string, unknown>): Promise<WideAreaCopy> =>
    (await callTerminal(await issuing(), 'POST', '/wide-area/copy', {
      operator: 'clerk-1',
      identification: 'juki-card',
      withRelationship: false,
      withResidentCode: false,
      ...body,
    })) as WideAreaCopy;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-wide-area-'));
    net = await twoMunicipalities(dir, { maxRequests: 12, windowMinutes: 10, suspendMinutes: 60 });
    taro = (await sapporoHousehold(net.node('cs:011011'))).taro;
  }, 180_000);

  afterAll(async () => {
    await net?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('issues the copy with the items the law lists, through the switch', async () => {
    const c = await copy({
      requester: { name: '住基 太郎', address: SAPPORO, residentCode: taro },
      wholeHousehold: true,
      withRelationship: true,
    });
    expect(c).toMatchObject({
      issuedBy: 'clerk-1',
      issuing: { node: 'cs:131016', name: '千代田区' },
      residence: { node: 'cs:011011', code: '011011', name: '札幌市中央区' },
      requesterResidentCode: taro,
    });
    expect(c.persons).toEqual([
      {
        name: { kanji: '住基 太郎', kana: 'ジュウキ タロウ' },
        birthDate: '1980-05-05',
        sex: 'male',
        relationship: '世帯主',
        becameResidentOn: '2026-04-01',
        address: SAPPORO,
        notifiedOn: '2026-04-03',
        previousAddress: '東京都港区芝公園4丁目2番8号',
      },
      expect.objectContaining({
        name: { kanji: '住基 花子', kana: 'ジュウキ ハナコ' },
        relationship: '妻',
      }),
    ]);
    // Nothing but the law's items crossed: no resident code unless asked, no 本籍, no household id.
    expect(JSON.stringify(c.persons)).not.toMatch(/residentCode|registeredDomicile|householdId/);

    // The switch kept who, when and how many bytes: never content.
    const sw = net.node('switch:main');
    // (It records a route when the route has ended, just after the answer.)
    let record = sw.routeRecords(10).find((r) => r.caller === 'cs:131016');
    for (let i = 0; i < 50 && !record; i++) {
      await new Promise((r) => setTimeout(r, 50));
      record = sw.routeRecords(10).find((r) => r.caller === 'cs:131016');
    }
    expect(record).toMatchObject({ target: 'cs:011011' });
    expect(JSON.stringify(sw.routeRecords(10))).not.toContain('住基');
    const swLog = await readFile(join(dir, 'logs', 'switch-main.log'), 'utf8');
    expect(swLog).not.toContain('住基');
    expect(swLog).not.toContain(taro);
  });

  it('finds the requester by date of birth and sex with a photo ID (no code)', async () => {
    // The residence CS finds him in its store of 本人確認情報, which its register pump fills.
    const ask = () =>
      copy({
        identification: 'photo-id',
        requester: { name: '住基太郎', address: SAPPORO, birthDate: '1980-05-05', sex: 'male' },
        persons: ['住基 花子'],
        withResidentCode: true,
      });
    let c: WideAreaCopy | undefined;
    for (let i = 0; i < 100 && !c; i++)
      c = await ask().catch(async (e: { reason?: string }) => {
        if (e.reason !== 'wide-area.requester-mismatch') throw e;
        await new Promise((r) => setTimeout(r, 100));
        return undefined;
      });
    expect(c?.persons.map((p) => [p.name.kanji, typeof p.residentCode])).toEqual([
      ['住基 花子', 'string'],
    ]);
  });

  it.skipIf(!hasChromium)(
    '`juki wide-area copy` prints the copy with its certification as a PDF',
    async () => {
      const pdf = join(dir, 'copy.pdf');
      const html = join(dir, 'copy.html');
      const r = await juki(
        ...['wide-area', 'copy', '--config', join(dir, 'nodes', 'cs-131016.json')],
        ...['--name', '住基 太郎', '--address', SAPPORO, '--resident-code', taro],
        ...['--person', '住基 太郎', '--relationship', '--operator', 'clerk-1'],
        ...['--html', html, '--pdf', pdf],
      );
      expect(r.code, r.err).toBe(0);
      expect(r.out).toContain('住基 太郎（ジュウキ タロウ） / 1980-05-05 / 男 / 続柄 世帯主');
      // The items, the residence municipality's notice and the issuing mayor, in the document.
      const page = await readFile(html, 'utf8');
      expect(page).toContain('住民票の写し（広域交付）');
      expect(page).toContain('昭和55年5月5日');
      expect(page).toContain('北海道札幌市中央区長からの通知に基づいて作成したもの');
      expect(page).toContain('東京都千代田区長');
      const text = pdfText(pdf, 'the wide-area copy PDF')?.replace(/\s+/g, '');
      if (text !== undefined) {
        expect(text).toContain('住民票の写し（広域交付）');
        expect(text).toContain('東京都千代田区長');
      }
    },
    60_000,
  );

  it.each([
    [
      'a person of another household',
      {
        requester: { name: '住基 太郎', address: SAPPORO, residentCode: 'TARO' },
        persons: ['別世帯 次郎'],
      },
      'wide-area.not-in-household',
    ],
    [
      'a stated date of birth that differs (the same reason as a wrong name)',
      {
        identification: 'photo-id',
        requester: { name: '住基 太郎', address: SAPPORO, birthDate: '1980-05-06', sex: 'male' },
        persons: ['住基 太郎'],
      },
      'wide-area.requester-mismatch',
    ],
    [
      'a photo ID with neither code nor date of birth and sex',
      {
        identification: 'photo-id',
        requester: { name: '住基 太郎', address: SAPPORO },
        persons: ['住基 太郎'],
      },
      'wide-area.identification',
    ],
    [
      'a Juki card without its code',
      { requester: { name: '住基 太郎', address: SAPPORO }, persons: ['住基 太郎'] },
      'wide-area.card-needs-code',
    ],
    [
      'an address in the issuing municipality (the ordinary counter issues it)',
      {
        requester: {
          name: '住基 太郎',
          address: '東京都千代田区千代田1番1号',
          residentCode: 'TARO',
        },
        persons: ['住基 太郎'],
      },
      'wide-area.own-municipality',
    ],
    [
      'a malformed form',
      {
        identification: 'passport',
        requester: { name: '住基 太郎', address: SAPPORO },
        persons: [],
      },
      'wide-area.form',
    ],
  ])('refuses %s', async (_what, body, reason) => {
    const b = JSON.parse(JSON.stringify(body).replace('"TARO"', JSON.stringify(taro))) as Record<
      string,
      unknown
    >;
    await expect(copy(b)).rejects.toMatchObject({ reason });
  });

  it('the console names the operator at the counter, or is refused', async () => {
    await expect(
      callTerminal(await issuing(), 'POST', '/wide-area/copy', {
        identification: 'juki-card',
        requester: { name: '住基 太郎', address: SAPPORO, residentCode: taro },
        persons: ['住基 太郎'],
      }),
    ).rejects.toMatchObject({ reason: 'wide-area.operator-required' });
  });

  it('suspends one operator card over the limit at the residence CS, not the others (R24)', async () => {
    const ask = (operator: string) =>
      copy({
        operator,
        requester: { name: '住基 太郎', address: SAPPORO, residentCode: taro },
        persons: ['住基 太郎'],
      });
    // clerk-9 has 12 requests in 10 minutes; the 13th suspends the card.
    for (let i = 0; i < 12; i++) await ask('clerk-9');
    await expect(ask('clerk-9')).rejects.toMatchObject({ reason: 'wide-area.card-suspended' });
    await expect(ask('clerk-9')).rejects.toMatchObject({ reason: 'wide-area.card-suspended' });
    // Another card of the same municipality is still answered.
    expect((await ask('clerk-8')).persons).toHaveLength(1);

    const alerts = await openAlertStore(net.node('cs:011011').config.store);
    const raised = (await alerts.listAlerts({ limit: 20 })).filter(
      (a) => a.kind === 'wide-area-suspended',
    );
    await alerts.close();
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ peerName: 'cs:131016' });
    expect(raised[0]?.detail).toContain('clerk-9');

    // The suspension outlives a restart of the residence CS: it is read back from its records.
    const before = net.node('cs:011011');
    await before.close();
    (net.nodes as Map<string, RunningNode>).set(
      'cs:011011',
      await startNode(before.config, jsonLogger({ write: () => undefined })),
    );
    await expect(ask('clerk-9')).rejects.toMatchObject({ reason: 'wide-area.card-suspended' });

    // The residence CS's security officer sees the card suspended and lifts it (the console here).
    const residence = join(dir, 'nodes', 'cs-011011.json');
    const listed = await juki('wide-area', 'suspensions', '--config', residence, '--json');
    expect(listed.code, listed.err).toBe(0);
    const suspended = JSON.parse(listed.out) as { card: string; until: string }[];
    expect(suspended.map((x) => x.card)).toEqual(['cs:131016/clerk-9']);
    expect(Date.parse(suspended[0]!.until)).toBeGreaterThan(Date.now());
    const lifted = await juki(
      ...['wide-area', 'release', '--config', residence, '--card', 'cs:131016/clerk-9'],
    );
    expect(lifted.code, lifted.err).toBe(0);
    expect((await ask('clerk-9')).persons).toHaveLength(1);
    const again = await juki(
      ...['wide-area', 'release', '--config', residence, '--card', 'cs:131016/clerk-9'],
    );
    expect(again.err).toContain('wide-area.not-suspended');
    const bad = await juki('wide-area', 'release', '--config', residence, '--card', 'clerk-9');
    expect(bad.err).toContain('wide-area.card');
  });

  it('records what the residence CS answered, and refused, in its own access log (R23)', async () => {
    const log = await openAccessLogStore(net.node('cs:011011').config.store);
    const acts = (await log.list({ limit: 200 })).filter((a) => a.operation === 'wide-area.answer');
    await log.close();
    // The node's own act: the asking CS and its operator card are named in the purpose.
    const answered = acts.filter(
      (a) => a.result === 'ok' && a.purpose?.startsWith('広域交付 for cs:131016 card clerk-1 (wa-'),
    );
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.every((a) => a.operator === 'system' && a.target === taro)).toBe(true);
    expect(acts.filter((a) => a.result === 'refused').map((a) => a.reason)).toEqual(
      expect.arrayContaining([
        'wide-area.not-in-household',
        'wide-area.requester-mismatch',
        'wide-area.identification',
        'wide-area.card-suspended',
      ]),
    );
  });

  it('records every act in the issuing CS’s access log (here its console, which names the clerk)', async () => {
    const log = await openAccessLogStore(net.node('cs:131016').config.store);
    const acts = (await log.list({ limit: 100 })).filter((a) => a.operation === 'wide-area.issue');
    await log.close();
    expect(acts.find((a) => a.result === 'ok')).toMatchObject({
      operator: 'local-terminal',
      target: taro,
    });
    expect(acts.filter((a) => a.result === 'refused').map((a) => a.reason)).toEqual(
      expect.arrayContaining([
        'wide-area.not-in-household',
        'wide-area.requester-mismatch',
        'wide-area.card-suspended',
        'wide-area.own-municipality',
      ]),
    );
  });
});

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { date } from '../../domain/change/change-builders.ts';
import type { RecipientId } from '../../domain/provision/recipient.ts';
import { ordinanceAffair } from '../../domain/provision/statutory-affair.ts';
import type { DisclosureReportModel } from '../../disclosure/index.ts';
import { startLocalNetwork, type LocalNetwork } from '../../nodes/local-network.ts';
import { initNetwork, type NetworkManifest } from '../../nodes/network-init.ts';
import type { DisclosureSyncReport } from '../../nodes/node-disclosure-sync.ts';
import { callTerminal } from '../../nodes/terminal-server.ts';
import { runningTerminalTarget } from '../../nodes/terminal-token.ts';
import { loadStatutoryAffairs } from '../../reference-data/statutory-affairs.ts';
import { loadedRecord, residentCode } from '../../storage/contract-fixtures.ts';
import {
  openAccessLogStore,
  openIdentityStore,
  openProvisionStore,
} from '../../storage/open-store.ts';
import { main } from '../main.ts';
import { reserveBasePort } from '../../nodes/port-range.ts';

const PENSION = '別表第一:七十三の六'; // 厚生労働省及び日本年金機構
const GOVERNOR_PASSPORT = '別表第五:六'; // 都道府県知事: 旅券法
const NATIONAL_LABEL = '全国サーバ（地方公共団体情報システム機構）';
// An affair Tokyo's ordinance adds (R3): known to prefecture:13's store only, not to the Act's table.
const TOKYO_ORDINANCE = ordinanceAffair({
  prefectureCode: '13',
  item: '一',
  recipient: '東京都知事',
  affair: '東京都営住宅条例による都営住宅の入居者の資格の審査に関する事務',
  legalBasis: '東京都住民基本台帳法施行条例第二条・別表第一の一の項',
});

const hanako = loadedRecord(1, {
  residentCode: residentCode(13_001),
  address: '東京都千代田区千代田1番1号',
  localGovernmentCode: '131016',
});
const jiro = loadedRecord(2, {
  residentCode: residentCode(27_001),
  address: '大阪府大阪市北区梅田1丁目1番1号',
  localGovernmentCode: '271276',
});

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    interactive: false,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/**
 * R17 across a network of nodes in this process (the same runtime as `juki node start`, each
 * node with its own store and certificate, mutual TLS over loopback): provisions at the national
 * server reach the prefecture server of the resident's prefecture — and only it — when that
 * prefecture server syncs, and the resident's report there lists them next to its own.
 */
describe('juki disclosure: the national server’s records at the prefecture servers (R17)', () => {
  let dir: string;
  let manifest: NetworkManifest;
  let net: LocalNetwork;
  const terminal = (node: string) => runningTerminalTarget(net.node(node));
  const post = async (node: string, path: string, body: Record<string, unknown> = {}) =>
    callTerminal(await terminal(node), 'POST', path, body);
  const sync = async (node: string) =>
    (await post(node, '/disclosure/sync')) as DisclosureSyncReport;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-disclosure-net-'));
    manifest = await initNetwork({
      prefectures: ['13', '27'],
      municipalities: [],
      agencies: ['mhlw-pension'],
      dir,
      host: '127.0.0.1',
      basePort: reserveBasePort(),
      // Scheduled syncs off: the test syncs when it means to.
      overrides: {
        schedule: { integrityMinutes: 0, retentionMinutes: 0, disclosureSyncMinutes: 0 },
      },
    });
    net = await startLocalNetwork(dir, manifest);

    // The residents, as their prefecture's server and the national server hold them.
    for (const [node, records] of [
      ['national:jlis', [hanako, jiro]],
      ['prefecture:13', [hanako]],
      ['prefecture:27', [jiro]],
    ] as const) {
      const store = await openIdentityStore(net.node(node).config.store);
      await store.loadBatch(records.map((record, i) => ({ line: i + 1, record })));
      await store.close();
    }
    const affairs = loadStatutoryAffairs();
    const national = await openProvisionStore(net.node('national:jlis').config.store);
    await national.registerRecipient({
      id: 'mhlw-pension' as RecipientId,
      name: '厚生労働省及び日本年金機構',
      kind: 'national-agency',
      servedBy: { role: 'national', code: 'jlis' },
      node: { role: 'agency', code: 'mhlw-pension' },
    });
    await national.permitAffair(
      {
        recipientId: 'mhlw-pension' as RecipientId,
        affairId: affairs.byId(PENSION)!.id,
        identifier: 'pseudonym',
      },
      affairs.byId(PENSION)!,
    );
    await national.addAgreement({
      id: 'agreement-mhlw',
      recipientId: 'mhlw-pension' as RecipientId,
      signedOn: date('2020-01-01'),
      validFrom: date('2020-01-01'),
      protectionMeasures: '照会端末の限定、操作者の認証、提供記録の保存',
    });
    await national.close();
    const tokyo = await openProvisionStore(net.node('prefecture:13').config.store);
    await tokyo.registerRecipient({
      id: 'tokyo-governor' as RecipientId,
      name: '東京都知事',
      kind: 'prefecture-body',
      servedBy: { role: 'prefecture', code: '13' },
    });
    await tokyo.permitAffair(
      {
        recipientId: 'tokyo-governor' as RecipientId,
        affairId: affairs.byId(GOVERNOR_PASSPORT)!.id,
        identifier: 'pseudonym',
      },
      affairs.byId(GOVERNOR_PASSPORT)!,
    );
    await tokyo.registerOrdinanceAffair(TOKYO_ORDINANCE);
    await tokyo.permitAffair(
      {
        recipientId: 'tokyo-governor' as RecipientId,
        affairId: TOKYO_ORDINANCE.id,
        identifier: 'pseudonym',
      },
      TOKYO_ORDINANCE,
    );
    await tokyo.close();
    await post('national:jlis', '/provision/reload');
    await post('prefecture:13', '/provision/reload');
  }, 120_000);

  afterAll(async () => {
    await net?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('R17: a provision at the national server reaches the resident’s prefecture server after a sync, not another’s; a second sync adds nothing; the report there lists it with the providing node', async () => {
    // The pension service asks the national server about a Tokyo and an Osaka resident; Tokyo's
    // governor asks its own server about its resident, and through it (R21) about Osaka's.
    for (const who of [hanako, jiro])
      await post('agency:mhlw-pension', '/provision/query', {
        query: { affairId: PENSION, residentCode: who.residentCode },
        searcher: 'pension-operator-7',
      });
    for (const who of [hanako, jiro])
      await post('prefecture:13', '/provision/query', {
        recipientId: 'tokyo-governor',
        query: { affairId: GOVERNOR_PASSPORT, name: who.name.kanji, birthDate: who.birthDate },
      });

    expect(await sync('prefecture:13')).toMatchObject({
      source: 'national:jlis',
      fetched: 1,
      added: 1,
    });
    // Osaka's: the pension query, and Tokyo's governor's query the national server answered.
    expect(await sync('prefecture:27')).toMatchObject({ fetched: 2, added: 2 });
    const again = await run(
      'disclosure',
      'sync',
      '--config',
      join(dir, 'nodes', 'prefecture-13.json'),
      '--json',
    );
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse(again.out)).toMatchObject({ fetched: 0, added: 0 });

    const tokyo = await openProvisionStore(net.node('prefecture:13').config.store);
    const osaka = await openProvisionStore(net.node('prefecture:27').config.store);
    try {
      expect(await tokyo.disclosuresOf(jiro.residentCode)).toEqual([]);
      expect(await osaka.disclosuresOf(hanako.residentCode)).toEqual([]);
      const atOsaka = await osaka.disclosuresOf(jiro.residentCode);
      expect(atOsaka.map((d) => [d.node, d.recipientId]).sort()).toEqual([
        ['national:jlis', 'mhlw-pension'],
        ['national:jlis', 'tokyo-governor'],
      ]);
    } finally {
      await tokyo.close();
      await osaka.close();
    }

    const report = await run(
      'disclosure',
      'report',
      '--store',
      net.node('prefecture:13').config.store,
      '--resident-code',
      hanako.residentCode,
      '--issuer',
      'prefecture:13',
      '--json',
    );
    expect(report.code, report.err).toBe(0);
    const model = JSON.parse(report.out) as DisclosureReportModel;
    expect(model.issuer).toBe('東京都サーバ');
    const lines = model.lines.map((l) => [l.providedBy, l.recipientName, l.affairId, l.channel]);
    expect(lines.sort()).toEqual(
      [
        [NATIONAL_LABEL, '厚生労働省及び日本年金機構', PENSION, 'immediate'],
        ['東京都サーバ', '東京都知事', GOVERNOR_PASSPORT, 'immediate'],
      ].sort(),
    );
    const pension = model.lines.find((l) => l.providedBy === NATIONAL_LABEL)!;
    expect(pension.searcher).toBe('pension-operator-7');
    expect(pension.legalBasis).toContain('住民基本台帳法第三十条の九');

    // The same report asked of the running node (--config): the same lines, and the act is in
    // the node's access log (R23), by its console here (these nodes have no web terminal).
    const html = join(dir, 'report-at-node.html');
    const atNode = await run(
      ...['disclosure', 'report', '--config', join(dir, 'nodes', 'prefecture-13.json')],
      ...['--resident-code', hanako.residentCode, '--html', html, '--json'],
    );
    expect(atNode.code, atNode.err).toBe(0);
    const viaNode = JSON.parse(atNode.out) as DisclosureReportModel;
    expect(viaNode.issuer).toBe('東京都サーバ');
    expect(viaNode.lines).toEqual(model.lines);
    expect(await readFile(html, 'utf8')).toContain(hanako.name.kanji);
    const access = await openAccessLogStore(net.node('prefecture:13').config.store);
    const [act] = await access.list({ limit: 1 });
    await access.close();
    expect(act).toMatchObject({
      operator: 'local-terminal',
      operation: 'disclosure.report',
      target: hanako.residentCode,
      result: 'ok',
    });
    // Neither or both of --config and --store: a usage error.
    expect((await run('disclosure', 'report', '--resident-code', hanako.residentCode)).code).toBe(
      2,
    );
  }, 60_000);

  it('R17, R3: a provision for a prefecture ordinance affair shows the ordinance’s purpose and legal basis in the report of that prefecture’s server', async () => {
    // Tokyo's governor asks under Tokyo's ordinance about its own resident, and through the
    // national server (R21) about an Osaka resident.
    for (const who of [hanako, jiro])
      await post('prefecture:13', '/provision/query', {
        recipientId: 'tokyo-governor',
        query: { affairId: TOKYO_ORDINANCE.id, name: who.name.kanji, birthDate: who.birthDate },
      });
    expect(await sync('prefecture:27')).toMatchObject({ fetched: 1, added: 1 });

    const report = async (node: string, code: string) => {
      const r = await run(
        'disclosure',
        'report',
        '--store',
        net.node(node).config.store,
        '--resident-code',
        code,
        '--issuer',
        node,
        '--json',
      );
      expect(r.code, r.err).toBe(0);
      const model = JSON.parse(r.out) as DisclosureReportModel;
      return model.lines.find((l) => l.affairId === TOKYO_ORDINANCE.id)!;
    };
    // At prefecture:13, whose store holds the ordinance: its text is the purpose (the Act's table
    // alone does not know 条例:13:一 and left it （記録なし）).
    expect(await report('prefecture:13', hanako.residentCode)).toMatchObject({
      providedBy: '東京都サーバ',
      recipientName: '東京都知事',
      affairDescription: TOKYO_ORDINANCE.affair,
      legalBasis: TOKYO_ORDINANCE.legalBasis,
    });
    // The national server's copy at Osaka's server: prefecture:27 does not hold Tokyo's ordinance,
    // so the purpose stays empty (printed （記録なし）); the affair id and the legal basis, which the
    // record carries, still show (docs/DISCLOSURE.md).
    expect(await report('prefecture:27', jiro.residentCode)).toMatchObject({
      providedBy: NATIONAL_LABEL,
      recipientName: '東京都知事',
      affairDescription: '',
      legalBasis: TOKYO_ORDINANCE.legalBasis,
    });
  }, 60_000);

  it('R17: only a prefecture server fetches disclosure records', async () => {
    await expect(post('national:jlis', '/disclosure/sync')).rejects.toMatchObject({
      code: 'invalid',
      reason: 'node.no-disclosure-sync',
    });
  });
});

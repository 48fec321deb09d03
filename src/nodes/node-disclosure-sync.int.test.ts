import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewDisclosure } from '../domain/provision/disclosure.ts';
import type { Session } from '../protocol/session/session.ts';
import { residentCode } from '../storage/contract-fixtures.ts';
import { openProvisionStore } from '../storage/open-store.ts';
import type { ProvisionStore } from '../storage/ports.ts';
import { connectNetwork } from '../transport/connect.ts';
import { listenNetwork, type NetworkListener } from '../transport/network-listener.ts';
import { createTestNetwork, type TestNetwork, type TestNode } from '../transport/test-network.ts';
import { jsonLogger, silentLogger } from './json-log.ts';
import { DisclosureSyncer, serveDisclosureSync } from './node-disclosure-sync.ts';
import { UpstreamSession } from './upstream-session.ts';

const record = (n: number, prefectureCode: string | undefined): NewDisclosure => ({
  at: `2026-11-24T0${n % 10}:15:00.000Z`,
  node: 'national:jlis',
  recipientId: 'mhlw-pension',
  recipientName: '厚生労働省及び日本年金機構',
  searcher: 'pension-operator-7',
  affairId: '別表第一:七十三の六',
  legalBasis: '住民基本台帳法第三十条の九・別表第一の七十三の六の項',
  queryId: `agency:mhlw-pension:q${n}`,
  residentCode: residentCode(n),
  channel: 'immediate',
  prefectureCode,
});

/**
 * The national server's disclosure records to the prefecture servers (R17), over real mutual
 * TLS in one process: the national side's handler and a prefecture server's syncer, with their
 * stores. src/nodes/disclosure-network.int.test.ts runs the whole flow in a network of nodes.
 */
describe('disclosure records from the national server to the prefecture servers (R17)', () => {
  let dir: string;
  let net: TestNetwork;
  let national: TestNode;
  let tokyo: TestNode;
  let osaka: TestNode;
  let agency: TestNode;
  let nationalStore: ProvisionStore;
  let listener: NetworkListener;
  const sessions: UpstreamSession[] = [];
  const stores: ProvisionStore[] = [];
  const logLines: string[] = [];

  const listen = (
    onSession: (session: Session, peer: TestNode['node']) => void,
    authorize?: Parameters<typeof listenNetwork>[0]['authorize'],
  ): Promise<NetworkListener> =>
    net.alertStore().then((alerts) =>
      listenNetwork({
        self: national.node,
        credentials: national.credentials,
        host: '127.0.0.1',
        port: 0,
        alerts,
        onSession: (s, peer) => onSession(s, peer.node),
        ...(authorize ? { authorize } : {}),
      }),
    );
  const upstream = (node: TestNode, to: NetworkListener): UpstreamSession => {
    const u = new UpstreamSession(() =>
      connectNetwork({
        self: node.node,
        credentials: node.credentials,
        expectedPeer: national.node,
        host: '127.0.0.1',
        port: to.address.port,
      }),
    );
    sessions.push(u);
    return u;
  };
  const storeOf = async (name: string): Promise<ProvisionStore> => {
    const s = await openProvisionStore(`sqlite:${join(dir, `${name}.sqlite`)}`);
    stores.push(s);
    return s;
  };
  const syncer = (node: TestNode, store: ProvisionStore, to = listener) =>
    new DisclosureSyncer({
      self: node.node,
      source: national.node,
      upstream: upstream(node, to),
      store,
      log: jsonLogger({ write: (l) => void logLines.push(l) }),
      pageSize: 2,
    });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-disclosure-sync-'));
    net = await createTestNetwork();
    national = await net.node('national:jlis');
    tokyo = await net.node('prefecture:13');
    osaka = await net.node('prefecture:27');
    agency = await net.node('agency:mhlw-pension');
    nationalStore = await storeOf('national');
    listener = await listen((s, peer) =>
      serveDisclosureSync(s, { peer, store: nationalStore, log: silentLogger }),
    );
  });
  afterAll(async () => {
    for (const s of sessions) await s.close();
    await listener?.close();
    for (const s of stores) await s.close();
    await net?.cleanup();
    await rm(dir, { recursive: true, force: true });
  });

  it('R17: each prefecture server receives the national records about its own residents only, page by page, with the national server’s name and time; again adds nothing; a restart resumes after its cursor', async () => {
    await nationalStore.recordDisclosures([
      record(1, '13'),
      record(2, '27'),
      record(3, '13'),
      record(4, undefined), // written before the prefecture was recorded: sent to nobody
      record(5, '13'),
      record(6, '27'),
      record(7, '13'),
      record(8, '13'),
    ]);
    const tokyoStore = await storeOf('prefecture-13');
    const osakaStore = await storeOf('prefecture-27');

    const first = await syncer(tokyo, tokyoStore).run();
    expect(first).toMatchObject({ source: 'national:jlis', fetched: 5, added: 5, calls: 3 });
    const expectedCursor = (await nationalStore.disclosuresForPrefecture('13', 0, 100)).at(-1)!.id;
    expect(first.afterId).toBe(expectedCursor);
    expect(await tokyoStore.disclosureSyncCursor('national:jlis')).toBe(expectedCursor);
    const [copy] = await tokyoStore.disclosuresOf(residentCode(3));
    expect(copy).toEqual({ ...record(3, '13'), id: copy!.id });
    expect(await tokyoStore.disclosuresOf([residentCode(2), residentCode(4)])).toEqual([]);

    const fromOsaka = await syncer(osaka, osakaStore).run();
    expect(fromOsaka).toMatchObject({ fetched: 2, added: 2 });
    expect(
      (await osakaStore.disclosuresOf([1, 2, 3, 6].map(residentCode))).map((d) => d.queryId),
    ).toEqual(['agency:mhlw-pension:q6', 'agency:mhlw-pension:q2']);

    const again = syncer(tokyo, tokyoStore);
    expect(await again.run()).toMatchObject({ fetched: 0, added: 0, calls: 1 });

    // Restarted (a new syncer on the same store): it asks only for what came after its cursor.
    await nationalStore.recordDisclosure(record(9, '13'));
    const [a, b] = await Promise.all([again.run(), again.run()]);
    expect(a.fetched + b.fetched).toBe(1);
    expect((await tokyoStore.disclosuresOf(residentCode(9))).map((d) => d.node)).toEqual([
      'national:jlis',
    ]);
    expect(logLines.some((l) => l.includes('"event":"disclosure.synced"'))).toBe(true);
    await again.stop();
    await expect(again.run()).rejects.toMatchObject({
      code: 'unavailable',
      reason: 'node.closing',
    });
  });

  it('R17, R8: an agency server may not fetch disclosure records: the firewall refuses it', async () => {
    const session = await upstream(agency, listener).get();
    await expect(
      session.request({ kind: 'disclosure-sync', afterId: 0, limit: 10 }),
    ).rejects.toMatchObject({ code: 'forbidden', reason: 'network.operation-forbidden' });
  });

  it('R17: past a firewall that let anything through, the national server still answers prefecture servers only', async () => {
    const open = await listen(
      (s, peer) => serveDisclosureSync(s, { peer, store: nationalStore, log: silentLogger }),
      () => ({ allowed: true, rule: 'session' }),
    );
    try {
      const session = await upstream(agency, open).get();
      await expect(
        session.request({ kind: 'disclosure-sync', afterId: 0, limit: 10 }),
      ).rejects.toMatchObject({ code: 'forbidden', reason: 'disclosure.sync-requester' });
    } finally {
      await open.close();
    }
  });

  it('R17: a reply naming residents of another prefecture, or another node, is refused and nothing of it is stored', async () => {
    const tokyoStore = await storeOf('prefecture-13-rogue');
    let answer: NewDisclosure = record(11, '27');
    const rogue = await listen((s) =>
      s.handle('disclosure-sync', () => ({
        kind: 'disclosure-records',
        records: [{ ...answer, prefectureCode: answer.prefectureCode! }],
        nextAfterId: 99,
        more: false,
      })),
    );
    try {
      const s = syncer(tokyo, tokyoStore, rogue);
      await expect(s.run()).rejects.toMatchObject({
        code: 'invalid',
        reason: 'disclosure.sync-out-of-scope',
      });
      answer = { ...record(12, '13'), node: 'prefecture:27' };
      await expect(s.run()).rejects.toMatchObject({ reason: 'disclosure.sync-source' });
      expect(await tokyoStore.disclosuresOf([residentCode(11), residentCode(12)])).toEqual([]);
      expect(await tokyoStore.disclosureSyncCursor('national:jlis')).toBe(0);
    } finally {
      await rogue.close();
    }
  });
});

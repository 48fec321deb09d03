/**
 * The integrity check (R20) over the real network side: mutual TLS 1.3, the listener's firewall
 * and allow-list (cs → prefecture of its own prefecture, prefecture → national), SQLite stores at
 * both ends. The scope is authorized against the certificate's node, not against what a peer says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NodeRef } from '../domain/network/NodeRef.ts';
import type { IdentityStore } from '../storage/ports.ts';
import { connectNetwork } from '../transport/connect.ts';
import { listenNetwork, type NetworkListener } from '../transport/network-listener.ts';
import { createTestNetwork, type TestNetwork, type TestNode } from '../transport/test-network.ts';
import { registerIntegrityHandlers } from './integrity-receiver.ts';
import { runIntegrityCheck } from './integrity-sender.ts';
import {
  CHIYODA_SCOPE,
  divergedCopy,
  freshCode,
  openStores,
  pick,
  population,
  type TestStores,
} from './integrity-test-fixtures.ts';

const chiyoda = population(2000);
const chuo = population(300, '131024', 'chuo');
const d = { changed: pick(chiyoda, 1, 2), missing: pick(chiyoda, 50, 2), extra: [freshCode(7)] };

let net: TestNetwork;
let pref: TestNode;
let national: TestNode;
let cs: TestNode;
let otherCs: TestNode;
let stores: TestStores; // cs: 千代田区's CS; prefecture: 東京都's server (diverged)
let nationalStores: TestStores; // cs: unused; prefecture: the national server's file
const listeners: NetworkListener[] = [];

async function listen(node: TestNode, store: IdentityStore): Promise<NetworkListener> {
  const listener = await listenNetwork({
    self: node.node,
    credentials: node.credentials,
    host: '127.0.0.1',
    port: 0,
    alerts: await net.alertStore(),
    onSession: (session, peer) =>
      registerIntegrityHandlers(session, { store, self: node.node, peer: peer.node }),
  });
  listeners.push(listener);
  return listener;
}

const dial = (from: TestNode, to: TestNode, listener: NetworkListener) =>
  connectNetwork({
    self: from.node,
    credentials: from.credentials,
    expectedPeer: to.node,
    host: listener.address.host,
    port: listener.address.port,
  });

beforeAll(async () => {
  net = await createTestNetwork();
  pref = await net.node('prefecture:13');
  national = await net.node('national:jlis');
  cs = await net.node('cs:131016');
  otherCs = await net.node('cs:131024');
  stores = await openStores(chiyoda, [...divergedCopy(chiyoda, d), ...chuo]);
  nationalStores = await openStores([], [...chiyoda, ...chuo.slice(1)]);
});

afterAll(async () => {
  for (const l of listeners) await l.close();
  await stores.close();
  await nationalStores.close();
  await net.cleanup();
});

describe('integrity check over mutual TLS (R20, R8)', () => {
  it('R20: a CS checks and repairs its municipality at its prefecture server', async () => {
    const listener = await listen(pref, stores.prefecture);
    const session = await dial(cs, pref, listener);
    const check = (checkId: string, repair: boolean) =>
      runIntegrityCheck({
        session,
        store: stores.cs,
        scope: CHIYODA_SCOPE,
        checkId,
        repair,
        self: cs.node,
        peer: pref.node,
      });
    const report = await check('tls-1', true);
    expect(report.differences).toEqual({
      missingAtReceiver: [...d.missing].sort(),
      extraAtReceiver: [...d.extra],
      differingValues: [...d.changed].sort(),
    });
    expect(report.repaired).toMatchObject({ inserted: 2, updated: 2, removed: 1, conflicts: 0 });
    expect((await check('tls-2', false)).matching).toBe(true);
    expect((await stores.prefecture.listIntegrityChecks(5)).map((c) => c.checkId)).toEqual([
      'tls-2',
      'tls-1',
    ]);
    await session.goaway();
  });

  it('R20, R8: another CS of the same prefecture is refused 千代田区’s scope: forbidden, nothing recorded', async () => {
    const listener = await listen(pref, stores.prefecture);
    const session = await dial(otherCs, pref, listener);
    const before = await stores.prefecture.listIntegrityChecks(10);
    // It says it is 千代田区 in the offer: the receiver goes by the certificate (cs:131024).
    const error = await session
      .request({ kind: 'integrity-offer', checkId: 'spoof', scope: CHIYODA_SCOPE, count: 1 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'forbidden', reason: 'integrity.scope-forbidden' });
    expect(await stores.prefecture.listIntegrityChecks(10)).toEqual(before);
    await session.goaway();
  });

  it('R20: a prefecture server checks its prefecture at the national server', async () => {
    const listener = await listen(national, nationalStores.prefecture);
    const session = await dial(pref, national, listener);
    const self: NodeRef = pref.node;
    const report = await runIntegrityCheck({
      session,
      store: stores.prefecture,
      scope: { kind: 'prefecture', code: '13' },
      checkId: 'tls-national',
      repair: false,
      self,
      peer: national.node,
    });
    // After the first test's repair the prefecture's 千代田区 equals the CS's; the national server
    // lacks 中央区's first resident.
    expect(report.differences).toEqual({
      missingAtReceiver: [chuo[0]!.residentCode],
      extraAtReceiver: [],
      differingValues: [],
    });
    expect(report.counts).toEqual({ sender: 2300, receiver: 2299 });
    await session.goaway();
  });
});

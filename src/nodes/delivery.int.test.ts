import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildEvent,
  buildIdentity,
  date,
  residentCodeOf,
} from '../domain/change/change-builders.ts';
import type { ChangeEvent } from '../domain/change/ChangeEvent.ts';
import type { Rejection } from '../domain/change/validate-change.ts';
import { SqliteIdentityStore } from '../storage/sqlite/sqlite-identity-store.ts';
import type { IdentityStore, OutboxEntry } from '../storage/ports.ts';
import { connectNetwork } from '../transport/connect.ts';
import { listenNetwork, type NetworkListener } from '../transport/network-listener.ts';
import { createTestNetwork, type TestNetwork, type TestNode } from '../transport/test-network.ts';
import { ChangeReceiver } from './change-notice-handler.ts';
import { jsonLogger, silentLogger } from './json-log.ts';
import { UpstreamSender } from './upstream-sender.ts';

const TODAY = date('2024-12-31');
const birthOf = (i: number, lgc = '131016'): ChangeEvent =>
  buildEvent(
    'birth',
    buildIdentity({
      residentCode: residentCodeOf(String(1_000_000 + i)),
      individualNumber: undefined,
      address: `東京都千代田区千代田${i}番`,
      localGovernmentCode: lgc,
    }),
    { changeDate: date('2024-06-01'), transactionId: `tx-${lgc}-${i}` },
  );

/**
 * The delivery path of one hop, in one process over real mutual TLS: a CS's outbox → its
 * prefecture server (docs/FLOW.md §3). The multi-process tests (test/e2e) run whole networks.
 */
describe('CS outbox → prefecture server, one hop', () => {
  let net: TestNetwork;
  let cs: TestNode;
  let pref: TestNode;
  let csStore: IdentityStore;
  let prefStore: IdentityStore;
  let listener: NetworkListener | undefined;
  const rejected: { entry: OutboxEntry; rejection: Rejection }[] = [];

  beforeEach(async () => {
    net = await createTestNetwork();
    cs = await net.node('cs:131016');
    pref = await net.node('prefecture:13');
    csStore = SqliteIdentityStore.open(':memory:');
    prefStore = SqliteIdentityStore.open(':memory:');
    rejected.length = 0;
  });
  afterEach(async () => {
    await listener?.close();
    listener = undefined;
    await csStore.close();
    await prefStore.close();
    await net.cleanup();
  });

  async function listen(port = 0): Promise<NetworkListener> {
    const receiver = new ChangeReceiver({ store: prefStore, today: () => TODAY, forward: true });
    listener = await listenNetwork({
      self: pref.node,
      credentials: pref.credentials,
      host: '127.0.0.1',
      port,
      alerts: await net.alertStore(),
      onSession: (session, peer) => receiver.attach(session, peer.node),
    });
    return listener;
  }

  function sender(port: number, batchSize = 16): UpstreamSender {
    return new UpstreamSender({
      store: csStore,
      upstream: pref.node,
      connect: () =>
        connectNetwork({
          self: cs.node,
          credentials: cs.credentials,
          expectedPeer: pref.node,
          host: '127.0.0.1',
          port,
        }),
      onRejected: (entry, rejection) => {
        rejected.push({ entry, rejection });
        return Promise.resolve();
      },
      delivery: { batchSize, pollMs: 20, retry: { initialMs: 10, maxMs: 100 } },
      log: silentLogger,
    });
  }

  const until = async (check: () => Promise<boolean>, ms = 10_000): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  it('R19: every queued change arrives once, in order, is forwarded in the prefecture’s outbox, and leaves the CS outbox', async () => {
    const events = Array.from({ length: 50 }, (_, i) => birthOf(i));
    for (const e of events) await csStore.applyChange(e, { today: TODAY, outbox: true });
    const { port } = (await listen()).address;
    const s = sender(port);
    s.start();
    await until(async () => (await csStore.countOutbox()) === 0);
    await s.stop();
    expect(await prefStore.countIdentities()).toBe(50);
    // Forwarded toward the national server in the order the CS sent them.
    expect((await prefStore.pendingOutbox(100)).map((e) => e.event.transactionId)).toEqual(
      events.map((e) => e.transactionId),
    );
    expect(s.status()).toMatchObject({ delivered: 50, rejected: 0 });
  });

  it('R19: a change the prefecture refuses comes back to the CS with its rule (never dropped), and leaves the outbox', async () => {
    const born = birthOf(1);
    await prefStore.applyChange(born, { today: TODAY }); // the prefecture already has this person
    const again = { ...birthOf(1), transactionId: 'tx-again' };
    await csStore.applyChange(again, { today: TODAY, outbox: true });
    const { port } = (await listen()).address;
    const s = sender(port);
    s.start();
    await until(async () => (await csStore.countOutbox()) === 0);
    await s.stop();
    expect(rejected.map((r) => [r.entry.event.transactionId, r.rejection.rule])).toEqual([
      ['tx-again', 'create.already-resident'],
    ]);
  });

  it('R19: with the prefecture down, changes wait on disk and are delivered when it comes back', async () => {
    // Learn a free port, then close the listener: the sender retries with back-off meanwhile.
    const { port } = (await listen()).address;
    await listener!.close();
    listener = undefined;
    for (let i = 0; i < 5; i++)
      await csStore.applyChange(birthOf(i), { today: TODAY, outbox: true });
    const lines: string[] = [];
    const s = new UpstreamSender({
      store: csStore,
      upstream: pref.node,
      connect: () =>
        connectNetwork({
          self: cs.node,
          credentials: cs.credentials,
          expectedPeer: pref.node,
          host: '127.0.0.1',
          port,
        }),
      onRejected: () => Promise.resolve(),
      delivery: { batchSize: 16, pollMs: 20, retry: { initialMs: 10, maxMs: 50 } },
      log: jsonLogger({ write: (l) => lines.push(l) }),
    });
    s.start();
    await until(() => Promise.resolve(s.status().failures >= 2));
    expect(await csStore.countOutbox()).toBe(5);
    // Logged as retries, with no identity data in the log lines.
    expect(lines.some((l) => l.includes('"delivery.retry"'))).toBe(true);
    expect(lines.join('')).not.toContain('千代田');
    await listen(port);
    await until(async () => (await csStore.countOutbox()) === 0);
    await s.stop();
    expect(await prefStore.countIdentities()).toBe(5);
  });

  it('R19: a CS may only report changes of its own municipality: another municipality’s change is refused `forbidden` and nothing is stored', async () => {
    await csStore.applyChange(birthOf(7, '131024'), { today: TODAY, outbox: true });
    const { port } = (await listen()).address;
    const session = await connectNetwork({
      self: cs.node,
      credentials: cs.credentials,
      expectedPeer: pref.node,
      host: '127.0.0.1',
      port,
    });
    const [entry] = await csStore.pendingOutbox(1);
    const error = await session
      .request({
        kind: 'change-notice',
        idempotencyKey: entry!.event.transactionId,
        event: entry!.event,
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'forbidden' });
    expect(await prefStore.countIdentities()).toBe(0);
    await session.goaway();
  });
});

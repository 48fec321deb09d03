import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildEvent,
  buildIdentity,
  date,
  residentCodeOf,
} from '../domain/change/change-builders.ts';
import type { ChangeEvent } from '../domain/change/ChangeEvent.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import type { Session } from '../protocol/session/session.ts';
import { SqliteIdentityStore } from '../storage/sqlite/sqlite-identity-store.ts';
import type { IdentityStore } from '../storage/ports.ts';
import { connectNetwork } from '../transport/connect.ts';
import { listenNetwork, type NetworkListener } from '../transport/network-listener.ts';
import { createTestNetwork, type TestNetwork, type TestNode } from '../transport/test-network.ts';
import { ChangeReceiver } from './change-notice-handler.ts';
import { silentLogger } from './json-log.ts';
import { UpstreamSender, type DeliverySettings } from './upstream-sender.ts';

const TODAY = date('2024-12-31');

/**
 * A resident's life as a series of changes: a 出生 and then `moves` 転居, each on a later day, so
 * that the order per resident matters (a 転居 before the 出生 would be refused `record.unknown`).
 */
function lifeOf(i: number, moves: number): ChangeEvent[] {
  const code = residentCodeOf(String(2_000_000 + i));
  const at = (n: number) =>
    buildIdentity({
      residentCode: code,
      individualNumber: undefined,
      address: `東京都千代田区千代田${i}番${n}号`,
      localGovernmentCode: '131016',
    });
  const day = (n: number) =>
    date(`2024-0${1 + Math.floor(n / 28)}-${String((n % 28) + 1).padStart(2, '0')}`);
  return [
    buildEvent('birth', at(0), { changeDate: day(0), transactionId: `tx-${i}-0` }),
    ...Array.from({ length: moves }, (_, n) =>
      buildEvent('move-within', at(n + 1), {
        changeDate: day(n + 1),
        transactionId: `tx-${i}-${n + 1}`,
      }),
    ),
  ];
}

/** Interleaves the residents' lives the way a busy counter would: round-robin over residents. */
function interleaved(residents: number, moves: number): ChangeEvent[] {
  const lives = Array.from({ length: residents }, (_, i) => lifeOf(i, moves));
  return Array.from({ length: moves + 1 }, (_, n) => lives.map((l) => l[n]!)).flat();
}

/**
 * A real store whose writes are slow (a busy disk, a loaded database): each `applyChanges` /
 * `applyChange` waits `ms` first. Everything else goes straight to the store.
 */
function slowStore(store: IdentityStore, ms: number, groups: number[]): IdentityStore {
  const wait = () => new Promise((r) => setTimeout(r, ms));
  return new Proxy(store, {
    get(target, key) {
      if (key === 'applyChanges')
        return async (events: readonly ChangeEvent[], options: never) => {
          groups.push(events.length);
          await wait();
          return target.applyChanges(events, options);
        };
      if (key === 'applyChange')
        return async (event: ChangeEvent, options: never) => {
          groups.push(1);
          await wait();
          return target.applyChange(event, options);
        };
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/**
 * Delivery under stress, one hop over real mutual TLS (docs/FLOW.md §3): a slow receiver
 * (back-pressure) and an upstream node that is down for a long time (catch-up).
 */
describe('CS outbox → prefecture server under stress', () => {
  let net: TestNetwork;
  let cs: TestNode;
  let pref: TestNode;
  let csStore: IdentityStore;
  let prefStore: IdentityStore;
  let listener: NetworkListener | undefined;
  /** Notices the prefecture has received and not yet answered, now and at most. */
  let inFlight = 0;
  let maxInFlight = 0;
  let received = 0;

  beforeEach(async () => {
    net = await createTestNetwork();
    cs = await net.node('cs:131016');
    pref = await net.node('prefecture:13');
    csStore = SqliteIdentityStore.open(':memory:');
    prefStore = SqliteIdentityStore.open(':memory:');
    inFlight = maxInFlight = received = 0;
  });
  afterEach(async () => {
    await listener?.close();
    listener = undefined;
    await csStore.close();
    await prefStore.close();
    await net.cleanup();
  });

  /** Counts, on the receiving session, the change notices between arrival and answer. */
  function counted(session: Session): Session {
    const handle = session.handle.bind(session);
    session.handle = (kind, handler) =>
      handle(
        kind,
        kind !== 'change-notice'
          ? handler
          : async (message, context) => {
              received += 1;
              inFlight += 1;
              maxInFlight = Math.max(maxInFlight, inFlight);
              try {
                return await handler(message, context);
              } finally {
                inFlight -= 1;
              }
            },
      );
    return session;
  }

  async function listen(store: IdentityStore, port = 0): Promise<NetworkListener> {
    const receiver = new ChangeReceiver({ store, today: () => TODAY, forward: true });
    listener = await listenNetwork({
      self: pref.node,
      credentials: pref.credentials,
      host: '127.0.0.1',
      port,
      alerts: await net.alertStore(),
      onSession: (session, peer) => receiver.attach(counted(session), peer.node),
    });
    return listener;
  }

  function sender(port: number, delivery: DeliverySettings): UpstreamSender {
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
      onRejected: (entry) => Promise.reject(new Error(`unexpected rejection ${entry.id}`)),
      delivery,
      log: silentLogger,
    });
  }

  const until = async (check: () => Promise<boolean>, ms = 30_000): Promise<void> => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  /** Each resident's history at the prefecture: every change once, in the CS's order. */
  async function expectExactlyOnceInOrder(events: readonly ChangeEvent[]): Promise<void> {
    const byResident = new Map<ResidentCode, string[]>();
    for (const e of events)
      byResident.set(e.residentCode, [...(byResident.get(e.residentCode) ?? []), e.transactionId]);
    for (const [code, txs] of byResident) {
      const history = await prefStore.history(code);
      expect(
        history.map((h) => h.event.transactionId),
        code,
      ).toEqual(txs);
    }
    // Forwarded toward the national server in exactly the CS's order.
    expect(
      (await prefStore.pendingOutbox(events.length + 1)).map((e) => e.event.transactionId),
    ).toEqual(events.map((e) => e.transactionId));
  }

  it('R19 back-pressure: a slow receiver never has more than batchSize notices in flight; the rest waits in the durable outbox; all arrive in order', async () => {
    const batchSize = 8;
    const events = interleaved(20, 5); // 120 changes of 20 residents
    for (const e of events) await csStore.applyChange(e, { today: TODAY, outbox: true });
    const groups: number[] = [];
    const { port } = (await listen(slowStore(prefStore, 25, groups))).address;
    const s = sender(port, { batchSize, pollMs: 20, retry: { initialMs: 10, maxMs: 100 } });
    // While the receiver is slow, what is not in flight is still on disk at the CS: the outbox
    // only shrinks by whole acknowledged rounds.
    const seen = new Set<number>();
    s.start();
    await until(async () => {
      const left = await csStore.countOutbox();
      seen.add(left);
      // Sent but not yet acknowledged (so not yet out of the outbox): one window at most.
      expect(received - (events.length - left)).toBeLessThanOrEqual(batchSize);
      return left === 0;
    });
    await s.stop();

    expect(maxInFlight).toBeLessThanOrEqual(batchSize);
    expect(maxInFlight, 'the window is used: a round is pipelined').toBeGreaterThan(1);
    expect(received).toBe(events.length);
    for (const left of seen) expect((events.length - left) % batchSize, `outbox ${left}`).toBe(0);
    expect(seen.size, 'the outbox was seen draining round by round').toBeGreaterThan(3);
    // Never more than a window at once reaches the store either.
    expect(Math.max(...groups)).toBeLessThanOrEqual(batchSize);
    expect(groups.reduce((a, b) => a + b, 0)).toBe(events.length);
    expect(await prefStore.countIdentities()).toBe(20);
    await expectExactlyOnceInOrder(events);
    expect(s.status()).toMatchObject({ delivered: events.length, rejected: 0, failures: 0 });
  });

  it('R19 down for hours: after a long series of failed retries a large backlog is delivered by the sender alone, exactly once and in order per resident', async () => {
    // Learn a free port, then close the listener: the prefecture server is down.
    const { port } = (await listen(prefStore)).address;
    await listener!.close();
    listener = undefined;
    const s = sender(port, { batchSize: 64, pollMs: 20, retry: { initialMs: 1, maxMs: 4 } });
    s.start();
    // The counter keeps working while the upstream node is away: a backlog builds on disk.
    const events = interleaved(100, 9); // 1000 changes of 100 residents
    for (const [i, e] of events.entries()) {
      await csStore.applyChange(e, { today: TODAY, outbox: true });
      if (i % 100 === 0) s.notify(); // as the register pump does after each round
    }
    // "Hours" compressed: hundreds of failed attempts, the back-off pinned at its ceiling.
    await until(() => Promise.resolve(s.status().failures >= 300), 60_000);
    expect(await csStore.countOutbox()).toBe(events.length);
    expect(s.status()).toMatchObject({ connected: false, delivered: 0 });
    expect(received).toBe(0);

    // The prefecture server returns; nobody touches the sender (no notify, no reconnect).
    await listen(prefStore, port);
    await until(async () => (await csStore.countOutbox()) === 0, 60_000);
    await s.stop();
    expect(await prefStore.countIdentities()).toBe(100);
    await expectExactlyOnceInOrder(events);
    expect(s.status()).toMatchObject({ delivered: events.length, rejected: 0 });
    // Exactly once: the receiver saw each notice once (no round was resent after it returned).
    expect(received).toBe(events.length);
  });
});

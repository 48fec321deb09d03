/**
 * The target of the network side's attack catalog (attack-catalog*.int.test.ts; docs/NETWORK.md
 * "Attack catalog"), over real TLS on 127.0.0.1: a prefecture server (prefecture:13) with a real
 * identity store behind its change-notice handler, and the hand-made attackers' helpers. Each
 * test file calls `useAttackTarget()` and gets its own target.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import netModule from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, beforeEach, expect, vi } from 'vitest';
import {
  buildEvent,
  buildIdentity,
  date,
  individualNumberOf,
  residentCodeOf,
} from '../domain/change/change-builders.ts';
import type { SecurityAlert } from '../domain/network/SecurityAlert.ts';
import { changeNotice } from '../protocol/index.ts';
import { openIdentityStore } from '../storage/open-store.ts';
import type { AlertStore, IdentityStore } from '../storage/ports.ts';
import { connectNetwork } from './connect.ts';
import { listenNetwork, type NetworkListener } from './network-listener.ts';
import { createTestNetwork, type TestNetwork, type TestNode } from './test-network.ts';

export const HANDSHAKE_MS = 800;
export const DAY = 86_400_000;

export let net: TestNetwork;
export let pref: TestNode;
export let cs: TestNode;
export let alerts: AlertStore;
export let store: IdentityStore;
let dir: string;
export let listener: NetworkListener;
/** The id of the last alert before the current test. */
let mark = 0;

/**
 * Registers the target's hooks in the calling test file: a prefecture server with a real identity
 * store that has stored one legitimate change, and the alerts mark before each test.
 */
export function useAttackTarget(): void {
  beforeAll(setUp);
  beforeEach(async () => {
    mark = (await net.alerts(alerts)).at(-1)?.id ?? 0;
  });
  afterAll(tearDown);
}

async function setUp() {
  net = await createTestNetwork();
  pref = await net.node('prefecture:13');
  cs = await net.node('cs:131016');
  alerts = await net.alertStore();
  dir = await mkdtemp(path.join(tmpdir(), 'jukinet-attacks-'));
  store = await openIdentityStore(`sqlite:${path.join(dir, 'prefecture-13.sqlite')}`);
  listener = await listenNetwork({
    self: pref.node,
    credentials: pref.credentials,
    host: '127.0.0.1',
    port: 0,
    alerts,
    limits: {
      handshakeTimeoutMs: HANDSHAKE_MS,
      connectionRate: { burst: 1000, perSecond: 1000 },
      alertIntervalMs: 1, // every attack from 127.0.0.1 recorded (flood summaries: own test)
    },
    onSession: (session) =>
      session.handle('change-notice', async (m) => {
        const outcome = await store.applyChange(m.event, { today: date('2024-06-02') });
        if (outcome.status === 'rejected')
          return {
            kind: 'change-ack',
            idempotencyKey: m.idempotencyKey,
            outcome: 'rejected',
            rejection: { rule: outcome.rejection.rule, message: outcome.rejection.message },
          };
        return {
          kind: 'change-ack',
          idempotencyKey: m.idempotencyKey,
          outcome: outcome.status,
          sequence: outcome.sequence,
        };
      }),
  });
  // The legitimate baseline: the prefecture's own CS stores one change.
  const session = await connectAs(cs);
  const ack = await session.request(changeNotice(buildEvent('move-in', buildIdentity())));
  expect(ack).toMatchObject({ outcome: 'applied' });
  await session.goaway();
  expect(await store.countIdentities()).toBe(1);
  expect(await net.alerts(alerts)).toEqual([]);
}

/** The alerts recorded since the test began. */
export const newAlerts = async () => (await net.alerts(alerts)).filter((a) => a.id > mark);

async function tearDown() {
  await listener.close();
  await store.close();
  await net.cleanup();
  await rm(dir, { recursive: true, force: true });
}

export function connectAs(node: TestNode, target = listener) {
  return connectNetwork({
    self: node.node,
    credentials: node.credentials,
    expectedPeer: pref.node,
    host: target.address.host,
    port: target.address.port,
  });
}

/** A foreign change the attacker would like stored. */
export const foreignNotice = () =>
  changeNotice(
    buildEvent(
      'move-in',
      buildIdentity({
        residentCode: residentCodeOf('1111111111'),
        individualNumber: individualNumberOf('22222222222'),
      }),
    ),
  );

/** Waits for exactly the alerts `expected` to be added, and that nothing was stored. */
export async function expectRefused(expected: Partial<Record<keyof SecurityAlert, unknown>>[]) {
  await vi.waitFor(async () => expect(await newAlerts()).toMatchObject(expected));
  expect(await store.countIdentities()).toBe(1);
}

/** Raw bytes on the protocol port; resolves with what came back and how long until close. */
export function rawAttempt(bytes?: Uint8Array): Promise<{ reply: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    let reply = '';
    const s = netModule.connect(listener.address.port, listener.address.host, () => {
      if (bytes) s.write(bytes);
    });
    s.on('data', (d: Buffer) => (reply += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => resolve({ reply, ms: Date.now() - started }));
  });
}

/** A hand-made TLS client; resolves when the connection is over. */
export function tlsAttempt(options: tls.ConnectionOptions): Promise<{ error: string | undefined }> {
  return new Promise((resolve) => {
    let error: string | undefined;
    const s = tls.connect({
      host: listener.address.host,
      port: listener.address.port,
      checkServerIdentity: () => undefined,
      ...options,
    });
    s.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
    s.resume(); // read (and drop) what comes, so that the end of the connection is seen
    s.on('close', () => resolve({ error }));
  });
}

export const csTls = () => ({
  cert: cs.credentials.certPem,
  key: cs.credentials.keyPem,
  ca: cs.credentials.caPem,
});

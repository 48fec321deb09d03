/**
 * Revocation, the emergency cut-off and rate limits on the network side (R11), over real TLS on
 * 127.0.0.1: each refusal is recorded with its reason, and the handler behind the firewall never
 * runs for a refused request.
 */
import netModule from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildEvent, buildIdentity } from '../domain/change/change-builders.ts';
import { createTestPki } from '../pki/index.ts';
import { changeNotice, type Session } from '../protocol/index.ts';
import type { AlertStore } from '../storage/ports.ts';
import { connectNetwork } from './connect.ts';
import {
  listenNetwork,
  type ListenNetworkOptions,
  type NetworkListener,
} from './network-listener.ts';
import { createTestNetwork, type TestNetwork, type TestNode } from './test-network.ts';

let net: TestNetwork;
let pref: TestNode;
let cs: TestNode;
let alerts: AlertStore;
let handled: number;
const listeners: NetworkListener[] = [];

beforeEach(async () => {
  net = await createTestNetwork();
  pref = await net.node('prefecture:13');
  cs = await net.node('cs:131016');
  alerts = await net.alertStore();
  handled = 0;
});

afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.close()));
  await net.cleanup();
});

async function listen(limits: ListenNetworkOptions['limits'] = {}): Promise<NetworkListener> {
  const l = await listenNetwork({
    self: pref.node,
    credentials: pref.credentials,
    host: '127.0.0.1',
    port: 0,
    alerts,
    limits: { alertIntervalMs: 1, ...limits },
    onSession: (session) =>
      session.handle('change-notice', (m) => {
        handled++;
        return {
          kind: 'change-ack',
          idempotencyKey: m.idempotencyKey,
          outcome: 'applied',
          sequence: handled,
        };
      }),
  });
  listeners.push(l);
  return l;
}

const connect = (node: TestNode, l: NetworkListener) =>
  connectNetwork({
    self: node.node,
    credentials: node.credentials,
    expectedPeer: pref.node,
    host: l.address.host,
    port: l.address.port,
  });

const notice = () => changeNotice(buildEvent('move-within', buildIdentity()));

async function expectAlerts(expected: Record<string, unknown>[]) {
  await vi.waitFor(async () => expect(await net.alerts(alerts)).toMatchObject(expected));
}

describe('revocation (R11)', () => {
  it('R11: a new CRL cuts the open session of the revoked node within seconds; others go on', async () => {
    const l = await listen();
    const victim = await net.node('cs:131041');
    const session = await connect(victim, l);
    const bystander = await connect(cs, l);
    await net.pki.revoke(victim.cert.serial, 'keyCompromise');

    const started = Date.now();
    expect(await l.reloadCrl(net.pki.crlPem())).toBe(1);
    const reason = await session.closed;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(reason).toBeDefined(); // not a graceful end
    await expect(session.request(notice())).rejects.toMatchObject({ code: 'closed' });

    expect(await bystander.request(notice())).toMatchObject({ outcome: 'applied' });
    expect(l.sessions().map((s) => s.peer.name)).toEqual(['cs:131016']);

    // And it cannot come back.
    await expect(connect(victim, l)).rejects.toMatchObject({ reason: 'network.refused-by-peer' });
    await expectAlerts([
      {
        kind: 'certificate-revoked',
        peerName: 'cs:131041',
        detail: `an open session was cut: certificate ${victim.cert.serial} is revoked by the new CRL`,
      },
      { kind: 'certificate-revoked', detail: expect.stringContaining('CERT_REVOKED') as unknown },
    ]);
    await bystander.goaway();
  });

  it('R11: a CRL not signed by the network CA is refused and changes nothing', async () => {
    const l = await listen();
    const session = await connect(cs, l);
    const other = await createTestPki();
    await expect(l.reloadCrl(other.crlPem())).rejects.toMatchObject({
      code: 'invalid',
      reason: 'network.crl.bad-signature',
    });
    expect(await session.request(notice())).toMatchObject({ outcome: 'applied' });
    await session.goaway();
  });
});

describe('emergency cut-off (R11)', () => {
  it('R11: disconnect cuts the node at once, refuses it until readmitted, and records it', async () => {
    const l = await listen();
    const session = await connect(cs, l);
    expect(l.disconnect('cs:131016', 'IDS: signs of intrusion')).toBe(1);
    await session.closed;
    expect(l.sessions()).toEqual([]);

    await expect(connect(cs, l)).rejects.toMatchObject({ reason: 'network.refused-by-peer' });
    expect(l.readmit('cs:131016')).toBe(true);
    const back = await connect(cs, l);
    expect(await back.request(notice())).toMatchObject({ outcome: 'applied' });
    await back.goaway();

    await expectAlerts([
      {
        kind: 'node-isolated',
        peerName: 'cs:131016',
        detail:
          'IDS: signs of intrusion: 1 open session(s) cut; new connections refused until readmitted',
      },
      {
        kind: 'node-isolated',
        peerName: 'cs:131016',
        detail: 'a connection from cs:131016, which an operator cut off, was refused',
      },
    ]);
    expect(handled).toBe(1);
  });
});

describe('rate limits (R11)', () => {
  it('R11: requests over the node’s rate are answered rate-limited and never reach the handler', async () => {
    const l = await listen({ requestRate: { burst: 3, perSecond: 0.01 } });
    const session = await connect(cs, l);
    for (let i = 0; i < 3; i++) await session.request(notice());
    await expect(session.request(notice())).rejects.toMatchObject({
      code: 'rate-limited',
      reason: 'network.request-rate',
    });
    expect(handled).toBe(3);
    await session.goaway();
    await expectAlerts([
      {
        kind: 'rate-limited',
        peerName: 'cs:131016',
        detail:
          'requests over 0.01/s (burst 3) across all sessions of this node: change-notice refused',
      },
    ]);
  });

  it('R11: all sessions of one node share its request budget (more sessions buy no more requests); another node has its own', async () => {
    const l = await listen({ requestRate: { burst: 3, perSecond: 0.01 } });
    const first = await connect(cs, l);
    const second = await connect(cs, l);
    const other = await connect(await net.node('cs:131041'), l);
    for (let i = 0; i < 3; i++) await first.request(notice());
    // The second session of cs:131016 finds the node's budget spent by the first: refused.
    await expect(second.request(notice())).rejects.toMatchObject({
      code: 'rate-limited',
      reason: 'network.request-rate',
    });
    // Another node is not affected by cs:131016's requests.
    for (let i = 0; i < 3; i++)
      expect(await other.request(notice())).toMatchObject({ outcome: 'applied' });
    // Closing every session and coming back does not refill the budget either.
    await Promise.all([first.goaway(), second.goaway()]);
    await vi.waitFor(() => expect(l.sessions()).toHaveLength(1));
    const again = await connect(cs, l);
    await expect(again.request(notice())).rejects.toMatchObject({ code: 'rate-limited' });
    expect(handled).toBe(6);
    await Promise.all([again.goaway(), other.goaway()]);
    await expectAlerts([
      {
        kind: 'rate-limited',
        peerName: 'cs:131016',
        detail:
          'requests over 0.01/s (burst 3) across all sessions of this node: change-notice refused',
      },
      { kind: 'rate-limited', peerName: 'cs:131016' },
    ]);
  });

  it('R11: a node holding maxSessionsPerPeer sessions is refused one more, with an alert naming the node and its address; other nodes are not', async () => {
    const l = await listen({ maxSessionsPerPeer: 2 });
    const a = await connect(cs, l);
    const b = await connect(cs, l);
    // A third session of cs:131016 is cut right after the handshake: it never gets to hello.
    await expect(connect(cs, l)).rejects.toMatchObject({ reason: 'network.refused-by-peer' });
    const other = await connect(await net.node('cs:131041'), l);
    expect(await other.request(notice())).toMatchObject({ outcome: 'applied' });
    expect(
      l
        .sessions()
        .map((s) => s.peer.name)
        .sort(),
    ).toEqual(['cs:131016', 'cs:131016', 'cs:131041']);
    await expectAlerts([
      {
        kind: 'rate-limited',
        peerName: 'cs:131016',
        peerAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/) as unknown,
        detail: expect.stringMatching(
          /^cs:131016 already holds 2 sessions with this node \(the most per node\): one more from 127\.0\.0\.1:\d+ refused$/,
        ) as unknown,
      },
    ]);
    // One closed: the node may open another.
    await a.goaway();
    await vi.waitFor(() => expect(l.sessions()).toHaveLength(2));
    const c = await connect(cs, l);
    expect(await c.request(notice())).toMatchObject({ outcome: 'applied' });
    await Promise.all([b.goaway(), c.goaway(), other.goaway()]);
  });

  it('R11: connections over the per-address rate are refused at once', async () => {
    const l = await listen({ connectionRate: { burst: 2, perSecond: 0.01 } });
    const a = await connect(cs, l);
    const b = await connect(cs, l);
    await expect(connect(cs, l)).rejects.toMatchObject({ code: 'unavailable' });
    await expectAlerts([
      {
        kind: 'rate-limited',
        peerAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/) as unknown,
        detail: expect.stringContaining('new connections per second') as unknown,
      },
    ]);
    await Promise.all([a.goaway(), b.goaway()]);
  });

  it('R11: a flood of the same alert from one address is stored once, then summarised', async () => {
    const l = await listen({
      alertIntervalMs: 400,
      connectionRate: { burst: 100, perSecond: 100 },
    });
    const garbage = () =>
      new Promise<void>((resolve) => {
        const s = netModule.connect(l.address.port, l.address.host, () => s.write('junk\r\n'));
        s.on('error', () => undefined);
        s.on('close', () => resolve());
      });
    for (let i = 0; i < 5; i++) await garbage();
    await l.flushAlerts();
    expect(await net.alerts(alerts)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 450));
    await garbage();
    await expectAlerts([
      { kind: 'not-our-protocol', detail: 'not a TLS handshake: junk\\x0d\\x0a' },
      {
        kind: 'not-our-protocol',
        detail: 'not a TLS handshake: junk\\x0d\\x0a (+4 similar suppressed)',
      },
    ]);
  });
});

describe('shutdown', () => {
  it('R10: closing the listener ends sessions with goaway (the protocol’s graceful end), not a failure', async () => {
    const l = await listen();
    const session: Session = await connect(cs, l);
    await l.close();
    expect(await session.closed).toBeUndefined();
  });
});

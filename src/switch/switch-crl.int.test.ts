/**
 * The switch takes a new CRL on both of its sides (R2, R11): the CS it listens to, and its own
 * sessions to target CS. A revoked target is cut at once and not dialled again; a CRL the switch
 * refuses changes neither side. Over real TLS on 127.0.0.1.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestPki } from '../pki/index.ts';
import type { Session } from '../protocol/index.ts';
import type { AlertStore } from '../storage/ports.ts';
import { connectNetwork } from '../transport/connect.ts';
import { listenNetwork, type NetworkListener } from '../transport/network-listener.ts';
import { createTestNetwork, type TestNetwork, type TestNode } from '../transport/test-network.ts';
import { openRoute } from './route-client.ts';
import { acceptRoutes } from './route-endpoint.ts';
import { startSwitch, type SwitchNode } from './switch-node.ts';

let net: TestNetwork;
let a: TestNode; // the caller
let b: TestNode; // the target, revoked in the test
let sw: TestNode;
let swAlerts: AlertStore;
let bListener: NetworkListener;
let theSwitch: SwitchNode;
const open: Session[] = [];

beforeEach(async () => {
  net = await createTestNetwork();
  [a, b, sw] = await Promise.all([
    net.node('cs:131016'),
    net.node('cs:011011'),
    net.node('switch:east-1'),
  ]);
  swAlerts = await net.alertStore();
  const bAlerts = await net.alertStore();
  // The target does NOT reload the CRL here: only the switch can stop routing to it.
  const l: NetworkListener = await listenNetwork({
    self: b.node,
    credentials: b.credentials,
    host: '127.0.0.1',
    port: 0,
    alerts: bAlerts,
    onSession: (session, peer) => {
      if (peer.node.role !== 'switch') return;
      acceptRoutes(session, peer, {
        self: b.node,
        credentials: () => b.credentials,
        alerts: { record: (alert) => l.recordAlert(alert) },
        track: (entry) => l.track(entry),
        onInnerSession: () => undefined,
      });
    },
  });
  bListener = l;
  theSwitch = await startSwitch({
    self: sw.node,
    credentials: sw.credentials,
    host: '127.0.0.1',
    port: 0,
    alerts: swAlerts,
    limits: { alertIntervalMs: 1 },
    directory: (t) => (t.code === b.node.code ? bListener.address : undefined),
    records: () => undefined,
  });
});

afterEach(async () => {
  for (const s of open.splice(0)) s.close();
  await Promise.all([theSwitch.close(), bListener.close()]);
  await net.cleanup();
});

async function routeToB(): Promise<Session> {
  const outer = await connectNetwork({
    self: a.node,
    credentials: a.credentials,
    expectedPeer: sw.node,
    host: theSwitch.address.host,
    port: theSwitch.address.port,
  });
  open.push(outer);
  const inner = await openRoute({
    outer,
    self: a.node,
    credentials: a.credentials,
    target: b.node,
  });
  open.push(inner);
  return inner;
}

describe('the switch reloads its CRL (R2, R11)', () => {
  it('R11: revoking the target CS cuts the switch’s own session to it at once, and no new route reaches it', async () => {
    const first = await routeToB();
    expect(first.transport.peer.name).toBe('cs:011011');

    await net.pki.revoke(b.cert.serial, 'keyCompromise');
    const started = Date.now();
    // No CS session of the switch is revoked; its one session to the target is.
    expect(await theSwitch.reloadCrl(net.pki.crlPem())).toBe(1);
    await first.closed; // the route in flight broke off with the cut
    expect(Date.now() - started).toBeLessThan(2_000);

    // The next route: the switch dials again with the new CRL, which refuses the target.
    await expect(routeToB()).rejects.toMatchObject({
      code: 'unavailable',
      reason: 'switch.target-unreachable',
    });
    await vi.waitFor(async () =>
      expect(await net.alerts(swAlerts)).toContainEqual(
        expect.objectContaining({
          kind: 'certificate-revoked',
          peerName: 'cs:011011',
          detail: `the switch's own session to cs:011011 was cut: certificate ${b.cert.serial} is revoked by the new CRL`,
        }),
      ),
    );
  });

  it('R11: a CRL not signed by the network CA is refused and the switch keeps routing with its CRL', async () => {
    await routeToB();
    const other = await createTestPki();
    await expect(theSwitch.reloadCrl(other.crlPem())).rejects.toMatchObject({
      code: 'invalid',
      reason: 'network.crl.bad-signature',
    });
    const again = await routeToB();
    expect(again.transport.peer.name).toBe('cs:011011');
    await vi.waitFor(async () =>
      expect((await net.alerts(swAlerts)).map((x) => x.kind)).toContain('crl-refused'),
    );
  });
});

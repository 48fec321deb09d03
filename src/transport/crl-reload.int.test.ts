/**
 * Which CRL a node takes (R11): only one signed by the network CA, and never one older than the
 * CRL it has loaded — a genuine but older CRL (lower CRL number) would un-revoke every
 * certificate revoked since. Over real TLS on 127.0.0.1.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkCrlUpdate, compareCrlAge, createTestPki, readCrl } from '../pki/index.ts';
import type { AlertStore } from '../storage/ports.ts';
import { connectNetwork } from './connect.ts';
import { listenNetwork, type NetworkListener } from './network-listener.ts';
import { createTestNetwork, type TestNetwork, type TestNode } from './test-network.ts';

let net: TestNetwork;
let pref: TestNode;
let alerts: AlertStore;
const listeners: NetworkListener[] = [];

beforeEach(async () => {
  net = await createTestNetwork();
  pref = await net.node('prefecture:13');
  alerts = await net.alertStore();
});

afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.close()));
  await net.cleanup();
});

async function listen(): Promise<NetworkListener> {
  const l = await listenNetwork({
    self: pref.node,
    credentials: pref.credentials,
    host: '127.0.0.1',
    port: 0,
    alerts,
    limits: { alertIntervalMs: 1 },
    onSession: () => undefined,
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

describe('checkCrlUpdate (R11)', () => {
  it('R11: a newer CRL of the CA is taken; an older one is refused as a rollback; the same one is no rollback', async () => {
    const old = net.pki.crlPem();
    await net.pki.ca.refreshCrl();
    const fresh = net.pki.crlPem();
    const current = { caPem: net.pki.caPem, crlPem: old };
    expect((await checkCrlUpdate(fresh, current)).crlNumber).toBe(readCrl(old).crlNumber! + 1);
    expect(compareCrlAge(readCrl(old), readCrl(fresh))).toBeLessThan(0);
    await expect(
      checkCrlUpdate(old, { caPem: net.pki.caPem, crlPem: fresh }),
    ).rejects.toMatchObject({ code: 'invalid', reason: 'network.crl.rollback' });
    await expect(checkCrlUpdate(fresh, { ...current, crlPem: fresh })).resolves.toBeDefined();
  });

  it('R11: a CRL of another CA, and bytes that are no CRL, are refused', async () => {
    const other = await createTestPki();
    const current = { caPem: net.pki.caPem, crlPem: net.pki.crlPem() };
    await expect(checkCrlUpdate(other.crlPem(), current)).rejects.toMatchObject({
      reason: 'network.crl.bad-signature',
    });
    await expect(checkCrlUpdate('not a CRL', current)).rejects.toMatchObject({
      reason: 'network.crl.unreadable',
    });
  });
});

describe('listener reloadCrl refuses a rollback (R11)', () => {
  it('R11: an older, genuinely signed CRL is refused (crl-refused) and the revoked node stays refused', async () => {
    const l = await listen();
    const victim = await net.node('cs:131041');
    const beforeRevocation = net.pki.crlPem(); // genuine, signed by the CA, lists nothing
    const session = await connect(victim, l);
    await net.pki.revoke(victim.cert.serial, 'keyCompromise');
    expect(await l.reloadCrl(net.pki.crlPem())).toBe(1);
    await session.closed;

    // Someone puts the old CRL back: refused, with a typed error and an alert …
    await expect(l.reloadCrl(beforeRevocation)).rejects.toMatchObject({
      code: 'invalid',
      reason: 'network.crl.rollback',
    });
    await vi.waitFor(async () =>
      expect((await net.alerts(alerts)).map((a) => a.kind)).toContain('crl-refused'),
    );
    const refused = (await net.alerts(alerts)).find((a) => a.kind === 'crl-refused');
    expect(refused?.detail).toMatch(/older than the one loaded/);
    // … and the revocation still holds: the victim cannot come back.
    await expect(connect(victim, l)).rejects.toMatchObject({ reason: 'network.refused-by-peer' });
  });
});

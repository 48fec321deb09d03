/**
 * The revocation list of a RUNNING node (R11, the emergency cut-off; docs/PKI.md "How the CRL
 * reaches a node"): `juki network init` lays out the PKI directory and the node bundles inside it,
 * a prefecture server runs from its config (the same runtime as `juki node start`), and:
 *
 * - revoking a CS with the PKI directory (what `juki pki revoke` does) rewrites the bundle's
 *   crl.pem; the running node picks it up, cuts that CS's open session within seconds and
 *   refuses its reconnection, while another CS goes on;
 * - a forged crl.pem (another CA's) is refused: nothing changes, `crl-refused` is raised, and a
 *   genuine CRL written afterwards is still taken;
 * - a CRL near its nextUpdate shows in the health view and raises `crl-expiring`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTestPki, parseNodeName, PkiDirectory } from '../pki/index.ts';
import { bundleCrlPath } from '../pki/pki-directory.ts';
import type { Session } from '../protocol/index.ts';
import { openAlertStore } from '../storage/open-store.ts';
import type { AlertStore } from '../storage/ports.ts';
import { connectNetwork } from '../transport/connect.ts';
import { jsonLogger } from './json-log.ts';
import { initNetwork } from './network-init.ts';
import { loadNodeConfig, type NodeConfig } from './node-config.ts';
import { startNode, type RunningNode } from './node-runtime.ts';
import { reserveBasePort } from './port-range.ts';

const PREF = 'prefecture:13';
let dir: string;
let pki: PkiDirectory;
let config: NodeConfig;
let node: RunningNode;
let alerts: AlertStore;
const logLines: string[] = [];
const sessions: Session[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jukinet-crl-'));
  const basePort = reserveBasePort();
  const manifest = await initNetwork({
    prefectures: ['13'],
    municipalities: ['131016', '131024'],
    dir,
    host: '127.0.0.1',
    basePort,
    overrides: {
      delivery: { pollMs: 50, retryInitialMs: 50, retryMaxMs: 500, batchSize: 64 },
      schedule: { integrityMinutes: 0, retentionMinutes: 0 },
      log: { level: 'info' },
    },
  });
  pki = await PkiDirectory.open(join(dir, 'pki'));
  config = await loadNodeConfig(manifest.nodes.find((n) => n.node === PREF)!.config);
  logLines.length = 0;
  node = await startNode(
    config,
    jsonLogger({ write: (l) => void logLines.push(l), minLevel: 'info' }),
  );
  alerts = await openAlertStore(config.store);
});

afterEach(async () => {
  for (const s of sessions.splice(0)) s.close();
  await node.close();
  await alerts.close();
  await rm(dir, { recursive: true, force: true, maxRetries: 5 });
});

/** A CS dialling the running prefecture server with the certificate in its own bundle. */
async function dial(cs: string): Promise<Session> {
  const session = await connectNetwork({
    self: parseNodeName(cs),
    credentials: await pki.nodeCredentials(parseNodeName(cs)),
    expectedPeer: parseNodeName(PREF),
    host: node.network!.host,
    port: node.network!.port,
  });
  sessions.push(session);
  return session;
}

const kinds = async () => (await alerts.listAlerts({ limit: 100 })).map((a) => a.kind);

describe('a running node takes the CRL from its bundle (R11)', () => {
  it('R11: juki pki revoke → the running prefecture server cuts the CS within seconds and refuses it; another CS goes on', async () => {
    const victim = await dial('cs:131016');
    const bystander = await dial('cs:131024');
    const before = (await node.health()).crl!;
    expect(before).toMatchObject({ state: 'ok' });
    expect(before.hoursLeft).toBeGreaterThan(6);

    const started = Date.now();
    const { crlNumber } = await pki.revokeNode(parseNodeName('cs:131016'), {
      reason: 'keyCompromise',
    });
    await victim.closed; // cut by the node, nobody else closes it
    const tookMs = Date.now() - started;
    expect(tookMs).toBeLessThan(5_000);

    // It cannot come back, and the health view shows the CRL in force.
    await expect(dial('cs:131016')).rejects.toMatchObject({ reason: 'network.refused-by-peer' });
    expect(bystander.state).toBe('ready');
    expect((await node.health()).crl).toMatchObject({ number: crlNumber, state: 'ok' });
    await vi.waitFor(async () => expect(await kinds()).toContain('certificate-revoked'));
    expect(
      logLines.some((l) => l.includes('"crl.reloaded"') && l.includes('"sessionsCut":1')),
    ).toBe(true);
  });

  it('R11: a forged crl.pem is refused and changes nothing; a genuine CRL written later is taken', async () => {
    const cs = await dial('cs:131016');
    const number = (await node.health()).crl!.number!;
    const forger = await createTestPki();
    await writeFile(bundleCrlPath(config.bundleDir), forger.crlPem());
    await vi.waitFor(async () => expect(await kinds()).toContain('crl-refused'), {
      timeout: 5_000,
    });
    // Outgoing dials and the listener keep the CA's CRL: the CS is still served and can dial.
    expect((await node.health()).crl!.number).toBe(number);
    expect(cs.state).toBe('ready');
    await (await dial('cs:131024')).goaway();

    // The next genuine CRL (from the PKI directory) is read and taken despite the bad one before.
    const { crlNumber } = await pki.revokeNode(parseNodeName('cs:131016'));
    await cs.closed;
    await vi.waitFor(async () => expect((await node.health()).crl!.number).toBe(crlNumber), {
      timeout: 5_000,
    });
  });

  it('R11: a CRL under 6 h from its nextUpdate shows in health (degraded) and raises crl-expiring', async () => {
    const { crlNumber } = await pki.refreshCrl({ validityHours: 1 });
    await vi.waitFor(async () => expect((await node.health()).crl!.number).toBe(crlNumber), {
      timeout: 5_000,
    });
    const h = await node.health();
    expect(h.crl).toMatchObject({ state: 'expiring' });
    expect(h.crl!.hoursLeft).toBeLessThanOrEqual(1);
    expect(h.status).toBe('degraded');
    await vi.waitFor(async () => expect(await kinds()).toContain('crl-expiring'));
  });
});

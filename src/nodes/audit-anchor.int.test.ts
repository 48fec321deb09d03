import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessLog, sealKeyFromBundle, sha256, verifyAccessLog } from '../audit/index.ts';
import { rawSqlite, sampleEntry } from '../audit/test-log.ts';
import { runAudit } from '../cli/commands/audit.ts';
import type { CommandIO } from '../cli/io.ts';
import { readNodeBundle } from '../pki/pki-directory.ts';
import { openAuditAnchorStore } from '../storage/audit-anchor-store.ts';
import { openAccessLogStore, openAlertStore } from '../storage/open-store.ts';
import { jsonLogger } from './json-log.ts';
import { initNetwork, type NetworkManifest } from './network-init.ts';
import { loadNodeConfig, type NodeConfig } from './node-config.ts';
import { startNode, type RunningNode } from './node-runtime.ts';
import { reserveBasePort } from './port-range.ts';

/**
 * Anchoring (R23) across real nodes over mutual TLS on loopback: a CS's seals reach its
 * prefecture server, also when the prefecture server was down when they were made; an insider
 * who rewrites the CS's log and seals it again with the CS's own key passes plain verify but not
 * verify with the prefecture's anchors, and a re-sent rewritten seal raises an alert there.
 */
const CS = 'cs:131016';
const TOKYO = 'prefecture:13';
const log = jsonLogger({ write: () => undefined, minLevel: 'error' });

const until = async (what: string, check: () => Promise<boolean>, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const capture = () => {
  const lines: string[] = [];
  const io: CommandIO = {
    out: (t) => void lines.push(t),
    err: (t) => void lines.push(t),
    interactive: false,
  };
  return { io, text: () => lines.join('\n') };
};

describe('access-log seals anchored at the upstream node (R23)', () => {
  let dir: string;
  let manifest: NetworkManifest;
  const running = new Map<string, RunningNode>();
  const configs = new Map<string, NodeConfig>();
  const cfg = (name: string) => configs.get(name)!;
  const start = async (name: string) => running.set(name, await startNode(cfg(name), log));
  const stop = async (name: string) => {
    await running.get(name)?.close();
    running.delete(name);
  };
  const anchoredAtTokyo = async () => {
    const store = await openAuditAnchorStore(cfg(TOKYO).store);
    try {
      return await store.lastAnchoredSeal(CS);
    } finally {
      await store.close();
    }
  };
  /** What `juki audit seal` does against a running node's store, after `n` more records. */
  const appendAndSeal = async (n: number) => {
    const store = await openAccessLogStore(cfg(CS).store);
    const access = new AccessLog(store, { key: await sealKeyFromBundle(cfg(CS).bundleDir) });
    for (let i = 1; i <= n; i++) await access.append(sampleEntry(i, { node: CS }));
    const seal = await access.seal();
    await store.close();
    return seal!;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-anchor-'));
    manifest = await initNetwork({
      prefectures: ['13'],
      municipalities: ['131016'],
      agencies: [],
      dir,
      host: '127.0.0.1',
      basePort: reserveBasePort(),
      overrides: {
        delivery: { pollMs: 50 },
        schedule: {
          integrityMinutes: 0,
          retentionMinutes: 0,
          reportPollSeconds: 0,
          rejectionPollSeconds: 0,
          disclosureSyncMinutes: 0,
          analysisMinutes: 0,
          anchorSeconds: 0.2,
        },
        log: { level: 'error' },
      },
    });
    for (const n of manifest.nodes) configs.set(n.node, await loadNodeConfig(n.config));
    await start('national:jlis');
  }, 60_000);

  afterAll(async () => {
    for (const name of [CS, TOKYO, 'national:jlis']) await stop(name);
    await rm(dir, { recursive: true, force: true });
  });

  it('R23: a CS that sealed while its prefecture server was down anchors when it is back; its seal at stop too', async () => {
    await start(CS); // its prefecture server is not running
    const first = await appendAndSeal(5);
    expect(first.seq).toBe(1);
    await new Promise((r) => setTimeout(r, 600)); // a few failed attempts
    expect(await anchoredAtTokyo()).toBe(0);
    await start(TOKYO);
    await until('seal 1 anchored at the prefecture', async () => (await anchoredAtTokyo()) >= 1);

    // records after the last seal: the CS seals them when it stops, and anchors that seal
    const store = await openAccessLogStore(cfg(CS).store);
    await store.append([sampleEntry(6, { node: CS })], sha256);
    await store.close();
    await stop(CS);
    expect(await anchoredAtTokyo()).toBe(2);
  }, 60_000);

  it('R23: a log rewritten and sealed again with the CS’s own key passes plain verify, not verify with the anchors', async () => {
    const csStore = cfg(CS).store;
    const file = csStore.replace(/^sqlite:/, '');
    const key = await sealKeyFromBundle(cfg(CS).bundleDir);
    // the insider: drops the triggers, empties the log, writes it again with record 3 changed,
    // seals it with the node's key (and forgets what was anchored, as a restored copy would)
    const raw = rawSqlite(file);
    await raw.dropTriggers();
    const before = await openAccessLogStore(csStore);
    const records = await before.page(0, 100);
    await raw.run('DELETE FROM access_log_seal');
    await raw.run('DELETE FROM access_log');
    await raw.run('DELETE FROM audit_anchor_cursor');
    await raw.close();
    const again = new AccessLog(before, { key });
    for (const r of records) {
      const { seq: _s, prevHash: _p, hash: _h, ...entry } = r;
      await again.append(r.seq === 3 ? { ...entry, target: 'resident-999' } : entry);
      if (r.seq === 5) await again.seal();
    }
    await again.seal();
    await before.close();

    const cert = (await readNodeBundle(cfg(CS).bundleDir)).certPem;
    const plainStore = await openAccessLogStore(csStore);
    expect(await verifyAccessLog(plainStore, cert)).toMatchObject({ ok: true, seals: 2 });
    await plainStore.close();

    // the prefecture's export, and verify with it
    const exported = capture();
    expect(
      await runAudit(['anchors', '--store', cfg(TOKYO).store, '--node', CS, '--json'], exported.io),
    ).toBe(0);
    const anchorsFile = join(dir, 'anchors.json');
    await writeFile(anchorsFile, exported.text());
    const plain = capture();
    expect(
      await runAudit(['verify', '--store', csStore, '--bundle', cfg(CS).bundleDir], plain.io),
    ).toBe(0);
    const checked = capture();
    expect(
      await runAudit(
        [
          'verify',
          '--store',
          csStore,
          '--bundle',
          cfg(CS).bundleDir,
          '--anchors',
          anchorsFile,
          '--json',
        ],
        checked.io,
      ),
    ).toBe(1);
    expect(JSON.parse(checked.text())).toMatchObject({
      ok: false,
      problem: { kind: 'anchor-mismatch', sealSeq: 1 },
    });

    // the CS, restarted, sends its rewritten seals: the prefecture refuses them and raises an alert
    await start(CS);
    const alerts = await openAlertStore(cfg(TOKYO).store);
    try {
      await until('an audit-anchor-conflict alert', async () =>
        (await alerts.listAlerts({ limit: 20 })).some((a) => a.kind === 'audit-anchor-conflict'),
      );
      const alert = (await alerts.listAlerts({ limit: 20 })).find(
        (a) => a.kind === 'audit-anchor-conflict',
      )!;
      expect(alert).toMatchObject({ observer: TOKYO, peerName: CS });
      expect(alert.detail).toMatch(/^seal 1 of cs:131016: anchored upto=5 /);
    } finally {
      await alerts.close();
    }
    expect(await anchoredAtTokyo()).toBe(2); // nothing of the rewrite was kept
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT seal_seq FROM audit_anchor_cursor').all()).toEqual([]);
    db.close();
  }, 60_000);
});

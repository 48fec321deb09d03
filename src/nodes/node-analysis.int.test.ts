import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessLog } from '../audit/access-log.ts';
import type { NodeRef } from '../domain/network/NodeRef.ts';
import { openAccessLogStore, openAlertStore } from '../storage/open-store.ts';
import type { AlertStore } from '../storage/ports.ts';
import { jsonLogger } from './json-log.ts';
import { startNodeAnalysis } from './node-analysis.ts';
import { parseNodeConfig, type NodeConfig } from './node-config.ts';
import { terminalRoutes } from './node-terminal.ts';
import type { RunningNode } from './node-runtime.ts';

let root: string;
let store: string;
let alerts: AlertStore;
const lines: string[] = [];
const log = jsonLogger({ write: (l) => lines.push(l) });

/** 11 look-ups of one resident code by one operator on Tuesday 2026-11-24, 10:00–10:10 JST. */
async function elevenLookUps(url: string): Promise<void> {
  const s = await openAccessLogStore(url);
  await new AccessLog(s).append(
    Array.from({ length: 11 }, (_, i) => ({
      at: new Date(Date.parse('2026-11-24T01:00:00.000Z') + i * 60_000).toISOString(),
      node: 'prefecture:13',
      operator: 'clerk-1',
      operation: 'provision.query',
      target: '12345678901',
      result: 'ok' as const,
    })),
  );
  await s.close();
}

/** A prefecture server's config file as JSON, with its `analysis` section. */
const prefectureConfig = (url: string, analysis: unknown): NodeConfig =>
  parseNodeConfig(
    {
      node: { role: 'prefecture', code: '13' },
      store: url,
      tls: { bundle: 'pki/prefecture-13' },
      listen: { host: '127.0.0.1', port: 0 },
      upstream: { node: { role: 'national', code: 'jlis' }, host: '127.0.0.1', port: 1 },
      pseudonymSecret: 'secrets/p13',
      schedule: { analysisMinutes: 0 },
      analysis,
    },
    root,
  );

// What startNodeAnalysis reads of a node's config.
const configOf = (node: NodeRef, analysisMinutes = 0): NodeConfig =>
  ({ node, store, schedule: { analysisMinutes } }) as unknown as NodeConfig;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'jukinet-node-analysis-'));
  store = `sqlite:${join(root, 'node.sqlite')}`;
  alerts = await openAlertStore(store);
  await elevenLookUps(store);
});
afterAll(async () => {
  await alerts.close();
  await rm(root, { recursive: true, force: true });
});

describe('the node analysis (R16)', () => {
  it('a prefecture server analyses on demand through POST /audit/analyse, one finding once', async () => {
    const self: NodeRef = { role: 'prefecture', code: '13' };
    const analysis = await startNodeAnalysis({
      config: configOf(self),
      storeOptions: {},
      log,
    });
    expect(analysis).toBeDefined();
    try {
      const route = terminalRoutes({
        self,
        node: {} as RunningNode,
        provision: undefined,
        upstream: undefined,
        analysis,
      }).find((r) => r.method === 'POST' && r.path === '/audit/analyse')!;
      const [first, second] = await Promise.all([route.run({}), route.run({})]);
      expect(first).toMatchObject({ records: 11, findings: 1 });
      expect(
        (first as { newFindings: { detail: string }[] }).newFindings.map((f) => f.detail),
      ).toEqual([
        'repeat.same-person operator=clerk-1 target=12345678901 count=11 threshold=10 window=2026-11-23T15:00:00.000Z/2026-11-24T15:00:00.000Z',
      ]);
      // The second request waited for the first and found nothing new.
      expect(second).toMatchObject({ findings: 1, newFindings: [] });
      const listed = await alerts.listAlerts({ limit: 10 });
      expect(listed.map((a) => [a.kind, a.observer])).toEqual([['audit-finding', 'prefecture:13']]);
      expect(lines.some((l) => l.includes('"event":"audit.finding"'))).toBe(true);
    } finally {
      await analysis!.close();
    }
  });

  it('the node config `analysis` sets the thresholds and office hours of its runs', async () => {
    // The same 11 look-ups in three stores, analysed under three configs.
    const run = async (name: string, analysis: unknown) => {
      const url = `sqlite:${join(root, `${name}.sqlite`)}`;
      await elevenLookUps(url);
      const node = await startNodeAnalysis({
        config: prefectureConfig(url, analysis),
        storeOptions: {},
        log,
      });
      try {
        const s = await node!.run();
        return s.newFindings.map((f) => `${f.rule} count=${f.count} threshold=${f.threshold}`);
      } finally {
        await node!.close();
      }
    };
    // Default: repeat.same-person fires (11 > 10); nothing off hours (10:00 JST on a Tuesday).
    expect(await run('defaults', undefined)).toEqual(['repeat.same-person count=11 threshold=10']);
    // Raised to 11: 11 is not more than 11, no finding.
    expect(await run('raised', { thresholds: { 'repeat.same-person': 11 } })).toEqual([]);
    // Office from 11:00 JST: the 10:00 look-ups are off hours.
    expect(
      await run('late-office', {
        thresholds: { 'repeat.same-person': 20 },
        officeHours: { fromHour: 11, toHour: 20 },
      }),
    ).toEqual(['off-hours count=11 threshold=0']);
  });

  it('a CS does not analyse: the route refuses with node.no-analysis', async () => {
    const self: NodeRef = { role: 'cs', code: '131016' };
    expect(
      await startNodeAnalysis({ config: configOf(self, 60), storeOptions: {}, log }),
    ).toBeUndefined();
    const route = terminalRoutes({
      self,
      node: {} as RunningNode,
      provision: undefined,
      upstream: undefined,
    }).find((r) => r.path === '/audit/analyse')!;
    await expect(route.run({})).rejects.toMatchObject({
      code: 'invalid',
      reason: 'node.no-analysis',
    });
  });
});

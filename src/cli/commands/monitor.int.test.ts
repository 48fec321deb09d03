import { mkdtemp, rm } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityAlert } from '../../domain/network/SecurityAlert.ts';
import { permits } from '../../domain/operator/permissions.ts';
import { startLocalNetwork, type LocalNetwork } from '../../nodes/local-network.ts';
import type { MonitorView } from '../../nodes/node-monitor.ts';
import { ROUTE_OPERATIONS } from '../../nodes/node-web-terminal.ts';
import { initNetwork, type NetworkManifest } from '../../nodes/network-init.ts';
import { callTerminal } from '../../nodes/terminal-server.ts';
import { runningTerminalTarget } from '../../nodes/terminal-token.ts';
import { main } from '../main.ts';
import { captureIO } from '../test-io.ts';
import { runMonitor } from './monitor.ts';
import { reserveBasePort } from '../../nodes/port-range.ts';

/** `juki monitor` and the terminal routes GET /alerts and GET /monitor (R11), in one process. */
describe('juki monitor (R11)', () => {
  let dir: string;
  let manifest: NetworkManifest;
  let net: LocalNetwork;
  const config = (node: string) => manifest.nodes.find((n) => n.node === node)!.config;
  const terminal = (node: string) => runningTerminalTarget(net.node(node));
  const juki = async (...args: string[]) => {
    const io = captureIO();
    const code = await main(args, io);
    return { code, out: io.stdout(), err: io.stderr() };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-monitor-cli-'));
    manifest = await initNetwork({
      prefectures: ['13'],
      municipalities: ['131016'],
      dir,
      host: '127.0.0.1',
      basePort: reserveBasePort(),
      overrides: { schedule: { integrityMinutes: 0, retentionMinutes: 0, reportPollSeconds: 0 } },
    });
    net = await startLocalNetwork(dir, manifest);
  }, 60_000);

  afterAll(async () => {
    await net?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('R11: an HTTP request on a network port shows up in GET /alerts and juki monitor', async () => {
    const before = (await callTerminal(
      await terminal('prefecture:13'),
      'GET',
      '/alerts',
    )) as unknown[];
    const { host, port } = net.node('prefecture:13').network!;
    await new Promise<void>((done) => {
      const socket = tcpConnect(port, host, () =>
        socket.write('GET / HTTP/1.1\r\nHost: jukinet\r\n\r\n'),
      );
      socket.on('error', () => done());
      socket.on('close', () => done());
    });
    // The alert is written when the listener drops the connection: wait until it is there.
    let alerts: SecurityAlert[] = [];
    for (let i = 0; i < 100 && alerts.length <= before.length; i++) {
      alerts = (await callTerminal(
        await terminal('prefecture:13'),
        'GET',
        '/alerts',
      )) as SecurityAlert[];
      if (alerts.length <= before.length) await new Promise((r) => setTimeout(r, 50));
    }
    expect(alerts[0]).toMatchObject({ kind: 'not-our-protocol', observer: 'prefecture:13' });

    const json = await juki('monitor', '--config', config('prefecture:13'), '--once', '--json');
    expect(json.code).toBe(0);
    const view = JSON.parse(json.out) as MonitorView;
    expect(view.node).toBe('prefecture:13');
    expect(view.health.node).toBe('prefecture:13');
    expect(view.alerts[0]).toMatchObject({ id: alerts[0]!.id, kind: 'not-our-protocol' });
    expect(view.counts.alertsByKind['not-our-protocol']).toBeGreaterThanOrEqual(1);

    const text = await juki('monitor', '--config', config('prefecture:13'), '--once');
    expect(text.code).toBe(0);
    expect(text.out).toContain('監視 / monitor  prefecture:13');
    expect(text.out).toContain('■ 状態 / health: 正常 (ok)');
    expect(text.out).toContain(`#${alerts[0]!.id}`);
    expect(text.out).toContain('not-our-protocol');
    // The cut-off is shown as a security officer's action, not offered here.
    expect(text.out).toContain('緊急遮断 (セキュリティ管理者のみ)');
    expect(text.out).toContain('juki node isolate');
  });

  it('R11: a prefecture server shows the report requests still open there; a CS shows none', async () => {
    const asked = (await callTerminal(await terminal('cs:131016'), 'POST', '/reports/request', {
      to: 'prefecture:13',
      subject: '保護措置の実施状況',
      body: '報告してください。',
      operator: '千代田区 住民課',
    })) as { request: { id: string } };
    const view = (await callTerminal(
      await terminal('prefecture:13'),
      'GET',
      '/monitor',
    )) as MonitorView;
    expect(view.openReports).toContainEqual(
      expect.objectContaining({
        id: asked.request.id,
        origin: 'cs:131016',
        target: 'prefecture:13',
        role: 'target',
      }),
    );
    expect(view.counts.openReports).toBe(view.openReports!.length);
    const text = await juki('monitor', '--config', config('prefecture:13'), '--once');
    expect(text.out).toContain(asked.request.id);
    expect(text.out).toContain('回答待ち / to answer here');

    const cs = (await callTerminal(await terminal('cs:131016'), 'GET', '/monitor')) as MonitorView;
    expect(cs.openReports).toBeUndefined();
    expect(cs.health.node).toBe('cs:131016');
  });

  it('refreshes until stopped: one view per refresh, the loop ends when told', async () => {
    const stop = new AbortController();
    const frames: string[] = [];
    const io = {
      ...captureIO(),
      out: (t: string) => {
        frames.push(t);
        if (frames.length === 2) stop.abort();
      },
    };
    const code = await runMonitor(
      ['--config', config('cs:131016'), '--json', '--interval', '0.05'],
      io,
      stop.signal,
    );
    expect(code).toBe(0);
    expect(frames).toHaveLength(2);
    for (const f of frames) expect((JSON.parse(f) as MonitorView).node).toBe('cs:131016');
  });

  it('refuses bad usage and a node that is not running, with their reasons', async () => {
    expect((await juki('monitor')).code).toBe(2);
    expect((await juki('monitor', '--config', config('cs:131016'), '--interval', '0')).code).toBe(
      2,
    );
    const stopped = await juki('monitor', '--config', join(dir, 'nope.json'), '--once');
    expect(stopped.code).not.toBe(0);
  });

  it('R15: on the web terminal the routes need alerts.list / monitor.view; only a security officer isolates', () => {
    expect(ROUTE_OPERATIONS['GET /alerts']).toBe('alerts.list');
    expect(ROUTE_OPERATIONS['GET /monitor']).toBe('monitor.view');
    for (const card of ['security-officer', 'auditor', 'administrator'])
      expect(permits(card, 'prefecture', 'monitor.view')).toBe(true);
    for (const card of ['counter-clerk', 'card-issuer', 'provision-operator'])
      expect(permits(card, 'prefecture', 'monitor.view')).toBe(false);
    for (const card of ['auditor', 'administrator'])
      expect(permits(card, 'prefecture', 'node.isolate')).toBe(false);
  });
});

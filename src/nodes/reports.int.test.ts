import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../domain/errors.ts';
import type { ReportRequest } from '../domain/report/report.ts';
import { readNodeBundle } from '../pki/pki-directory.ts';
import { openAlertStore } from '../storage/open-store.ts';
import { connectNetwork } from '../transport/connect.ts';
import { startLocalNetwork, type LocalNetwork } from './local-network.ts';
import { initNetwork } from './network-init.ts';
import type { ReportView, SyncResult } from './node-reports.ts';
import { callTerminal } from './terminal-server.ts';
import { runningTerminalTarget } from './terminal-token.ts';
import { reserveBasePort } from './port-range.ts';

/**
 * 報告要求 (R5, R6) across a network of real nodes in one process, over mutual TLS on loopback:
 * requests go up as requests, everything going down waits in a mailbox and is fetched. The
 * schedule is off: each fetch is the operator's `POST /reports/poll`, so the test never waits on
 * a timer.
 */
const CS = 'cs:131016';
const TOKYO = 'prefecture:13';
const NATIONAL = 'national:jlis';
const PENSION = 'agency:mhlw-pension';

describe('報告要求 across the network (R5, R6)', () => {
  let dir: string;
  let net: LocalNetwork;

  const terminal = (node: string) => runningTerminalTarget(net.node(node));
  const post = async <T>(node: string, path: string, body: Record<string, unknown> = {}) =>
    (await callTerminal(await terminal(node), 'POST', path, body)) as T;
  const list = async (node: string) =>
    (await callTerminal(await terminal(node), 'GET', '/reports')) as ReportView[];
  const poll = (node: string) => post<SyncResult>(node, '/reports/poll');
  const steps = async (node: string, id: string) =>
    (await list(node)).find((r) => r.request.id === id)!.events.map((e) => [e.kind, e.peer ?? '']);
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected a refusal');
      },
      (e: unknown) => e as RegistryError,
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-reports-'));
    const manifest = await initNetwork({
      prefectures: ['13', '14'],
      municipalities: ['131016'],
      agencies: ['mhlw-pension'],
      dir,
      host: '127.0.0.1',
      basePort: reserveBasePort(),
      overrides: {
        delivery: { pollMs: 50 },
        schedule: { integrityMinutes: 0, retentionMinutes: 0, reportPollSeconds: 0 },
        log: { level: 'info' },
      },
    });
    net = await startLocalNetwork(dir, manifest);
  }, 60_000);

  afterAll(async () => {
    await net?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('R6: a CS’s request to an agency travels CS → prefecture → national → agency, and the answer comes back', async () => {
    const made = await post<ReportView>(CS, '/reports/request', {
      to: PENSION,
      subject: '本人確認情報の保護措置の実施状況',
      body: '協定書に定める保護措置の実施状況を報告してください。\n期限: 2026年12月1日',
      operator: '千代田区 住民課 住基 一郎',
    });
    const id = made.request.id;
    expect(made).toMatchObject({ role: 'origin', status: 'waiting' });
    expect(made.events.map((e) => [e.kind, e.peer ?? ''])).toEqual([
      ['requested', ''],
      ['forwarded', TOKYO],
    ]);

    await poll(TOKYO); // the prefecture's sending to the national server has finished
    expect(await poll(PENSION)).toMatchObject({ received: 1, ignored: 0 });
    const atAgency = (await list(PENSION)).find((r) => r.request.id === id)!;
    expect(atAgency).toMatchObject({ role: 'target', status: 'waiting', request: made.request });

    const answered = await post<ReportView>(PENSION, '/reports/answer', {
      id,
      body: '別紙のとおり報告します。アクセスログは月次で分析しています。',
      operator: '日本年金機構 情報管理課',
    });
    expect(answered.status).toBe('answered');
    expect(await poll(TOKYO)).toMatchObject({ received: 1 });
    expect(await poll(CS)).toMatchObject({ received: 1 });

    const back = (await list(CS)).find((r) => r.request.id === id)!;
    expect(back.status).toBe('answered');
    expect(back.answer).toMatchObject({
      answeredBy: PENSION,
      body: '別紙のとおり報告します。アクセスログは月次で分析しています。',
      operator: '日本年金機構 情報管理課',
    });

    // each node holds its own steps, with the peer of each
    expect(await steps(CS, id)).toEqual([
      ['requested', ''],
      ['forwarded', TOKYO],
      ['answer-received', TOKYO],
    ]);
    expect(await steps(TOKYO, id)).toEqual([
      ['received', CS],
      ['forwarded', NATIONAL],
      ['answer-received', NATIONAL],
      ['answer-forwarded', CS],
      ['answer-delivered', CS],
    ]);
    expect(await steps(NATIONAL, id)).toEqual([
      ['received', TOKYO],
      ['forwarded', PENSION],
      ['delivered', PENSION],
      ['answer-received', PENSION],
      ['answer-forwarded', TOKYO],
      ['answer-delivered', TOKYO],
    ]);
    expect(await steps(PENSION, id)).toEqual([
      ['received', NATIONAL],
      ['answered', ''],
      ['answer-forwarded', NATIONAL],
    ]);
    const operators = (await list(TOKYO)).find((r) => r.request.id === id)!.events;
    expect(operators[0]!.operator).toBe('千代田区 住民課 住基 一郎');
    expect(operators[2]!.operator).toBe('日本年金機構 情報管理課');

    // nothing is left in any mailbox: fetching again brings nothing
    for (const node of [CS, TOKYO, PENSION])
      expect(await poll(node)).toEqual({ sent: 0, refused: 0, received: 0, ignored: 0 });
  });

  it('R5: the national server demands a report from an agency and receives its answer', async () => {
    const made = await post<ReportView>(NATIONAL, '/reports/request', {
      to: PENSION,
      subject: '協定書に基づく報告',
      body: '保護措置の実施状況を報告してください。',
      operator: 'J-LIS 住基ネット管理室',
    });
    expect(made.events.map((e) => e.kind)).toEqual(['requested', 'forwarded']);
    await poll(PENSION);
    await post(PENSION, '/reports/answer', {
      id: made.request.id,
      body: '報告します。',
      operator: '日本年金機構',
    });
    const done = (await list(NATIONAL)).find((r) => r.request.id === made.request.id)!;
    expect(done.status).toBe('answered');
    expect(done.events.map((e) => [e.kind, e.peer ?? ''])).toEqual([
      ['requested', ''],
      ['forwarded', PENSION],
      ['delivered', PENSION],
      ['answer-received', PENSION],
    ]);
    // only the target answers (R5): the national server cannot answer its own request
    const e = await refusal(
      post(NATIONAL, '/reports/answer', { id: made.request.id, body: 'x', operator: 'y' }),
    );
    expect(e).toMatchObject({ code: 'forbidden', reason: 'report.not-addressed' });
  });

  it('R6: a prefecture asks the national server, a CS its own prefecture; a request made while the next node is unreachable goes when it is back', async () => {
    const ask = (from: string, to: string) =>
      post<ReportView>(from, '/reports/request', {
        to,
        subject: 'アクセスログの解析結果',
        body: '当団体の住民に係るアクセスログの解析結果を報告してください。',
        operator: '住民課',
      });
    const fromCs = await ask(CS, TOKYO);
    const atTokyo = (await list(TOKYO)).find((r) => r.request.id === fromCs.request.id)!;
    expect(atTokyo).toMatchObject({ role: 'target', status: 'waiting' });
    await post(TOKYO, '/reports/answer', {
      id: fromCs.request.id,
      body: '解析結果を報告します。',
      operator: '東京都',
    });
    expect(await poll(CS)).toMatchObject({ received: 1 });
    expect(await steps(CS, fromCs.request.id)).toEqual([
      ['requested', ''],
      ['forwarded', TOKYO],
      ['answer-received', TOKYO],
    ]);

    // the national server cuts the prefecture off (R11): the request waits at the prefecture
    expect(net.node(NATIONAL).isolate(TOKYO, 'test')).toBeGreaterThanOrEqual(0);
    const fromTokyo = await ask(TOKYO, NATIONAL);
    expect(fromTokyo.events.map((e) => e.kind)).toEqual(['requested']);
    net.node(NATIONAL).readmit(TOKYO);
    expect(await poll(TOKYO)).toMatchObject({ sent: 1, refused: 0 });
    await post(NATIONAL, '/reports/answer', {
      id: fromTokyo.request.id,
      body: '報告します。',
      operator: 'J-LIS',
    });
    expect(await poll(TOKYO)).toMatchObject({ received: 1 });
    expect(await steps(TOKYO, fromTokyo.request.id)).toEqual([
      ['requested', ''],
      ['forwarded', NATIONAL],
      ['answer-received', NATIONAL],
    ]);
  });

  it('R6: a CS addressing another prefecture’s server is refused with its reason, at its terminal and on the network', async () => {
    const atTerminal = await refusal(
      post(CS, '/reports/request', {
        to: 'prefecture:14',
        subject: '報告',
        body: '報告してください。',
        operator: '千代田区',
      }),
    );
    expect(atTerminal).toBeInstanceOf(RegistryError);
    expect(atTerminal).toMatchObject({ code: 'forbidden', reason: 'report.target-out-of-scope' });
    expect(atTerminal.message).toContain('prefecture:14');

    // a CS that sends it anyway (its own certificate, its own prefecture server)
    const cs = net.node(CS).config;
    const session = await connectNetwork({
      self: cs.node,
      credentials: await readNodeBundle(cs.bundleDir),
      expectedPeer: cs.upstream!.node,
      host: cs.upstream!.host,
      port: cs.upstream!.port,
    });
    try {
      const request: ReportRequest = {
        id: '5f0c6a43-9c1d-4b8e-a0f2-6b7e8d9c0a11',
        origin: CS,
        target: 'prefecture:14',
        subject: '報告',
        body: '報告してください。',
        operator: '千代田区',
        requestedAt: new Date().toISOString(),
      };
      const onNetwork = await refusal(
        session.request({ kind: 'report-request', idempotencyKey: request.id, request }),
      );
      expect(onNetwork).toMatchObject({ code: 'forbidden', reason: 'report.target-out-of-scope' });
      // …or passes on another municipality's request
      const other = { ...request, id: '6a1d7b54-0d2e-4c9f-b103-7c8f9e0d1b22', origin: 'cs:131024' };
      const wrongPath = await refusal(
        session.request({
          kind: 'report-request',
          idempotencyKey: other.id,
          request: { ...other, target: NATIONAL },
        }),
      );
      expect(wrongPath).toMatchObject({ code: 'forbidden', reason: 'report.wrong-path' });
      // a repeated request changes nothing
      const first = (await list(CS))[0]!.request;
      const again = await session.request({
        kind: 'report-request',
        idempotencyKey: first.id,
        request: first,
      });
      expect(again.outcome).toBe('duplicate');
    } finally {
      await session.goaway();
    }
    const alerts = await openAlertStore(net.node(TOKYO).config.store);
    const recent = await alerts.listAlerts({ limit: 10 });
    await alerts.close();
    // the first refusal is an alert; its repeats within the alert interval are summarised (R11)
    expect(recent.map((a) => [a.kind, a.peerName, a.detail.split(':')[0]])).toContainEqual([
      'forbidden-operation',
      CS,
      'report.target-out-of-scope',
    ]);
    expect((await list(TOKYO)).some((r) => r.request.target === 'prefecture:14')).toBe(false);
  });
});

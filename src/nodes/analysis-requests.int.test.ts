import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessLog } from '../audit/index.ts';
import { main } from '../cli/main.ts';
import { captureIO } from '../cli/test-io.ts';
import { date } from '../domain/change/change-builders.ts';
import type { RegistryError } from '../domain/errors.ts';
import type { ReportRequest } from '../domain/report/report.ts';
import { readNodeBundle } from '../pki/pki-directory.ts';
import { connectNetwork } from '../transport/connect.ts';
import type { RecipientId } from '../domain/provision/recipient.ts';
import { loadStatutoryAffairs } from '../reference-data/statutory-affairs.ts';
import { loadedRecord, residentCode } from '../storage/contract-fixtures.ts';
import {
  openAlertStore,
  openAccessLogStore,
  openIdentityStore,
  openProvisionStore,
} from '../storage/open-store.ts';
import { startLocalNetwork, type LocalNetwork } from './local-network.ts';
import { initNetwork, type NetworkManifest } from './network-init.ts';
import type { ReportView, SyncResult } from './node-reports.ts';
import { callTerminal } from './terminal-server.ts';
import { runningTerminalTarget } from './terminal-token.ts';
import { reserveBasePort } from './port-range.ts';

/**
 * 分析要求 (R16) across a network of real nodes in one process, over mutual TLS on loopback: a
 * CS asks the national server, through its prefecture server, who accessed or received the data
 * of one of its residents; the national server answers on arrival from its access log and its
 * disclosure records; the answer comes back the way the request went, each step recorded. The
 * schedule is off: each fetch is the operator's `POST /reports/poll`.
 */
const CS = 'cs:131016';
const TOKYO = 'prefecture:13';
const NATIONAL = 'national:jlis';
const PENSION_AFFAIR = '別表第一:七十三の六';

const hanako = loadedRecord(1, {
  residentCode: residentCode(13_001),
  address: '東京都千代田区千代田1番1号',
  localGovernmentCode: '131016',
});
/** Another municipality of the same prefecture: its prefecture server knows he is not Chiyoda's. */
const saburo = loadedRecord(3, {
  residentCode: residentCode(13_002),
  address: '東京都中央区銀座1丁目1番1号',
  localGovernmentCode: '131024',
});
const jiro = loadedRecord(2, {
  residentCode: residentCode(14_001),
  address: '神奈川県横浜市鶴見区鶴見中央1丁目1番1号',
  localGovernmentCode: '141011',
});

describe('分析要求 across the network (R16)', () => {
  let dir: string;
  let manifest: NetworkManifest;
  let net: LocalNetwork;

  const terminal = (node: string) => runningTerminalTarget(net.node(node));
  const post = async <T>(node: string, path: string, body: Record<string, unknown> = {}) =>
    (await callTerminal(await terminal(node), 'POST', path, body)) as T;
  const list = async (node: string) =>
    (await callTerminal(await terminal(node), 'GET', '/reports')) as ReportView[];
  const poll = (node: string) => post<SyncResult>(node, '/reports/poll');
  const find = async (node: string, id: string) =>
    (await list(node)).find((r) => r.request.id === id)!;
  const steps = async (node: string, id: string) =>
    (await find(node, id)).events.map((e) => [e.kind, e.peer ?? '']);
  const refusal = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('expected a refusal');
      },
      (e: unknown) => e as RegistryError,
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-analysis-'));
    manifest = await initNetwork({
      prefectures: ['13', '14'],
      municipalities: ['131016'],
      agencies: ['mhlw-pension'],
      dir,
      host: '127.0.0.1',
      basePort: reserveBasePort(),
      overrides: {
        schedule: { integrityMinutes: 0, retentionMinutes: 0, reportPollSeconds: 0 },
      },
    });
    net = await startLocalNetwork(dir, manifest);

    for (const [node, records] of [
      [NATIONAL, [hanako, jiro, saburo]],
      [TOKYO, [hanako, saburo]],
      [CS, [hanako]],
    ] as const) {
      const store = await openIdentityStore(net.node(node).config.store);
      await store.loadBatch(records.map((record, i) => ({ line: i + 1, record })));
      await store.close();
    }
    const affair = loadStatutoryAffairs().byId(PENSION_AFFAIR)!;
    const national = await openProvisionStore(net.node(NATIONAL).config.store);
    await national.registerRecipient({
      id: 'mhlw-pension' as RecipientId,
      name: '厚生労働省及び日本年金機構',
      kind: 'national-agency',
      servedBy: { role: 'national', code: 'jlis' },
      node: { role: 'agency', code: 'mhlw-pension' },
    });
    await national.permitAffair(
      { recipientId: 'mhlw-pension' as RecipientId, affairId: affair.id, identifier: 'pseudonym' },
      affair,
    );
    await national.addAgreement({
      id: 'agreement-mhlw',
      recipientId: 'mhlw-pension' as RecipientId,
      signedOn: date('2020-01-01'),
      validFrom: date('2020-01-01'),
      protectionMeasures: '照会端末の限定、操作者の認証、提供記録の保存',
    });
    await national.close();
    await post(NATIONAL, '/provision/reload');
  }, 120_000);

  afterAll(async () => {
    await net?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('R16: a CS asks the national server via its prefecture about its resident; the answer lists the provision and the operator act, identifiers only, each hop recorded', async () => {
    // The pension service is provided hanako's data; an operator at the national server acts on her.
    await post('agency:mhlw-pension', '/provision/query', {
      query: { affairId: PENSION_AFFAIR, residentCode: hanako.residentCode },
      searcher: 'pension-operator-7',
    });
    const logStore = await openAccessLogStore(net.node(NATIONAL).config.store);
    await new AccessLog(logStore).append({
      at: new Date().toISOString(),
      node: NATIONAL,
      operator: 'op-national-auditor-3',
      operation: 'disclosure.report',
      target: hanako.residentCode,
      result: 'ok',
    });
    await logStore.close();

    const io = captureIO();
    const code = await main(
      [
        'report',
        'request',
        '--config',
        manifest.nodes.find((n) => n.node === CS)!.config,
        '--to',
        NATIONAL,
        '--kind',
        'analysis',
        '--resident-code',
        hanako.residentCode,
        '--operator',
        'op-chiyoda-7',
        '--json',
      ],
      io,
    );
    expect(code, io.stderr()).toBe(0);
    const made = JSON.parse(io.stdout()) as ReportView;
    const id = made.request.id;
    expect(made.request).toMatchObject({
      kind: 'analysis',
      analysis: { residentCode: hanako.residentCode },
      origin: CS,
      target: NATIONAL,
    });

    await poll(TOKYO); // the prefecture's push to the national server has finished; the answer is fetched
    expect(await poll(CS)).toMatchObject({ received: 1 });

    const atNational = await find(NATIONAL, id);
    expect(atNational).toMatchObject({ role: 'target', status: 'answered' });
    expect(atNational.answer).toMatchObject({ answeredBy: NATIONAL, operator: 'system' });

    const back = await find(CS, id);
    expect(back.status).toBe('answered');
    const body = back.answer!.body;
    expect(body).toContain(`住民票コード ${hanako.residentCode}`);
    expect(body).toMatch(/provided \S+ recipient=mhlw-pension searcher=pension-operator-7 affair=/);
    expect(body).toMatch(
      /access \S+ operator=op-national-auditor-3 operation=disclosure\.report result=ok/,
    );
    // Identifiers only: no name or address of the resident, nor the recipient's name.
    for (const secret of [hanako.name.kanji, hanako.address, '厚生労働省及び日本年金機構'])
      expect(body).not.toContain(secret);

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
      ['answered', ''],
      ['answer-forwarded', TOKYO],
      ['answer-delivered', TOKYO],
    ]);
  });

  it('R16: a CS asking about another municipality’s resident is refused, and nothing is sent', async () => {
    const before = (await list(CS)).length;
    const e = await refusal(
      post(CS, '/reports/request', {
        to: NATIONAL,
        kind: 'analysis',
        residentCode: jiro.residentCode,
        operator: 'op-chiyoda-7',
      }),
    );
    expect(e).toMatchObject({ code: 'forbidden', reason: 'analysis.not-our-resident' });
    expect(await list(CS)).toHaveLength(before);
  });

  it('R16: a CS that sends such a request anyway is refused by its prefecture server, which records an alert', async () => {
    const cs = net.node(CS).config;
    const session = await connectNetwork({
      self: cs.node,
      credentials: await readNodeBundle(cs.bundleDir),
      expectedPeer: cs.upstream!.node,
      host: cs.upstream!.host,
      port: cs.upstream!.port,
    });
    const request: ReportRequest = {
      id: '7b2e8c65-1e3f-4dab-9c14-8d9fa01e2c33',
      origin: CS,
      target: TOKYO,
      subject: '分析要求',
      body: '分析を求めます。',
      operator: 'op-chiyoda-7',
      requestedAt: new Date().toISOString(),
      kind: 'analysis',
      analysis: { residentCode: saburo.residentCode },
    };
    try {
      const e = await refusal(
        session.request({ kind: 'report-request', idempotencyKey: request.id, request }),
      );
      expect(e).toMatchObject({ code: 'forbidden', reason: 'analysis.not-our-resident' });
    } finally {
      await session.goaway();
    }
    expect((await list(TOKYO)).map((r) => r.request.id)).not.toContain(request.id);
    const alerts = await openAlertStore(net.node(TOKYO).config.store);
    const recent = await alerts.listAlerts({ limit: 10 });
    await alerts.close();
    expect(recent.map((a) => [a.kind, a.peerName])).toContainEqual(['forbidden-operation', CS]);
  });

  it('R16: a malformed resident code, a bad period and an agency as target are refused with their reasons', async () => {
    const ask = (extra: Record<string, unknown>) =>
      refusal(
        post(CS, '/reports/request', {
          to: NATIONAL,
          kind: 'analysis',
          residentCode: hanako.residentCode,
          operator: 'op-chiyoda-7',
          ...extra,
        }),
      );
    const wrongDigit = `${hanako.residentCode.slice(0, 10)}${(Number(hanako.residentCode[10]) + 1) % 10}`;
    expect(await ask({ residentCode: wrongDigit })).toMatchObject({
      reason: 'analysis.resident-code',
    });
    expect(await ask({ from: '2026-12-01', until: '2026-11-01' })).toMatchObject({
      reason: 'analysis.period',
    });
    expect(await ask({ to: 'agency:mhlw-pension' })).toMatchObject({
      code: 'forbidden',
      reason: 'analysis.target',
    });
  });

  it('R16: a period that excludes everything gives an answer with none; a prefecture asks the national server too', async () => {
    const made = await post<ReportView>(TOKYO, '/reports/request', {
      to: NATIONAL,
      kind: 'analysis',
      residentCode: hanako.residentCode,
      from: '2001-01-01',
      until: '2001-12-31',
      operator: 'op-tokyo-2',
    });
    expect(await poll(TOKYO)).toMatchObject({ received: 1 });
    const back = await find(TOKYO, made.request.id);
    expect(back.status).toBe('answered');
    expect(back.answer!.body).toContain('期間 / period 2001-01-01 – 2001-12-31');
    expect(back.answer!.body).toContain('該当なし / none');
  });
});

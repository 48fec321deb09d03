import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SelfCheckReport } from '../audit/self-check.ts';
import { date } from '../domain/change/change-builders.ts';
import { loadedRecord } from '../storage/contract-fixtures.ts';
import { openIdentityStore, openProvisionStore } from '../storage/open-store.ts';
import { startLocalNetwork, type LocalNetwork } from './local-network.ts';
import { todayInJapan } from './japan-date.ts';
import { initNetwork } from './network-init.ts';
import { PENSION, PENSION_SERVICE, registerPensionService } from './provision-fixtures.ts';
import { callTerminal } from './terminal-server.ts';
import { runningTerminalTarget } from './terminal-token.ts';
import { chromiumAvailable, pdfText } from '../web-terminal/browser-fixtures.ts';
import { juki } from './web-terminal-node-fixtures.ts';
import { reserveBasePort } from './port-range.ts';

/*
 * 点検報告 (the self-check report, R34) of a running national server: after the pension
 * service's agency server asked twice lawfully and once for an affair it is not permitted, and
 * the operator register changed at the terminal, `juki audit report --config` counts exactly
 * that for today (JST), nothing for a period before it, and refuses a malformed period. The
 * report names no resident.
 */
const people = [loadedRecord(1), loadedRecord(2)];
const hasChromium = chromiumAvailable('the self-check report’s PDF');

describe('the self-check report of a running national server (R34)', () => {
  let dir: string;
  let net: LocalNetwork;
  let config: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-self-check-'));
    const manifest = await initNetwork({
      prefectures: ['13'],
      municipalities: [],
      agencies: [PENSION_SERVICE],
      dir,
      host: '127.0.0.1',
      basePort: reserveBasePort(),
      overrides: { schedule: { integrityMinutes: 0, retentionMinutes: 0 } },
    });
    config = join(dir, 'nodes', 'national-jlis.json');
    net = await startLocalNetwork(dir, manifest);
    const store = net.node('national:jlis').config.store;
    const identities = await openIdentityStore(store);
    await identities.loadBatch(people.map((record, i) => ({ line: i + 1, record })));
    await identities.close();
    const register = await openProvisionStore(store);
    await registerPensionService(register, date('2020-01-01'));
    await register.close();
    await callTerminal(
      await runningTerminalTarget(net.node('national:jlis')),
      'POST',
      '/provision/reload',
    );

    const agency = await runningTerminalTarget(net.node(`agency:${PENSION_SERVICE}`));
    const ask = (affairId: string, residentCode: string) =>
      callTerminal(agency, 'POST', '/provision/query', { query: { affairId, residentCode } }).then(
        () => 'answered',
        (e: { reason: string }) => e.reason,
      );
    expect(await ask(PENSION, people[0]!.residentCode)).toBe('answered');
    expect(await ask(PENSION, people[1]!.residentCode)).toBe('answered');
    expect(await ask('別表第一:四十一', people[0]!.residentCode)).toBe(
      'provision.affair-not-permitted',
    );

    // 東京都's integrity check against the national server (R20), and a retention run (R33).
    await callTerminal(
      await runningTerminalTarget(net.node('prefecture:13')),
      'POST',
      '/integrity/check',
      {},
    );
    await callTerminal(
      await runningTerminalTarget(net.node('national:jlis')),
      'POST',
      '/retention/run',
      {},
    );

    // An HTTP request on the national server's network port: an intrusion alert (R11).
    const listen = net.node('national:jlis').config.listen!;
    await new Promise<void>((done, fail) => {
      const socket = connect(listen.port, listen.host, () =>
        socket.end('GET / HTTP/1.1\r\nHost: jukinet\r\n\r\n'),
      );
      socket.on('close', () => done());
      socket.on('error', fail);
    });
    const national = await runningTerminalTarget(net.node('national:jlis'));
    for (let i = 0; i < 100; i++) {
      if (((await callTerminal(national, 'GET', '/alerts')) as unknown[]).length > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }

    // The register, changed at the running node's console (no web terminal there).
    const op = (...args: string[]) => juki('operator', ...args, '--config', config);
    const boot = await juki(
      ...['operator', 'grant', '--store', store, '--node', 'national:jlis', '--id', 'admin-1'],
      ...['--name', '管理 一郎', '--card', 'administrator', '--granted-by', 'bootstrap'],
    );
    expect(boot.code, boot.err).toBe(0);
    for (const r of [
      await op(
        ...['grant', '--id', 'aud-1', '--name', '監査 花子', '--card', 'auditor'],
        ...['--granted-by', 'admin-1'],
      ),
      await op('revoke', '--id', 'aud-1', '--reason', '異動', '--by', 'admin-1'),
    ])
      expect(r.code, r.err).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await net?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const report = async (from: string, to: string) => {
    const r = await juki(
      'audit',
      'report',
      '--config',
      config,
      '--from',
      from,
      '--to',
      to,
      '--json',
    );
    expect(r.code, r.err).toBe(0);
    return JSON.parse(r.out) as SelfCheckReport;
  };

  it('counts today’s provisions, refusals, register changes and terminal acts, naming no one', async () => {
    const today = todayInJapan();
    const r = await report(today, today);
    expect(r.node).toBe('national:jlis');
    expect(r.provision).toEqual({
      total: 2,
      provisions: [
        { recipientId: PENSION_SERVICE, affairId: PENSION, channel: 'immediate', count: 2 },
      ],
      refusedTotal: 1,
      refusals: [
        { recipientId: PENSION_SERVICE, reason: 'provision.affair-not-permitted', count: 1 },
      ],
      media: { outputs: 0, rows: 0, disposed: 0 },
    });
    expect(r.operators.active).toEqual([{ cardType: 'administrator', count: 1 }]);
    expect(r.operators.events.map((e) => [e.kind, e.operatorId, e.by])).toEqual([
      ['granted', 'admin-1', 'bootstrap'],
      ['granted', 'aud-1', 'admin-1'],
      ['revoked', 'aud-1', 'admin-1'],
    ]);
    // The console's acts at the terminal side, each in the access log, which verifies.
    expect(r.accessLog.operations).toEqual(
      expect.arrayContaining([
        { operation: 'operator.grant', ok: 1, refused: 0, failed: 0 },
        { operation: 'operator.revoke', ok: 1, refused: 0, failed: 0 },
      ]),
    );
    expect(r.accessLog.operators).toEqual(
      expect.arrayContaining([expect.objectContaining({ operator: 'local-terminal' })]),
    );
    expect(r.accessLog.verification).toMatchObject({ ok: true });
    expect(r.alerts).toEqual({ total: 1, kinds: [{ kind: 'not-our-protocol', count: 1 }] });
    expect(r.integrity).toMatchObject({ checks: 1, peers: ['prefecture:13'], truncated: false });
    expect(r.integrity!.matching + r.integrity!.differing).toBe(1);
    expect(r.retention).toMatchObject({ runs: 1, truncated: false });
    const text = JSON.stringify(r);
    for (const p of people) {
      expect(text).not.toContain(p.residentCode);
      expect(text).not.toContain(p.name.kanji);
    }

    // The text form prints the same counts.
    const lines = await juki('audit', 'report', '--config', config, '--from', today, '--to', today);
    expect(lines.out).toContain(`${PENSION_SERVICE} ${PENSION} immediate: 2`);
    expect(lines.out).toContain('拒否された照会 refused attempts: 1');
  });

  it.skipIf(!hasChromium)(
    'writes the report as an HTML document and a PDF with its Japanese text',
    async () => {
      const today = todayInJapan();
      const html = join(dir, 'report.html');
      const pdf = join(dir, 'report.pdf');
      const r = await juki(
        ...['audit', 'report', '--config', config, '--from', today, '--to', today],
        ...['--html', html, '--pdf', pdf],
      );
      expect(r.code, r.err).toBe(0);
      const page = await readFile(html, 'utf8');
      expect(page).toContain(`<title>点検報告 national:jlis（${today} ～ ${today}）</title>`);
      expect(page).toContain(
        `<td>${PENSION_SERVICE}</td><td>${PENSION}</td><td>即時提供</td><td>2</td>`,
      );
      const bytes = await readFile(pdf);
      expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
      const text = pdfText(pdf, 'the self-check PDF');
      if (text !== undefined) {
        expect(text).toContain('点検報告');
        expect(text).toContain('本人確認情報の提供（2 件）');
      }
    },
  );

  it('counts nothing before today; refuses a malformed or reversed period', async () => {
    const r = await report('2020-01-01', '2020-12-31');
    expect(r.provision).toMatchObject({ total: 0, refusedTotal: 0 });
    expect(r.operators.events).toEqual([]);
    expect(r.accessLog.records).toBe(0);
    expect(r.integrity).toMatchObject({ checks: 0 });
    expect(r.retention).toMatchObject({ runs: 0 });
    expect(r.alerts).toEqual({ total: 0, kinds: [] });
    for (const [from, to, reason] of [
      ['2026-02-30', '2026-03-01', 'self-check.date'],
      ['2026-03-02', '2026-03-01', 'self-check.period'],
    ] as const) {
      const bad = await juki('audit', 'report', '--config', config, '--from', from, '--to', to);
      expect(bad.code).toBe(1);
      expect(bad.err).toContain(reason);
    }
  });
});

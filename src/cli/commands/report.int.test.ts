import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalNetwork, type LocalNetwork } from '../../nodes/local-network.ts';
import { initNetwork, type NetworkManifest } from '../../nodes/network-init.ts';
import { main } from '../main.ts';
import { captureIO } from '../test-io.ts';
import { reserveBasePort } from '../../nodes/port-range.ts';

/** `juki report …` against a running network (in this process; the schedule is off). */
describe('juki report (R5, R6)', () => {
  let dir: string;
  let manifest: NetworkManifest;
  let net: LocalNetwork;
  const config = (node: string) => manifest.nodes.find((n) => n.node === node)!.config;
  const juki = async (...args: string[]) => {
    const io = captureIO();
    const code = await main(args, io);
    return { code, out: io.stdout(), err: io.stderr() };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-report-cli-'));
    manifest = await initNetwork({
      prefectures: ['13'],
      municipalities: ['131016'],
      agencies: ['mhlw-pension'],
      dir,
      host: '127.0.0.1',
      basePort: reserveBasePort(),
      overrides: { schedule: { integrityMinutes: 0, retentionMinutes: 0, reportPollSeconds: 0 } },
    });
    net = await startLocalNetwork(dir, manifest);
    await writeFile(join(dir, 'request.txt'), '保護措置の実施状況を報告してください。\n');
    await writeFile(join(dir, 'answer.txt'), '別紙のとおり報告します。\n');
  }, 60_000);

  afterAll(async () => {
    await net?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('R6: request at a CS, answer at the agency, the answer listed at the CS', async () => {
    const body = ['--body-file', join(dir, 'request.txt')];
    const asked = await juki(
      'report',
      'request',
      '--config',
      config('cs:131016'),
      '--to',
      'agency:mhlw-pension',
      '--subject',
      '保護措置の実施状況',
      ...body,
      '--operator',
      '千代田区 住民課',
      '--json',
    );
    expect(asked.code).toBe(0);
    const id = (JSON.parse(asked.out) as { request: { id: string } }).request.id;
    for (const node of ['prefecture:13', 'agency:mhlw-pension'])
      expect((await juki('report', 'poll', '--config', config(node))).code).toBe(0);
    const answered = await juki(
      'report',
      'answer',
      '--config',
      config('agency:mhlw-pension'),
      '--id',
      id,
      '--body-file',
      join(dir, 'answer.txt'),
      '--operator',
      '日本年金機構',
    );
    expect(answered).toMatchObject({ code: 0 });
    expect(answered.out).toContain('回答しました (answered)');
    for (const node of ['prefecture:13', 'cs:131016'])
      await juki('report', 'poll', '--config', config(node));
    const listed = await juki('report', 'list', '--config', config('cs:131016'));
    expect(listed.out).toContain(
      `報告要求 ${id}  cs:131016 → agency:mhlw-pension  回答済み (answered)`,
    );
    expect(listed.out).toContain('  > 別紙のとおり報告します。');
    expect(listed.out).toContain('回答受信 answer received  prefecture:13');
  });

  it('R6: a CS may not demand a report from another prefecture; an agency may not demand one at all', async () => {
    const body = ['--body-file', join(dir, 'request.txt'), '--subject', 's', '--operator', 'o'];
    const other = await juki(
      'report',
      'request',
      '--config',
      config('cs:131016'),
      '--to',
      'prefecture:14',
      ...body,
    );
    expect(other.code).toBe(1);
    expect(other.err).toContain('[report.target-out-of-scope]');
    const agency = await juki(
      'report',
      'request',
      '--config',
      config('agency:mhlw-pension'),
      '--to',
      'national:jlis',
      ...body,
    );
    expect(agency.code).toBe(1);
    expect(agency.err).toContain('[report.not-a-requester]');
    const usage = await juki('report', 'request', '--config', config('cs:131016'));
    expect(usage.code).toBe(2);
  });
});

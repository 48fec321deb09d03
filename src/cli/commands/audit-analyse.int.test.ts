import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessLog } from '../../audit/access-log.ts';
import { openAccessLogStore } from '../../storage/open-store.ts';
import { EXIT } from '../cli-error.ts';
import { main } from '../main.ts';
import { captureIO } from '../test-io.ts';

let root: string;
let store: string;

/** A store with five reads by `operator`, a second apart from `at`. */
async function storeOfReads(name: string, at: string, operator: string): Promise<string> {
  const url = `sqlite:${join(root, name)}`;
  const s = await openAccessLogStore(url);
  await new AccessLog(s).append(
    Array.from({ length: 5 }, (_, i) => ({
      at: new Date(Date.parse(at) + i * 1000).toISOString(),
      node: 'prefecture:13',
      operator,
      operation: 'audit.read',
      target: '',
      result: 'ok' as const,
    })),
  );
  await s.close();
  return url;
}
/** Wednesday 2026-11-25, 21:00 JST: after the default office hours (to 20:00). */
const eveningStore = (name: string) => storeOfReads(name, '2026-11-25T12:00:00.000Z', 'clerk-7');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'juki-cli-analyse-'));
  // Saturday 2026-11-28, 03:00 JST: off hours.
  store = await storeOfReads('node.sqlite', '2026-11-27T18:00:00.000Z', 'clerk-9');
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function juki(...args: string[]) {
  const io = captureIO();
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('juki audit analyse', () => {
  it('R16: prints the findings of one run, raises them as alerts once', async () => {
    const first = await juki(
      'audit',
      'analyse',
      '--store',
      store,
      '--threshold',
      'volume.operator=4',
    );
    expect(first.code).toBe(EXIT.ok);
    expect(first.out).toContain('(analysis 1: 5 records, 2 findings, 2 new)');
    expect(first.out).toContain('新規 new  off-hours operator=clerk-9 count=5 threshold=0');
    expect(first.out).toContain('volume.operator operator=clerk-9 count=5 threshold=4');
    const alerts = await juki('alerts', '--store', store, '--json');
    const listed = JSON.parse(alerts.out) as { kind: string; observer: string }[];
    expect(listed.map((a) => [a.kind, a.observer])).toEqual([
      ['audit-finding', 'prefecture:13'],
      ['audit-finding', 'prefecture:13'],
    ]);

    const again = await juki('audit', 'analyse', '--store', store, '--json');
    expect(again.code).toBe(EXIT.ok);
    const json = JSON.parse(again.out) as { run: { newFindings: number }; newFindings: unknown[] };
    expect(json.run.newFindings).toBe(0);
    expect(json.newFindings).toEqual([]);
    expect(JSON.parse((await juki('alerts', '--store', store, '--json')).out)).toHaveLength(2);
  });

  it('R16: --config runs with the node’s own settings (office hours, thresholds), --threshold on top', async () => {
    const config = join(root, 'prefecture-13.json');
    await writeFile(
      config,
      JSON.stringify({
        node: { role: 'prefecture', code: '13' },
        store: await eveningStore('configured.sqlite'),
        tls: { bundle: './pki/prefecture-13' },
        listen: { host: '127.0.0.1', port: 47013 },
        upstream: { node: { role: 'national', code: 'jlis' }, host: '127.0.0.1', port: 47000 },
        pseudonymSecret: './secrets/prefecture-13',
        analysis: {
          officeHours: { fromHour: 8, toHour: 22 },
          thresholds: { 'volume.operator': 10 },
        },
      }),
    );
    const run = await juki(
      'audit',
      'analyse',
      '--config',
      config,
      '--threshold',
      'volume.operator=4',
      '--json',
    );
    expect(run.code).toBe(EXIT.ok);
    const json = JSON.parse(run.out) as { findings: { rule: string; detail: string }[] };
    // 21:00 is within this node's office hours (to 22:00): no off-hours finding; the volume
    // rule uses the command line's 4, not the config's 10.
    expect(json.findings.map((f) => f.rule)).toEqual(['volume.operator']);

    // The same records with --store alone: the default office hours end at 20:00.
    const plain = await juki('audit', 'analyse', '--store', await eveningStore('plain.sqlite'));
    expect(plain.out).toContain('off-hours operator=clerk-7 count=5');
  });

  it('refuses --config together with --store or --node, and neither of them, as usage', async () => {
    for (const args of [
      ['--config', 'x.json', '--store', store],
      ['--config', 'x.json', '--node', 'prefecture:13'],
      [],
    ]) {
      const r = await juki('audit', 'analyse', ...args);
      expect(r.code).toBe(EXIT.usage);
    }
  });

  it('refuses an unknown rule or a malformed threshold as usage', async () => {
    const unknown = await juki('audit', 'analyse', '--store', store, '--threshold', 'no.such=1');
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.err).toContain('unknown analysis rule');
    const bad = await juki('audit', 'analyse', '--store', store, '--threshold', 'off-hours');
    expect(bad.code).toBe(EXIT.usage);
  });
});

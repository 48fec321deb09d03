import { mkdtemp, rm } from 'node:fs/promises';
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
// Saturday 2026-11-28, 03:00 JST: off hours.
const T0 = Date.parse('2026-11-27T18:00:00.000Z');

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'juki-cli-analyse-'));
  store = `sqlite:${join(root, 'node.sqlite')}`;
  const s = await openAccessLogStore(store);
  await new AccessLog(s).append(
    Array.from({ length: 5 }, (_, i) => ({
      at: new Date(T0 + i * 1000).toISOString(),
      node: 'prefecture:13',
      operator: 'clerk-9',
      operation: 'audit.read',
      target: '',
      result: 'ok' as const,
    })),
  );
  await s.close();
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

  it('refuses an unknown rule or a malformed threshold as usage', async () => {
    const unknown = await juki('audit', 'analyse', '--store', store, '--threshold', 'no.such=1');
    expect(unknown.code).toBe(EXIT.usage);
    expect(unknown.err).toContain('unknown analysis rule');
    const bad = await juki('audit', 'analyse', '--store', store, '--threshold', 'off-hours');
    expect(bad.code).toBe(EXIT.usage);
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessLog } from '../../audit/access-log.ts';
import { sealKeyFromBundle } from '../../audit/seal-key.ts';
import { rawSqlite, sampleEntry } from '../../audit/test-log.ts';
import type { AccessRecord } from '../../domain/audit/access-log.ts';
import { parseNodeName } from '../../pki/NodeIdentity.ts';
import { PkiDirectory } from '../../pki/pki-directory.ts';
import { openAccessLogStore } from '../../storage/open-store.ts';
import { EXIT } from '../cli-error.ts';
import { main } from '../main.ts';
import { captureIO } from '../test-io.ts';

let root: string;
let bundle: string;
let otherBundle: string;
let store: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'juki-cli-audit-'));
  const { pki } = await PkiDirectory.init(join(root, 'pki'));
  bundle = (await pki.issue(parseNodeName('prefecture:13'))).files.dir;
  otherBundle = (await pki.issue(parseNodeName('prefecture:14'))).files.dir;
  store = `sqlite:${join(root, 'node.sqlite')}`;
  const s = await openAccessLogStore(store);
  const log = new AccessLog(s, { key: await sealKeyFromBundle(bundle), sealEvery: 10 });
  for (let n = 1; n <= 12; n++) await log.append(sampleEntry(n));
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

describe('juki audit', () => {
  it('R23: verify prints OK with the counts, the last seal and the unsealed tail; seal seals it', async () => {
    const first = await juki('audit', 'verify', '--store', store, '--bundle', bundle);
    expect(first.code).toBe(EXIT.ok);
    expect(first.out).toContain('OK: 記録 12 件、封印 1 件を検証しました');
    expect(first.out).toContain('封印 1: 記録 10 まで');
    expect(first.out).toContain('unsealed-tail');
    const sealed = await juki('audit', 'seal', '--store', store, '--bundle', bundle);
    expect(sealed).toMatchObject({ code: EXIT.ok });
    expect(sealed.out).toContain('封印しました / sealed: 封印 2: 記録 12 まで');
    expect((await juki('audit', 'seal', '--store', store, '--bundle', bundle)).out).toContain(
      'nothing new to seal',
    );
    const again = await juki('audit', 'verify', '--store', store, '--bundle', bundle, '--json');
    expect(JSON.parse(again.out)).toMatchObject({ ok: true, records: 12, seals: 2 });
    expect(again.out).not.toContain('"unsealedTail"');
  });

  it('R23: verify against another node’s certificate: seal-invalid, exit 1', async () => {
    const r = await juki('audit', 'verify', '--store', store, '--bundle', otherBundle);
    expect(r.code).toBe(EXIT.failed);
    expect(r.out).toContain('TAMPERING DETECTED: seal-invalid at record 10');
  });

  it('R23: list shows the newest first, one operator’s with --operator, JSON with --json', async () => {
    const all = await juki('audit', 'list', '--store', store, '--limit', '3');
    expect(
      all.out
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[0]),
    ).toEqual(['#12', '#11', '#10']);
    expect(all.out).toContain(
      '#12 2026-11-24T05:00:12.012Z prefecture:13 clerk-0 provision.query resident-12 refused [provision.not-permitted] 目的: affair-5',
    );
    const mine = JSON.parse(
      (await juki('audit', 'list', '--store', store, '--operator', 'clerk-1', '--json')).out,
    ) as AccessRecord[];
    expect(mine.map((r) => r.seq)).toEqual([7, 4, 1]);
    expect((await juki('audit', 'list', '--store', store, '--limit', '0')).code).toBe(EXIT.usage);
    expect((await juki('audit', 'verify', '--store', store)).code).toBe(EXIT.usage);
    expect((await juki('audit', 'frobnicate')).code).toBe(EXIT.usage);
  });

  it('R23: a record changed in the file is reported where, with exit 1', async () => {
    const raw = rawSqlite(join(root, 'node.sqlite'));
    await raw.dropTriggers();
    await raw.run("UPDATE access_log SET result = 'ok', reason = NULL WHERE seq = 8");
    await raw.close();
    const r = await juki('audit', 'verify', '--store', store, '--bundle', bundle);
    expect(r.code).toBe(EXIT.failed);
    expect(r.out).toContain('改ざんを検出しました / TAMPERING DETECTED: changed at record 8');
    expect(r.out).toContain('記録 8 の内容がハッシュと一致しません');
  });
});

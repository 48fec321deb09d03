import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAlertStore, openIdentityStore } from '../../storage/open-store.ts';
import { main } from '../main.ts';
import { captureIO } from '../test-io.ts';

type Row = { record: { residentCode: string } };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jukinet-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const run = async (...argv: string[]) => {
  const io = captureIO();
  const code = await main(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
};

const generate = (out: string, residents = 500, seed = 's1') =>
  run(
    'population',
    'generate',
    '--residents',
    String(residents),
    '--seed',
    seed,
    '--out',
    out,
    '--municipalities',
    '131016,472018',
  );

describe('juki population generate', () => {
  it('writes the same file for the same seed, and another for another seed', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((n) => join(dir, `${n}.jsonl`)) as [
      string,
      string,
      string,
    ];
    expect((await generate(a)).code).toBe(0);
    expect((await generate(b)).code).toBe(0);
    expect((await generate(c, 500, 's2')).code).toBe(0);
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
    expect(readFileSync(a, 'utf8')).not.toBe(readFileSync(c, 'utf8'));
    expect(readFileSync(a, 'utf8').trimEnd().split('\n')).toHaveLength(501); // header + rows
  });

  it('refuses bad usage with exit 2: missing seed, non-numeric count, unknown municipality, 5-digit code', async () => {
    const out = join(dir, 'x.jsonl');
    for (const argv of [
      ['--residents', '10', '--out', out],
      ['--residents', 'many', '--seed', 's', '--out', out],
      ['--residents', '10', '--seed', 's', '--out', out, '--municipalities', '999999'],
      ['--residents', '10', '--seed', 's', '--out', out, '--municipalities', '13101'],
    ]) {
      expect((await run('population', 'generate', ...argv)).code, argv.join(' ')).toBe(2);
    }
  });
});

describe('juki load', () => {
  it('loads a population file, and a second load of it refuses every row without changing anything stored', async () => {
    const file = join(dir, 'pop.jsonl');
    await generate(file, 300);
    const store = `sqlite:${join(dir, 'cs.sqlite')}`;
    const first = await run('load', '--store', store, '--in', file, '--json');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({ rowsRead: 300, loaded: 300, refusedCount: 0 });

    const s = await openIdentityStore(store);
    const firstRow = JSON.parse(readFileSync(file, 'utf8').split('\n')[1]!) as Row;
    const code = firstRow.record.residentCode;
    const before = await s.findIdentity(code as never);
    await s.close();

    const second = await run('load', '--store', store, '--in', file);
    expect(second.code).toBe(1);
    expect(second.out).toContain('refused 300 rows');
    expect(second.out).toMatch(/line 2 \(\d{11}\): resident-code\.already-stored/);

    const after = await openIdentityStore(store);
    expect(await after.countIdentities()).toBe(300);
    expect(await after.findIdentity(code as never)).toEqual(before);
    await after.close();
  });

  it('reports malformed rows with their line numbers and reasons, and loads the good ones', async () => {
    const file = join(dir, 'pop.jsonl');
    await generate(file, 5);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const bad = JSON.parse(lines[2]!) as Row;
    bad.record.residentCode = '24727059601'; // wrong check digit
    lines[2] = JSON.stringify(bad);
    lines[4] = '{not json';
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = await run(
      'load',
      '--store',
      `sqlite:${join(dir, 'cs.sqlite')}`,
      '--in',
      file,
      '--json',
    );
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as {
      loaded: number;
      refusals: { line: number; reason: string }[];
    };
    expect(report.loaded).toBe(3);
    expect(report.refusals.map((x) => x.line)).toEqual([3, 5]);
    expect(report.refusals[0]?.reason).toMatch(/resident-code/);
  });

  it('refuses a file that is not a population file before writing anything', async () => {
    const file = join(dir, 'other.jsonl');
    writeFileSync(file, '{"hello":"world"}\n');
    const r = await run('load', '--store', `sqlite:${join(dir, 'cs.sqlite')}`, '--in', file);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/invalid/);
  });

  it('refuses an unknown store scheme with a typed error', async () => {
    const file = join(dir, 'pop.jsonl');
    await generate(file, 5);
    const r = await run('load', '--store', 'mysql://localhost/x', '--in', file);
    expect(r.code).toBe(1);
    expect(r.err).toContain('invalid');
  });
});

describe('juki identity and juki demo', () => {
  it('R19, R11: the demo runs a small country as a network: counter changes reach the national server, a refusal comes back, HTTP is an intrusion', async () => {
    const r = await run('demo', '--dir', join(dir, 'demo'), '--residents', '300');
    expect(r.code, r.err).toBe(0);
    // Every registered resident reached the national server (3 prefectures, 6 municipalities).
    const national = /national:jlis\s+(\d+)\n/.exec(r.out);
    expect(Number(national?.[1])).toBe(300);
    expect(r.out).toMatch(/national:jlis now: \d{11} 住民 at 東京都千代田区 \(出生\)/);
    expect(r.out).toMatch(/national:jlis now: \d{11} 住民 at 大阪府大阪市北区 \(転入\)/);
    // R25: that 転入 was taken from the old CS's 転出証明書情報 through the switch.
    expect(r.out).toContain(
      "転入転出の特例, R25: cs:271276 took the 転入 from cs:142042's 転出証明書情報 through the switch",
    );
    expect(r.out).toMatch(/national:jlis now: \d{11} 消除 at 大阪府豊中市 \(死亡\)/);
    expect(r.out).toContain('refused at the counter [move-within.address-unchanged]');
    expect(r.out).toMatch(/差戻し .* by prefecture:13 \[create\.already-resident\]/);
    expect(r.out).toContain('not-our-protocol');
    // R24: a household of 大阪市北区 gets its copy at 新宿区 through the switch; a stranger is refused.
    expect(r.out).toMatch(
      /広域交付 \(R24\): \d{11} of 大阪府大阪市北区 asks at 東京都新宿区: cs:131041 → switch:main → cs:271276, a copy of [2-9] person\(s\) \(世帯主・/,
    );
    expect(r.out).toContain(
      '広域交付 naming someone of another household: refused forbidden [wide-area.not-in-household]',
    );
    // R20: every level checked; only the refused 出生 differs; a damaged record is found and repaired.
    expect(r.out).toMatch(/cs:131016 +↔ prefecture:13 +不一致: 1 missing, 0 extra, 0 differing/);
    expect(r.out.match(/一致 matching/g)?.length).toBeGreaterThanOrEqual(8);
    expect(r.out).toMatch(/cs:272035's check finds \d{11} differing/);
    expect(r.out).toContain('checked again: 一致 matching');
    // R13, R3, R5, R21, R17: lawful queries answered, unlawful ones refused with their reason.
    expect(r.out).toMatch(/✓ agency:mhlw-pension +年金 by resident code: 1 person\(s\)/);
    expect(r.out).toContain('refused forbidden [provision.affair-not-permitted]');
    expect(r.out).toContain('refused forbidden [provision.no-agreement]');
    expect(r.out).toContain('refused forbidden [search.below-minimum]');
    // prefecture:13 has a web terminal: its console may not provide without an operator session.
    expect(r.out).toMatch(
      /✗ prefecture:13 +旅券 for a resident of another prefecture, from the console: refused forbidden \[operator\.session-required\]/,
    );
    // R21: a prefecture server without a web terminal answers its governor from its console,
    // asking the national server about a resident of another prefecture.
    expect(r.out).toMatch(
      /✓ prefecture:14 +旅券 for a resident of another prefecture: 1 person\(s\) — .*\(asked the national server, R21\)/,
    );
    // The national server's records reach the resident's prefecture, whose report lists them:
    // the pension service's two and the one made for 神奈川県's governor.
    expect(r.out).toMatch(
      /prefecture:13 fetched 3 record\(s\) of national:jlis about its residents \(3 new\)/,
    );
    expect(r.out).toMatch(/開示 \(R17\): .*'s report at prefecture:13 lists 3 provision\(s\)/);
    // R15, R23, R31: the operators, a token each to enroll (with the screens each card opens),
    // and the terminal's acts in a verified log.
    expect(r.out).toMatch(/操作者登録簿 operators of prefecture:13: admin-13 \(administrator\)/);
    expect(r.out).toMatch(/admin-13 \(administrator\): token \S+\.\S+ \(valid until/);
    expect(r.out).toMatch(
      /provision-13 \(provision-operator\): token \S+\.\S+ \(valid until [^)]+\) → 即時提供の照会/,
    );
    expect(r.out).toMatch(/audit-13 \(auditor\): token \S+\.\S+ .*→ アクセスログ・提供状況の開示/);
    // 千代田区's CS has a web terminal too: its counter clerk works the counter there.
    expect(r.out).toMatch(/操作者登録簿 operators of cs:131016: admin-131016 \(administrator\)/);
    expect(r.out).toMatch(/clerk-131016 \(counter-clerk\): token \S+\.\S+ .*→ 窓口業務/);
    expect(r.out).toMatch(
      /local-terminal provision\.query tokyo-governor 別表第五:六 → refused \[operator\.session-required\]/,
    );
    expect(r.out).toMatch(/local-terminal disclosure\.sync — +→ ok/);
    expect(r.out).toMatch(/juki audit verify: OK — \d+ records in one hash chain/);
    // How to reach each node's terminal: the web terminal where there is one, else its console.
    expect(r.out).toMatch(/\n {2}prefecture:13 +Web 端末 http:\/\/localhost:\d+: operators log in/);
    expect(r.out).toMatch(
      /\n {2}agency:mhlw-pension +console: node bin\/juki\.js node health --config /,
    );
    expect(r.out).toMatch(/\n {2}cs:131016 +Web 端末 http:\/\/localhost:\d+: operators log in/);
    expect(r.out).toMatch(/\n {2}cs:271276 +console: /);
    // R16: the national server's analysis finds the same person asked for again and again.
    expect(r.out).toMatch(
      /audit-finding repeat\.same-person recipient=mhlw-pension target=\d{11} count=13 threshold=10/,
    );
    // R34: the national server's self-check report of the day counts it, naming no one.
    expect(r.out).toMatch(
      /点検報告 R34 \(juki audit report\): national:jlis on \d{4}-\d\d-\d\d: 14 provision\(s\) to 2 recipient\(s\), 3 refused \(.*provision\.no-agreement 1.*\); alerts audit-finding 1; access log verified/,
    );
    // What the demo tells the user to run works.
    const history = /identity history --store (\S+) (\d{11})/.exec(r.out);
    expect(history).not.toBeNull();
    const shown = await run('identity', 'history', '--store', history![1]!, history![2]!, '--json');
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.out)).toHaveLength(1);
    const rejections = /register rejections --register (\S+)/.exec(r.out);
    const listed = await run('register', 'rejections', '--register', rejections![1]!, '--json');
    expect(JSON.parse(listed.out)).toHaveLength(1);
  });

  it('answers an unknown resident code with not-found (exit 1) and a malformed one with invalid', async () => {
    const store = `sqlite:${join(dir, 'empty.sqlite')}`;
    const missing = await run('identity', 'show', '--store', store, '24727059608');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('not-found');
    const malformed = await run('identity', 'show', '--store', store, '24727059601');
    expect(malformed.code).toBe(1);
    expect(malformed.err).toContain('resident-code.check-digit');
  });
});

describe('juki alerts', () => {
  it('R11: lists what a node recorded, newest first, and says so when there is nothing', async () => {
    const store = `sqlite:${join(dir, 'node.sqlite')}`;
    const empty = await run('alerts', '--store', store);
    expect(empty.code).toBe(0);
    expect(empty.out).toContain('no intrusion alerts');
    const alerts = await openAlertStore(store);
    await alerts.recordAlert({
      at: '2026-11-24T01:02:03.000Z',
      observer: 'prefecture:13',
      kind: 'not-our-protocol',
      peerAddress: '127.0.0.1:5555',
      peerName: undefined,
      detail: 'GET / HTTP/1.1',
    });
    await alerts.close();
    const listed = await run('alerts', '--store', store);
    expect(listed.out).toContain('not-our-protocol from 127.0.0.1:5555 at prefecture:13');
    const json = JSON.parse((await run('alerts', '--store', store, '--json')).out) as unknown[];
    expect(json).toHaveLength(1);
  });
});

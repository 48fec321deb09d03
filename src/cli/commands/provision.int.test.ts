import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../main.ts';

let dir: string;
let store: string;

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    interactive: false,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jukinet-provision-cli-'));
  store = `sqlite:${join(dir, 'national.sqlite')}`;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('juki provision (the register of a providing node)', () => {
  it('R3, R5: registers a recipient, permits a statutory affair, records an agreement and a suspension, and lists them', async () => {
    expect(
      (
        await run(
          'provision',
          'recipient',
          'add',
          '--store',
          store,
          '--id',
          'mhlw-pension',
          '--name',
          '厚生労働省及び日本年金機構',
          '--kind',
          'national-agency',
          '--served-by',
          'national:jlis',
          '--node',
          'agency:mhlw-pension',
        )
      ).code,
    ).toBe(0);
    const permit = await run(
      'provision',
      'permit',
      '--store',
      store,
      '--recipient',
      'mhlw-pension',
      '--affair',
      '別表第一:七十三の六',
    );
    expect(permit.code, permit.err).toBe(0);
    expect(
      (
        await run(
          'provision',
          'agreement',
          '--store',
          store,
          '--recipient',
          'mhlw-pension',
          '--id',
          'agr-1',
          '--signed',
          '2026-04-01',
          '--from',
          '2026-04-01',
          '--measures',
          '照会端末の限定',
        )
      ).code,
    ).toBe(0);
    const suspend = await run(
      'provision',
      'suspend',
      '--store',
      store,
      '--recipient',
      'mhlw-pension',
      '--by',
      'op-1',
      '--reason',
      '調査中',
    );
    expect(suspend.out).toContain('provision suspended');
    const list = await run('provision', 'list', '--store', store);
    expect(list.out).toContain('mhlw-pension  厚生労働省及び日本年金機構');
    expect(list.out).toContain('事務 別表第一:七十三の六 → pseudonym');
    expect(list.out).toContain('協定書 agr-1');
    // R5: the text output shows the suspension in force and who decided it, and why.
    expect(list.out).toContain(
      'mhlw-pension  厚生労働省及び日本年金機構 (national-agency, served by national:jlis)  【提供停止中 (provision suspended)】',
    );
    expect(list.out).toMatch(/ {4}提供停止 \(suspended\) \S+Z by op-1: 調査中/);
    const json = JSON.parse((await run('provision', 'list', '--store', store, '--json')).out) as {
      suspensions: { action: string }[];
    };
    expect(json.suspensions.map((x) => x.action)).toEqual(['suspend']);
    // Reinstated: both events are listed, and the recipient is no longer marked suspended.
    const reinstate = await run(
      'provision',
      'reinstate',
      '--store',
      store,
      '--recipient',
      'mhlw-pension',
      '--by',
      'op-2',
      '--reason',
      '調査終了',
    );
    expect(reinstate.code, reinstate.err).toBe(0);
    const after = (await run('provision', 'list', '--store', store)).out;
    expect(after).not.toContain('提供停止中');
    expect(after).toMatch(
      /提供停止 \(suspended\) \S+ by op-1: 調査中\n {4}提供再開 \(reinstated\) \S+ by op-2: 調査終了/,
    );
  }, 30_000);

  it('R3: refuses an affair that is not in the law and one that does not fit the recipient, storing nothing', async () => {
    await run(
      'provision',
      'recipient',
      'add',
      '--store',
      store,
      '--id',
      'tokyo-governor',
      '--name',
      '東京都知事',
      '--kind',
      'prefecture-body',
      '--served-by',
      'prefecture:13',
    );
    const unknown = await run(
      'provision',
      'permit',
      '--store',
      store,
      '--recipient',
      'tokyo-governor',
      '--affair',
      '別表第九:一',
    );
    // Refused as the running node refuses it (POST /provision/register): not in the law.
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('provision.unknown-affair');
    expect(unknown.err).toContain('別表第九:一');
    // 別表第一 is provided by the national server to national bodies: not to a governor.
    const misfit = await run(
      'provision',
      'permit',
      '--store',
      store,
      '--recipient',
      'tokyo-governor',
      '--affair',
      '別表第一:四十一',
    );
    expect(misfit.code).toBe(1);
    expect(misfit.err).toMatch(/permission\./);
    const listed = JSON.parse((await run('provision', 'list', '--store', store, '--json')).out) as {
      permissions: unknown[];
    };
    expect(listed.permissions).toEqual([]);
  }, 30_000);

  it('R3: a prefecture adds an affair by ordinance (条例) and permits it to its own body', async () => {
    const prefStore = `sqlite:${join(dir, 'prefecture-13.sqlite')}`;
    await run(
      'provision',
      'recipient',
      'add',
      '--store',
      prefStore,
      '--id',
      'tokyo-board',
      '--name',
      '東京都教育委員会',
      '--kind',
      'prefecture-body',
      '--served-by',
      'prefecture:13',
    );
    const added = await run(
      'provision',
      'ordinance',
      'add',
      '--store',
      prefStore,
      '--prefecture',
      '13',
      '--item',
      '一',
      '--recipient-text',
      '教育委員会',
      '--affair-text',
      '奨学金の貸与に関する事務',
      '--legal-basis',
      '東京都住民基本台帳法施行条例第二条',
    );
    expect(added.code, added.err).toBe(0);
    expect(added.out).toContain('条例:13:一');
    const permit = await run(
      'provision',
      'permit',
      '--store',
      prefStore,
      '--recipient',
      'tokyo-board',
      '--affair',
      '条例:13:一',
    );
    expect(permit.code, permit.err).toBe(0);
  }, 30_000);

  it('lists the statutory affairs of the Act (689 items) and finds them by text', async () => {
    const all = JSON.parse((await run('provision', 'affairs', '--json')).out) as unknown[];
    expect(all).toHaveLength(689);
    const passport = await run('provision', 'affairs', '--grep', '旅券法');
    expect(passport.out).toContain('別表第一:四十一');
  });
});

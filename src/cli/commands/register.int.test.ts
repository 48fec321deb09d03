import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEvent, buildIdentity } from '../../domain/change/change-builders.ts';
import { code } from '../../domain/register/register.fixtures.ts';
import type { ResidentRecord } from '../../domain/register/ResidentRecord.ts';
import type { PerformResult } from '../../register/RegisterStore.ts';
import { main } from '../main.ts';
import { captureIO } from '../test-io.ts';

let dir: string;
let register: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'jukinet-register-cli-'));
  register = `sqlite:${join(dir, 'register.sqlite')}`;
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const run = async (...argv: string[]) => {
  const io = captureIO();
  const exit = await main(argv, io);
  return { exit, out: io.stdout(), err: io.stderr() };
};

const taro = [
  '--code', code(1),
  '--name', '住基 太郎',
  '--kana', 'ジュウキ タロウ',
  '--sex', '男',
  '--birth-date', '1980-05-05',
  '--address', '東京都千代田区千代田1番1号',
  '--domicile', '東京都千代田区千代田1番',
  '--head-of-family', '住基 太郎',
  '--previous-address', '大阪府大阪市北区梅田1丁目1番1号',
  '--date', '2024-04-01',
]; // prettier-ignore

describe('juki register', () => {
  it('init, then counter operations by flags or --form, show, feed; refusals exit 1 and store nothing', async () => {
    expect(
      (await run('register', 'init', '--register', register, '--municipality', '13101')).out,
    ).toContain('東京都千代田区 (131016)');
    const movedIn = await run('register', '転入', '--register', register, ...taro, '--json');
    expect(movedIn.exit).toBe(0);
    const result = JSON.parse(movedIn.out) as PerformResult;
    expect(result.record).toMatchObject({ relationship: '世帯主', householdId: '1', sex: 'male' });
    expect(result.event?.reason).toBe('move-in');

    // 転入 of someone already resident: refused with R19's rule, nothing stored
    const again = await run('register', 'move-in', '--register', register, ...taro);
    expect(again.exit).toBe(1);
    expect(again.err).toContain('[create.already-resident]');
    expect(again.err).toMatch(/現存する住民/u);

    const form = {
      parentCode: code(1),
      name: { kanji: '住基 一郎', kana: 'ジュウキ イチロウ' },
      sex: 'male',
      birthDate: '2024-05-01',
    };
    const born = await run(
      'register',
      'birth',
      '--register',
      register,
      '--form',
      JSON.stringify(form),
    );
    expect(born.exit, born.err).toBe(0);
    expect(born.out).toMatch(/受理しました \/ accepted: 出生 \(birth\)/u);
    expect(born.out).toMatch(/続柄 \(relationship\): +子/u);

    const show = await run('register', 'show', '--register', register, code(1));
    expect(show.out).toMatch(/本籍・筆頭者 \(domicile\): +東京都千代田区千代田1番/u);
    const json = JSON.parse(
      (await run('register', 'show', '--register', register, code(1), '--json')).out,
    ) as ResidentRecord;
    expect(json.previousAddress).toBe('大阪府大阪市北区梅田1丁目1番1号');
    expect((await run('register', 'show', '--register', register, code(404))).exit).toBe(1);

    const household = await run('register', 'household', '--register', register, '1');
    expect(
      household.out
        .trim()
        .split('\n')
        .map((l) => l.split('\t')[0]),
    ).toEqual(['世帯主', '子']);

    const moved = await run(
      'register',
      'move-within',
      '--register',
      register,
      '--code',
      code(1),
      '--address',
      '東京都千代田区丸の内3丁目4番5号',
      '--date',
      '2024-05-10',
    );
    expect(moved.exit, moved.err).toBe(0);
    const feed = JSON.parse(
      (await run('register', 'feed', '--register', register, '--json')).out,
    ) as unknown[];
    expect(feed).toHaveLength(3);
    expect((await run('register', 'rejections', '--register', register)).out).toContain(
      '差戻しはありません',
    );
  });

  it('import: a good file once (then duplicates); a bad line refuses the file with its line number', async () => {
    await run('register', 'init', '--register', register, '--municipality', '131016');
    const good = join(dir, 'good.jsonl');
    writeFileSync(good, `${JSON.stringify(buildEvent('move-in', buildIdentity()))}\n`);
    const first = await run('register', 'import', '--register', register, good, '--json');
    expect(first.exit).toBe(0);
    expect(JSON.parse(first.out)).toMatchObject({ appended: 1, duplicates: 0 });
    expect((await run('register', 'import', '--register', register, good)).out).toContain('既出 1');
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, `${JSON.stringify(buildEvent('death', buildIdentity()))}\nnot json\n`);
    const refused = await run('register', 'import', '--register', register, bad);
    expect(refused.exit).toBe(1);
    expect(refused.out).toContain('line 2: import.not-json');
    expect(
      JSON.parse((await run('register', 'feed', '--register', register, '--json')).out),
    ).toHaveLength(1);
  });

  it('bad usage exits 2: no --register, an unknown operation, --relationship without a household', async () => {
    expect((await run('register', 'show', code(1))).exit).toBe(2);
    expect((await run('register', 'move-somewhere', '--register', register)).exit).toBe(2);
    await run('register', 'init', '--register', register, '--municipality', '131016');
    expect(
      (await run('register', 'move-in', '--register', register, ...taro, '--relationship', '妻'))
        .exit,
    ).toBe(2);
    expect(
      (await run('register', 'init', '--register', register, '--municipality', '130001')).exit,
    ).toBe(2);
  });
});

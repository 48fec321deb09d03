import { afterAll, beforeAll, expect, it } from 'vitest';
import { date } from '../../src/domain/change/change-builders.ts';
import type { ChangeEvent } from '../../src/domain/change/ChangeEvent.ts';
import type { ResidentCode } from '../../src/domain/resident/ResidentCode.ts';
import type { ProcessNetwork } from './network-harness.ts';
import { expectSameEverywhere, Scenario } from './network-flow.ts';

const TODAY = { today: date('2024-12-01') };

/**
 * More of the flow's end-to-end tests (docs/FLOW.md §3, §4), on the started network of
 * SCENARIO_NETWORK, after `describeNetworkFlow` (same network, run in order):
 * - R19 refusals that only the prefecture server can make (the CS does not hold the record the
 *   rule needs) travel back to the CS's register with their rule;
 * - notices of one resident that arrive late or out of order leave the right end state.
 */
export function describeMoreFlow(network: () => ProcessNetwork): void {
  let s: Scenario;
  beforeAll(() => {
    s = new Scenario(network());
  });
  afterAll(async () => {
    await s?.close();
  });

  const death = async (municipality: string, code: ResidentCode, on: string): Promise<void> => {
    await (
      await s.register(municipality)
    ).perform(
      { reason: 'death', form: { residentCode: code, changeDate: date(on), notifiedOn: date(on) } },
      TODAY,
    );
  };

  it('R19: a 転入 after a death elsewhere (removed.not-allowed) and a 出生 under a used code (birth.code-exists) come back from the prefecture to the CS with their rules', async () => {
    // Two people of 千代田区: one dies, one moves away. 東京都's server keeps both removed records.
    const dead = await s.moveIn('131016', {
      name: '死亡 五郎',
      kana: 'シボウ ゴロウ',
      address: '東京都千代田区千代田5番1号',
    });
    await death('131016', dead.code, '2024-05-01');
    const gone = await s.moveIn('131016', {
      name: '転出 六郎',
      kana: 'テンシュツ ロクロウ',
      address: '東京都千代田区千代田6番1号',
    });
    await s.moveOut('131016', gone.code, '北海道札幌市中央区北1条西2丁目', '2024-05-01');
    await s.settled();
    expect(await s.find('prefecture:13', dead.code)).toMatchObject({ status: 'removed' });
    expect(await s.find('prefecture:13', gone.code)).toMatchObject({ status: 'removed' });

    // 中央区's register (file import) records changes under those codes. 中央区's CS has no
    // record of either code, so its checks pass; only 東京都's server can refuse them.
    const register = await s.register('131024');
    const chuo = (values: ChangeEvent['values'], address: string) => ({
      ...values,
      address,
      localGovernmentCode: '131024',
    });
    const afterDeath: ChangeEvent = {
      transactionId: 'e2e-move-in-after-death',
      reason: 'move-in',
      changeDate: date('2024-06-01'),
      residentCode: dead.code,
      values: chuo(dead.event.values, '東京都中央区日本橋2丁目1番1号'),
    };
    const usedCode: ChangeEvent = {
      transactionId: 'e2e-birth-under-a-removed-code',
      reason: 'birth',
      changeDate: date('2024-11-02'),
      residentCode: gone.code,
      values: {
        ...chuo(gone.event.values, '東京都中央区日本橋3丁目1番1号'),
        birthDate: date('2024-11-02'),
      },
    };
    await register.appendChanges([
      { line: 1, event: afterDeath },
      { line: 2, event: usedCode },
    ]);
    const wanted = new Set([afterDeath.transactionId, usedCode.transactionId]);
    await network().until(
      'both refusals are back at 中央区',
      async () =>
        (await register.listRejections(20)).filter((r) => wanted.has(r.transactionId)).length === 2,
    );
    const back = (await register.listRejections(20)).filter((r) => wanted.has(r.transactionId));
    expect(back.map((r) => [r.transactionId, r.rejectedBy, r.rejection.rule]).sort()).toEqual([
      ['e2e-birth-under-a-removed-code', 'prefecture:13', 'birth.code-exists'],
      ['e2e-move-in-after-death', 'prefecture:13', 'removed.not-allowed'],
    ]);
    // The CS took both (its own checks passed): the refusal is the prefecture's.
    expect(await s.find('cs:131024', dead.code)).toMatchObject({ status: 'resident' });
    // Nothing changed upstream; neither refused change reached the national server.
    for (const node of ['prefecture:13', 'national:jlis']) {
      expect(await s.find(node, dead.code)).toMatchObject({
        status: 'removed',
        localGovernmentCode: '131016',
      });
      expect(await s.find(node, gone.code)).toMatchObject({
        status: 'removed',
        localGovernmentCode: '131016',
      });
    }
    const national = await s.store('national:jlis');
    expect((await national.history(dead.code)).map((h) => h.event.reason)).toEqual([
      'move-in',
      'death',
    ]);
    await s.settled();
  });

  it('R19: a notice delivered again long after newer changes of the resident is applied once and undoes nothing', async () => {
    const person = await s.moveIn('131016', {
      name: '遅延 七郎',
      kana: 'チエン シチロウ',
      address: '東京都千代田区千代田7番1号',
    });
    await s.moveWithin('131016', person.code, '東京都千代田区千代田7番2号', '2024-06-01');
    await s.settled();
    // The 転入, late (a retry that lost its ack long ago), after the 転居 was applied.
    expect(await s.sendAsCs('131016', person.event)).toBe('duplicate');
    await s.settled();
    for (const node of ['prefecture:13', 'national:jlis']) {
      expect((await s.find(node, person.code))?.address).toBe('東京都千代田区千代田7番2号');
      const history = await (await s.store(node)).history(person.code);
      expect(history.map((h) => h.event.reason)).toEqual(['move-in', 'move-within']);
    }
    await expectSameEverywhere(s, person.code, '131016');
  });

  it('R19: a move inside one prefecture where the old ward’s 転居 and 転出 arrive after the new ward’s 転入 ends right at every server', async () => {
    const mover = await s.moveIn('131016', {
      name: '順序 八郎',
      kana: 'ジュンジョ ハチロウ',
      address: '東京都千代田区千代田8番1号',
    });
    await s.settled();
    // 千代田区's CS is down: its 転居 and 転出 wait in the register's feed while 中央区's 転入 of
    // the same person reaches 東京都's server and the national server first.
    await network().kill('cs:131016', 'SIGTERM');
    await s.moveWithin('131016', mover.code, '東京都千代田区千代田8番2号', '2024-09-01');
    await s.moveOut('131016', mover.code, '東京都中央区銀座8丁目1番1号', '2024-09-30');
    await s.moveIn('131024', {
      name: '順序 八郎',
      kana: 'ジュンジョ ハチロウ',
      address: '東京都中央区銀座8丁目1番1号',
      residentCode: mover.code,
      on: '2024-10-01',
    });
    await network().until(
      'the 転入 is at the national server',
      async () => (await s.find('national:jlis', mover.code))?.localGovernmentCode === '131024',
    );
    await network().start('cs:131016');
    await s.settled();

    for (const node of ['prefecture:13', 'national:jlis']) {
      expect(await s.find(node, mover.code)).toMatchObject({
        status: 'resident',
        localGovernmentCode: '131024',
        address: '東京都中央区銀座8丁目1番1号',
      });
      // Every notice once, in arrival order; the late ones changed nothing on the record.
      const history = await (await s.store(node)).history(mover.code);
      expect(history.map((h) => h.event.reason)).toEqual([
        'move-in',
        'move-in',
        'move-within',
        'move-out',
      ]);
    }
    expect(await s.find('cs:131016', mover.code)).toMatchObject({ status: 'removed' });
    await expectSameEverywhere(s, mover.code, '131024');
    for (const code of ['131016', '131024'])
      expect(
        (await (await s.register(code)).listRejections(50)).filter(
          (r) => r.event?.residentCode === mover.code,
        ),
      ).toEqual([]);
  });
}

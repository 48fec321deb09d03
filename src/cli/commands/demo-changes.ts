import type { CalendarDate } from '../../domain/dates/CalendarDate.ts';
import { RegistryError } from '../../domain/errors.ts';
import type { ResidentCode } from '../../domain/resident/ResidentCode.ts';
import type { LocalNetwork } from '../../nodes/local-network.ts';
import { callTerminal } from '../../nodes/terminal-server.ts';
import type { RegisterStore } from '../../register/RegisterStore.ts';
import type { CommandIO } from '../io.ts';
import { nodeTerminal } from '../terminal-target.ts';
import { someoneLivingAlone } from './demo-country.ts';

/*
 * The demo's step 4 (`juki demo`): a stream of realistic changes at the counters of its small
 * country — a birth, moves within a municipality and across prefectures (the 転入 by
 * 転入転出の特例, R25), a death — and two refusals, one at the counter and one further up (R19).
 */

/** Realistic changes at the counters; returns the residents worth showing at the national server. */
export async function changeStream(options: {
  registers: ReadonlyMap<string, RegisterStore>;
  /** The residents each register took in. */
  codes: ReadonlyMap<string, readonly ResidentCode[]>;
  today: CalendarDate;
  io: CommandIO;
  name: (code: string) => string;
  network: LocalNetwork;
}): Promise<{ code: ResidentCode }[]> {
  const { registers, today, io, name } = options;
  const at = (code: string): RegisterStore => registers.get(code)!;
  const feedCodes = (code: string): Promise<readonly ResidentCode[]> =>
    Promise.resolve(options.codes.get(code) ?? []);
  const shown: { code: ResidentCode }[] = [];
  const say = (what: string): void => io.out(`    ${what}`);

  // 出生 at 千代田区: a child joins a parent's household.
  const chiyoda = await feedCodes('131016');
  const parent = chiyoda[0]!;
  const birth = await at('131016').perform(
    {
      reason: 'birth',
      form: {
        parentCode: parent,
        name: { kanji: '住基 未来', kana: 'ジュウキ ミライ' },
        sex: 'female',
        birthDate: today,
        notifiedOn: today,
      },
    },
    { today },
  );
  say(
    `出生 at ${name('131016')}: ${birth.record.name.kanji} (new code ${birth.record.residentCode}, issued at random, R7)`,
  );
  shown.push({ code: birth.record.residentCode });

  // 転居 within 新宿区, 死亡 at 豊中市.
  const shinjukuMover = await someoneLivingAlone(at('131041'), await feedCodes('131041'));
  if (shinjukuMover) {
    await at('131041').perform(
      {
        reason: 'move-within',
        form: {
          residentCode: shinjukuMover,
          address: '東京都新宿区西新宿2丁目8番1号',
          changeDate: today,
          notifiedOn: today,
        },
      },
      { today },
    );
    say(`転居 within ${name('131041')}: ${shinjukuMover} → 東京都新宿区西新宿2丁目8番1号`);
  }
  const toyonaka = await someoneLivingAlone(at('272035'), await feedCodes('272035'));
  if (toyonaka) {
    await at('272035').perform(
      { reason: 'death', form: { residentCode: toyonaka, changeDate: today, notifiedOn: today } },
      { today },
    );
    say(`死亡 at ${name('272035')}: ${toyonaka}`);
    shown.push({ code: toyonaka });
  }

  // A move across prefectures: 転出 at 鎌倉市, 転入 at 大阪市北区 with the same resident code.
  const kamakura = await someoneLivingAlone(at('142042'), await feedCodes('142042'));
  if (kamakura) {
    const person = (await at('142042').getRecord(kamakura))!;
    await at('142042').perform(
      {
        reason: 'move-out',
        form: {
          residentCode: kamakura,
          changeDate: today,
          notifiedOn: today,
          destination: '大阪府大阪市北区梅田1丁目1番1号',
        },
      },
      { today },
    );
    // 転入転出の特例 (R25): 大阪市北区's CS takes the 転入 from 鎌倉市's 転出証明書情報, asked through
    // the switch; the clerk enters only what the card and the resident tell.
    await callTerminal(
      await nodeTerminal(options.network.node('cs:271276').config),
      'POST',
      '/register/move-in-special',
      {
        operator: 'clerk-271276',
        residentCode: kamakura,
        name: person.name.kanji,
        birthDate: person.birthDate,
        previousAddress: person.address,
        address: '大阪府大阪市北区梅田1丁目1番1号',
        changeDate: today,
        notifiedOn: today,
      },
    );
    say(
      `転出 at ${name('142042')} → 転入 at ${name('271276')}: ${kamakura} (two prefectures, two notices; 転入転出の特例, R25: cs:271276 took the 転入 from cs:142042's 転出証明書情報 through the switch)`,
    );
    shown.push({ code: kamakura });
  }

  // Refused at the counter (the register's own R19 check), and refused further up.
  const refusal = await at('131016')
    .perform(
      {
        reason: 'move-within',
        form: {
          residentCode: parent,
          address: (await at('131016').getRecord(parent))!.address,
          changeDate: today,
          notifiedOn: today,
        },
      },
      { today },
    )
    .catch((e: unknown) => e);
  if (refusal instanceof RegistryError)
    say(
      `転居 to the same address at ${name('131016')}: refused at the counter [${refusal.reason}]`,
    );
  const someoneElse = (await at('131041').getRecord((await feedCodes('131041'))[1]!))!;
  await at('131016').appendChanges([
    {
      line: 1,
      event: {
        transactionId: `demo-birth-with-used-code-${someoneElse.residentCode}`,
        reason: 'birth',
        changeDate: today,
        residentCode: someoneElse.residentCode,
        values: {
          residentCode: someoneElse.residentCode,
          name: { kanji: '重複 花子', kana: 'チョウフク ハナコ' },
          sex: 'female',
          birthDate: today,
          address: '東京都千代田区千代田1番1号',
          localGovernmentCode: '131016',
        },
      },
    },
  ]);
  say(
    `出生 imported from a real register's file at ${name('131016')} with a code already used at ${name('131041')}: the CS cannot know, 東京都's server refuses it`,
  );
  return shown;
}

import type { NodeConfigFile } from './node-config.ts';
import type { RunningNode } from './node-runtime.ts';
import { startLocalNetwork, type LocalNetwork } from './local-network.ts';
import { initNetwork } from './network-init.ts';
import { reserveBasePort } from './port-range.ts';
import type { CounterAnswer } from './node-counter.ts';
import { nodeTerminal } from '../cli/terminal-target.ts';
import { callTerminal } from './terminal-server.ts';

/*
 * Test fixtures of 広域交付 (R24): residents of 札幌市中央区 (cs:011011), entered at its counter
 * through its console (a CS without a web terminal), who ask for their copy at another CS.
 */

export const SAPPORO_ADDRESS = '北海道札幌市中央区北一条西二丁目1番地';

/** Resident codes of the people sapporoHousehold enters. */
export type SapporoPeople = {
  readonly taro: string;
  readonly hanako: string;
  readonly jiro: string;
};

/**
 * 住基 太郎 moves in at `sapporo`, his wife 住基 花子 joins his household, 別世帯 次郎 moves in on
 * his own.
 */
export async function sapporoHousehold(sapporo: RunningNode): Promise<SapporoPeople> {
  const console = await nodeTerminal(sapporo.config, {});
  const moveIn = async (form: Record<string, unknown>) =>
    (await callTerminal(console, 'POST', '/register/operation', {
      reason: '転入',
      form: {
        address: SAPPORO_ADDRESS,
        previousAddress: '東京都港区芝公園4丁目2番8号',
        notifiedOn: '2026-04-03',
        changeDate: '2026-04-01',
        registeredDomicile: {
          address: '北海道札幌市中央区北一条西二丁目',
          headOfFamily: '住基 太郎',
        },
        ...form,
      },
    })) as CounterAnswer;
  const head = await moveIn({
    name: { kanji: '住基 太郎', kana: 'ジュウキ タロウ' },
    sex: 'male',
    birthDate: '1980-05-05',
  });
  const wife = await moveIn({
    name: { kanji: '住基 花子', kana: 'ジュウキ ハナコ' },
    sex: 'female',
    birthDate: '1982-08-08',
    household: { kind: 'join', householdId: head.record.householdId, relationship: '妻' },
  });
  const alone = await moveIn({
    name: { kanji: '別世帯 次郎', kana: 'ベツセタイ ジロウ' },
    sex: 'male',
    birthDate: '1975-01-01',
    registeredDomicile: {
      address: '北海道札幌市中央区北一条西二丁目',
      headOfFamily: '別世帯 次郎',
    },
  });
  return {
    taro: head.record.residentCode,
    hanako: wife.record.residentCode,
    jiro: alone.record.residentCode,
  };
}

/**
 * 東京都 with 千代田区 (cs:131016) and 北海道 with 札幌市中央区 (cs:011011), the switch and the
 * national server, started in this process with no scheduled checks; `wideArea` the residence
 * CS's throttle (R18).
 */
export async function twoMunicipalities(
  dir: string,
  wideArea?: NodeConfigFile['wideArea'],
): Promise<LocalNetwork> {
  const manifest = await initNetwork({
    prefectures: ['13', '01'],
    municipalities: ['131016', '011011'],
    dir,
    host: '127.0.0.1',
    basePort: reserveBasePort(),
    overrides: {
      schedule: { integrityMinutes: 0, retentionMinutes: 0 },
      ...(wideArea ? { wideArea } : {}),
    },
  });
  return startLocalNetwork(dir, manifest);
}

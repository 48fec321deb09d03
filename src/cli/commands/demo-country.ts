import type { CalendarDate } from '../../domain/dates/CalendarDate.ts';
import type { LocalGovernmentTable } from '../../domain/local-government/local-government-table.ts';
import type { RegisterOperation } from '../../domain/register/operations.ts';
import type { ResidentCode } from '../../domain/resident/ResidentCode.ts';
import { generatePopulation } from '../../population/generate-population.ts';
import type { PopulationRow } from '../../population/PopulationRow.ts';
import type { RegisterStore } from '../../register/RegisterStore.ts';

/**
 * The demo's small country: which municipalities, and the counter work that fills and then
 * changes their registers. Everything goes through the registers' counter operations, so every
 * change flows register → CS → prefecture → national as in production.
 */
export const DEMO_COUNTRY = {
  prefectures: ['13', '14', '27'],
  /** 千代田区, 新宿区, 横浜市鶴見区, 鎌倉市, 大阪市北区, 豊中市 */
  municipalities: ['131016', '131041', '141011', '142042', '271276', '272035'],
} as const;

const DOMICILE = { address: '東京都千代田区千代田1番', headOfFamily: '住基 太郎' };
const PREVIOUS_ADDRESS = '北海道札幌市中央区北1条西2丁目1番地';

export type Registers = ReadonlyMap<string, RegisterStore>;

/**
 * Every resident of a generated population (docs/POPULATION.md) is recorded by 転入 at their
 * municipality's counter: the head first (a new household), then the members joining it.
 */
export async function registerPopulation(options: {
  registers: Registers;
  table: LocalGovernmentTable;
  residents: number;
  seed: string;
  today: CalendarDate;
  onProgress: (done: number) => void;
}): Promise<{ residents: number; households: number; codes: Map<string, ResidentCode[]> }> {
  const { registers, today } = options;
  const householdOf = new Map<string, string>();
  const codes = new Map<string, ResidentCode[]>();
  let done = 0;
  for (const row of generatePopulation({
    residents: options.residents,
    seed: options.seed,
    municipalities: options.table.rows,
    asOf: today,
    onlyCodes: [...DEMO_COUNTRY.municipalities],
  })) {
    const register = registers.get(row.record.localGovernmentCode)!;
    const joined = householdOf.get(row.household.id);
    const result = await register.perform(moveInOf(row, joined, today), { today });
    if (joined === undefined) householdOf.set(row.household.id, result.record.householdId);
    const list = codes.get(row.record.localGovernmentCode) ?? [];
    list.push(result.record.residentCode);
    codes.set(row.record.localGovernmentCode, list);
    options.onProgress(++done);
  }
  return { residents: done, households: householdOf.size, codes };
}

function moveInOf(row: PopulationRow, householdId: string | undefined, today: CalendarDate) {
  const r = row.record;
  return {
    reason: 'move-in',
    form: {
      residentCode: r.residentCode,
      ...(r.individualNumber ? { individualNumber: r.individualNumber } : {}),
      name: r.name,
      sex: r.sex,
      birthDate: r.birthDate,
      address: r.address,
      household:
        householdId === undefined || row.household.relationship === '世帯主'
          ? { kind: 'new' }
          : { kind: 'join', householdId, relationship: row.household.relationship },
      registeredDomicile: DOMICILE,
      changeDate: today,
      notifiedOn: today,
      previousAddress: PREVIOUS_ADDRESS,
    },
  } satisfies RegisterOperation;
}

/** A head of household living alone: free to move without naming a successor. */
export async function someoneLivingAlone(
  register: RegisterStore,
  codes: readonly ResidentCode[],
): Promise<ResidentCode | undefined> {
  for (const code of codes) {
    const r = await register.getRecord(code);
    if (r?.status === 'resident' && (await register.household(r.householdId)).length === 1)
      return code;
  }
  return undefined;
}

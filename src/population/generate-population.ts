import type { ChangeReason } from '../domain/change/ChangeReason.ts';
import { isCalendarDate } from '../domain/dates/CalendarDate.ts';
import { RegistryError } from '../domain/errors.ts';
import type { IdentityRecord } from '../domain/resident/IdentityInfo.ts';
import { dateFromDayNumber, yearsInDays } from './day-number.ts';
import { HouseholdDrafter } from './household-members.ts';
import { weightMunicipalities, type WeightedMunicipality } from './municipality-weights.ts';
import { fullName, NamePicker } from './person-names.ts';
import { PopulationCodes, RESIDENT_CODE_SPACE } from './population-codes.ts';
import type { GeneratePopulationOptions, PopulationRow } from './PopulationRow.ts';
import { SeededRandom } from './seeded-random.ts';
import { drawStreetAddress } from './street-address.ts';
import { WeightedTable } from './weighted-table.ts';

/** Share of records carrying an individual number (個人番号), per mille. */
export const INDIVIDUAL_NUMBER_PER_MILLE = 900;
/** Households whose head was born in the municipality and never left (異動事由 出生), per mille. */
const NATIVE_HEAD_PER_MILLE = 100;
/** Households entered on the register by the municipality's own action (職権記載等), per mille. */
const ENTRY_BY_AUTHORITY_PER_MILLE = 5;

/**
 * A deterministic synthetic population, one row per resident, household by household (the head
 * first). The same options give the same rows on any machine; generating N rows gives the first N
 * rows of any larger run with the same seed (only the last household may be cut short).
 *
 * Streams: the generator keeps only lookup tables and the PRNG state, never per-resident state;
 * resident codes and individual numbers are unique by construction (population-codes.ts).
 * Options are checked at once (RegistryError 'invalid'), before the first row is asked for.
 */
export function generatePopulation(options: GeneratePopulationOptions): Generator<PopulationRow> {
  const { residents, seed, asOf } = options;
  if (!Number.isSafeInteger(residents) || residents < 0 || residents > RESIDENT_CODE_SPACE) {
    throw new RegistryError(
      'invalid',
      `residents must be an integer from 0 to ${RESIDENT_CODE_SPACE}: ${residents}`,
      'population.residents',
    );
  }
  if (typeof seed === 'number' ? !Number.isFinite(seed) : typeof seed !== 'string') {
    throw new RegistryError(
      'invalid',
      `seed must be a string or a finite number`,
      'population.seed',
    );
  }
  if (!isCalendarDate(asOf) || asOf < '1900-01-01') {
    throw new RegistryError(
      'invalid',
      `asOf must be a calendar date from 1900-01-01 on: ${String(asOf)}`,
      'population.as-of',
    );
  }
  const places = new WeightedTable(
    weightMunicipalities(options.municipalities, options.onlyCodes).map(
      (m) => [m, m.weight] as const,
    ),
  );
  return rows(residents, String(seed), asOf, places);
}

function* rows(
  residents: number,
  seed: string,
  asOf: GeneratePopulationOptions['asOf'],
  places: WeightedTable<WeightedMunicipality>,
): Generator<PopulationRow> {
  const random = new SeededRandom(seed, 'population');
  const codes = new PopulationCodes(seed);
  const drafter = new HouseholdDrafter(asOf);
  const names = new NamePicker();
  const asOfDay = drafter.asOfDay;
  let rowIndex = 0;
  for (let household = 0; rowIndex < residents; household++) {
    const place = places.pick(random);
    const members = drafter.draft(random);
    const surname = names.surname(random);
    const address = `${place.prefecture}${place.municipality}${drawStreetAddress(random, place.kind)}`;
    const head = members[0]!;
    // Date the household moved in: a day in the last min(50, head's age − 18) years, recent ones likelier.
    const headAdultDay = head.birthDay + yearsInDays(18);
    const span = Math.max(0, Math.min(yearsInDays(50), asOfDay - headAdultDay));
    const settledDay = asOfDay - Math.floor(Math.min(random.float(), random.float()) * (span + 1));
    const nativeHead = random.chancePerMille(NATIVE_HEAD_PER_MILLE);
    const arrival: ChangeReason = random.chancePerMille(ENTRY_BY_AUTHORITY_PER_MILLE)
      ? 'entry-by-authority'
      : 'move-in';
    const headResidentCode = codes.residentCode(rowIndex);
    const householdId = `${place.code}-${String(household + 1).padStart(8, '0')}`;
    const size = Math.min(members.length, residents - rowIndex);
    for (let i = 0; i < size; i++) {
      const m = members[i]!;
      const birthDate = dateFromDayNumber(m.birthDay);
      const bornHere = m.birthDay >= settledDay || (i === 0 && nativeHead);
      const ownSurname = m.ownSurname ? names.surname(random) : surname;
      const given = names.givenName(random, m.sex, Number(birthDate.slice(0, 4)));
      const withNumber = random.chancePerMille(INDIVIDUAL_NUMBER_PER_MILLE);
      const record: IdentityRecord = {
        residentCode: i === 0 ? headResidentCode : codes.residentCode(rowIndex),
        individualNumber: withNumber ? codes.individualNumber(rowIndex) : undefined,
        name: fullName(ownSurname, given),
        sex: m.sex,
        birthDate,
        address,
        localGovernmentCode: place.code,
        status: 'resident',
        lastChange: bornHere
          ? { reason: 'birth', date: birthDate }
          : { reason: arrival, date: dateFromDayNumber(settledDay) },
        movedOverseas: false,
        version: 1,
      };
      yield {
        record,
        household: { id: householdId, relationship: m.relationship, headResidentCode },
      };
      rowIndex++;
    }
  }
}

import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import type { LocalGovernmentRow } from '../domain/local-government/local-government-table.ts';
import { loadLocalGovernmentTable } from '../reference-data/local-governments.ts';
import { generatePopulation } from './generate-population.ts';
import type { GeneratePopulationOptions, PopulationRow } from './PopulationRow.ts';

/** Test support: the real local-government table and small populations drawn from it. */
export const TEST_AS_OF = '2026-10-01' as CalendarDate;

export const municipalityRows = (): readonly LocalGovernmentRow[] =>
  loadLocalGovernmentTable().rows;

export function populationOf(
  residents: number,
  seed: string | number,
  extra: Partial<GeneratePopulationOptions> = {},
): PopulationRow[] {
  return [
    ...generatePopulation({
      residents,
      seed,
      municipalities: municipalityRows(),
      asOf: TEST_AS_OF,
      ...extra,
    }),
  ];
}

import { isCalendarDate, type CalendarDate } from '../domain/dates/CalendarDate.ts';
import { isRegistryError, RegistryError } from '../domain/errors.ts';
import type { IdentityRecord } from '../domain/resident/IdentityInfo.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import { residentCodeProblem } from '../domain/resident/identity-fields.ts';
import { parseIdentityRecord } from '../domain/resident/parse-identity.ts';
import {
  HOUSEHOLD_RELATIONSHIPS,
  type GeneratePopulationOptions,
  type HouseholdRelationship,
  type PopulationRow,
} from './PopulationRow.ts';

/**
 * The population file (docs/POPULATION.md): JSON Lines, UTF-8, LF. Line 1 is a header object
 * naming the format and version; every further line is one PopulationRow. Keys are written in a
 * fixed order, so equal rows serialise to equal bytes.
 */
export const POPULATION_FORMAT = 'jukinet-population';
export const POPULATION_FORMAT_VERSION = 1;

export type PopulationHeader = {
  readonly format: typeof POPULATION_FORMAT;
  readonly version: typeof POPULATION_FORMAT_VERSION;
  readonly seed: string | number;
  /** Number of row lines that follow. */
  readonly residents: number;
  readonly asOf: CalendarDate;
  /** Present when generation was restricted to some codes. */
  readonly onlyCodes?: readonly string[] | undefined;
};

export function populationHeader(options: GeneratePopulationOptions): PopulationHeader {
  return {
    format: POPULATION_FORMAT,
    version: POPULATION_FORMAT_VERSION,
    seed: options.seed,
    residents: options.residents,
    asOf: options.asOf,
    ...(options.onlyCodes === undefined ? {} : { onlyCodes: [...options.onlyCodes] }),
  };
}

export function serializePopulationHeader(header: PopulationHeader): string {
  const { format, version, seed, residents, asOf, onlyCodes } = header;
  return JSON.stringify({
    format,
    version,
    seed,
    residents,
    asOf,
    ...(onlyCodes ? { onlyCodes } : {}),
  });
}

/** Checks line 1 of a file. Throws RegistryError('invalid', 'line 1: …', 'population.header' | …). */
export function parsePopulationHeader(line: string): PopulationHeader {
  const h = parseJson(line, 1);
  const fail = (message: string, reason = 'population.header'): never => {
    throw new RegistryError('invalid', `line 1: ${message}`, reason);
  };
  if (!isObject(h) || h.format !== POPULATION_FORMAT) {
    return fail(`not a population file: the header must have "format": "${POPULATION_FORMAT}"`);
  }
  if (h.version !== POPULATION_FORMAT_VERSION) {
    return fail(
      `unsupported format version ${JSON.stringify(h.version)} (this reader knows ${POPULATION_FORMAT_VERSION})`,
      'population.unsupported-version',
    );
  }
  const { seed, residents, asOf, onlyCodes } = h;
  if (typeof seed !== 'string' && typeof seed !== 'number')
    return fail('seed must be a string or number');
  if (typeof residents !== 'number' || !Number.isSafeInteger(residents) || residents < 0) {
    return fail('residents must be a non-negative integer');
  }
  if (typeof asOf !== 'string' || !isCalendarDate(asOf))
    return fail('asOf must be a date YYYY-MM-DD');
  if (
    onlyCodes !== undefined &&
    !(Array.isArray(onlyCodes) && onlyCodes.every((c) => typeof c === 'string'))
  ) {
    return fail('onlyCodes must be a list of codes');
  }
  return {
    format: POPULATION_FORMAT,
    version: POPULATION_FORMAT_VERSION,
    seed,
    residents,
    asOf,
    ...(onlyCodes === undefined ? {} : { onlyCodes }),
  };
}

/** One row as one line (without the LF). Keys in a fixed order; `individualNumber` only when set. */
export function serializePopulationRow(row: PopulationRow): string {
  const r = row.record;
  const h = row.household;
  return JSON.stringify({
    record: {
      residentCode: r.residentCode,
      individualNumber: r.individualNumber, // JSON.stringify leaves the key out when undefined
      name: { kanji: r.name.kanji, kana: r.name.kana },
      sex: r.sex,
      birthDate: r.birthDate,
      address: r.address,
      localGovernmentCode: r.localGovernmentCode,
      status: r.status,
      lastChange: { reason: r.lastChange.reason, date: r.lastChange.date },
      movedOverseas: r.movedOverseas,
      version: r.version,
    },
    household: { id: h.id, relationship: h.relationship, headResidentCode: h.headResidentCode },
  });
}

const RECORD_KEYS: ReadonlySet<string> = new Set([
  'residentCode',
  'individualNumber',
  'name',
  'sex',
  'birthDate',
  'address',
  'localGovernmentCode',
  'status',
  'lastChange',
  'movedOverseas',
  'version',
]);
const RELATIONSHIPS: ReadonlySet<string> = new Set(HOUSEHOLD_RELATIONSHIPS);

/**
 * Parses and validates one row line. The record is checked by the domain's edge parser
 * (`parseIdentityRecord`: resident code and individual number with check digits, name and kana,
 * sex, dates, address, local-government code, status, change reason, version); the household by
 * the rules here. Unknown keys are refused rather than dropped: a stray key means a file this
 * reader does not understand.
 * Throws RegistryError('invalid', `line <n>: <field>: <problem>`, reason) where reason is the
 * domain's (e.g. 'resident-code.check-digit', 'record.status') or 'population.*' for the file's
 * own structure.
 */
export function parsePopulationLine(line: string, lineNumber: number): PopulationRow {
  const fail = (message: string, reason: string): never => {
    throw new RegistryError('invalid', `line ${lineNumber}: ${message}`, reason);
  };
  const row = parseJson(line, lineNumber);
  if (!isObject(row) || !isObject(row.record) || !isObject(row.household)) {
    return fail('a row must be an object { record, household }', 'population.malformed-row');
  }
  const extra = Object.keys(row).find((k) => k !== 'record' && k !== 'household');
  if (extra !== undefined) {
    return fail(`unknown field ${JSON.stringify(extra)}`, 'population.unknown-field');
  }
  const unknown = Object.keys(row.record).find((k) => !RECORD_KEYS.has(k));
  if (unknown !== undefined) {
    return fail(`unknown field record.${unknown}`, 'population.unknown-field');
  }
  let record: IdentityRecord;
  try {
    record = parseIdentityRecord(row.record);
  } catch (e) {
    if (!isRegistryError(e)) throw e;
    return fail(`record.${e.message}`, e.reason ?? 'population.invalid-record');
  }
  const h = row.household;
  if (typeof h.id !== 'string' || h.id.length === 0) {
    return fail('household.id: must be a non-empty string', 'population.household-id');
  }
  if (typeof h.relationship !== 'string' || !RELATIONSHIPS.has(h.relationship)) {
    return fail(
      `household.relationship: must be one of ${HOUSEHOLD_RELATIONSHIPS.join(' ')}`,
      'population.relationship',
    );
  }
  const head = residentCodeProblem(h.headResidentCode);
  if (head !== undefined) {
    return fail(`household.headResidentCode: ${head.message}`, head.reason);
  }
  if (h.relationship === '世帯主' && h.headResidentCode !== record.residentCode) {
    return fail(
      'household.headResidentCode: the head of household (世帯主) must name itself',
      'population.household-head',
    );
  }
  return {
    record,
    household: {
      id: h.id,
      relationship: h.relationship as HouseholdRelationship,
      headResidentCode: h.headResidentCode as ResidentCode,
    },
  };
}

function parseJson(line: string, lineNumber: number): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new RegistryError(
      'invalid',
      `line ${lineNumber}: not valid JSON (${detail})`,
      'population.malformed-json',
      { cause: e },
    );
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

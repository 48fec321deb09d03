import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isRegistryError, type RegistryError } from '../domain/errors.ts';
import {
  parsePopulationHeader,
  parsePopulationLine,
  populationHeader,
  serializePopulationHeader,
  serializePopulationRow,
} from './population-file.ts';
import { municipalityRows, populationOf, TEST_AS_OF } from './test-fixtures.ts';

const rows = populationOf(2000, 'file-format');
const sample = serializePopulationRow(rows[1]!);

/** The RegistryError `f` throws (fails the test when it throws nothing or something else). */
function refusal(f: () => unknown): RegistryError {
  try {
    f();
  } catch (e) {
    if (isRegistryError(e)) return e;
    throw e;
  }
  throw new Error('expected a RegistryError, but nothing was thrown');
}

/** The sample line with one change made to its parsed JSON. */
function mutated(
  change: (row: { record: Record<string, unknown>; household: Record<string, unknown> }) => void,
): string {
  const row = JSON.parse(sample) as {
    record: Record<string, unknown>;
    household: Record<string, unknown>;
  };
  change(row);
  return JSON.stringify(row);
}

describe('population file format', () => {
  it('parse(serialize(row)) round-trips every generated row, and serialize(parse(line)) the bytes', () => {
    for (const row of rows) {
      const line = serializePopulationRow(row);
      expect(line).not.toContain('\n');
      const parsed = parsePopulationLine(line, 2);
      expect(parsed).toEqual(row);
      expect(serializePopulationRow(parsed)).toBe(line);
    }
    // IVS sequences and U+3000 are written as the characters themselves (UTF-8), not escapes.
    expect(serializePopulationRow(rows[0]!)).toContain('\u3000');
  });

  it('writes keys in a fixed order whatever the order of the input object', () => {
    const { record, household } = rows[0]!;
    const reordered = {
      household: {
        headResidentCode: household.headResidentCode,
        relationship: household.relationship,
        id: household.id,
      },
      record: Object.fromEntries(Object.entries(record).reverse()) as typeof record,
    };
    expect(serializePopulationRow(reordered)).toBe(serializePopulationRow(rows[0]!));
  });

  it('header: written and read back; a loader can tell the format, version and count', () => {
    const options = {
      residents: 10,
      seed: 7,
      municipalities: municipalityRows(),
      asOf: TEST_AS_OF,
      onlyCodes: ['131016'],
    };
    const line = serializePopulationHeader(populationHeader(options));
    expect(line).toBe(
      '{"format":"jukinet-population","version":1,"seed":7,"residents":10,"asOf":"2026-10-01","onlyCodes":["131016"]}',
    );
    expect(parsePopulationHeader(line)).toEqual(JSON.parse(line));
  });

  it('header: refuses another file or another version, on line 1', () => {
    expect(refusal(() => parsePopulationHeader(sample))).toMatchObject({
      code: 'invalid',
      reason: 'population.header',
    });
    expect(refusal(() => parsePopulationHeader(sample)).message).toMatch(/^line 1: /);
    expect(() =>
      parsePopulationHeader(
        '{"format":"jukinet-population","version":2,"seed":1,"residents":1,"asOf":"2026-10-01"}',
      ),
    ).toThrow(expect.objectContaining({ reason: 'population.unsupported-version' }));
    expect(() =>
      parsePopulationHeader(
        '{"format":"jukinet-population","version":1,"seed":1,"residents":-1,"asOf":"2026-10-01"}',
      ),
    ).toThrow(expect.objectContaining({ reason: 'population.header' }));
    expect(() => parsePopulationHeader('')).toThrow(
      expect.objectContaining({ reason: 'population.malformed-json' }),
    );
  });

  // Each malformed line is refused with RegistryError('invalid'), its line number, and why.
  const refusals: [what: string, line: string, reason: string][] = [
    ['not JSON at all', '{"record":', 'population.malformed-json'],
    ['a JSON array', '[1,2]', 'population.malformed-row'],
    ['no household', JSON.stringify({ record: rows[0]!.record }), 'population.malformed-row'],
    [
      'an extra top-level field',
      mutated((r) => Object.assign(r, { extra: 1 })),
      'population.unknown-field',
    ],
    [
      'an unknown record field',
      mutated((r) => (r.record.honseki = '東京都')),
      'population.unknown-field',
    ],
    [
      'a resident code with a wrong check digit',
      mutated((r) => {
        const code = r.record.residentCode as string;
        r.record.residentCode = code.slice(0, 10) + String((Number(code[10]) + 1) % 10);
      }),
      'resident-code.check-digit',
    ],
    [
      'a 10-digit resident code',
      mutated((r) => (r.record.residentCode = '1234567890')),
      'resident-code.malformed',
    ],
    [
      'an 11-digit individual number',
      mutated((r) => (r.record.individualNumber = '12345678901')),
      'individual-number.malformed',
    ],
    [
      'Latin letters as kana',
      mutated((r) => (r.record.name = { kanji: '佐藤　花子', kana: 'Sato Hanako' })),
      'name.kana-invalid',
    ],
    [
      'an empty kanji name',
      mutated((r) => (r.record.name = { kanji: ' ', kana: 'サトウ' })),
      'name.empty',
    ],
    ['sex other than male/female', mutated((r) => (r.record.sex = 'M')), 'sex.invalid'],
    [
      'an impossible birth date',
      mutated((r) => (r.record.birthDate = '2023-02-29')),
      'date.malformed',
    ],
    ['an empty address', mutated((r) => (r.record.address = '')), 'address.empty'],
    [
      'a local-government code with a wrong check digit',
      mutated((r) => (r.record.localGovernmentCode = '131017')),
      'local-government-code.check-digit',
    ],
    ['an unknown status', mutated((r) => (r.record.status = 'moved')), 'record.status'],
    [
      'a change reason outside R1',
      mutated((r) => (r.record.lastChange = { reason: 'marriage', date: '2020-01-01' })),
      'record.last-change-reason',
    ],
    [
      'movedOverseas as a string',
      mutated((r) => (r.record.movedOverseas = 'no')),
      'record.moved-overseas',
    ],
    ['a negative version', mutated((r) => (r.record.version = -1)), 'record.version'],
    [
      'an unknown relationship',
      mutated((r) => (r.household.relationship = 'いとこ')),
      'population.relationship',
    ],
    ['an empty household id', mutated((r) => (r.household.id = '')), 'population.household-id'],
    [
      'a head whose headResidentCode is someone else',
      JSON.stringify({
        ...rows[0],
        household: { ...rows[0]!.household, headResidentCode: rows[1]!.record.residentCode },
      }),
      'population.household-head',
    ],
  ];
  it.each(refusals)('refuses %s with its line number and reason', (_what, line, reason) => {
    const error = refusal(() => parsePopulationLine(line, 17));
    expect(error).toMatchObject({ code: 'invalid', reason });
    expect(error.message).toMatch(/^line 17: /);
  });

  it('any line at all gives a row or a typed error with the line number, nothing else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.constant(sample)), fc.nat(), (line, n) => {
        try {
          parsePopulationLine(line, n);
        } catch (e) {
          expect(
            isRegistryError(e) && e.code === 'invalid' && e.message.startsWith(`line ${n}: `),
          ).toBe(true);
        }
      }),
    );
  });
});

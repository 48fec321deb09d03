import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitAddress } from '../address/split-address.ts';
import { addressMatchKey } from '../address/address-key.ts';
import {
  buildRecord,
  date,
  individualNumberOf,
  residentCodeOf,
} from '../change/change-builders.ts';
import { LocalGovernmentTable } from '../local-government/local-government-table.ts';
import { kanaMatchKey, nameStartsWith, namesMatch } from '../name/name-matching.ts';
import type { IdentityRecord } from '../resident/IdentityInfo.ts';
import { AFFAIR, populationWithQueriesArb } from './search.fixtures.ts';
import {
  MAX_PROVIDED_MATCHES,
  SEARCH_FORMS,
  decideMatches,
  matchesPlan,
  planSearch,
  type ProvisionChannel,
  type SearchPlan,
  type SearchQuery,
} from './search-rules.ts';

const table = LocalGovernmentTable.fromCsv(
  readFileSync(new URL('../../../data/local-government-codes.csv', import.meta.url), 'utf8'),
);
const plan = (q: unknown, channel: ProvisionChannel = 'immediate') =>
  planSearch(q, { channel, table });
const outcome = (q: unknown, channel: ProvisionChannel = 'immediate') => {
  const p = plan(q, channel);
  return 'ok' in p ? p.reason : p.form;
};

const NAME = '山田\u3000太郎';
const ADDRESS = '東京都千代田区千代田1番1号';
const DOB = '1980-04-02';
const q = (conditions: Partial<SearchQuery>): SearchQuery => ({ affairId: AFFAIR, ...conditions });

describe('R13: the search rules table (immediate provision)', () => {
  it.each<[string, Partial<SearchQuery>, string]>([
    ['resident code', { residentCode: residentCodeOf('2472705960') }, 'resident-code'],
    ['whole name + whole address', { name: NAME, address: ADDRESS }, 'name+address'],
    [
      'first character of the name + whole address',
      { name: '山', nameMatch: 'prefix', address: ADDRESS },
      'name-prefix+address',
    ],
    [
      'whole name + first character after the municipality',
      { name: NAME, address: '東京都千代田区千', addressMatch: 'prefix' },
      'name+address-prefix',
    ],
    [
      'whole name + a longer address prefix',
      { name: NAME, address: '東京都千代田区千代田1番', addressMatch: 'prefix' },
      'name+address-prefix',
    ],
    ['whole name + date of birth', { name: NAME, birthDate: DOB }, 'name+birth-date'],
    [
      'first character of the name + whole date of birth',
      { name: '山', nameMatch: 'prefix', birthDate: DOB },
      'name-prefix+birth-date',
    ],
    [
      'first character of the reading + date of birth',
      { nameKana: 'や', nameKanaMatch: 'prefix', birthDate: DOB },
      'name-prefix+birth-date',
    ],
    [
      'a designated city: the prefix reaches one character past the ward',
      { name: NAME, address: '北海道札幌市中央区北', addressMatch: 'prefix' },
      'name+address-prefix',
    ],
    [
      'address prefix with its county',
      { name: NAME, address: '北海道虻田郡ニセコ町字', addressMatch: 'prefix' },
      'name+address-prefix',
    ],
  ])('allowed: %s → %s', (_, conditions, form) => {
    expect(outcome(q(conditions))).toBe(form);
  });

  it.each<[string, Partial<SearchQuery>]>([
    [
      'the address prefix stops at the municipality (no character after it)',
      { name: NAME, address: '東京都千代田区', addressMatch: 'prefix' },
    ],
    [
      'the address prefix is only the prefecture',
      { name: NAME, address: '東京都', addressMatch: 'prefix' },
    ],
    [
      'a designated city without its whole ward',
      { name: NAME, address: '北海道札幌市中', addressMatch: 'prefix' },
    ],
    [
      'both the name and the address are prefixes',
      { name: '山', nameMatch: 'prefix', address: '東京都千代田区千代田', addressMatch: 'prefix' },
    ],
    ['a name alone', { name: NAME }],
    ['a name prefix alone', { name: '山', nameMatch: 'prefix' }],
    ['an address alone (a whole building or street)', { address: ADDRESS }],
    [
      'address + date of birth + sex without a name',
      { address: ADDRESS, birthDate: DOB, sex: 'male' },
    ],
    ['a date of birth alone', { birthDate: DOB }],
    [
      'an individual number (not a form of immediate provision)',
      { individualNumber: individualNumberOf('12345678901') },
    ],
    ['no condition at all', {}],
  ])('refused search.below-minimum: %s', (_, conditions) => {
    const p = plan(q(conditions));
    expect(p).toMatchObject({ ok: false, code: 'forbidden', reason: 'search.below-minimum' });
    // The refusal says what is needed.
    expect((p as { message: string }).message).toContain('氏名＋生年月日');
  });

  it('R13: the refusal of a short address prefix says how far it must reach', () => {
    const p = plan(q({ name: NAME, address: '東京都千代田区', addressMatch: 'prefix' }));
    expect((p as { message: string }).message).toContain('市区町村の後の1文字目');
  });

  it.each<[string, unknown, string]>([
    ['not an object', 'name=山田', 'search.malformed'],
    ['an array', [], 'search.malformed'],
    [
      'an unknown field (a typo is not ignored)',
      { affairId: AFFAIR, birthdate: DOB },
      'search.malformed',
    ],
    ['a number where text belongs', { affairId: AFFAIR, name: 42 }, 'search.malformed'],
    [
      'ill-formed Unicode',
      { affairId: AFFAIR, name: 'a\uD800', birthDate: DOB },
      'search.malformed',
    ],
    ['no affair (R3)', { name: NAME, birthDate: DOB }, 'search.affair-missing'],
    [
      'a resident code with a wrong check digit',
      q({ residentCode: '24727059609' }),
      'search.resident-code',
    ],
    [
      'an individual number of 11 digits',
      q({ individualNumber: '12345678901' }),
      'search.individual-number',
    ],
    [
      'a date of birth without its day (never a prefix)',
      q({ name: NAME, birthDate: '1980-04' }),
      'search.birth-date',
    ],
    ['an impossible date', q({ name: NAME, birthDate: '1980-02-30' }), 'search.birth-date'],
    [
      'sex neither male nor female',
      { affairId: AFFAIR, name: NAME, birthDate: DOB, sex: 'x' },
      'search.sex',
    ],
    [
      'a fuzzy match mode',
      { affairId: AFFAIR, name: NAME, nameMatch: 'fuzzy', birthDate: DOB },
      'search.match-mode',
    ],
    [
      'a match mode without its condition',
      q({ birthDate: DOB, nameMatch: 'prefix' }),
      'search.match-mode',
    ],
    ['a name of spaces only', q({ name: ' \u3000', birthDate: DOB }), 'search.empty-condition'],
    ['an address of spaces only', q({ name: NAME, address: '\u3000' }), 'search.empty-condition'],
  ])('refused as invalid: %s → %s', (_, input, reason) => {
    expect(plan(input)).toMatchObject({ ok: false, code: 'invalid', reason });
  });

  it('R13: a resident-code lookup finds removed records too (a 死亡 must reach the pension service); searches find residents unless asked', () => {
    expect(plan(q({ residentCode: residentCodeOf('1') }))).toMatchObject({ status: 'any' });
    expect(plan(q({ name: NAME, birthDate: DOB }))).toMatchObject({ status: 'resident' });
    expect(plan(q({ name: NAME, birthDate: DOB, includeRemoved: true }))).toMatchObject({
      status: 'any',
    });
  });

  it('R13: the plan carries normalised keys, the prefix as a prefix', () => {
    expect(
      plan(q({ name: '山田 太郎', address: '東京都 千代田区 千代田１', addressMatch: 'prefix' })),
    ).toMatchObject({
      nameKanji: { key: '山田太郎', match: 'exact' },
      address: { key: '東京都千代田区千代田1', match: 'prefix' },
    });
    expect(plan(q({ nameKana: 'やまだ', nameKanaMatch: 'prefix', birthDate: DOB }))).toMatchObject({
      nameKana: { key: 'ヤマダ', match: 'prefix' },
    });
  });
});

describe('R14, R22: batch and media channels', () => {
  it('R14: batch rows follow the same rules, and may also name an individual number', () => {
    expect(outcome(q({ individualNumber: individualNumberOf('12345678901') }), 'batch')).toBe(
      'individual-number',
    );
    expect(outcome(q({ name: '山', nameMatch: 'prefix', birthDate: DOB }), 'batch')).toBe(
      'name-prefix+birth-date',
    );
    expect(outcome(q({ name: NAME }), 'batch')).toBe('search.below-minimum');
  });

  it('R22: media rows match by individual number or by the exact four items; nothing less', () => {
    const four = { name: NAME, address: ADDRESS, birthDate: DOB, sex: 'male' as const };
    expect(outcome(q(four), 'media')).toBe('four-items');
    expect(outcome(q({ individualNumber: individualNumberOf('1') }), 'media')).toBe(
      'individual-number',
    );
    expect(outcome(q({ residentCode: residentCodeOf('1') }), 'media')).toBe('search.below-minimum');
    expect(outcome(q({ name: NAME, address: ADDRESS, birthDate: DOB }), 'media')).toBe(
      'search.below-minimum',
    );
    expect(outcome(q({ ...four, name: '山', nameMatch: 'prefix' }), 'media')).toBe(
      'search.below-minimum',
    );
  });

  const person = buildRecord({
    residentCode: residentCodeOf('2472705960'),
    individualNumber: individualNumberOf('12345678901'),
    name: { kanji: NAME, kana: 'ヤマダ\u3000タロウ' },
    address: ADDRESS,
    birthDate: date(DOB),
    sex: 'male',
  });
  const four = { name: NAME, address: ADDRESS, birthDate: DOB, sex: 'male' as const };
  const stale = { ...four, address: '東京都千代田区千代田9番9号' };

  it('R22: a media row with an individual number is matched on the number alone: a stale address in the file does not hide the person', () => {
    const p = plan(q({ individualNumber: person.individualNumber!, ...stale }), 'media');
    expect(p).toEqual({
      form: 'individual-number',
      channel: 'media',
      affairId: AFFAIR,
      individualNumber: person.individualNumber,
      status: 'any',
    });
    expect(matchesPlan(person, p as SearchPlan)).toBe(true);
    // The number still decides: another person's number does not find this one by the four items.
    const other = plan(
      q({ individualNumber: individualNumberOf('98765432101'), ...four }),
      'media',
    );
    expect(matchesPlan(person, other as SearchPlan)).toBe(false);
  });

  it('R22: a media row without a number is matched by the four items exactly', () => {
    const p = plan(q(four), 'media') as SearchPlan;
    expect(p.form).toBe('four-items');
    expect(matchesPlan(person, p)).toBe(true);
    expect(matchesPlan(person, plan(q(stale), 'media') as SearchPlan)).toBe(false);
    expect(matchesPlan(person, plan(q({ ...four, sex: 'female' }), 'media') as SearchPlan)).toBe(
      false,
    );
  });

  it('R14: a batch row (same rules as R13) keeps every condition it gives: number + stale address finds nobody', () => {
    const p = plan(q({ individualNumber: person.individualNumber!, ...stale }), 'batch');
    expect(p).toMatchObject({ form: 'individual-number', address: { match: 'exact' } });
    expect(matchesPlan(person, p as SearchPlan)).toBe(false);
  });
});

describe('R13: more than 50 matches provide nothing', () => {
  const records = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      buildRecord({ residentCode: residentCodeOf(String(9000 - i)) }),
    );
  it('50 matches are provided, ordered by resident code', () => {
    const d = decideMatches(records(MAX_PROVIDED_MATCHES));
    expect(d.ok).toBe(true);
    const codes = (d as { records: readonly IdentityRecord[] }).records.map((r) => r.residentCode);
    expect(codes).toEqual([...codes].sort());
  });
  it('51 matches: refused too-many-matches, nothing provided', () => {
    expect(decideMatches(records(MAX_PROVIDED_MATCHES + 1))).toMatchObject({
      ok: false,
      code: 'too-many-matches',
      reason: 'search.too-many-matches',
    });
  });
});

/** R13 as the requirement words it, independently of SEARCH_FORMS. */
function allowedByTheRequirement(query: SearchQuery, channel: ProvisionChannel): boolean {
  const nameWhole =
    (query.name !== undefined && query.nameMatch !== 'prefix') ||
    (query.nameKana !== undefined && query.nameKanaMatch !== 'prefix');
  const nameFirstCharacter = query.name !== undefined || query.nameKana !== undefined;
  const addressWhole = query.address !== undefined && query.addressMatch !== 'prefix';
  let addressThroughFirstCharacterAfterMunicipality = addressWhole;
  if (query.address !== undefined && query.addressMatch === 'prefix') {
    try {
      addressThroughFirstCharacterAfterMunicipality =
        splitAddress(table, query.address).firstCharacterAfterMunicipality !== '';
    } catch {
      addressThroughFirstCharacterAfterMunicipality = false;
    }
  }
  const dob = query.birthDate !== undefined;
  const immediate =
    query.residentCode !== undefined ||
    (nameWhole && addressWhole) ||
    (nameFirstCharacter && addressWhole) ||
    (nameWhole && addressThroughFirstCharacterAfterMunicipality) ||
    (nameWhole && dob) ||
    (nameFirstCharacter && dob);
  switch (channel) {
    case 'immediate':
      return immediate;
    case 'batch':
      return immediate || query.individualNumber !== undefined;
    case 'media':
      return (
        query.individualNumber !== undefined ||
        (nameWhole && addressWhole && dob && query.sex !== undefined)
      );
  }
}

/** What the query asks, evaluated on the record with the name-matching functions directly. */
function matchesTheQuery(r: IdentityRecord, query: SearchQuery, p: SearchPlan): boolean {
  const text = (value: string, wanted: string, mode: string | undefined) =>
    mode === 'prefix' ? nameStartsWith(value, wanted) : namesMatch(value, wanted);
  const kana = (value: string, wanted: string, mode: string | undefined) =>
    mode === 'prefix'
      ? kanaMatchKey(value).startsWith(kanaMatchKey(wanted))
      : kanaMatchKey(value) === kanaMatchKey(wanted);
  const address = (value: string, wanted: string, mode: string | undefined) =>
    mode === 'prefix'
      ? addressMatchKey(value).startsWith(addressMatchKey(wanted))
      : addressMatchKey(value) === addressMatchKey(wanted);
  const exactPerson = query.residentCode !== undefined && p.form === 'resident-code';
  // R22: a media row with a number is matched by the number; the four items only where there is none.
  if (p.channel === 'media' && query.individualNumber !== undefined)
    return r.individualNumber === query.individualNumber;
  return (
    (exactPerson ||
      p.form === 'individual-number' ||
      query.includeRemoved === true ||
      r.status === 'resident') &&
    (query.residentCode === undefined || r.residentCode === query.residentCode) &&
    (query.individualNumber === undefined || r.individualNumber === query.individualNumber) &&
    (query.name === undefined || text(r.name.kanji, query.name, query.nameMatch)) &&
    (query.nameKana === undefined || kana(r.name.kana, query.nameKana, query.nameKanaMatch)) &&
    (query.address === undefined || address(r.address, query.address, query.addressMatch)) &&
    (query.birthDate === undefined || r.birthDate === query.birthDate) &&
    (query.sex === undefined || r.sex === query.sex)
  );
}

describe('R13: properties of the rules table and the oracle', () => {
  const channels: ProvisionChannel[] = ['immediate', 'batch', 'media'];

  it('property: a query is refused below-minimum exactly when R13 (R14, R22) does not allow it', () => {
    fc.assert(
      fc.property(
        populationWithQueriesArb(),
        fc.constantFrom(...channels),
        ({ queries }, channel) => {
          for (const query of queries) {
            const p = plan(query, channel);
            const allowed = allowedByTheRequirement(query, channel);
            if (allowed) expect(p, JSON.stringify(query)).toHaveProperty('form');
            else expect(p, JSON.stringify(query)).toMatchObject({ reason: 'search.below-minimum' });
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: an allowed query selects exactly the records that match every condition it gives', () => {
    fc.assert(
      fc.property(
        populationWithQueriesArb(),
        fc.constantFrom(...channels),
        ({ population, queries }, channel) => {
          for (const query of queries) {
            const p = plan(query, channel);
            if ('ok' in p) continue;
            for (const r of population)
              expect(matchesPlan(r, p), `${JSON.stringify(query)} vs ${JSON.stringify(r)}`).toBe(
                matchesTheQuery(r, query, p),
              );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property R4: every plan pins a person (code, number) or a name with an address or date of birth', () => {
    fc.assert(
      fc.property(
        populationWithQueriesArb(),
        fc.constantFrom(...channels),
        ({ queries }, channel) => {
          for (const query of queries) {
            const p = plan(query, channel);
            if ('ok' in p) continue;
            const name = p.nameKanji ?? p.nameKana;
            expect(
              p.residentCode !== undefined ||
                p.individualNumber !== undefined ||
                (name !== undefined && (p.address !== undefined || p.birthDate !== undefined)),
            ).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('every form of the table is reachable and names its requirement', () => {
    expect(new Set(SEARCH_FORMS.map((f) => f.id)).size).toBe(SEARCH_FORMS.length);
    for (const f of SEARCH_FORMS) expect(f.requirement).toMatch(/^R\d+/);
  });
});

/*
 * Shared fixtures of the search-rule tests (search-rules.test.ts) and of the stores' search
 * contract (src/storage/contract-provision.ts): a small synthetic population whose names and
 * addresses share prefixes and differ only in writing (spaces, width, ヶ/ケ, IVS, 𠮷), and
 * queries drawn from it. No real person's data.
 */
import fc from 'fast-check';
import { individualNumberOf, residentCodeOf } from '../change/change-builders.ts';
import type { CalendarDate } from '../dates/CalendarDate.ts';
import type { IdentityRecord, Sex } from '../resident/IdentityInfo.ts';
import type { MatchMode, SearchQuery } from './search-rules.ts';

export const AFFAIR = '別表第一:七十七';

/** Family names (kanji, reading): shared first characters, variant kanji, IVS, a non-BMP kanji. */
export const FAMILIES = [
  ['山田', 'ヤマダ'],
  ['山本', 'やまもと'],
  ['山', 'ヤマ'],
  ['髙橋', 'タカハシ'],
  ['高橋', 'たかはし'],
  ['葛\u{E0100}西', 'カサイ'],
  ['葛西', 'カサイ'],
  ['𠮷田', 'ヨシダ'],
  ['𠮷', 'ヨシ'],
] as const;
export const GIVEN = [
  ['太郎', 'タロウ'],
  ['花子', 'ハナコ'],
  ['一郎', 'イチロウ'],
  ['𩸽', 'ホッケ'],
] as const;
/** The same address in different writings, and addresses sharing a municipality. */
export const ADDRESSES = [
  '東京都千代田区千代田1番1号',
  '東京都千代田区千代田１番１号',
  '東京都千代田区千代田1番10号',
  '東京都 千代田区 丸の内2丁目1番',
  '東京都千代田区丸の内2丁目1番',
  '神奈川県茅ヶ崎市茅ヶ崎1丁目1番1号',
  '神奈川県茅ケ崎市茅ケ崎1丁目1番1号',
  '北海道札幌市中央区北一条西2丁目',
  '北海道虻田郡ニセコ町字富士見47番地',
  '東京都葛飾区葛\u{E0100}西1丁目',
] as const;
export const BIRTH_DATES = ['1980-04-02', '1980-04-03', '1955-12-31', '2001-01-01'] as const;
const SPACES = ['', ' ', '\u3000'] as const;

/** True once in `n` draws. */
const oneIn = (n: number): fc.Arbitrary<boolean> => fc.nat(n - 1).map((k) => k === 0);

export const recordArb = (n: number): fc.Arbitrary<IdentityRecord> =>
  fc
    .record({
      family: fc.constantFrom(...FAMILIES),
      given: fc.constantFrom(...GIVEN),
      space: fc.constantFrom(...SPACES),
      address: fc.constantFrom(...ADDRESSES),
      birthDate: fc.constantFrom(...BIRTH_DATES),
      sex: fc.constantFrom<Sex>('male', 'female'),
      removed: oneIn(5),
      hasNumber: fc.boolean(),
    })
    .map(
      ({ family, given, space, address, birthDate, sex, removed, hasNumber }): IdentityRecord => ({
        residentCode: residentCodeOf(String(1000 + n)),
        ...(hasNumber ? { individualNumber: individualNumberOf(String(5000 + n)) } : {}),
        name: { kanji: `${family[0]}${space}${given[0]}`, kana: `${family[1]}${space}${given[1]}` },
        sex,
        birthDate: birthDate as CalendarDate,
        address,
        localGovernmentCode: '131016',
        status: removed ? 'removed' : 'resident',
        lastChange: removed
          ? { reason: 'death', date: '2024-01-01' as CalendarDate }
          : { reason: 'move-in', date: '2020-04-01' as CalendarDate },
        movedOverseas: false,
        version: 1,
      }),
    );

/** A population of `min`–`max` people with distinct codes and individual numbers. */
export const populationArb = (min = 1, max = 60): fc.Arbitrary<IdentityRecord[]> =>
  fc
    .integer({ min, max })
    .chain((size) => fc.tuple(...Array.from({ length: size }, (_, i) => recordArb(i))));

/** Cuts `text` after `count` code points (at least 0). */
export const codePointPrefix = (text: string, count: number): string =>
  [...text].slice(0, Math.max(0, count)).join('');

type Pick = {
  readonly code: boolean;
  readonly number: boolean;
  readonly name: boolean;
  readonly nameMode: MatchMode;
  readonly nameCut: number;
  readonly kana: boolean;
  readonly kanaMode: MatchMode;
  readonly kanaCut: number;
  readonly address: boolean;
  readonly addressMode: MatchMode;
  readonly addressCut: number;
  readonly birthDate: boolean;
  readonly sex: boolean;
  readonly includeRemoved: boolean;
  readonly otherAddress: string;
  readonly otherDate: string;
};

const pickArb: fc.Arbitrary<Pick> = fc.record({
  code: oneIn(6),
  number: oneIn(6),
  name: fc.boolean(),
  nameMode: fc.constantFrom<MatchMode>('exact', 'prefix'),
  nameCut: fc.integer({ min: 1, max: 6 }),
  kana: oneIn(4),
  kanaMode: fc.constantFrom<MatchMode>('exact', 'prefix'),
  kanaCut: fc.integer({ min: 1, max: 6 }),
  address: fc.boolean(),
  addressMode: fc.constantFrom<MatchMode>('exact', 'prefix'),
  addressCut: fc.integer({ min: 1, max: 20 }),
  birthDate: fc.boolean(),
  sex: oneIn(3),
  includeRemoved: oneIn(4),
  otherAddress: fc.constantFrom(...ADDRESSES),
  otherDate: fc.constantFrom(...BIRTH_DATES),
});

/**
 * A query built from `target`'s values (so that it usually matches someone), with random
 * conditions, match modes and prefix lengths — some below the minimums — and sometimes another
 * address or date (so that it sometimes matches no one).
 */
export function queryFrom(target: IdentityRecord, p: Pick): SearchQuery {
  const q: Record<string, unknown> = { affairId: AFFAIR };
  if (p.code) q['residentCode'] = target.residentCode;
  if (p.number && target.individualNumber !== undefined)
    q['individualNumber'] = target.individualNumber;
  if (p.name) {
    q['name'] =
      p.nameMode === 'exact' ? target.name.kanji : codePointPrefix(target.name.kanji, p.nameCut);
    if (p.nameMode === 'prefix' || p.nameCut % 2 === 0) q['nameMatch'] = p.nameMode;
  }
  if (p.kana) {
    q['nameKana'] =
      p.kanaMode === 'exact' ? target.name.kana : codePointPrefix(target.name.kana, p.kanaCut);
    q['nameKanaMatch'] = p.kanaMode;
  }
  if (p.address) {
    const address = p.addressCut % 3 === 0 ? p.otherAddress : target.address;
    q['address'] = p.addressMode === 'exact' ? address : codePointPrefix(address, p.addressCut);
    q['addressMatch'] = p.addressMode;
  }
  if (p.birthDate) q['birthDate'] = p.addressCut % 4 === 0 ? p.otherDate : target.birthDate;
  if (p.sex) q['sex'] = target.sex;
  if (p.includeRemoved) q['includeRemoved'] = true;
  // An empty prefix is not a condition the generator means to test here (search.empty-condition).
  for (const k of ['name', 'nameKana', 'address'])
    if (q[k] === '') {
      delete q[k];
      delete q[`${k}Match`];
    }
  return q as SearchQuery;
}

/** A population and queries drawn from its members. */
export const populationWithQueriesArb = (
  queries = 8,
): fc.Arbitrary<{ population: IdentityRecord[]; queries: SearchQuery[] }> =>
  populationArb().chain((population) =>
    fc
      .array(fc.tuple(fc.nat(population.length - 1), pickArb), {
        minLength: queries,
        maxLength: queries,
      })
      .map((picks) => ({
        population,
        queries: picks.map(([i, p]) => queryFrom(population[i]!, p)),
      })),
  );

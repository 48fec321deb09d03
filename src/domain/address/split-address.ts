import { RegistryError } from '../errors.ts';
import type { LocalGovernmentCode } from '../local-government/LocalGovernmentCode.ts';
import type {
  LocalGovernmentKind,
  LocalGovernmentRow,
  LocalGovernmentTable,
} from '../local-government/local-government-table.ts';
import type { KeyedText } from './address-key.ts';
import { addressMatchKey, keyText, originalSlice, originalUnitAt } from './address-key.ts';

/**
 * 住所の分割: an address split into 都道府県 (prefecture), optional 郡 (county), 市区町村
 * (municipality) and the rest (町名・番地 …). R13 needs "the first character after the prefecture
 * and the municipality"; R22 compares whole addresses.
 *
 * Every part is a slice of the address AS WRITTEN (full-width digits, IVS, ヶ kept); white space
 * between parts is dropped. Matching uses `addressMatchKey` (NFKC, no white space, ヶ→ケ).
 */
export type AddressParts = {
  readonly prefecture: string;
  /**
   * The 郡 (county) as written, when the address names one: '虻田郡' in 北海道虻田郡ニセコ町….
   * The table has no county names (a county is not a local government); it is recognised by the
   * character 郡 in front of a town or village of the prefecture.
   */
  readonly county: string | undefined;
  /** The municipality as written, without the county; a ward with its city: 札幌市中央区. */
  readonly municipality: string;
  readonly rest: string;
  /** 団体コード of the municipality (of the ward, in a designated city). */
  readonly localGovernmentCode: LocalGovernmentCode;
  /** The first character of `rest` as written (with its combining marks / variation selector). */
  readonly firstCharacterAfterMunicipality: string;
};

type Candidate = {
  readonly key: string;
  /** Usually one row; more when a name repeats within its prefecture (北海道 泊村). */
  readonly rows: readonly LocalGovernmentRow[];
  readonly kind: LocalGovernmentKind;
};

type PrefectureIndex = {
  readonly key: string;
  readonly row: LocalGovernmentRow;
  /** Longest key first, so that 札幌市中央区 is tried before 札幌市. */
  readonly candidates: readonly Candidate[];
};

/**
 * Counties that tell apart two municipalities of the same name in one prefecture. The only case in
 * the 2024 table: 北海道 泊村 in 古宇郡 (014036) and in 国後郡 (016969, Northern Territories).
 */
const COUNTY_OF_AMBIGUOUS: Readonly<Record<string, string>> = {
  '014036': '古宇郡',
  '016969': '国後郡',
};

/** How far after the prefecture a 郡 may stand: real county names are a few characters (西村山郡); slack kept. */
const MAX_COUNTY_LENGTH = 8;

const indexes = new WeakMap<LocalGovernmentTable, readonly PrefectureIndex[]>();

function indexOf(table: LocalGovernmentTable): readonly PrefectureIndex[] {
  let index = indexes.get(table);
  if (index) return index;
  index = table
    .prefectures()
    .map((row) => {
      const byKey = new Map<string, LocalGovernmentRow[]>();
      for (const m of table.municipalitiesOf(row.prefectureCode)) {
        const key = addressMatchKey(m.municipality);
        const same = byKey.get(key);
        if (same) same.push(m);
        else byKey.set(key, [m]);
      }
      const candidates = [...byKey].map(([key, rows]) => ({
        key,
        rows,
        kind: table.kind(rows[0]!),
      }));
      candidates.sort((a, b) => b.key.length - a.key.length);
      return { key: addressMatchKey(row.prefecture), row, candidates };
    })
    .sort((a, b) => b.key.length - a.key.length);
  indexes.set(table, index);
  return index;
}

const invalid = (message: string, reason: string) => new RegistryError('invalid', message, reason);

/**
 * Splits `address` with the local-government table. Never guesses: throws RegistryError('invalid')
 * with reason
 * - `address.empty` — nothing but white space;
 * - `address.unknown-prefecture` — does not start with one of the 47 prefecture names;
 * - `address.unknown-municipality` — no municipality of that prefecture follows (also when a
 *   designated city's ward is written without its city, or the prefecture is followed by a
 *   municipality of another prefecture);
 * - `address.designated-city-without-ward` — a 政令指定都市 written without one of its wards;
 * - `address.ambiguous-municipality` — a name shared by two municipalities of the prefecture and
 *   no county that tells them apart;
 * - `address.empty-rest` — nothing after the municipality.
 * Messages do not repeat the address (it is personal data and errors get logged).
 */
export function splitAddress(table: LocalGovernmentTable, address: string): AddressParts {
  const text = keyText(address);
  const key = text.key;
  if (key.length === 0) throw invalid('住所が空です (address is empty)', 'address.empty');

  const pref = indexOf(table).find(
    (c) => key.startsWith(c.key) && text.boundary[c.key.length] === true,
  );
  if (!pref) {
    throw invalid(
      '住所が都道府県名で始まっていません (address does not start with a prefecture)',
      'address.unknown-prefecture',
    );
  }
  const p = pref.key.length;
  const match = matchMunicipality(pref, text, p);
  if (!match) {
    throw invalid(
      `${pref.row.prefecture}の市区町村名が判別できません (no municipality of ${pref.row.prefecture} follows)`,
      'address.unknown-municipality',
    );
  }
  const { candidate, countyEnd } = match;
  const m = countyEnd + candidate.key.length;
  const row = pickRow(candidate, originalSlice(text, p, countyEnd));
  if (candidate.kind === 'designated-city') {
    throw invalid(
      `${row.municipality}は政令指定都市です: 区名が必要です (a designated city must be followed by its ward)`,
      'address.designated-city-without-ward',
    );
  }
  if (m >= key.length) {
    throw invalid(
      '市区町村より後の住所がありません (nothing after the municipality)',
      'address.empty-rest',
    );
  }
  return {
    prefecture: originalSlice(text, 0, p),
    county: countyEnd > p ? originalSlice(text, p, countyEnd) : undefined,
    municipality: originalSlice(text, countyEnd, m),
    rest: originalSlice(text, m, key.length),
    localGovernmentCode: row.code,
    firstCharacterAfterMunicipality: originalUnitAt(text, m),
  };
}

/**
 * The longest municipality name at key position `p`; failing that, a town or village after a
 * county (…郡). `countyEnd` is where the municipality name starts (= p without a county).
 */
function matchMunicipality(
  pref: PrefectureIndex,
  text: KeyedText,
  p: number,
): { candidate: Candidate; countyEnd: number } | undefined {
  const { key, boundary } = text;
  const fits = (c: Candidate, at: number) =>
    key.startsWith(c.key, at) && boundary[at + c.key.length] === true;
  const direct = pref.candidates.find((c) => fits(c, p));
  if (direct) return { candidate: direct, countyEnd: p };
  let best: { candidate: Candidate; countyEnd: number } | undefined;
  for (let g = p + 1; g <= p + MAX_COUNTY_LENGTH && g < key.length; g++) {
    if (key[g] !== '郡' || !boundary[g + 1]) continue;
    const c = pref.candidates.find(
      (c) => (c.kind === 'town' || c.kind === 'village') && fits(c, g + 1),
    );
    if (c && (!best || c.key.length > best.candidate.key.length))
      best = { candidate: c, countyEnd: g + 1 };
  }
  return best;
}

function pickRow(candidate: Candidate, county: string): LocalGovernmentRow {
  if (candidate.rows.length === 1) return candidate.rows[0]!;
  const countyKey = addressMatchKey(county);
  const row = candidate.rows.find(
    (r) => countyKey !== '' && COUNTY_OF_AMBIGUOUS[r.code] === countyKey,
  );
  if (!row) {
    throw invalid(
      `${candidate.rows[0]!.municipality}は同名の団体が複数あります: 郡名が必要です (ambiguous name; write the county)`,
      'address.ambiguous-municipality',
    );
  }
  return row;
}

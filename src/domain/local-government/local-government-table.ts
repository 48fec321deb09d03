import { RegistryError } from '../errors.ts';
import type { LocalGovernmentCode, PrefectureCode } from './LocalGovernmentCode.ts';
import { isLocalGovernmentCode, localGovernmentCodeProblem } from './LocalGovernmentCode.ts';

/**
 * The table of 地方公共団体 (local governments): 47 prefectures (都道府県) and their municipalities
 * (市区町村), from `data/local-government-codes.csv` (総務省「都道府県コード及び市区町村コード」,
 * see data/README). Pure: the caller reads the file and passes the text.
 */

/** One row of the table. `municipality` is '' on a prefecture's own row. */
export type LocalGovernmentRow = {
  readonly code: LocalGovernmentCode;
  readonly prefectureCode: PrefectureCode;
  readonly prefecture: string;
  readonly prefectureKana: string;
  /** 市区町村名 as the ministry writes it; designated-city wards include the city: 札幌市中央区. */
  readonly municipality: string;
  readonly municipalityKana: string;
};

/**
 * - `prefecture` 都道府県;
 * - `designated-city` 政令指定都市 (e.g. 札幌市): a city divided into wards; addresses name the ward;
 * - `ward` 行政区 of a designated city (札幌市中央区): the unit of residence registration there;
 * - `special-ward` 特別区 (Tokyo's 23 wards, 千代田区 …): municipalities in their own right;
 * - `city` 市, `town` 町, `village` 村.
 */
export type LocalGovernmentKind =
  'prefecture' | 'designated-city' | 'ward' | 'special-ward' | 'city' | 'town' | 'village';

export const CSV_HEADER =
  'code,prefecture_code,prefecture,prefecture_kana,municipality,municipality_kana';

const csvError = (line: number, message: string, reason: string) =>
  new RegistryError('invalid', `local-government-codes.csv line ${line}: ${message}`, reason);

/**
 * Parses the CSV (UTF-8 text; a BOM and CRLF line ends are tolerated). Every row is checked: six
 * fields, a valid 6-digit code with its check digit, the prefecture code equal to the code's first
 * two digits, names present (municipality empty exactly on prefecture rows `pp000c`). Quoted
 * fields are refused: the published table has no commas or quotes in any name.
 * Throws RegistryError('invalid', …, 'local-government-csv.*') naming the line.
 */
export function parseLocalGovernmentCsv(text: string): LocalGovernmentRow[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0] !== CSV_HEADER) {
    throw csvError(1, `header must be ${CSV_HEADER}`, 'local-government-csv.header');
  }
  const rows: LocalGovernmentRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    if (line === '') {
      if (lines.slice(i).every((l) => l === '')) break; // trailing newline(s)
      throw csvError(lineNo, 'empty line', 'local-government-csv.empty-line');
    }
    if (line.includes('"'))
      throw csvError(lineNo, 'quoted fields are not supported', 'local-government-csv.quoted');
    const f = line.split(',');
    if (f.length !== 6)
      throw csvError(lineNo, `expected 6 fields, got ${f.length}`, 'local-government-csv.fields');
    const [code, prefectureCode, prefecture, prefectureKana, municipality, municipalityKana] =
      f as [string, string, string, string, string, string];
    const codeProblem = localGovernmentCodeProblem(code);
    if (codeProblem || !isLocalGovernmentCode(code)) {
      throw csvError(
        lineNo,
        `invalid code ${JSON.stringify(code)} (${codeProblem})`,
        'local-government-csv.code',
      );
    }
    if (prefectureCode !== code.slice(0, 2)) {
      throw csvError(
        lineNo,
        `prefecture_code ${prefectureCode} ≠ first two digits of ${code}`,
        'local-government-csv.prefecture-code',
      );
    }
    if (prefecture === '' || prefectureKana === '') {
      throw csvError(
        lineNo,
        'prefecture name or kana missing',
        'local-government-csv.missing-name',
      );
    }
    const isPrefectureRow = code.slice(2, 5) === '000';
    if (
      isPrefectureRow !== (municipality === '') ||
      (municipality === '') !== (municipalityKana === '')
    ) {
      throw csvError(
        lineNo,
        'municipality must be empty exactly on prefecture rows (ppp000c)',
        'local-government-csv.missing-name',
      );
    }
    rows.push({
      code,
      prefectureCode: prefectureCode as PrefectureCode,
      prefecture,
      prefectureKana,
      municipality,
      municipalityKana,
    });
  }
  return rows;
}

const tableError = (message: string, reason: string) =>
  new RegistryError('invalid', message, reason);

export class LocalGovernmentTable {
  readonly #rows: readonly LocalGovernmentRow[];
  readonly #byCode = new Map<string, LocalGovernmentRow>();
  readonly #byCode5 = new Map<string, LocalGovernmentRow>();
  readonly #byName = new Map<string, LocalGovernmentRow[]>();
  readonly #prefectures: LocalGovernmentRow[] = [];
  readonly #municipalities = new Map<string, LocalGovernmentRow[]>();
  readonly #kinds = new Map<string, LocalGovernmentKind>();

  private constructor(rows: readonly LocalGovernmentRow[]) {
    this.#rows = rows;
  }

  /**
   * Builds the indexes and classifies every row. Refuses (RegistryError 'invalid') duplicate codes
   * or prefectures, a municipality whose prefecture row is missing or named differently, and a name whose
   * kind cannot be told (must end in 市, 区, 町 or 村).
   */
  static fromRows(rows: readonly LocalGovernmentRow[]): LocalGovernmentTable {
    const sorted = [...rows].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
    const t = new LocalGovernmentTable(sorted);
    for (const row of sorted) {
      if (t.#byCode.has(row.code))
        throw tableError(`duplicate code ${row.code}`, 'local-government-table.duplicate');
      t.#byCode.set(row.code, row);
      t.#byCode5.set(row.code.slice(0, 5), row);
      const nameKey = `${row.prefecture}/${row.municipality}`;
      const same = t.#byName.get(nameKey);
      if (same) same.push(row);
      else t.#byName.set(nameKey, [row]);
      if (row.municipality === '') {
        if (same)
          throw tableError(
            `duplicate prefecture ${row.prefecture}`,
            'local-government-table.duplicate',
          );
        t.#prefectures.push(row);
        t.#municipalities.set(row.prefectureCode, []);
      }
    }
    for (const row of sorted) {
      if (row.municipality === '') continue;
      const pref = t.#byName.get(`${row.prefecture}/`)?.[0];
      const list = t.#municipalities.get(row.prefectureCode);
      if (!pref || pref.prefectureCode !== row.prefectureCode || !list) {
        throw tableError(
          `${row.code}: no prefecture row ${row.prefectureCode} ${row.prefecture}`,
          'local-government-table.prefecture',
        );
      }
      list.push(row);
    }
    for (const list of t.#municipalities.values()) t.#classify(list);
    for (const p of t.#prefectures) t.#kinds.set(p.code, 'prefecture');
    return t;
  }

  /** Convenience: `fromRows(parseLocalGovernmentCsv(text))`. */
  static fromCsv(text: string): LocalGovernmentTable {
    return LocalGovernmentTable.fromRows(parseLocalGovernmentCsv(text));
  }

  #classify(list: readonly LocalGovernmentRow[]): void {
    // A designated city is a 市 whose name prefixes the name of a 区 of the same prefecture.
    const wards = list.filter((r) => r.municipality.endsWith('区'));
    for (const r of list) {
      const name = r.municipality;
      let kind: LocalGovernmentKind;
      if (name.endsWith('区')) {
        const isWard = list.some(
          (c) => c !== r && c.municipality.endsWith('市') && name.startsWith(c.municipality),
        );
        if (isWard) kind = 'ward';
        else if (r.prefectureCode === '13') kind = 'special-ward';
        else
          throw tableError(
            `${r.code} ${name}: a 区 that belongs to no designated city`,
            'local-government-table.kind',
          );
      } else if (name.endsWith('市')) {
        kind = wards.some((w) => w.municipality.startsWith(name)) ? 'designated-city' : 'city';
      } else if (name.endsWith('町')) {
        kind = 'town';
      } else if (name.endsWith('村')) {
        kind = 'village';
      } else {
        throw tableError(
          `${r.code} ${name}: cannot tell the kind (市/区/町/村)`,
          'local-government-table.kind',
        );
      }
      this.#kinds.set(r.code, kind);
    }
  }

  /** All rows in code order. */
  get rows(): readonly LocalGovernmentRow[] {
    return this.#rows;
  }

  /** By 6-digit code (check digit must be right) or by 5-digit JIS X 0402 code. */
  byCode(code: string): LocalGovernmentRow | undefined {
    if (code.length === 5) return this.#byCode5.get(code);
    return this.#byCode.get(code);
  }

  /**
   * By exact names as the table writes them: the prefecture row when `municipality` is omitted or
   * empty; wards with their city (`byName('北海道', '札幌市中央区')`). Undefined when there is none.
   * One name is not unique within its prefecture: 北海道 泊村 is both 014036 (古宇郡) and 016969
   * (国後郡, a Northern Territories village); for such a name this throws RegistryError('conflict',
   * …, 'local-government-table.ambiguous-name') instead of picking one — use `allByName`.
   */
  byName(prefecture: string, municipality?: string): LocalGovernmentRow | undefined {
    const all = this.allByName(prefecture, municipality);
    if (all.length > 1) {
      throw new RegistryError(
        'conflict',
        `${prefecture}${municipality ?? ''} は複数の団体の名称です (${all.map((r) => r.code).join(', ')})`,
        'local-government-table.ambiguous-name',
      );
    }
    return all[0];
  }

  /** Every row with these exact names (normally zero or one). */
  allByName(prefecture: string, municipality?: string): readonly LocalGovernmentRow[] {
    return this.#byName.get(`${prefecture}/${municipality ?? ''}`) ?? [];
  }

  /** The 47 prefecture rows in code order. */
  prefectures(): readonly LocalGovernmentRow[] {
    return this.#prefectures;
  }

  /** The prefecture row of any row. */
  prefectureOf(row: LocalGovernmentRow): LocalGovernmentRow {
    return this.#byName.get(`${row.prefecture}/`)![0]!;
  }

  /** Every non-prefecture row of a prefecture (cities, designated cities and their wards, …). */
  municipalitiesOf(prefectureCode: string): readonly LocalGovernmentRow[] {
    return this.#municipalities.get(prefectureCode) ?? [];
  }

  /** The kind of a row of this table. Throws RegistryError('not-found') for a row it does not hold. */
  kind(row: LocalGovernmentRow): LocalGovernmentKind {
    const own = this.#byCode.get(row.code);
    const kind = this.#kinds.get(row.code);
    if (
      !own ||
      !kind ||
      own.prefecture !== row.prefecture ||
      own.municipality !== row.municipality
    ) {
      throw new RegistryError(
        'not-found',
        `not a row of this table: ${row.code}`,
        'local-government-table.unknown-row',
      );
    }
    return kind;
  }

  /** The designated city a ward belongs to (undefined for anything but a ward). */
  designatedCityOf(row: LocalGovernmentRow): LocalGovernmentRow | undefined {
    if (this.kind(row) !== 'ward') return undefined;
    return this.municipalitiesOf(row.prefectureCode).find(
      (c) =>
        this.#kinds.get(c.code) === 'designated-city' &&
        row.municipality.startsWith(c.municipality),
    );
  }

  /** The wards of a designated city, in code order (empty for anything else). */
  wardsOf(city: LocalGovernmentRow): readonly LocalGovernmentRow[] {
    if (this.kind(city) !== 'designated-city') return [];
    return this.municipalitiesOf(city.prefectureCode).filter(
      (w) => this.#kinds.get(w.code) === 'ward' && w.municipality.startsWith(city.municipality),
    );
  }
}

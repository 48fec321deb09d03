import { splitAddress } from '../address/split-address.ts';
import { isCalendarDate, type CalendarDate } from '../dates/CalendarDate.ts';
import { isRegistryError } from '../errors.ts';
import type { IdentityRecord, Sex } from '../resident/IdentityInfo.ts';
import type { IndividualNumber } from '../resident/IndividualNumber.ts';
import type { ResidentCode } from '../resident/ResidentCode.ts';
import { individualNumberProblem, residentCodeProblem } from '../resident/identity-fields.ts';
import type { LocalGovernmentTable } from '../local-government/local-government-table.ts';
import { refuse, type Refusal } from './refusal.ts';
import { addressKey, kanaKey, nameKey } from './search-keys.ts';

/**
 * The search rules of provision (R13 immediate, R14 batch, R22 media, R4 never a dump) as a
 * table, the query planner that applies it, and `matchesPlan`, the oracle every store's search
 * must agree with.
 */

/** 即時提供 from a terminal (R13), 一括提供 by file (R14), 媒体 provision to other units (R22). */
export const PROVISION_CHANNELS = ['immediate', 'batch', 'media'] as const;
export type ProvisionChannel = (typeof PROVISION_CHANNELS)[number];

export type MatchMode = 'exact' | 'prefix';

/**
 * A query as a recipient sends it. The affair is always named; the conditions are optional and
 * the rules decide whether they are enough. `name` is the name as written (氏名), `nameKana` its
 * reading; each of name, reading and address is an exact value unless its `…Match` says `prefix`.
 * Resident-code and individual-number lookups find the person whatever the record's status (the
 * pension service must learn of a 死亡); the other forms find residents only unless
 * `includeRemoved` is set.
 */
export type SearchQuery = {
  readonly affairId: string;
  readonly residentCode?: string | undefined;
  readonly individualNumber?: string | undefined;
  readonly name?: string | undefined;
  readonly nameMatch?: MatchMode | undefined;
  readonly nameKana?: string | undefined;
  readonly nameKanaMatch?: MatchMode | undefined;
  readonly address?: string | undefined;
  readonly addressMatch?: MatchMode | undefined;
  readonly birthDate?: string | undefined;
  readonly sex?: Sex | undefined;
  readonly includeRemoved?: boolean | undefined;
};

/** The fields a query may name (the message reader refuses any other, as `planSearch` does). */
export const QUERY_FIELDS: ReadonlySet<string> = new Set([
  'affairId',
  'residentCode',
  'individualNumber',
  'name',
  'nameMatch',
  'nameKana',
  'nameKanaMatch',
  'address',
  'addressMatch',
  'birthDate',
  'sex',
  'includeRemoved',
]);

/** What a form needs of a condition: the exact value, or at least the minimum prefix (an exact value also does). */
export type Need = 'exact' | 'prefix';
export type Condition =
  'resident-code' | 'individual-number' | 'name' | 'address' | 'birth-date' | 'sex';

/**
 * The minimum prefixes (R13): the name — by its written form or its reading — at least its first
 * character; the address at least through the first character after the prefecture and the
 * municipality (as `splitAddress` reads it). The date of birth is never a prefix.
 */
export const MINIMUM_PREFIX: Readonly<Record<'name' | 'address', string>> = {
  name: '氏名の1文字目以上 (at least the first character of the name)',
  address:
    '都道府県・市区町村の後の1文字目まで以上 (at least through the first character after the prefecture and municipality)',
};

export type SearchFormId =
  | 'resident-code'
  | 'individual-number'
  | 'name+address'
  | 'name-prefix+address'
  | 'name+address-prefix'
  | 'name+birth-date'
  | 'name-prefix+birth-date'
  | 'four-items';

export type SearchForm = {
  readonly id: SearchFormId;
  readonly needs: Readonly<Partial<Record<Condition, Need>>>;
  readonly channels: readonly ProvisionChannel[];
  readonly requirement: string;
  /** As the terminal shows it. */
  readonly label: string;
};

/**
 * THE RULES. A query is allowed when it meets at least one form of its channel; every other
 * condition it gives narrows the result further — except on the media channel, where a row with
 * an individual number is matched on the number alone (R22: the four items count only "where
 * there is no number"). Checked in this order; the first form met names
 * the plan. Anything less is refused (`search.below-minimum`): no query returns a municipality's
 * residents wholesale (R4).
 */
export const SEARCH_FORMS: readonly SearchForm[] = [
  {
    id: 'resident-code',
    needs: { 'resident-code': 'exact' },
    channels: ['immediate', 'batch'],
    requirement: 'R13, R14',
    label: '住民票コード (resident code)',
  },
  {
    id: 'individual-number',
    needs: { 'individual-number': 'exact' },
    channels: ['batch', 'media'],
    requirement: 'R14, R22',
    label: '個人番号 (individual number)',
  },
  {
    id: 'name+address',
    needs: { name: 'exact', address: 'exact' },
    channels: ['immediate', 'batch'],
    requirement: 'R13, R14',
    label: '氏名＋住所 (name + address)',
  },
  {
    id: 'name-prefix+address',
    needs: { name: 'prefix', address: 'exact' },
    channels: ['immediate', 'batch'],
    requirement: 'R13, R14',
    label: '氏名の1文字目以上＋住所全部 (first character of the name + whole address)',
  },
  {
    id: 'name+address-prefix',
    needs: { name: 'exact', address: 'prefix' },
    channels: ['immediate', 'batch'],
    requirement: 'R13, R14',
    label:
      '氏名全部＋市区町村の後の住所の1文字目以上 (whole name + address through the first character after the municipality)',
  },
  {
    id: 'name+birth-date',
    needs: { name: 'exact', 'birth-date': 'exact' },
    channels: ['immediate', 'batch'],
    requirement: 'R13, R14',
    label: '氏名＋生年月日 (name + date of birth)',
  },
  {
    id: 'name-prefix+birth-date',
    needs: { name: 'prefix', 'birth-date': 'exact' },
    channels: ['immediate', 'batch'],
    requirement: 'R13, R14',
    label: '氏名の1文字目以上＋生年月日全部 (first character of the name + whole date of birth)',
  },
  {
    id: 'four-items',
    needs: { name: 'exact', address: 'exact', 'birth-date': 'exact', sex: 'exact' },
    channels: ['media'],
    requirement: 'R22',
    label: '住所＋氏名＋生年月日＋性別の完全一致 (exact address, name, date of birth and sex)',
  },
];

/** More matches than this: nothing is provided (R13). */
export const MAX_PROVIDED_MATCHES = 50;
/** What a caller asks the store for: one more than may be provided, to tell "too many". */
export const SEARCH_FETCH_LIMIT = MAX_PROVIDED_MATCHES + 1;

/** A condition on a normalised key (search-keys.ts). */
export type KeyCondition = { readonly key: string; readonly match: MatchMode };

/**
 * What the store must match: every condition present, on the normalised keys; `status` resident
 * or any. Built only by `planSearch`, so a plan always meets a form of the rules.
 */
export type SearchPlan = {
  readonly form: SearchFormId;
  readonly channel: ProvisionChannel;
  readonly affairId: string;
  readonly residentCode?: ResidentCode;
  readonly individualNumber?: IndividualNumber;
  readonly nameKanji?: KeyCondition;
  readonly nameKana?: KeyCondition;
  readonly address?: KeyCondition;
  readonly birthDate?: CalendarDate;
  readonly sex?: Sex;
  readonly status: 'resident' | 'any';
  /**
   * R21: leave out the residents of this prefecture (two-digit code; the record's
   * `localGovernmentCode` starts with it). Never set by `planSearch`: the national server adds it
   * to the plan of a query a prefecture server forwards after searching its own residents.
   */
  readonly excludePrefecture?: string;
};

export const SEARCH_REFUSAL_REASONS = [
  'search.malformed',
  'search.affair-missing',
  'search.resident-code',
  'search.individual-number',
  'search.birth-date',
  'search.sex',
  'search.match-mode',
  'search.empty-condition',
  'search.below-minimum',
  'search.too-many-matches',
] as const;
export type SearchRefusalReason = (typeof SEARCH_REFUSAL_REASONS)[number];
export type SearchRefusal = Refusal<SearchRefusalReason>;

export type PlanContext = {
  readonly channel: ProvisionChannel;
  /** The local-government table: an address prefix is measured with `splitAddress`. */
  readonly table: LocalGovernmentTable;
};

type Given = 'exact' | 'prefix' | 'prefix-short';

const bad = (reason: SearchRefusalReason, message: string): SearchRefusal =>
  refuse('invalid', reason, message);

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Checks a query against the rules of its channel and returns the plan the store runs, or the
 * refusal (never throws; `input` may be anything received from outside):
 *
 * - `search.malformed`: not an object, a field this query type does not have, a value of the
 *   wrong type, or text that is not well-formed Unicode;
 * - `search.affair-missing`: no affair named (R3: every query names its affair);
 * - `search.resident-code` / `search.individual-number`: not the digits with a valid check digit;
 * - `search.birth-date`: not a whole date YYYY-MM-DD (the date of birth is never a prefix);
 * - `search.sex`: not 'male' or 'female';
 * - `search.match-mode`: a match mode other than exact/prefix, or one without its condition;
 * - `search.empty-condition`: a name, reading or address with nothing in it once normalised;
 * - `search.below-minimum` (forbidden): the conditions meet none of the channel's forms.
 */
export function planSearch(input: unknown, ctx: PlanContext): SearchPlan | SearchRefusal {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return bad('search.malformed', '検索条件がオブジェクトではありません (query is not an object)');
  const q = input as Record<string, unknown>;
  for (const [k, v] of Object.entries(q)) {
    if (!QUERY_FIELDS.has(k))
      return bad(
        'search.malformed',
        `不明な検索項目です (unknown query field ${JSON.stringify(k)})`,
      );
    if (v !== undefined && k !== 'includeRemoved' && typeof v !== 'string')
      return bad('search.malformed', `${k}: 文字列ではありません (not a string)`);
    if (typeof v === 'string' && LONE_SURROGATE.test(v))
      return bad('search.malformed', `${k}: 不正な文字を含みます (ill-formed Unicode)`);
  }
  if (q['includeRemoved'] !== undefined && typeof q['includeRemoved'] !== 'boolean')
    return bad('search.malformed', 'includeRemoved: 真偽値ではありません (not a boolean)');
  const s = q as { [K in keyof SearchQuery]?: string } & { includeRemoved?: boolean };
  if (s.affairId === undefined || s.affairId.trim() === '')
    return bad('search.affair-missing', '事務の指定がありません (the query names no affair, R3)');

  let residentCode: ResidentCode | undefined;
  if (s.residentCode !== undefined) {
    const p = residentCodeProblem(s.residentCode);
    if (p)
      return bad('search.resident-code', `住民票コードが不正です (resident code ${p.message})`);
    residentCode = s.residentCode as ResidentCode;
  }
  let individualNumber: IndividualNumber | undefined;
  if (s.individualNumber !== undefined) {
    const p = individualNumberProblem(s.individualNumber);
    if (p)
      return bad('search.individual-number', `個人番号が不正です (individual number ${p.message})`);
    individualNumber = s.individualNumber as IndividualNumber;
  }
  if (s.birthDate !== undefined && !isCalendarDate(s.birthDate))
    return bad(
      'search.birth-date',
      '生年月日は年月日全部 YYYY-MM-DD で指定します (date of birth: a whole date YYYY-MM-DD)',
    );
  if (s.sex !== undefined && s.sex !== 'male' && s.sex !== 'female')
    return bad('search.sex', "性別が不正です (sex: 'male' or 'female')");

  const nameKanji = keyCondition(s.name, s.nameMatch, 'name', nameKey);
  if (isRefusal(nameKanji)) return nameKanji;
  const nameKana = keyCondition(s.nameKana, s.nameKanaMatch, 'nameKana', kanaKey);
  if (isRefusal(nameKana)) return nameKana;
  const address = keyCondition(s.address, s.addressMatch, 'address', addressKey);
  if (isRefusal(address)) return address;

  const given: Partial<Record<Condition, Given>> = {};
  if (residentCode !== undefined) given['resident-code'] = 'exact';
  if (individualNumber !== undefined) given['individual-number'] = 'exact';
  const name = strongest(nameKanji?.match, nameKana?.match);
  if (name !== undefined) given.name = name;
  if (address !== undefined) {
    given.address =
      address.match === 'exact'
        ? 'exact'
        : addressPrefixLongEnough(s.address!, ctx.table)
          ? 'prefix'
          : 'prefix-short';
  }
  if (s.birthDate !== undefined) given['birth-date'] = 'exact';
  if (s.sex !== undefined) given.sex = 'exact';

  const form = SEARCH_FORMS.find((f) => f.channels.includes(ctx.channel) && meets(f, given));
  if (form === undefined) return belowMinimum(ctx.channel, given);

  const exactPerson = form.id === 'resident-code' || form.id === 'individual-number';
  if (ctx.channel === 'media' && form.id === 'individual-number') {
    // R22: a media row "is matched by individual number, or by exact match of address, name, date
    // of birth and sex where there is none": with the number, the number alone decides. The other
    // items the row carries (checked above for form) are not conditions, so an out-of-date
    // address in the other unit's file does not turn the person into not-found.
    return {
      form: form.id,
      channel: ctx.channel,
      affairId: s.affairId,
      individualNumber: individualNumber!,
      status: 'any',
    };
  }
  return {
    form: form.id,
    channel: ctx.channel,
    affairId: s.affairId,
    ...(residentCode === undefined ? {} : { residentCode }),
    ...(individualNumber === undefined ? {} : { individualNumber }),
    ...(nameKanji === undefined ? {} : { nameKanji }),
    ...(nameKana === undefined ? {} : { nameKana }),
    ...(address === undefined ? {} : { address }),
    ...(s.birthDate === undefined ? {} : { birthDate: s.birthDate }),
    ...(s.sex === undefined ? {} : { sex: s.sex }),
    status: exactPerson || s.includeRemoved === true ? 'any' : 'resident',
  };
}

const isRefusal = (x: unknown): x is SearchRefusal =>
  typeof x === 'object' && x !== null && (x as { ok?: unknown }).ok === false;

function keyCondition(
  value: string | undefined,
  mode: string | undefined,
  field: string,
  key: (s: string) => string,
): KeyCondition | SearchRefusal | undefined {
  if (mode !== undefined && mode !== 'exact' && mode !== 'prefix')
    return bad('search.match-mode', `${field}Match: exact か prefix です (exact or prefix)`);
  if (value === undefined) {
    return mode === undefined
      ? undefined
      : bad(
          'search.match-mode',
          `${field}Match に対応する ${field} がありません (match mode without its condition)`,
        );
  }
  const k = key(value);
  if (k === '') return bad('search.empty-condition', `${field}: 空です (empty once normalised)`);
  return { key: k, match: mode ?? 'exact' };
}

const strongest = (a: MatchMode | undefined, b: MatchMode | undefined): Given | undefined =>
  a === 'exact' || b === 'exact' ? 'exact' : (a ?? b);

/** R13: the prefix reaches at least one character after the prefecture and the municipality. */
function addressPrefixLongEnough(prefix: string, table: LocalGovernmentTable): boolean {
  try {
    splitAddress(table, prefix);
    return true;
  } catch (e) {
    if (isRegistryError(e)) return false;
    throw e;
  }
}

function meets(form: SearchForm, given: Partial<Record<Condition, Given>>): boolean {
  for (const [condition, need] of Object.entries(form.needs) as [Condition, Need][]) {
    const g = given[condition];
    if (g === undefined || g === 'prefix-short') return false;
    if (need === 'exact' && g !== 'exact') return false;
  }
  return true;
}

function belowMinimum(
  channel: ProvisionChannel,
  given: Partial<Record<Condition, Given>>,
): SearchRefusal {
  const forms = SEARCH_FORMS.filter((f) => f.channels.includes(channel)).map((f) => f.label);
  const why = given.address === 'prefix-short' ? `住所の前方一致は${MINIMUM_PREFIX.address}; ` : '';
  return refuse(
    'forbidden',
    'search.below-minimum',
    `検索条件が最低限の条件を満たしません (query below the minimum; ${channel}): ${why}次のいずれかが必要です (one of): ${forms.join(' / ')}`,
  );
}

/**
 * THE ORACLE: does `record` match `plan`? Keys are computed from the record with the functions
 * the stores use at write time; a prefix condition is `startsWith` on the key. Every store's
 * `searchIdentities(plan)` returns exactly the stored records this accepts (contract-tested).
 */
export function matchesPlan(record: IdentityRecord, plan: SearchPlan): boolean {
  if (plan.status === 'resident' && record.status !== 'resident') return false;
  if (plan.residentCode !== undefined && record.residentCode !== plan.residentCode) return false;
  if (plan.individualNumber !== undefined && record.individualNumber !== plan.individualNumber)
    return false;
  if (plan.birthDate !== undefined && record.birthDate !== plan.birthDate) return false;
  if (plan.sex !== undefined && record.sex !== plan.sex) return false;
  if (plan.nameKanji !== undefined && !keyMatches(nameKey(record.name.kanji), plan.nameKanji))
    return false;
  if (plan.nameKana !== undefined && !keyMatches(kanaKey(record.name.kana), plan.nameKana))
    return false;
  if (plan.address !== undefined && !keyMatches(addressKey(record.address), plan.address))
    return false;
  if (
    plan.excludePrefecture !== undefined &&
    record.localGovernmentCode.slice(0, 2) === plan.excludePrefecture
  )
    return false;
  return true;
}

const keyMatches = (key: string, c: KeyCondition): boolean =>
  c.match === 'exact' ? key === c.key : key.startsWith(c.key);

/**
 * More than 50 matches: nothing is provided (R13, `too-many-matches`). The store is asked for
 * SEARCH_FETCH_LIMIT records; the matches come back ordered by resident code. `alreadyFound`
 * (R21): the matches a prefecture server found among its own residents before it asked the
 * national server for the others (`plan.excludePrefecture`); the limit is on both together.
 */
export function decideMatches(
  records: readonly IdentityRecord[],
  alreadyFound = 0,
): { readonly ok: true; readonly records: readonly IdentityRecord[] } | SearchRefusal {
  if (records.length + alreadyFound > MAX_PROVIDED_MATCHES) {
    return refuse(
      'too-many-matches',
      'search.too-many-matches',
      `該当が${MAX_PROVIDED_MATCHES}件を超えるため提供しません: 条件を加えてください (more than ${MAX_PROVIDED_MATCHES} matches: nothing is provided; narrow the query)`,
    );
  }
  const sorted = [...records].sort((a, b) =>
    a.residentCode < b.residentCode ? -1 : a.residentCode > b.residentCode ? 1 : 0,
  );
  return { ok: true, records: sorted };
}

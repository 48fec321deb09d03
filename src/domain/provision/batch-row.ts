import type { LocalGovernmentTable } from '../local-government/local-government-table.ts';
import type { IdentityRecord } from '../resident/IdentityInfo.ts';
import { refuse, type Refusal } from './refusal.ts';
import {
  decideMatches,
  planSearch,
  type SearchPlan,
  type SearchQuery,
  type SearchRefusalReason,
} from './search-rules.ts';

/**
 * One row of a batch file (一括提供, R14) or of a media request (R22): the query conditions of one
 * person. The affair is the file's, not the row's. The columns (all optional, '' = absent):
 */
export const BATCH_COLUMNS = [
  /** the requester's own reference, echoed back untouched; not a condition */
  'ref',
  'resident_code',
  'individual_number',
  'name',
  'name_match',
  'name_kana',
  'name_kana_match',
  'address',
  'address_match',
  'birth_date',
  'sex',
  'include_removed',
] as const;
export type BatchColumn = (typeof BATCH_COLUMNS)[number];
export type BatchRowFields = Readonly<Partial<Record<string, string | undefined>>>;

export type BatchRowRefusalReason =
  SearchRefusalReason | 'batch.unknown-column' | 'batch.empty-row' | 'batch.ambiguous';

export type BatchRowRefusal = Refusal<BatchRowRefusalReason>;

export type BatchContext = {
  readonly affairId: string;
  readonly channel: 'batch' | 'media';
  readonly table: LocalGovernmentTable;
};

const COLUMN_TO_FIELD: Readonly<Record<Exclude<BatchColumn, 'ref'>, keyof SearchQuery>> = {
  resident_code: 'residentCode',
  individual_number: 'individualNumber',
  name: 'name',
  name_match: 'nameMatch',
  name_kana: 'nameKana',
  name_kana_match: 'nameKanaMatch',
  address: 'address',
  address_match: 'addressMatch',
  birth_date: 'birthDate',
  sex: 'sex',
  include_removed: 'includeRemoved',
};

/** Files write sex as the word or as printed on the register (男 / 女). */
const SEX_WORDS: Readonly<Record<string, string>> = { 男: 'male', 女: 'female' };

/**
 * The plan of one row under the same rules as an immediate query (R14: "same rules as R13"; on
 * the media channel R22's: individual number, or exact address + name + date of birth + sex), or
 * the row's refusal: every planSearch reason, plus `batch.unknown-column` and `batch.empty-row`.
 * Never throws.
 */
export function planBatchRow(
  fields: BatchRowFields,
  ctx: BatchContext,
): SearchPlan | BatchRowRefusal {
  const query = batchRowQuery(fields, ctx.affairId);
  if ('ok' in query) return query;
  return planSearch(query, { channel: ctx.channel, table: ctx.table });
}

/**
 * The row as the query `planSearch` (and a providing node's `ProvisionService.answer`) takes, or
 * its refusal (`batch.unknown-column`, `batch.empty-row`, `search.malformed` for
 * `include_removed`). The search rules are not applied here: planBatchRow does that.
 */
export function batchRowQuery(
  fields: BatchRowFields,
  affairId: string,
): SearchQuery | BatchRowRefusal {
  const query: Record<string, unknown> = { affairId };
  let conditions = 0;
  for (const [column, raw] of Object.entries(fields)) {
    if (!(BATCH_COLUMNS as readonly string[]).includes(column)) {
      return refuse(
        'invalid',
        'batch.unknown-column',
        `不明な列です (unknown column ${JSON.stringify(column)}; columns: ${BATCH_COLUMNS.join(', ')})`,
      );
    }
    if (column === 'ref' || raw === undefined || raw === '') continue;
    const field = COLUMN_TO_FIELD[column as Exclude<BatchColumn, 'ref'>];
    if (field === 'includeRemoved') {
      if (raw !== 'true' && raw !== 'false')
        return refuse(
          'invalid',
          'search.malformed',
          'include_removed: true か false です (true or false)',
        );
      query[field] = raw === 'true';
      continue;
    }
    query[field] = field === 'sex' ? (SEX_WORDS[raw] ?? raw) : raw;
    conditions++;
  }
  if (conditions === 0)
    return refuse('invalid', 'batch.empty-row', '検索条件のない行です (the row has no condition)');
  return query as SearchQuery;
}

/** What a row gets back: the one person it names, none, or a refusal. */
export type BatchRowOutcome =
  | { readonly status: 'found'; readonly records: readonly IdentityRecord[] }
  | { readonly status: 'not-found' }
  | { readonly status: 'refused'; readonly refusal: BatchRowRefusal };

/**
 * The outcome of a planned row from the store's matches (asked with SEARCH_FETCH_LIMIT): more than
 * 50 is `search.too-many-matches`; two or more is `batch.ambiguous`: a row of a batch (R14: the
 * server appends the person's 本人確認情報 to the row) or of a media request (R22: rows are
 * matched, not searched) stands for one person. Nothing is provided for a refused row.
 */
export function batchRowOutcome(
  plan: SearchPlan,
  records: readonly IdentityRecord[],
): BatchRowOutcome {
  if (records.length === 0) return { status: 'not-found' };
  const decided = decideMatches(records);
  if (!decided.ok) return { status: 'refused', refusal: decided };
  if (plan.channel !== 'immediate' && decided.records.length > 1) {
    return {
      status: 'refused',
      refusal: refuse(
        'conflict',
        'batch.ambiguous',
        '完全一致が複数あり本人を特定できません (more than one exact match: the row does not identify one person)',
      ),
    };
  }
  return { status: 'found', records: decided.records };
}

import { RegistryError } from '../domain/errors.ts';
import { prefixUpperBound, searchKeysOf } from '../domain/provision/search-keys.ts';
import type { KeyCondition, SearchPlan } from '../domain/provision/search-rules.ts';
import { IDENTITY_COLUMN_LIST } from './identity-row.ts';

/**
 * The SQL of `searchIdentities(plan, limit)` for both dialects (R13, docs/PROVISION.md). Every
 * condition of the plan becomes a conjunct on the stored columns; name, reading and address are
 * matched on the search keys (migration 5), a prefix as the range
 * `key >= prefix AND key < prefixUpperBound(prefix)` (code point order: SQLite BINARY, PostgreSQL
 * COLLATE "C"), so every form of the rules table is an index range scan. Statements are cached
 * per `shape` (which conditions, which modes), never per value.
 */
export type SearchStatement = {
  /** Identifies the statement text (which conditions, which modes): cache key, PG statement name. */
  readonly shape: string;
  readonly text: string;
  readonly values: readonly (string | number)[];
};

export function searchStatement(
  plan: SearchPlan,
  limit: number,
  dialect: 'sqlite' | 'postgres',
): SearchStatement {
  const where: string[] = [];
  const values: (string | number)[] = [];
  let shape = '';
  const param = (v: string | number): string => {
    values.push(v);
    return dialect === 'sqlite' ? '?' : `$${values.length}`;
  };
  const equal = (column: string, v: string | undefined, code: string) => {
    if (v === undefined) return;
    where.push(`${column} = ${param(v)}`);
    shape += code;
  };
  const key = (column: string, c: KeyCondition | undefined, code: string) => {
    if (c === undefined) return;
    if (c.match === 'exact') {
      where.push(`${column} = ${param(c.key)}`);
      shape += `${code}e`;
      return;
    }
    const upper = prefixUpperBound(c.key);
    if (upper === undefined) {
      // Only a prefix made entirely of U+10FFFF has no upper bound: compare the leading characters.
      where.push(`substr(${column}, 1, ${param([...c.key].length)}) = ${param(c.key)}`);
      shape += `${code}s`;
    } else {
      where.push(`${column} >= ${param(c.key)} AND ${column} < ${param(upper)}`);
      shape += `${code}p`;
    }
  };
  if (plan.status === 'resident') {
    where.push(`status = 'resident'`);
    shape += 'r';
  }
  equal('resident_code', plan.residentCode, 'c');
  equal('individual_number', plan.individualNumber, 'i');
  equal('birth_date', plan.birthDate, 'b');
  equal('sex', plan.sex, 'x');
  key('name_key', plan.nameKanji, 'n');
  key('kana_key', plan.nameKana, 'k');
  key('address_key', plan.address, 'a');
  // planSearch never makes a plan without a condition; refuse one anyway rather than scan all.
  if (values.length === 0) {
    throw new RegistryError(
      'invalid',
      '検索条件のない検索は実行しません (a search plan without any condition is never run, R4)',
      'search.below-minimum',
    );
  }
  // R21: a query a prefecture server forwarded after searching its own residents leaves them out
  // here, in the statement, so that LIMIT counts only the others (a residual filter on the rows
  // of the range scan). Not a condition of its own: it never makes a plan searchable.
  if (plan.excludePrefecture !== undefined) {
    where.push(`substr(local_government_code, 1, 2) <> ${param(plan.excludePrefecture)}`);
    shape += 'X';
  }
  const text = `SELECT ${IDENTITY_COLUMN_LIST} FROM identity WHERE ${where.join(' AND ')} LIMIT ${param(Math.max(0, Math.floor(limit)))}`;
  return { shape, text, values };
}

/** For the backfill of rows written before migration 5: the keys of one row's columns. */
export const keysOfColumns = (nameKanji: string, nameKana: string, address: string) =>
  searchKeysOf({ name: { kanji: nameKanji, kana: nameKana }, address });

/** Rows whose keys are missing, a chunk at a time (the partial index identity_keys_missing). */
export const BACKFILL_CHUNK = 1000;

import type { ChangeReason } from '../../domain/change/ChangeReason.ts';
import { CHANGE_REASON_LIST } from '../../domain/change/ChangeReason.ts';
import type { CalendarDate } from '../../domain/dates/CalendarDate.ts';
import {
  INTEGRITY_SCOPE_KINDS,
  integrityScopeCodeProblem,
  type IntegrityScope,
} from '../../domain/integrity/IntegrityScope.ts';
import type { IdentityInfo } from '../../domain/resident/IdentityInfo.ts';
import { dateProblem, residentCodeProblem } from '../../domain/resident/identity-fields.ts';
import type { ResidentCode } from '../../domain/resident/ResidentCode.ts';
import type { BodyReader } from './BodyReader.ts';

/*
 * Fields shared by the integrity-check messages (本人確認情報整合, R20; docs/INTEGRITY.md,
 * docs/PROTOCOL.md §5). Hashes travel as MessagePack bin (32 bytes each, concatenated); resident
 * codes as strings; bucket indexes as integers.
 */

/** SHA-256: a node of the hash tree. */
export const HASH_BYTES = 32;
/**
 * A record's digest in `integrity-entries`: the first 128 bits of its SHA-256. It is only ever
 * compared with the digest of the record under the same resident code at the other end, so an
 * undetected difference needs a second preimage on 128 bits; it saves 16 of 44 bytes per record
 * listed (docs/INTEGRITY.md "Bytes").
 */
export const ENTRY_DIGEST_BYTES = 16;
/** The deepest hash tree: 2^18 buckets (a tree of 16 MiB), far beyond the largest prefecture. */
export const MAX_TREE_DEPTH = 18;
/** Sanity bounds on list lengths (the frame size bounds them first). */
export const MAX_LIST_ITEMS = 1 << MAX_TREE_DEPTH;

/** A check id: chosen by the sender, unique per check; `<id>:repair:<n>` keys its repairs. */
export const CHECK_ID = {
  max: 128,
  pattern: /^[A-Za-z0-9][A-Za-z0-9._:-]*$/,
  patternText: 'letters, digits and . _ : - (1–128)',
};

/** A bound of a resident-code range: 11 digits (not necessarily a valid code). */
export const CODE_BOUND = { min: 11, max: 11, pattern: /^\d{11}$/, patternText: '11 digits' };

export type DifferenceCounts = {
  readonly missingAtReceiver: number;
  readonly extraAtReceiver: number;
  readonly differingValues: number;
};

/** A record re-sent by a repair: 本人確認情報 and its change information (R1). */
export type IntegrityRepairRecord = IdentityInfo & {
  readonly lastChange: { readonly reason: ChangeReason; readonly date: CalendarDate };
};

export const readCheckId = (r: BodyReader): string => r.string('checkId', CHECK_ID);

export function readScope(r: BodyReader): IntegrityScope {
  const s = r.object('scope');
  const kind = s.oneOf('kind', INTEGRITY_SCOPE_KINDS);
  s.check('code', integrityScopeCodeProblem(kind, s.value('code')));
  return { kind, code: s.body.code as string };
}

/** A bin field of whole hashes; copied, so that it does not pin the frame's buffer. */
export function readHashes(
  r: BodyReader,
  field: string,
  count: number,
  size: number = HASH_BYTES,
): Uint8Array {
  const v = r.value(field);
  if (!(v instanceof Uint8Array)) return r.fail(field, 'must be binary (bin)');
  if (v.length !== count * size)
    r.fail(field, `must hold ${count} hashes of ${size} bytes (${count * size} bytes)`);
  return new Uint8Array(v);
}

/** Whole numbers in [0, max), strictly ascending. */
export function readIndices(r: BodyReader, field: string, max: number): number[] {
  const v = r.value(field);
  if (!Array.isArray(v)) return r.fail(field, 'must be a list');
  if (v.length > MAX_LIST_ITEMS) r.fail(field, `has more than ${MAX_LIST_ITEMS} items`);
  let previous = -1;
  for (let i = 0; i < v.length; i++) {
    const n: unknown = v[i];
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= previous || n >= max)
      r.fail(`${field}[${i}]`, `must be a whole number in [0, ${max}), ascending`);
    previous = n;
  }
  return v as number[];
}

/** Resident codes (check digit verified), strictly ascending. */
export function readCodes(r: BodyReader, field: string): ResidentCode[] {
  const v = r.value(field);
  if (!Array.isArray(v)) return r.fail(field, 'must be a list');
  if (v.length > MAX_LIST_ITEMS) r.fail(field, `has more than ${MAX_LIST_ITEMS} items`);
  let previous = '';
  for (let i = 0; i < v.length; i++) {
    r.check(`${field}[${i}]`, residentCodeProblem(v[i]));
    if ((v[i] as string) <= previous) r.fail(`${field}[${i}]`, 'must be in ascending order');
    previous = v[i] as string;
  }
  return v as ResidentCode[];
}

export function readCounts(r: BodyReader, field: string): DifferenceCounts {
  const c = r.object(field);
  return {
    missingAtReceiver: c.integer('missingAtReceiver'),
    extraAtReceiver: c.integer('extraAtReceiver'),
    differingValues: c.integer('differingValues'),
  };
}

const CHANGE_REASONS: ReadonlySet<ChangeReason> = new Set(CHANGE_REASON_LIST);

export function readLastChange(r: BodyReader): IntegrityRepairRecord['lastChange'] {
  const c = r.object('lastChange');
  const reason = c.oneOf('reason', CHANGE_REASONS);
  c.check('date', dateProblem(c.value('date')));
  return { reason, date: c.body.date as CalendarDate };
}

import { hash } from 'node:crypto';
import type { IdentityInfo } from '../domain/resident/IdentityInfo.ts';
import { ENTRY_DIGEST_BYTES } from '../protocol/messages/integrity-fields.ts';

/**
 * The canonical encoding of one record for the integrity check (R20): exactly the items of
 * 本人確認情報 (`identityInfoOf`): resident code, individual number (empty when absent: a real one
 * has 12 digits), name in kanji, its kana reading, sex, date of birth, address, 団体コード — in this
 * order, each as `<length>:<value>` (length in UTF-16 code units). A fixed number of
 * length-prefixed fields parses one way only, so different records never encode alike and a
 * concatenation of encodings is unambiguous too. Values are taken as stored: no Unicode
 * normalisation (a variant kanji or an IVS sequence that differs is a difference).
 */
export function canonicalRecord(r: IdentityInfo): string {
  const n = r.individualNumber ?? '';
  return (
    `${r.residentCode.length}:${r.residentCode}${n.length}:${n}` +
    `${r.name.kanji.length}:${r.name.kanji}${r.name.kana.length}:${r.name.kana}` +
    `${r.sex.length}:${r.sex}${r.birthDate.length}:${r.birthDate}` +
    `${r.address.length}:${r.address}${r.localGovernmentCode.length}:${r.localGovernmentCode}`
  );
}

/** Domain separation: a record digest is never equal to a bucket (leaf) or node hash. */
const RECORD_TAG = 'jukinet-integrity-v1/record\n';

/** The record digest: SHA-256 of the tag and the canonical encoding (UTF-8). 32 bytes. */
export const recordDigest = (r: IdentityInfo): Buffer =>
  hash('sha256', RECORD_TAG + canonicalRecord(r), 'buffer');

/** What `integrity-entries` carries per record: the digest's first ENTRY_DIGEST_BYTES bytes. */
export const entryDigest = (r: IdentityInfo): Buffer =>
  recordDigest(r).subarray(0, ENTRY_DIGEST_BYTES);

/** Records as a store scan yields them (async) or as tests hand them over (an array). */
export type RecordSource = AsyncIterable<IdentityInfo> | Iterable<IdentityInfo>;

/**
 * One async iterable for either kind of source. `for await` over the union type itself is typed
 * `any` by typescript-eslint in some program orders, which hides real type errors.
 */
export function asAsyncRecords(source: RecordSource): AsyncIterable<IdentityInfo> {
  if (Symbol.asyncIterator in source) return source;
  return {
    [Symbol.asyncIterator]() {
      const it = source[Symbol.iterator]();
      return { next: () => Promise.resolve(it.next()) };
    },
  };
}

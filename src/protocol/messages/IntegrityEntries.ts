import type { ResidentCode } from '../../domain/resident/ResidentCode.ts';
import { BodyReader, isPlainObject } from './BodyReader.ts';
import { defineMessage } from './define-message.ts';
import {
  CODE_BOUND,
  ENTRY_DIGEST_BYTES,
  MAX_LIST_ITEMS,
  readCheckId,
  readCodes,
  readHashes,
} from './integrity-fields.ts';

/** Part of the resident-code space, `from` inclusive, `to` exclusive (absent: to the end). */
export type IntegrityRange = {
  readonly from: string;
  readonly to?: string | undefined;
  /** Every resident code the sender holds in scope in the range, ascending. */
  readonly codes: readonly ResidentCode[];
  /** The entry digest of each code (ENTRY_DIGEST_BYTES each), same order. */
  readonly digests: Uint8Array;
};

/**
 * The leaves that differ, record by record: for each range (the union of differing buckets, cut to
 * fit a frame), the sender's codes and record digests. The receiver compares them with its own
 * residents in scope in the same ranges and answers `integrity-differences`. Ranges ascend and do
 * not overlap.
 */
export type IntegrityEntries = {
  readonly kind: 'integrity-entries';
  readonly checkId: string;
  readonly ranges: readonly IntegrityRange[];
};

function readRange(r: BodyReader, after: string | undefined): IntegrityRange {
  const from = r.string('from', CODE_BOUND);
  const to = r.optionalString('to', CODE_BOUND);
  if (after === undefined || from < after) r.fail('from', 'ranges must ascend without overlap');
  if (to !== undefined && to <= from) r.fail('to', 'must be above from');
  const codes = readCodes(r, 'codes');
  if (codes.length > 0 && (codes[0]! < from || (to !== undefined && codes.at(-1)! >= to)))
    r.fail('codes', 'must lie in [from, to)');
  const digests = readHashes(r, 'digests', codes.length, ENTRY_DIGEST_BYTES);
  return to === undefined ? { from, codes, digests } : { from, to, codes, digests };
}

export const IntegrityEntries = defineMessage<IntegrityEntries, 'integrity-differences'>({
  kind: 'integrity-entries',
  roles: ['request'],
  reply: 'integrity-differences',
  effect: 'read',
  parse(r): IntegrityEntries {
    const checkId = readCheckId(r);
    const list = r.value('ranges');
    if (!Array.isArray(list)) return r.fail('ranges', 'must be a list');
    if (list.length > MAX_LIST_ITEMS) r.fail('ranges', `has more than ${MAX_LIST_ITEMS} items`);
    const ranges: IntegrityRange[] = [];
    // `after`: where the next range may start ('' first; undefined once a range is open-ended).
    let after: string | undefined = '';
    list.forEach((item: unknown, i) => {
      if (!isPlainObject(item)) return r.fail(`ranges[${i}]`, 'must be a map');
      const range = readRange(new BodyReader(r.kind, item, `${r.path}ranges[${i}].`), after);
      ranges.push(range);
      after = range.to;
    });
    return { kind: 'integrity-entries', checkId, ranges };
  },
});

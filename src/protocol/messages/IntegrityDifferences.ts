import type { ResidentCode } from '../../domain/resident/ResidentCode.ts';
import { defineMessage } from './define-message.ts';
import { readCheckId, readCodes, readCounts, type DifferenceCounts } from './integrity-fields.ts';

/**
 * What the receiver found in the ranges of one `integrity-entries`: the codes by kind (ascending),
 * and the exact counts. When more differ than one reply (or the check's cap) may list, the lists
 * hold the first ones, `truncated` is set and the counts still count all.
 */
export type IntegrityDifferences = {
  readonly kind: 'integrity-differences';
  readonly checkId: string;
  /** The sender holds it in scope; the receiver does not (as a resident in scope). */
  readonly missingAtReceiver: readonly ResidentCode[];
  /** A resident in scope at the receiver that the sender does not hold. */
  readonly extraAtReceiver: readonly ResidentCode[];
  /** Both hold it, with different 本人確認情報. */
  readonly differingValues: readonly ResidentCode[];
  readonly counts: DifferenceCounts;
  readonly truncated: boolean;
};

export const IntegrityDifferences = defineMessage<IntegrityDifferences>({
  kind: 'integrity-differences',
  roles: ['reply'],
  reply: undefined,
  effect: 'read',
  parse: (r): IntegrityDifferences => ({
    kind: 'integrity-differences',
    checkId: readCheckId(r),
    missingAtReceiver: readCodes(r, 'missingAtReceiver'),
    extraAtReceiver: readCodes(r, 'extraAtReceiver'),
    differingValues: readCodes(r, 'differingValues'),
    counts: readCounts(r, 'counts'),
    truncated: r.boolean('truncated'),
  }),
});

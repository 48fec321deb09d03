import { defineMessage } from './define-message.ts';
import { readCheckId, readCounts, type DifferenceCounts } from './integrity-fields.ts';

/**
 * The receiver's notification of the result (R20): matching or not, both counts, and how many
 * records differ by kind (the codes came with each `integrity-differences`). Recorded at the
 * receiver before it is sent.
 */
export type IntegrityResult = {
  readonly kind: 'integrity-result';
  readonly checkId: string;
  readonly matching: boolean;
  readonly senderCount: number;
  readonly receiverCount: number;
  readonly counts: DifferenceCounts;
  readonly truncated: boolean;
};

export const IntegrityResult = defineMessage<IntegrityResult>({
  kind: 'integrity-result',
  roles: ['reply'],
  reply: undefined,
  effect: 'read',
  parse: (r): IntegrityResult => ({
    kind: 'integrity-result',
    checkId: readCheckId(r),
    matching: r.boolean('matching'),
    senderCount: r.integer('senderCount'),
    receiverCount: r.integer('receiverCount'),
    counts: readCounts(r, 'counts'),
    truncated: r.boolean('truncated'),
  }),
});

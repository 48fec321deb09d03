import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import { ENTRY_DIGEST_BYTES } from '../protocol/messages/integrity-fields.ts';
import { asAsyncRecords, entryDigest, type RecordSource } from './record-digest.ts';

export type DifferenceKind = 'missingAtReceiver' | 'extraAtReceiver' | 'differingValues';
export const DIFFERENCE_KINDS: readonly DifferenceKind[] = [
  'missingAtReceiver',
  'extraAtReceiver',
  'differingValues',
];

/**
 * Differences as they are found: exact counts, and the codes listed up to a cap (a file that
 * differs wholesale must not make a reply, or a check's record, unbounded). `take` lists a code if
 * there is room; `truncated` says some were only counted.
 */
export class DifferenceTally {
  readonly counts: Record<DifferenceKind, number> = {
    missingAtReceiver: 0,
    extraAtReceiver: 0,
    differingValues: 0,
  };
  readonly codes: Record<DifferenceKind, ResidentCode[]> = {
    missingAtReceiver: [],
    extraAtReceiver: [],
    differingValues: [],
  };
  #listed = 0;
  truncated = false;

  constructor(private readonly cap: number) {}

  get listed(): number {
    return this.#listed;
  }

  get total(): number {
    return (
      this.counts.missingAtReceiver + this.counts.extraAtReceiver + this.counts.differingValues
    );
  }

  add(kind: DifferenceKind, code: ResidentCode): void {
    this.counts[kind]++;
    if (this.#listed < this.cap) {
      this.codes[kind].push(code);
      this.#listed++;
    } else this.truncated = true;
  }
}

/**
 * The receiver's comparison of one range: the sender's codes and digests (ascending) against the
 * receiver's own residents in scope in the range (`mine`, ascending, streamed — it may be large
 * when the files differ wholesale). Every difference goes to `tally`.
 */
export async function compareRange(
  codes: readonly ResidentCode[],
  digests: Uint8Array,
  mine: RecordSource,
  tally: DifferenceTally,
): Promise<void> {
  let k = 0;
  for await (const record of asAsyncRecords(mine)) {
    const code = record.residentCode;
    while (k < codes.length && codes[k]! < code) tally.add('missingAtReceiver', codes[k++]!);
    if (k < codes.length && codes[k] === code) {
      const theirs = digests.subarray(k * ENTRY_DIGEST_BYTES, (k + 1) * ENTRY_DIGEST_BYTES);
      if (!entryDigest(record).equals(theirs)) tally.add('differingValues', code);
      k++;
    } else tally.add('extraAtReceiver', code);
  }
  while (k < codes.length) tally.add('missingAtReceiver', codes[k++]!);
}

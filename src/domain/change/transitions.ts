import type { IdentityInfo } from '../resident/IdentityInfo.ts';
import type { ChangeReason } from './ChangeReason.ts';

/*
 * What the state of a record allows, and what a change changes: the parts of R19's rule table
 * (validate-change.ts) that compare a change with the record it applies to.
 */

/**
 * Reasons a removed record accepts, given the reason of its last change (see `removed.not-allowed`).
 * The record keeps only its LAST change: after a 職権修正等 of a removed record, the reason it was
 * removed for is no longer on it. 転入 is then accepted — refusing it would block a legitimate
 * re-entry after a mere correction; the narrower risk (a corrected death record followed by a
 * 転入) is left to the municipality, which holds the full register.
 */
export function allowedAfterRemoval(lastReason: ChangeReason, reason: ChangeReason): boolean {
  switch (reason) {
    case 'move-in':
      // Re-entry: moving back, or arriving in another municipality after 転出; after 職権消除等
      // (e.g. whereabouts unknown) the person may also reappear by notifying a move-in. Never
      // after 死亡.
      return lastReason !== 'death';
    case 'entry-by-authority': // reinstatement by authority (回復), e.g. a removal made in error
    case 'correction-by-authority': // correcting the items of a removed record (除票の修正)
      return true;
    case 'birth':
    case 'move-out':
    case 'death':
    case 'deletion-by-authority':
    case 'move-within':
    case 'code-change-request':
    case 'code-entry-by-authority':
      return false;
  }
}

/** The items other than `except` that differ between the record and the new values. */
export function changedItems(
  a: IdentityInfo,
  b: IdentityInfo,
  except: readonly (keyof IdentityInfo)[],
): string[] {
  const out: string[] = [];
  const differs = (k: keyof IdentityInfo, same: boolean) => {
    if (!same && !except.includes(k)) out.push(k);
  };
  differs('residentCode', a.residentCode === b.residentCode);
  differs(
    'individualNumber',
    (a.individualNumber ?? undefined) === (b.individualNumber ?? undefined),
  );
  differs('name', a.name.kanji === b.name.kanji && a.name.kana === b.name.kana);
  differs('sex', a.sex === b.sex);
  differs('birthDate', a.birthDate === b.birthDate);
  differs('address', a.address === b.address);
  differs('localGovernmentCode', a.localGovernmentCode === b.localGovernmentCode);
  return out;
}

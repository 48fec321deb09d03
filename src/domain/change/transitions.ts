import type { IdentityInfo, IdentityRecord } from '../resident/IdentityInfo.ts';
import type { ChangeEvent } from './ChangeEvent.ts';
import { changeKind, type ChangeReason } from './ChangeReason.ts';

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

/*
 * Moves between municipalities, seen by a server that holds both (a prefecture server for a move
 * inside its prefecture, the national server for every move). The two municipalities send their
 * notices independently: the new one's 転入 and the old one's 転出 (and any change the old one
 * made shortly before) may arrive in either order. In Juki-net the old municipality even confirms
 * its 転出 only after the new one has notified the move-in (転入通知), so "転入 first" is normal.
 * Whatever the order, every server must end with the record at the new municipality.
 */

/**
 * 転入 for a person who is still a resident of ANOTHER municipality on this server's record: the
 * move-in arrived before the old municipality's 転出. Accepted (the record moves to the new
 * municipality); 転入 for a resident of the SAME municipality stays refused
 * (`create.already-resident`, R19's own example).
 */
export function isMoveInAheadOfMoveOut(
  current: IdentityRecord | undefined,
  event: ChangeEvent,
): boolean {
  return (
    current !== undefined &&
    current.status === 'resident' &&
    event.reason === 'move-in' &&
    event.values.localGovernmentCode !== current.localGovernmentCode
  );
}

/**
 * A change made by a municipality the record has since left, arriving late:
 * - a removing or updating change whose 団体コード is not the record's, dated on or before the
 *   record's last change (it arrived after the new municipality's 転入);
 * - a 転入 to another municipality dated BEFORE the record's last change: the person moved there
 *   and on again (A → B → A) and B's notices arrive after A's later ones.
 * It is accepted and kept in history, so it is applied once and forwarded like any other, but it
 * changes nothing on the record: the person lives where the later changes put them. A CS holds
 * one municipality, so this never happens there.
 */
export function isSupersededByMove(
  current: IdentityRecord | undefined,
  event: ChangeEvent,
): boolean {
  if (current === undefined || event.values.localGovernmentCode === current.localGovernmentCode)
    return false;
  const kind = changeKind(event.reason);
  if (kind === 'removes' || kind === 'updates') return event.changeDate <= current.lastChange.date;
  return event.reason === 'move-in' && event.changeDate < current.lastChange.date;
}

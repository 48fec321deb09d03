import { PREFECTURE_CODE, type NewDisclosure } from '../../domain/provision/disclosure.ts';
import { residentCodeProblem } from '../../domain/resident/identity-fields.ts';
import type { ResidentCode } from '../../domain/resident/ResidentCode.ts';
import type { BodyReader } from './BodyReader.ts';
import { defineMessage } from './define-message.ts';

/**
 * 開示用データの送付 (R17): a prefecture server asks the national server for the national server's
 * disclosure records about the prefecture's residents, after the id it already has. The
 * prefecture is the caller's certificate's, never a field of the message: a prefecture server
 * learns of its own residents' provisions only. Answered by `disclosure-records`. Not a write: the
 * prefecture stores the copies itself (idempotent on node, query id and resident code).
 */
export type DisclosureSync = {
  readonly kind: 'disclosure-sync';
  /** The highest id the caller has stored (0 at first). */
  readonly afterId: number;
  /** At most this many records (1–DISCLOSURE_SYNC_MAX_RECORDS). */
  readonly limit: number;
};

/** A record as sent: the national server's own, with the resident's prefecture. */
export type SyncedDisclosure = NewDisclosure & { readonly prefectureCode: string };

/**
 * The national server's records about the caller's residents with id > `afterId`, in id order
 * (possibly fewer than asked: a reply stays within the caller's maximum frame size).
 * `nextAfterId` is the id of the last record sent (`afterId` when none); `more` says whether the
 * caller should ask again at once.
 */
export type DisclosureRecords = {
  readonly kind: 'disclosure-records';
  readonly records: readonly SyncedDisclosure[];
  readonly nextAfterId: number;
  readonly more: boolean;
};

/** The largest page a caller may ask for. */
export const DISCLOSURE_SYNC_MAX_RECORDS = 500;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const TEXT = { max: 2000, noControl: true };
const ID = { max: 300, noControl: true };

export const DisclosureSync = defineMessage<DisclosureSync, 'disclosure-records'>({
  kind: 'disclosure-sync',
  roles: ['request'],
  reply: 'disclosure-records',
  effect: 'read',
  parse: (r): DisclosureSync => ({
    kind: 'disclosure-sync',
    afterId: r.integer('afterId'),
    limit: r.integer('limit', { min: 1, max: DISCLOSURE_SYNC_MAX_RECORDS }),
  }),
});

function readRecord(r: BodyReader): SyncedDisclosure {
  const at = r.string('at', { max: 40, pattern: ISO_UTC, patternText: 'an ISO 8601 UTC instant' });
  r.check('residentCode', residentCodeProblem(r.value('residentCode')));
  const searcher = r.optionalString('searcher', { max: 64, noControl: true });
  return {
    at,
    node: r.string('node', { max: 64, noControl: true }),
    recipientId: r.string('recipientId', { max: 64, noControl: true }),
    recipientName: r.string('recipientName', TEXT),
    ...(searcher === undefined ? {} : { searcher }),
    affairId: r.string('affairId', { max: 64, noControl: true }),
    legalBasis: r.string('legalBasis', TEXT),
    queryId: r.string('queryId', ID),
    residentCode: r.body.residentCode as ResidentCode,
    channel: r.oneOf('channel', ['immediate', 'batch', 'media'] as const),
    prefectureCode: r.string('prefectureCode', {
      max: 2,
      pattern: PREFECTURE_CODE,
      patternText: 'a prefecture code 01–47',
    }),
  };
}

export const DisclosureRecords = defineMessage<DisclosureRecords>({
  kind: 'disclosure-records',
  roles: ['reply'],
  reply: undefined,
  effect: 'read',
  parse: (r): DisclosureRecords => ({
    kind: 'disclosure-records',
    records: r.objects('records', { maxItems: DISCLOSURE_SYNC_MAX_RECORDS }).map(readRecord),
    nextAfterId: r.integer('nextAfterId'),
    more: r.boolean('more'),
  }),
});

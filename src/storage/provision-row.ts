import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import { RegistryError, type ErrorCode } from '../domain/errors.ts';
import { NODE_ROLES, nodeName, type NodeRef, type NodeRole } from '../domain/network/NodeRef.ts';
import {
  disclosureProblem,
  PREFECTURE_CODE,
  refusalRecordProblem,
  type Disclosure,
  type NewDisclosure,
  type NewRefusalRecord,
  type RefusalRecord,
} from '../domain/provision/disclosure.ts';
import {
  agreementProblem,
  permissionProblem,
  recipientProblem,
  suspensionProblem,
  type Agreement,
  type IdentifierKind,
  type Permission,
  type Recipient,
  type RecipientId,
  type RecipientKind,
  type SuspensionEvent,
} from '../domain/provision/recipient.ts';
import { refusalError, type Refusal } from '../domain/provision/refusal.ts';
import type { ProvisionChannel } from '../domain/provision/search-rules.ts';
import {
  ordinanceAffair,
  type AffairId,
  type StatutoryAffair,
} from '../domain/provision/statutory-affair.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';

/*
 * What both ProvisionStore drivers share: the domain checks before a write, and rows → values.
 * Timestamps are stored as ISO 8601 UTC with milliseconds (SQLite: text that sorts in time order;
 * PostgreSQL: timestamptz) and come back in that form.
 */

const throwIf = (r: Refusal | undefined): void => {
  if (r !== undefined) throw refusalError(r);
};

export const checkRecipient = (r: Recipient): void => throwIf(recipientProblem(r));
export const checkAgreement = (a: Agreement): void => throwIf(agreementProblem(a));
export const checkSuspension = (e: SuspensionEvent): void => throwIf(suspensionProblem(e));
export const checkDisclosure = (d: NewDisclosure): void => throwIf(disclosureProblem(d));
export const checkRefusalRecord = (r: NewRefusalRecord): void => throwIf(refusalRecordProblem(r));

export function checkPermission(
  recipient: Recipient | undefined,
  permission: Permission,
  affair: StatutoryAffair,
): void {
  if (recipient === undefined) throw unknownRecipient();
  if (affair.id !== permission.affairId) {
    throw new RegistryError(
      'invalid',
      '許可する事務と事務の定義が一致しません (the affair given is not the one permitted)',
      'permission.affair-mismatch',
    );
  }
  throwIf(permissionProblem(recipient, affair, permission.identifier));
}

export function checkOrdinanceAffair(a: StatutoryAffair): void {
  if (a.source !== '条例' || a.prefectureCode === undefined) {
    throw new RegistryError(
      'invalid',
      '条例事務ではありません: 法定事務は data/statutory-affairs.csv から読みます (not an ordinance affair)',
      'ordinance-affair.source',
    );
  }
  // Rebuilding it applies the same checks as ordinanceAffair() did.
  ordinanceAffair({ ...a, prefectureCode: a.prefectureCode });
}

export const unknownRecipient = (): RegistryError =>
  new RegistryError(
    'not-found',
    '登録された提供先ではありません (not a registered recipient)',
    'provision.unknown-recipient',
  );

export const agreementExists = (id: string): RegistryError =>
  new RegistryError(
    'conflict',
    `協定書 ${id} は既に記録されています (agreement id already recorded; ids are never reused)`,
    'agreement.exists',
  );

/** ISO 8601 UTC with milliseconds: the one form stored and returned. */
export const isoAt = (at: string | Date): string =>
  (at instanceof Date ? at : new Date(at)).toISOString();

export function nodeRefFromName(name: string): NodeRef {
  const i = name.indexOf(':');
  const role = name.slice(0, i) as NodeRole;
  if (i < 0 || !NODE_ROLES.includes(role))
    throw new Error(`stored node name ${name} is not role:code`);
  return { role, code: name.slice(i + 1) };
}

export type RecipientRow = {
  id: string;
  name: string;
  kind: string;
  served_by: string;
  node: string | null;
};

export const recipientValues = (r: Recipient): [string, string, string, string, string | null] => [
  r.id,
  r.name,
  r.kind,
  nodeName(r.servedBy),
  r.node === undefined ? null : nodeName(r.node),
];

export const recipientFromRow = (r: RecipientRow): Recipient => ({
  id: r.id as RecipientId,
  name: r.name,
  kind: r.kind as RecipientKind,
  servedBy: nodeRefFromName(r.served_by),
  ...(r.node === null ? {} : { node: nodeRefFromName(r.node) }),
});

export type PermissionRow = { recipient_id: string; affair_id: string; identifier: string };
export const permissionFromRow = (r: PermissionRow): Permission => ({
  recipientId: r.recipient_id as RecipientId,
  affairId: r.affair_id as AffairId,
  identifier: r.identifier as IdentifierKind,
});

export type AgreementRow = {
  id: string;
  recipient_id: string;
  signed_on: string;
  valid_from: string;
  valid_to: string | null;
  protection_measures: string;
};
export const agreementValues = (
  a: Agreement,
): [string, string, string, string, string | null, string] => [
  a.id,
  a.recipientId,
  a.signedOn,
  a.validFrom,
  a.validTo ?? null,
  a.protectionMeasures,
];
export const agreementFromRow = (r: AgreementRow): Agreement => ({
  id: r.id,
  recipientId: r.recipient_id as RecipientId,
  signedOn: r.signed_on as CalendarDate,
  validFrom: r.valid_from as CalendarDate,
  ...(r.valid_to === null ? {} : { validTo: r.valid_to as CalendarDate }),
  protectionMeasures: r.protection_measures,
});

export type SuspensionRow = {
  recipient_id: string;
  action: string;
  at: string | Date;
  decided_by: string;
  reason: string;
};
export const suspensionFromRow = (r: SuspensionRow): SuspensionEvent => ({
  recipientId: r.recipient_id as RecipientId,
  action: r.action as SuspensionEvent['action'],
  at: isoAt(r.at),
  by: r.decided_by,
  reason: r.reason,
});

export type OrdinanceRow = {
  id: string;
  prefecture_code: string;
  item: string;
  recipient: string;
  affair: string;
  legal_basis: string;
};
export const ordinanceFromRow = (r: OrdinanceRow): StatutoryAffair =>
  ordinanceAffair({
    prefectureCode: r.prefecture_code,
    item: r.item,
    recipient: r.recipient,
    affair: r.affair,
    legalBasis: r.legal_basis,
  });

export const DISCLOSURE_COLUMNS =
  'id, at, node, recipient_id, recipient_name, searcher, affair_id, legal_basis, query_id, resident_code, channel, prefecture_code';

export type DisclosureRow = {
  id: number | string;
  at: string | Date;
  node: string;
  recipient_id: string;
  recipient_name: string;
  searcher: string | null;
  affair_id: string;
  legal_basis: string;
  query_id: string;
  resident_code: string;
  channel: string;
  prefecture_code: string | null;
};

/** The values after `id`, in DISCLOSURE_COLUMNS order. */
export const disclosureValues = (d: NewDisclosure): (string | null)[] => [
  isoAt(d.at),
  d.node,
  d.recipientId,
  d.recipientName,
  d.searcher ?? null,
  d.affairId,
  d.legalBasis,
  d.queryId,
  d.residentCode,
  d.channel,
  d.prefectureCode ?? null,
];

export const disclosureFromRow = (r: DisclosureRow): Disclosure => ({
  id: Number(r.id),
  at: isoAt(r.at),
  node: r.node,
  recipientId: r.recipient_id,
  recipientName: r.recipient_name,
  ...(r.searcher === null ? {} : { searcher: r.searcher }),
  affairId: r.affair_id,
  legalBasis: r.legal_basis,
  queryId: r.query_id,
  residentCode: r.resident_code as ResidentCode,
  channel: r.channel as ProvisionChannel,
  ...(r.prefecture_code === null ? {} : { prefectureCode: r.prefecture_code }),
});

/** `disclosuresForPrefecture`'s arguments (R17): a prefecture code, a cursor, a page size. */
export function checkPrefecturePage(prefectureCode: string, afterId: number, limit: number): void {
  if (!PREFECTURE_CODE.test(prefectureCode))
    throw new RegistryError(
      'invalid',
      '都道府県コードが不正です (prefectureCode: 01–47)',
      'disclosure.prefecture',
    );
  if (!Number.isSafeInteger(afterId) || afterId < 0 || !Number.isSafeInteger(limit) || limit < 1)
    throw new RegistryError(
      'invalid',
      '開示記録の範囲が不正です (afterId ≥ 0, limit ≥ 1)',
      'disclosure.page',
    );
}

/**
 * `recordSyncedDisclosures` (R17): every copy names `source` as its providing node (a copy keeps
 * the national server's name and time), and the cursor is a non-negative integer.
 */
export function checkSyncedDisclosures(
  source: string,
  records: readonly NewDisclosure[],
  afterId: number,
): void {
  if (source.trim() === '' || !Number.isSafeInteger(afterId) || afterId < 0)
    throw new RegistryError(
      'invalid',
      '同期元または位置が不正です (source, afterId ≥ 0)',
      'disclosure.page',
    );
  for (const d of records) {
    checkDisclosure(d);
    if (d.node !== source)
      throw new RegistryError(
        'invalid',
        `提供元が同期元と一致しません / a copied record names ${d.node}, not its source ${source}`,
        'disclosure.sync-source',
      );
  }
}

export const REFUSAL_COLUMNS =
  'id, at, node, recipient_id, searcher, affair_id, query_id, channel, code, reason, message';

export type RefusalRow = {
  id: number | string;
  at: string | Date;
  node: string;
  recipient_id: string;
  searcher: string | null;
  affair_id: string | null;
  query_id: string;
  channel: string;
  code: string;
  reason: string;
  message: string;
};

export const refusalValues = (r: NewRefusalRecord): (string | null)[] => [
  isoAt(r.at),
  r.node,
  r.recipientId,
  r.searcher ?? null,
  r.affairId ?? null,
  r.queryId,
  r.channel,
  r.code,
  r.reason,
  r.message,
];

export const refusalFromRow = (r: RefusalRow): RefusalRecord => ({
  id: Number(r.id),
  at: isoAt(r.at),
  node: r.node,
  recipientId: r.recipient_id,
  ...(r.searcher === null ? {} : { searcher: r.searcher }),
  ...(r.affair_id === null ? {} : { affairId: r.affair_id }),
  queryId: r.query_id,
  channel: r.channel as ProvisionChannel,
  code: r.code as ErrorCode,
  reason: r.reason,
  message: r.message,
});

export const asCodes = (codes: ResidentCode | readonly ResidentCode[]): string[] =>
  typeof codes === 'string' ? [codes] : [...codes];

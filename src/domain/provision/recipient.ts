import type { CalendarDate } from '../dates/CalendarDate.ts';
import { isCalendarDate } from '../dates/CalendarDate.ts';
import type { NodeRef } from '../network/NodeRef.ts';
import { refuse, type Refusal } from './refusal.ts';
import { AFFAIR_SOURCES, type AffairId, type StatutoryAffair } from './statutory-affair.ts';

/**
 * Who receives 本人確認情報 (R3, R5): the register of recipients a providing node keeps — the
 * national server for national agencies (別表第一) and for prefectures' and municipalities' bodies
 * (別表第二–第四); a prefecture server for its own bodies (別表第五, 第六) and its ordinance affairs.
 */

/** `mhlw-pension`: lower-case letters, digits and hyphens, 2–64 characters. */
export type RecipientId = string & { readonly __brand: 'RecipientId' };
const RECIPIENT_ID = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])$/;
export const isRecipientId = (s: unknown): s is RecipientId =>
  typeof s === 'string' && RECIPIENT_ID.test(s);

/**
 * - `national-agency`: 国の機関又は法人 (別表第一), served by the national server;
 * - `prefecture-body`: a prefecture's governor or other executive body (別表第三, 第五, 第六, 条例);
 * - `municipality`: a municipality's mayor or other executive body (別表第二, 第四, 条例).
 */
export const RECIPIENT_KINDS = ['national-agency', 'prefecture-body', 'municipality'] as const;
export type RecipientKind = (typeof RECIPIENT_KINDS)[number];

export type Recipient = {
  readonly id: RecipientId;
  /** As the law or the agreement names it: 厚生労働省及び日本年金機構. */
  readonly name: string;
  readonly kind: RecipientKind;
  /** The providing node that keeps this recipient's register and answers it. */
  readonly servedBy: NodeRef;
  /**
   * The recipient's own node, when it queries over the network: an agency server
   * (`agency:<id>`), a prefecture server, a municipality's CS. Absent: media only (R22).
   */
  readonly node?: NodeRef | undefined;
};

/**
 * What a recipient receives as the person's identifier (R7, docs/PROVISION.md): the resident code
 * only where the affair needs the code itself; otherwise a pseudonym of its own, so that two
 * agencies cannot match their files by it.
 */
export const IDENTIFIER_KINDS = ['pseudonym', 'resident-code'] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

/** One affair a recipient may receive provision for. */
export type Permission = {
  readonly recipientId: RecipientId;
  readonly affairId: AffairId;
  readonly identifier: IdentifierKind;
};

/** 協定書 (R5): the agreement on protection measures concluded before any provision. */
export type Agreement = {
  readonly id: string;
  readonly recipientId: RecipientId;
  readonly signedOn: CalendarDate;
  readonly validFrom: CalendarDate;
  /** Last day in force (inclusive); absent: until terminated by a new agreement. */
  readonly validTo?: CalendarDate | undefined;
  /** The protection measures agreed (安全確保措置), as text. */
  readonly protectionMeasures: string;
};

/** A suspension or reinstatement of provision to a recipient (R5), who and when and why. */
export type SuspensionEvent = {
  readonly recipientId: RecipientId;
  readonly action: 'suspend' | 'reinstate';
  /** ISO 8601 UTC timestamp. */
  readonly at: string;
  /** The operator who decided it. */
  readonly by: string;
  readonly reason: string;
};

/** The suspension in force: the latest event, when it is a suspension (events in any order). */
export function currentSuspension(events: readonly SuspensionEvent[]): SuspensionEvent | undefined {
  let latest: SuspensionEvent | undefined;
  for (const e of events) if (latest === undefined || e.at >= latest.at) latest = e;
  return latest?.action === 'suspend' ? latest : undefined;
}

/** R5 applies to national agencies: the others are bound by the Act itself. */
export const AGREEMENT_REQUIRED: Readonly<Record<RecipientKind, boolean>> = {
  'national-agency': true,
  'prefecture-body': false,
  municipality: false,
};

export type RegistryProblem =
  | 'recipient.id'
  | 'recipient.name'
  | 'recipient.kind'
  | 'recipient.served-by'
  | 'permission.affair-deleted'
  | 'permission.wrong-provider'
  | 'permission.wrong-recipient-kind'
  | 'permission.other-prefecture'
  | 'permission.identifier'
  | 'agreement.id'
  | 'agreement.dates'
  | 'agreement.protection-measures'
  | 'suspension.by'
  | 'suspension.reason'
  | 'suspension.at';

const problem = (reason: RegistryProblem, message: string): Refusal<RegistryProblem> =>
  refuse('invalid', reason, message);

/** A recipient that can be registered, or what is wrong with it. */
export function recipientProblem(r: Recipient): Refusal<RegistryProblem> | undefined {
  if (!isRecipientId(r.id))
    return problem('recipient.id', '提供先IDが不正です (recipient id: a-z, 0-9, -; 2–64 chars)');
  if (r.name.trim() === '')
    return problem('recipient.name', '提供先の名称がありません (name is empty)');
  if (!(RECIPIENT_KINDS as readonly string[]).includes(r.kind))
    return problem('recipient.kind', '提供先の種別が不正です (unknown recipient kind)');
  const s = r.servedBy;
  const okServer =
    s.role === 'national' ||
    (s.role === 'prefecture' && /^(0[1-9]|[1-3][0-9]|4[0-7])$/.test(s.code));
  if (!okServer || (r.kind === 'national-agency' && s.role !== 'national')) {
    return problem(
      'recipient.served-by',
      '提供元が不正です: 国の機関は全国サーバ、その他は全国サーバ又は都道府県サーバ (national agencies are served by the national server; others by it or a prefecture server)',
    );
  }
  return undefined;
}

/**
 * Whether `affair` may be permitted to `recipient` at all (R3): the affair's table must be one its
 * providing node provides for, to recipients of this kind; an ordinance affair only to recipients
 * of the prefecture whose ordinance it is; a deleted item never.
 */
export function permissionProblem(
  recipient: Recipient,
  affair: StatutoryAffair,
  identifier: IdentifierKind,
): Refusal<RegistryProblem> | undefined {
  if (affair.deleted)
    return problem('permission.affair-deleted', `${affair.id} は削除された項です (deleted item)`);
  const source = AFFAIR_SOURCES[affair.source];
  if (source.provider !== recipient.servedBy.role) {
    return problem(
      'permission.wrong-provider',
      `${affair.source}の事務は${source.provider === 'national' ? '全国サーバ' : '都道府県サーバ'}が提供します (${affair.source} is provided by the ${source.provider} server)`,
    );
  }
  if (!source.recipientKinds.includes(recipient.kind)) {
    return problem(
      'permission.wrong-recipient-kind',
      `${affair.source}の事務の提供先は${source.recipientKinds.join('・')}です (not a recipient kind of ${affair.source})`,
    );
  }
  if (affair.source === '条例' && affair.prefectureCode !== recipient.servedBy.code) {
    return problem(
      'permission.other-prefecture',
      '他の都道府県の条例の事務です (an ordinance affair of another prefecture)',
    );
  }
  if (!(['pseudonym', 'resident-code'] as readonly string[]).includes(identifier))
    return problem('permission.identifier', '識別子の種別が不正です (identifier kind)');
  return undefined;
}

export function agreementProblem(a: Agreement): Refusal<RegistryProblem> | undefined {
  if (a.id.trim() === '')
    return problem('agreement.id', '協定書の番号がありません (agreement id is empty)');
  const dates = [a.signedOn, a.validFrom, ...(a.validTo === undefined ? [] : [a.validTo])];
  if (
    !dates.every((d) => isCalendarDate(d)) ||
    a.signedOn > a.validFrom ||
    (a.validTo !== undefined && a.validTo < a.validFrom)
  ) {
    return problem(
      'agreement.dates',
      '協定書の日付が不正です: 締結日 ≤ 発効日 ≤ 終了日 (dates: signed ≤ valid from ≤ valid to)',
    );
  }
  if (a.protectionMeasures.trim() === '') {
    return problem(
      'agreement.protection-measures',
      '安全確保措置の記載がありません (protection measures are empty)',
    );
  }
  return undefined;
}

export function suspensionProblem(e: SuspensionEvent): Refusal<RegistryProblem> | undefined {
  if (e.by.trim() === '')
    return problem('suspension.by', '決定した者がありません (who decided is empty)');
  if (e.reason.trim() === '')
    return problem('suspension.reason', '理由がありません (reason is empty)');
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(e.at))
    return problem('suspension.at', '日時が不正です (at: ISO 8601 UTC)');
  return undefined;
}

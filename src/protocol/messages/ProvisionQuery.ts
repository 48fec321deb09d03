import { CHANGE_REASON_LIST, type ChangeReason } from '../../domain/change/ChangeReason.ts';
import type { CalendarDate } from '../../domain/dates/CalendarDate.ts';
import type { ProvidedIdentity } from '../../domain/provision/answer.ts';
import type { SearchQuery } from '../../domain/provision/search-rules.ts';
import type { ResidentStatus, Sex } from '../../domain/resident/IdentityInfo.ts';
import {
  dateProblem,
  localGovernmentCodeFieldProblem,
} from '../../domain/resident/identity-fields.ts';
import type { ResidentCode } from '../../domain/resident/ResidentCode.ts';
import type { BodyReader } from './BodyReader.ts';
import { defineMessage, IDEMPOTENCY_KEY } from './define-message.ts';

/**
 * 即時提供 (R13, R21): a recipient's query for one person's 本人確認情報, for one statutory affair.
 * An agency server sends it to the national server; a prefecture server sends it to the national
 * server for a person who is not its resident, on behalf of one of its own recipients (R21). The
 * receiver authorizes (recipient, affair, agreement, suspension: R3, R5), applies the search
 * rules (R13: the minimum conditions, at most 50 matches, R4) with `planSearch`, records a
 * disclosure per person provided (R17) and a refusal otherwise. Answered by `provision-answer`,
 * or an error: `forbidden`, `suspended`, `invalid`, `too-many-matches`.
 *
 * The idempotency key is the query id: a retried query is answered again and recorded once.
 */
export type ProvisionQuery = {
  readonly kind: 'provision-query';
  readonly idempotencyKey: string;
  /**
   * A prefecture server asking for one of its own recipients (R21): the recipient, its name and
   * the legal basis, as the prefecture's register authorized them (recorded in the disclosure).
   */
  readonly onBehalfOf?:
    | { readonly recipientId: string; readonly recipientName: string; readonly legalBasis: string }
    | undefined;
  /** The person at the recipient who searched (recorded in the disclosure, R17). */
  readonly searcher?: string | undefined;
  readonly query: SearchQuery;
};

/** The persons found, at most 50 (R13); empty when nobody matched. */
export type ProvisionAnswer = {
  readonly kind: 'provision-answer';
  readonly idempotencyKey: string;
  readonly identities: readonly ProvidedIdentity[];
};

const TEXT = { max: 500, noControl: true };
const ID = {
  max: 64,
  pattern: /^[a-z0-9][a-z0-9-]{1,63}$/,
  patternText: 'a recipient id (a-z, 0-9, -)',
};
const MATCH = ['exact', 'prefix'] as const;
export const AFFAIR_ID = { max: 64, noControl: true };

/** The conditions of one query; `affairId` from the message instead of the map (a batch row). */
export function readQuery(r: BodyReader, affairId?: string): SearchQuery {
  const optional = (f: string): string | undefined => r.optionalString(f, TEXT);
  const match = (f: string) => (r.has(f) ? r.oneOf(f, MATCH) : undefined);
  const sex = r.has('sex') ? r.oneOf<Sex>('sex', ['male', 'female']) : undefined;
  const q: Record<string, unknown> = {
    affairId: affairId ?? r.string('affairId', AFFAIR_ID),
    residentCode: optional('residentCode'),
    individualNumber: optional('individualNumber'),
    name: optional('name'),
    nameMatch: match('nameMatch'),
    nameKana: optional('nameKana'),
    nameKanaMatch: match('nameKanaMatch'),
    address: optional('address'),
    addressMatch: match('addressMatch'),
    birthDate: optional('birthDate'),
    sex,
    includeRemoved: r.optionalBoolean('includeRemoved'),
  };
  for (const k of Object.keys(q)) if (q[k] === undefined) delete q[k];
  return q as SearchQuery;
}

export const ProvisionQuery = defineMessage<ProvisionQuery, 'provision-answer'>({
  kind: 'provision-query',
  roles: ['request'],
  reply: 'provision-answer',
  write: true,
  parse(r): ProvisionQuery {
    const idempotencyKey = r.string('idempotencyKey', IDEMPOTENCY_KEY);
    const behalf = r.has('onBehalfOf') ? r.object('onBehalfOf') : undefined;
    const onBehalfOf = behalf && {
      recipientId: behalf.string('recipientId', ID),
      recipientName: behalf.string('recipientName', TEXT),
      legalBasis: behalf.string('legalBasis', TEXT),
    };
    const searcher = r.optionalString('searcher', { max: 64, noControl: true });
    const query = readQuery(r.object('query'));
    return {
      kind: 'provision-query',
      idempotencyKey,
      ...(onBehalfOf ? { onBehalfOf } : {}),
      ...(searcher ? { searcher } : {}),
      query,
    };
  },
});

const STATUSES: readonly ResidentStatus[] = ['resident', 'removed'];
const REASONS: readonly ChangeReason[] = CHANGE_REASON_LIST;

export function readIdentity(r: BodyReader): ProvidedIdentity {
  const id = r.object('identifier');
  const kind = id.oneOf('kind', ['resident-code', 'pseudonym'] as const);
  const value = id.string('value', {
    max: 64,
    pattern: /^[A-Za-z0-9]+$/,
    patternText: 'letters and digits',
  });
  const name = r.object('name');
  r.check('birthDate', dateProblem(r.value('birthDate')));
  r.check('localGovernmentCode', localGovernmentCodeFieldProblem(r.value('localGovernmentCode')));
  const last = r.object('lastChange');
  last.check('date', dateProblem(last.value('date')));
  return {
    identifier: kind === 'resident-code' ? { kind, value: value as ResidentCode } : { kind, value },
    name: { kanji: name.string('kanji', { max: 200 }), kana: name.string('kana', { max: 200 }) },
    sex: r.oneOf<Sex>('sex', ['male', 'female']),
    birthDate: r.body.birthDate as CalendarDate,
    address: r.string('address', TEXT),
    localGovernmentCode: r.body.localGovernmentCode as string,
    status: r.oneOf('status', STATUSES),
    lastChange: { reason: last.oneOf('reason', REASONS), date: last.body.date as CalendarDate },
  };
}

export const ProvisionAnswer = defineMessage<ProvisionAnswer>({
  kind: 'provision-answer',
  roles: ['reply'],
  reply: undefined,
  write: false,
  parse(r): ProvisionAnswer {
    return {
      kind: 'provision-answer',
      idempotencyKey: r.string('idempotencyKey', IDEMPOTENCY_KEY),
      identities: r.objects('identities', { maxItems: 50 }).map(readIdentity),
    };
  },
});

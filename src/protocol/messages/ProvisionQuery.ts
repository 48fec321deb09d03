import { CHANGE_REASON_LIST, type ChangeReason } from '../../domain/change/ChangeReason.ts';
import type { CalendarDate } from '../../domain/dates/CalendarDate.ts';
import type { ProvidedIdentity } from '../../domain/provision/answer.ts';
import {
  MAX_PROVIDED_MATCHES,
  QUERY_FIELDS,
  type SearchQuery,
} from '../../domain/provision/search-rules.ts';
import type { ResidentStatus, Sex } from '../../domain/resident/IdentityInfo.ts';
import {
  dateProblem,
  localGovernmentCodeFieldProblem,
} from '../../domain/resident/identity-fields.ts';
import type { ResidentCode } from '../../domain/resident/ResidentCode.ts';
import { InvalidMessageError } from '../errors.ts';
import { isPlainObject, type BodyReader } from './BodyReader.ts';
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
 * The envelope (kind, idempotency key, `onBehalfOf`, `searcher`) is strict: a frame that fails it
 * is a protocol violation. The conditions are not: a `query` that fails the schema (a sex other
 * than male/female, a match mode other than exact/prefix, a field of the wrong type, an unknown
 * field) is read as a `MalformedQuery`, which the receiver refuses and records (R23) like any
 * other refusal — the query is refused, not the sender's session.
 *
 * The idempotency key is the query id: a retried query is answered again and recorded once.
 */
export type ProvisionQuery = {
  readonly kind: 'provision-query';
  readonly idempotencyKey: string;
  /**
   * A prefecture server asking for one of its own recipients (R21): the recipient, its name and
   * the legal basis, as the prefecture's register authorized them (recorded in the disclosure).
   * `alreadyFound` (0–50, optional): the prefecture searched its own residents first and found
   * this many; the national server then leaves out the residents of the prefecture its
   * certificate names (never one named in the body) and refuses `too-many-matches` when the
   * others and these are more than 50 together. Absent: no one is left out (a resident-code query
   * not found at the prefecture, or an older prefecture server).
   */
  readonly onBehalfOf?:
    | {
        readonly recipientId: string;
        readonly recipientName: string;
        readonly legalBasis: string;
        readonly alreadyFound?: number | undefined;
      }
    | undefined;
  /** The person at the recipient who searched (recorded in the disclosure, R17). */
  readonly searcher?: string | undefined;
  /** A sender sends a `SearchQuery`; the receiver may read a `MalformedQuery`. */
  readonly query: SearchQuery | MalformedQuery;
};

/**
 * Conditions the receiver could not read: refused `invalid` with `malformed.reason`
 * (`search.malformed`, `search.sex`, `search.match-mode` — the reasons `planSearch` gives the same
 * mistakes). Never sent: a sender always sends a `SearchQuery` (or, in a batch, a malformed row).
 */
export type MalformedQuery = {
  /** The affair, when it could be read (the refusal record names it). */
  readonly affairId?: string;
  readonly malformed: QueryProblem;
};

export type QueryProblem = { readonly reason: string; readonly message: string };

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

/**
 * The conditions of one query; `affairId` from the message instead of the map (a batch row,
 * whose own `affairId`, if any, must be the message's). Throws InvalidMessageError naming the
 * field; an unknown field is refused too (a typo is not ignored, docs/PROVISION.md).
 */
export function readQuery(r: BodyReader, affairId?: string): SearchQuery {
  for (const k of Object.keys(r.body))
    if (!QUERY_FIELDS.has(k))
      r.fail(
        k,
        `不明な検索項目です (unknown query field ${JSON.stringify(k.slice(0, 64))})`,
        'search.malformed',
      );
  if (affairId !== undefined && r.has('affairId') && r.body.affairId !== affairId)
    r.fail(
      'affairId',
      '行の事務がファイルの事務と異なります (not the batch’s affair)',
      'search.malformed',
    );
  const optional = (f: string): string | undefined => r.optionalString(f, TEXT);
  const match = (f: string) => (r.has(f) ? r.oneOf(f, MATCH) : undefined);
  const sex = r.has('sex') ? r.oneOf<Sex>('sex', ['male', 'female']) : undefined;
  // Only the conditions given, added one by one: deleting the absent ones afterwards would put
  // every query object in V8's slow dictionary mode, and each later read of it with it.
  const q: Record<string, unknown> = { affairId: affairId ?? r.string('affairId', AFFAIR_ID) };
  const put = (k: keyof SearchQuery, v: unknown) => {
    if (v !== undefined) q[k] = v;
  };
  put('residentCode', optional('residentCode'));
  put('individualNumber', optional('individualNumber'));
  put('name', optional('name'));
  put('nameMatch', match('nameMatch'));
  put('nameKana', optional('nameKana'));
  put('nameKanaMatch', match('nameKanaMatch'));
  put('address', optional('address'));
  put('addressMatch', match('addressMatch'));
  put('birthDate', optional('birthDate'));
  put('sex', sex);
  put('includeRemoved', r.optionalBoolean('includeRemoved'));
  return q as SearchQuery;
}

/**
 * The refusal of conditions that failed the schema (`readQuery`), with the reason `planSearch`
 * gives the same mistake: `search.sex`, `search.match-mode` for a string that is not one of the
 * values, `search.malformed` for anything else (an unknown field, a wrong type, a text too long
 * or with control characters, a `query` that is not a map).
 */
export function queryProblem(e: InvalidMessageError, r: BodyReader): QueryProblem {
  const path = e.field.slice(r.path.length);
  const field = path.includes('.') ? '' : path;
  const value = field === '' ? undefined : r.body[field];
  const reason = e.reason?.startsWith('search.')
    ? e.reason
    : field === 'affairId' && value === undefined
      ? 'search.affair-missing'
      : typeof value !== 'string'
        ? 'search.malformed'
        : field === 'sex'
          ? 'search.sex'
          : field.endsWith('Match')
            ? 'search.match-mode'
            : 'search.malformed';
  return { reason, message: `検索条件が不正です (malformed query: ${e.message})` };
}

/**
 * `readQuery`, with a schema failure of the conditions read as the query's refusal instead of
 * thrown (the envelope around it stays strict). `affairId` is kept when it is readable.
 */
export function readQueryLeniently(
  parent: BodyReader,
  field: string,
  affairId?: string,
): SearchQuery | MalformedQuery {
  const v = parent.body[field];
  if (!isPlainObject(v))
    return {
      malformed: {
        reason: 'search.malformed',
        message: `検索条件がオブジェクトではありません (${parent.kind}.${parent.path}${field}: not a map)`,
      },
    };
  const r = parent.object(field);
  try {
    return readQuery(r, affairId);
  } catch (e) {
    if (!(e instanceof InvalidMessageError)) throw e;
    const affair = affairId ?? readableAffair(r);
    return { ...(affair === undefined ? {} : { affairId: affair }), malformed: queryProblem(e, r) };
  }
}

function readableAffair(r: BodyReader): string | undefined {
  try {
    return r.has('affairId') ? r.string('affairId', AFFAIR_ID) : undefined;
  } catch (e) {
    if (e instanceof InvalidMessageError) return undefined;
    throw e;
  }
}

export const ProvisionQuery = defineMessage<ProvisionQuery, 'provision-answer'>({
  kind: 'provision-query',
  roles: ['request'],
  reply: 'provision-answer',
  effect: 'write',
  parse(r): ProvisionQuery {
    const idempotencyKey = r.string('idempotencyKey', IDEMPOTENCY_KEY);
    const behalf = r.has('onBehalfOf') ? r.object('onBehalfOf') : undefined;
    const onBehalfOf = behalf && {
      recipientId: behalf.string('recipientId', ID),
      recipientName: behalf.string('recipientName', TEXT),
      legalBasis: behalf.string('legalBasis', TEXT),
      ...(behalf.has('alreadyFound')
        ? { alreadyFound: behalf.integer('alreadyFound', { min: 0, max: MAX_PROVIDED_MATCHES }) }
        : {}),
    };
    const searcher = r.optionalString('searcher', { max: 64, noControl: true });
    const query = readQueryLeniently(r, 'query');
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
  effect: 'read',
  parse(r): ProvisionAnswer {
    return {
      kind: 'provision-answer',
      idempotencyKey: r.string('idempotencyKey', IDEMPOTENCY_KEY),
      identities: r.objects('identities', { maxItems: 50 }).map(readIdentity),
    };
  },
});

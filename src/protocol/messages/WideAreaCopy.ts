import type { Sex } from '../../domain/resident/IdentityInfo.ts';
import {
  IDENTIFICATIONS,
  type WideAreaCopyRequest as WideAreaCopyFields,
  type WideAreaPerson,
} from '../../domain/wide-area/wide-area-copy.ts';
import {
  ADDRESS,
  NAME,
  OPERATOR_ID,
  readDate,
  readOptionalDate,
  readOptionalResidentCode,
  REQUEST_ID,
  SEXES,
} from './cs-to-cs-fields.ts';
import { defineMessage } from './define-message.ts';
import { NODE_NAME_RULE, type NodeName } from './NodeName.ts';

/**
 * 住民票の写しの広域交付 (R24; docs/WIDE-AREA.md): CS → CS, INSIDE a route through the switch
 * only (`ROUTED_ALLOW_LIST`). The issuing municipality's CS (交付地) sends the 通知 of
 * 住民基本台帳法第12条の4第2項 — that a request was made, the requester's name and resident code
 * (or, with a photo ID and no code, date of birth and sex), the persons to include and whether
 * relationship and resident code are wanted — with the id of the operator card at its counter.
 * The residence CS (住所地) answers `wide-area-copy-answer` with the items of 第3項 for each
 * person, or an error with a `wide-area.*` reason. The issuing municipality is the inner
 * session's certificate, never a field. A read: it changes nothing at the residence CS but its
 * fraud-prevention count (R18), so a retry is answered again and counted again.
 */
export type WideAreaCopyRequest = { readonly kind: 'wide-area-copy' } & WideAreaCopyFields;

/** The residence CS's answer: the persons of the copy, exactly the items the law lists. */
export type WideAreaCopyAnswer = {
  readonly kind: 'wide-area-copy-answer';
  readonly requestId: string;
  /** The answering CS (`cs:131016`): the caller checks it against the inner peer. */
  readonly node: NodeName;
  /** ISO 8601 UTC instant of the answer. */
  readonly at: string;
  readonly persons: readonly WideAreaPerson[];
};

/** At most this many persons on one copy (a household larger than this is refused at the reader). */
export const MAX_WIDE_AREA_PERSONS = 50;

const RELATIONSHIP = { max: 50, noControl: true };
const ISO_UTC_MS = {
  max: 24,
  pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
  patternText: 'an ISO 8601 UTC instant with milliseconds',
};

export const wideAreaCopy = (fields: WideAreaCopyFields): WideAreaCopyRequest => ({
  kind: 'wide-area-copy',
  ...fields,
});

export const WideAreaCopyRequest = defineMessage<WideAreaCopyRequest, 'wide-area-copy-answer'>({
  kind: 'wide-area-copy',
  roles: ['request'],
  reply: 'wide-area-copy-answer',
  effect: 'read',
  parse: (r): WideAreaCopyRequest => {
    const q = r.object('requester');
    const sex = q.has('sex') ? q.oneOf<Sex>('sex', SEXES) : undefined;
    return {
      kind: 'wide-area-copy',
      requestId: r.string('requestId', REQUEST_ID),
      issuedBy: r.string('issuedBy', OPERATOR_ID),
      identification: r.oneOf('identification', IDENTIFICATIONS),
      requester: {
        name: q.string('name', NAME),
        address: q.string('address', ADDRESS),
        residentCode: readOptionalResidentCode(q, 'residentCode'),
        birthDate: readOptionalDate(q, 'birthDate'),
        sex,
      },
      persons: r.strings('persons', { ...NAME, maxItems: MAX_WIDE_AREA_PERSONS }),
      wholeHousehold: r.boolean('wholeHousehold'),
      withRelationship: r.boolean('withRelationship'),
      withResidentCode: r.boolean('withResidentCode'),
    };
  },
});

export const WideAreaCopyAnswer = defineMessage<WideAreaCopyAnswer>({
  kind: 'wide-area-copy-answer',
  roles: ['reply'],
  reply: undefined,
  effect: 'read',
  parse: (r): WideAreaCopyAnswer => ({
    kind: 'wide-area-copy-answer',
    requestId: r.string('requestId', REQUEST_ID),
    node: r.string('node', NODE_NAME_RULE),
    at: r.string('at', ISO_UTC_MS),
    persons: r.objects('persons', { maxItems: MAX_WIDE_AREA_PERSONS }).map((p) => {
      const name = p.object('name');
      return {
        name: { kanji: name.string('kanji', NAME), kana: name.string('kana', NAME) },
        birthDate: readDate(p, 'birthDate'),
        sex: p.oneOf<Sex>('sex', SEXES),
        relationship: p.optionalString('relationship', RELATIONSHIP),
        becameResidentOn: readDate(p, 'becameResidentOn'),
        address: p.string('address', ADDRESS),
        notifiedOn: readOptionalDate(p, 'notifiedOn'),
        previousAddress: p.optionalString('previousAddress', ADDRESS),
        residentCode: readOptionalResidentCode(p, 'residentCode'),
      };
    }),
  }),
});

import type { Sex } from '../../domain/resident/IdentityInfo.ts';
import { individualNumberProblem } from '../../domain/resident/identity-fields.ts';
import type {
  MoveOutCertificate,
  MoveOutCertificateRequest as MoveOutCertificateFields,
} from '../../domain/wide-area/move-out-certificate.ts';
import {
  ADDRESS,
  NAME,
  OPERATOR_ID,
  readDate,
  readResidentCode,
  REQUEST_ID,
  SEXES,
} from './cs-to-cs-fields.ts';
import { defineMessage } from './define-message.ts';
import { NODE_NAME_RULE, type NodeName } from './NodeName.ts';

/**
 * 転入転出の特例 (R25; docs/WIDE-AREA.md): CS → CS, INSIDE a route through the switch only
 * (`ROUTED_ALLOW_LIST`). The new municipality's CS (転入地) asks the old municipality's CS (転出地)
 * for the move-out certificate information (転出証明書情報) of the resident whose Juki card shows
 * `residentCode`, with the name and date of birth the counter stated and the operator card at
 * that counter. Answered `move-out-certificate-answer`, or an error with a `move-out.*` reason.
 * The asking municipality is the inner session's certificate, never a field. A read.
 */
export type MoveOutCertificateRequest = {
  readonly kind: 'move-out-certificate';
} & MoveOutCertificateFields;

export type MoveOutCertificateAnswer = {
  readonly kind: 'move-out-certificate-answer';
  readonly requestId: string;
  /** The answering CS (`cs:142042`): the caller checks it against the inner peer. */
  readonly node: NodeName;
  readonly certificate: MoveOutCertificate;
};

export const moveOutCertificate = (f: MoveOutCertificateFields): MoveOutCertificateRequest => ({
  kind: 'move-out-certificate',
  ...f,
});

export const MoveOutCertificateRequest = defineMessage<
  MoveOutCertificateRequest,
  'move-out-certificate-answer'
>({
  kind: 'move-out-certificate',
  roles: ['request'],
  reply: 'move-out-certificate-answer',
  effect: 'read',
  parse: (r): MoveOutCertificateRequest => ({
    kind: 'move-out-certificate',
    requestId: r.string('requestId', REQUEST_ID),
    issuedBy: r.string('issuedBy', OPERATOR_ID),
    residentCode: readResidentCode(r, 'residentCode'),
    name: r.string('name', NAME),
    birthDate: readDate(r, 'birthDate'),
  }),
});

export const MoveOutCertificateAnswer = defineMessage<MoveOutCertificateAnswer>({
  kind: 'move-out-certificate-answer',
  roles: ['reply'],
  reply: undefined,
  effect: 'read',
  parse: (r): MoveOutCertificateAnswer => {
    const c = r.object('certificate');
    const name = c.object('name');
    const domicile = c.has('registeredDomicile') ? c.object('registeredDomicile') : undefined;
    c.check('individualNumber', individualNumberProblem(c.body.individualNumber));
    return {
      kind: 'move-out-certificate-answer',
      requestId: r.string('requestId', REQUEST_ID),
      node: r.string('node', NODE_NAME_RULE),
      certificate: {
        residentCode: readResidentCode(c, 'residentCode'),
        individualNumber: c.optionalString('individualNumber'),
        name: { kanji: name.string('kanji', NAME), kana: name.string('kana', NAME) },
        sex: c.oneOf<Sex>('sex', SEXES),
        birthDate: readDate(c, 'birthDate'),
        registeredDomicile: domicile && {
          address: domicile.string('address', ADDRESS),
          headOfFamily: domicile.string('headOfFamily', NAME),
        },
        nationality: c.optionalString('nationality', NAME),
        headOfHousehold: c.string('headOfHousehold', NAME),
        relationship: c.string('relationship', NAME),
        address: c.string('address', ADDRESS),
        moveOutDate: readDate(c, 'moveOutDate'),
        destination: c.string('destination', ADDRESS),
      },
    };
  },
});

import { randomUUID } from 'node:crypto';
import { splitAddress } from '../domain/address/split-address.ts';
import { RegistryError, type ErrorCode } from '../domain/errors.ts';
import type { LocalGovernmentTable } from '../domain/local-government/local-government-table.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import { parseResidentCode } from '../domain/resident/ResidentCode.ts';
import {
  decideMoveOutCertificate,
  type MoveOutCertificate,
  type MoveOutRefusalReason,
} from '../domain/wide-area/move-out-certificate.ts';
import { InvalidMessageError } from '../protocol/errors.ts';
import { BodyReader } from '../protocol/messages/BodyReader.ts';
import {
  MoveOutCertificateRequest,
  type MoveOutCertificateAnswer,
} from '../protocol/messages/MoveOutCertificate.ts';
import type { RegisterStore } from '../register/RegisterStore.ts';
import { counterOperator } from './acting-operator.ts';
import type { Logger } from './json-log.ts';
import { counterOperation, type CounterAnswer, type NodeCounter } from './node-counter.ts';
import type { RoutedRequest } from './node-routes.ts';
import type { ReplyOf } from '../protocol/index.ts';
import type { TerminalCaller } from './terminal-server.ts';
import type { RemoteAct } from './node-wide-area.ts';

/*
 * 転入転出の特例 at running CSs (R25; docs/WIDE-AREA.md "The move-out / move-in special case"):
 * - the OLD municipality's CS (転出地): `answerMoveOutCertificate` answers a `move-out-certificate`
 *   that came inside a route through the switch, from its register: the 転出証明書情報 of a
 *   resident who notified a move-out to the caller's municipality;
 * - the NEW municipality's CS (転入地): `moveInSpecial` takes the counter clerk's form
 *   (`POST /register/move-in-special`): the resident code the Juki card shows, the name and date
 *   of birth stated, the old address and the new one; it asks the old CS through the switch and
 *   performs the 転入 in its own register from the answer, with the same resident code — the
 *   one visit the resident makes.
 */

const REFUSAL_CODE: Readonly<Record<MoveOutRefusalReason, ErrorCode>> = {
  'move-out.mismatch': 'not-found',
  'move-out.no-notice': 'conflict',
  'move-out.other-destination': 'forbidden',
};

/** The old municipality's answer to `m` from the CS `caller` (its inner session's certificate). */
export async function answerMoveOutCertificate(
  o: {
    readonly self: NodeRef;
    readonly register: () => RegisterStore | undefined;
    readonly table: LocalGovernmentTable;
    /** The access log (R23), awaited before the answer leaves (node-wide-area.ts). */
    readonly record: (act: RemoteAct) => Promise<unknown>;
    readonly log: Logger;
  },
  m: MoveOutCertificateRequest,
  caller: string,
): Promise<MoveOutCertificateAnswer> {
  const logged = { caller, issuedBy: m.issuedBy, requestId: m.requestId };
  const act = (result: 'ok' | 'refused', reason?: string) =>
    o.record({
      operation: 'move-out.answer',
      target: m.residentCode,
      purpose: `転出証明書情報 for ${caller} card ${m.issuedBy} (${m.requestId})`,
      result,
      ...(reason === undefined ? {} : { reason }),
    });
  const register = o.register();
  if (!register)
    throw new RegistryError(
      'unavailable',
      `${nodeName(o.self)} has no register to answer from`,
      'node.no-register',
    );
  const record = await register.getRecord(parseResidentCode(m.residentCode));
  const decision = decideMoveOutCertificate(m, record, caller.replace(/^cs:/, ''), o.table);
  if (!decision.ok) {
    o.log.warn('move-out.refused', { ...logged, reason: decision.reason });
    await act('refused', decision.reason);
    throw new RegistryError(REFUSAL_CODE[decision.reason], decision.message, decision.reason);
  }
  await act('ok');
  o.log.info('move-out.answered', logged);
  return {
    kind: 'move-out-certificate-answer',
    requestId: m.requestId,
    node: nodeName(o.self),
    certificate: decision.certificate,
  };
}

/** What the new municipality's side needs: its CS, its counter, the table, a route call. */
export type MoveInSpecialNode = {
  readonly self: NodeRef;
  readonly table: LocalGovernmentTable;
  readonly counter: NodeCounter | undefined;
  readonly ask: <M extends RoutedRequest>(to: string, m: M) => Promise<ReplyOf<M['kind']>>;
  readonly log: Logger;
};

/** The answer of `POST /register/move-in-special`: the 転入 done, and where its data came from. */
export type MoveInSpecialAnswer = CounterAnswer & {
  /** The old municipality's CS and the 転出証明書情報 it sent. */
  readonly from: string;
  readonly certificate: MoveOutCertificate;
};

/**
 * `POST /register/move-in-special` `{ residentCode, name, birthDate, previousAddress, address,
 * household?, changeDate?, notifiedOn?, transactionId?, operator? }` at the new municipality's
 * CS: `residentCode` from the Juki card, `name` and `birthDate` as the resident states them,
 * `previousAddress` the old address (its municipality is asked), `address` the new one,
 * `household` as a 転入's (default: a new household). Refused before anything leaves: a malformed
 * form (`move-in-special.form`), an old address this CS cannot place (`address.*`) or in this
 * municipality (`move-in-special.same-municipality`); then the old CS's refusal (`move-out.*`),
 * or the 転入's own (the register's rules, R19). A transaction id given again returns what that
 * 転入 stored, as at the counter.
 */
export async function moveInSpecial(
  o: MoveInSpecialNode,
  body: Readonly<Record<string, unknown>>,
  caller?: TerminalCaller,
): Promise<MoveInSpecialAnswer> {
  const issuedBy = counterOperator(body, caller, 'move-in-special');
  const request = readRequest(body, issuedBy);
  if (typeof body.previousAddress !== 'string' || typeof body.address !== 'string')
    throw new RegistryError(
      'invalid',
      '転出元の住所と新しい住所が必要です / previousAddress and address are required',
      'move-in-special.form',
    );
  const oldCode = splitAddress(o.table, body.previousAddress).localGovernmentCode;
  if (oldCode === o.self.code)
    throw new RegistryError(
      'invalid',
      '転出元が当市区町村です。転居の届出です / the old address is in this municipality: that is a 転居',
      'move-in-special.same-municipality',
    );
  const from = `cs:${oldCode}`;
  // A refusal of the old CS is logged by the route (`route.refused`) and recorded by the terminal.
  const answer = await o.ask(from, request);
  const c = answer.certificate;
  const done = await counterOperation(
    { self: o.self, counter: o.counter },
    {
      reason: 'move-in',
      form: {
        residentCode: c.residentCode,
        ...(c.individualNumber ? { individualNumber: c.individualNumber } : {}),
        name: c.name,
        sex: c.sex,
        birthDate: c.birthDate,
        ...(c.registeredDomicile ? { registeredDomicile: c.registeredDomicile } : {}),
        ...(c.nationality ? { nationality: c.nationality } : {}),
        address: body.address,
        previousAddress: c.address,
        ...(body.household === undefined ? {} : { household: body.household }),
        ...(body.changeDate === undefined ? {} : { changeDate: body.changeDate }),
        ...(body.notifiedOn === undefined ? {} : { notifiedOn: body.notifiedOn }),
      },
      ...(body.transactionId === undefined ? {} : { transactionId: body.transactionId }),
    },
  );
  o.log.info('move-in-special.performed', {
    from,
    requestId: request.requestId,
    issuedBy,
    transactionId: done.transactionId,
  });
  return { ...done, from, certificate: c };
}

function readRequest(
  body: Readonly<Record<string, unknown>>,
  issuedBy: string,
): MoveOutCertificateRequest {
  try {
    return MoveOutCertificateRequest.parse(
      new BodyReader('move-out-certificate', {
        kind: 'move-out-certificate',
        requestId: `mo-${randomUUID()}`,
        issuedBy,
        residentCode: body.residentCode,
        name: body.name,
        birthDate: body.birthDate,
      }),
    );
  } catch (e) {
    if (e instanceof InvalidMessageError)
      throw new RegistryError('invalid', e.message, 'move-in-special.form');
    throw e;
  }
}

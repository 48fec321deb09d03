import { randomUUID } from 'node:crypto';
import { splitAddress } from '../domain/address/split-address.ts';
import { RegistryError, type ErrorCode } from '../domain/errors.ts';
import type { LocalGovernmentTable } from '../domain/local-government/local-government-table.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import type { NewSecurityAlert } from '../domain/network/SecurityAlert.ts';
import { planSearch } from '../domain/provision/search-rules.ts';
import type { ResidentRecord } from '../domain/register/ResidentRecord.ts';
import { parseResidentCode } from '../domain/resident/ResidentCode.ts';
import {
  decideWideAreaCopy,
  WIDE_AREA_REFUSALS,
  type WideAreaThrottle,
  type Identification,
  type WideAreaPerson,
  type WideAreaRefusalReason,
} from '../domain/wide-area/wide-area-copy.ts';
import { InvalidMessageError } from '../protocol/errors.ts';
import { BodyReader } from '../protocol/messages/BodyReader.ts';
import { WideAreaCopyRequest, type WideAreaCopyAnswer } from '../protocol/messages/WideAreaCopy.ts';
import type { RegisterStore } from '../register/RegisterStore.ts';
import type { AccessLogStore, AlertStore, IdentityStore } from '../storage/ports.ts';
import { counterOperator } from './acting-operator.ts';
import type { Logger } from './json-log.ts';
import type { TerminalCaller } from './terminal-server.ts';

/*
 * 住民票の写しの広域交付 at running CSs (R24; docs/WIDE-AREA.md):
 * - the RESIDENCE side (住所地): `answerWideAreaCopy` answers a `wide-area-copy` that came inside a
 *   route through the switch, from its municipality's register, after the throttle of R24's fraud
 *   prevention (a card over the limit is suspended and raises an alert);
 * - the ISSUING side (交付地): `issueWideAreaCopy` takes the counter clerk's form from the terminal
 *   (`POST /wide-area/copy`), finds the residence municipality from the stated address, asks its
 *   CS through the switch and returns the copy's content with the certification statement, which
 *   the web terminal prints and `juki wide-area copy --pdf` writes.
 */

/** What the residence side needs of its CS. */
export type WideAreaResidence = {
  readonly self: NodeRef;
  readonly register: () => RegisterStore | undefined;
  /** The CS store (本人確認情報): finds a requester by name and date of birth without a code. */
  readonly identities: IdentityStore | undefined;
  readonly table: LocalGovernmentTable;
  readonly throttle: WideAreaThrottle;
  readonly alert: (a: Omit<NewSecurityAlert, 'at' | 'observer'>) => void;
  /**
   * Appends the answer or refusal to the node's access log (R23) as the node's own act
   * (`system`): awaited before the answer leaves, so a copy is never given unrecorded.
   */
  readonly record: (act: RemoteAct) => Promise<unknown>;
  readonly log: Logger;
  readonly now?: () => number;
};

/** What a CS records of a request another CS made about its residents. */
export type RemoteAct = {
  /** `wide-area.answer`, `move-out.answer`. */
  readonly operation: string;
  /** The resident code the request names (empty when it named none). */
  readonly target: string;
  /** Who asked: the CS, the operator card at its counter, the request id. */
  readonly purpose: string;
  readonly result: 'ok' | 'refused';
  readonly reason?: string | undefined;
};

const REFUSAL_CODE: Readonly<Record<WideAreaRefusalReason, ErrorCode>> = {
  'wide-area.requester-mismatch': 'not-found',
  'wide-area.identification': 'invalid',
  'wide-area.not-in-household': 'forbidden',
  'wide-area.no-persons': 'invalid',
  'wide-area.card-suspended': 'suspended',
};

const refusal = (reason: WideAreaRefusalReason): RegistryError =>
  new RegistryError(REFUSAL_CODE[reason], WIDE_AREA_REFUSALS[reason], reason);

/**
 * The residence CS's answer to `m` from the CS `caller` (its inner session's certificate). The
 * throttle counts every request, refused or not, of the caller's operator card; the log has each
 * answer and refusal with the caller, the card and the request id, never a resident's items.
 */
export async function answerWideAreaCopy(
  o: WideAreaResidence,
  m: WideAreaCopyRequest,
  caller: string,
): Promise<WideAreaCopyAnswer> {
  const card = `${caller}/${m.issuedBy}`;
  const logged = { caller, issuedBy: m.issuedBy, requestId: m.requestId };
  const act = (result: 'ok' | 'refused', target: string, reason?: string) =>
    o.record({
      operation: 'wide-area.answer',
      target,
      purpose: `広域交付 for ${caller} card ${m.issuedBy} (${m.requestId})`,
      result,
      ...(reason === undefined ? {} : { reason }),
    });
  const stated = m.requester.residentCode ?? '';
  const taken = o.throttle.take(card, (o.now ?? Date.now)());
  if (taken !== 'allowed') {
    if (taken === 'suspended') {
      const { maxRequests, windowMs, suspendMs } = o.throttle.limits;
      o.alert({
        kind: 'wide-area-suspended',
        peerAddress: 'route',
        peerName: caller,
        detail: `card ${card}: more than ${maxRequests} 広域交付 requests within ${windowMs / 60_000} min; its requests are refused for ${suspendMs / 60_000} min (R18)`,
      });
    }
    o.log.warn('wide-area.refused', { ...logged, reason: 'wide-area.card-suspended' });
    await act('refused', stated, 'wide-area.card-suspended');
    throw refusal('wide-area.card-suspended');
  }
  const register = o.register();
  if (!register)
    throw new RegistryError(
      'unavailable',
      `${nodeName(o.self)} has no register to answer from`,
      'node.no-register',
    );
  const candidates = await requesterCandidates(o, register, m);
  const households = new Map<string, ResidentRecord[]>();
  for (const c of candidates)
    if (!households.has(c.householdId))
      households.set(c.householdId, await register.household(c.householdId));
  const decision = decideWideAreaCopy(m, candidates, (id) => households.get(id) ?? []);
  if (!decision.ok) {
    o.log.warn('wide-area.refused', { ...logged, reason: decision.reason });
    await act('refused', stated, decision.reason);
    throw refusal(decision.reason);
  }
  await act('ok', decision.requester.residentCode);
  o.log.info('wide-area.answered', { ...logged, persons: decision.persons.length });
  return {
    kind: 'wide-area-copy-answer',
    requestId: m.requestId,
    node: nodeName(o.self),
    at: new Date((o.now ?? Date.now)()).toISOString(),
    persons: decision.persons,
  };
}

/** The register's records that may be the requester: by code, or by name and date of birth. */
async function requesterCandidates(
  o: WideAreaResidence,
  register: RegisterStore,
  m: WideAreaCopyRequest,
): Promise<ResidentRecord[]> {
  const r = m.requester;
  if (r.residentCode !== undefined) {
    const found = await register.getRecord(parseResidentCode(r.residentCode));
    return found ? [found] : [];
  }
  if (r.birthDate === undefined || !o.identities) return [];
  // The CS store's own search, in R13's name + date-of-birth form with the whole name: the affair
  // id is only the plan's label here — nothing is provided and no disclosure is written.
  const plan = planSearch(
    { affairId: 'wide-area', name: r.name, nameMatch: 'exact', birthDate: r.birthDate },
    { channel: 'immediate', table: o.table },
  );
  if (!('form' in plan)) return [];
  const found = await o.identities.searchIdentities(plan, 10);
  const records: ResidentRecord[] = [];
  for (const f of found) {
    const record = await register.getRecord(f.residentCode);
    if (record) records.push(record);
  }
  return records;
}

/** A municipality of the copy: its CS, 団体コード, 都道府県 and 市区町村 names. */
export type Municipality = {
  readonly node: string;
  readonly code: string;
  readonly prefecture: string;
  readonly name: string;
};

/** The copy as the issuing municipality makes it (the web terminal prints it, the CLI writes it). */
export type WideAreaCopy = {
  readonly requestId: string;
  /** ISO 8601 UTC instant the residence CS answered. */
  readonly issuedAt: string;
  /** The operator at the issuing counter. */
  readonly issuedBy: string;
  readonly identification: Identification;
  readonly issuing: Municipality;
  readonly residence: Municipality;
  /** The requester's resident code as the form gave it (the access log's target), if it did. */
  readonly requesterResidentCode?: string | undefined;
  readonly withRelationship: boolean;
  readonly withResidentCode: boolean;
  readonly persons: readonly WideAreaPerson[];
};

/** What the issuing side needs: its CS, the table, and a route call to another CS. */
export type WideAreaIssuing = {
  readonly self: NodeRef;
  readonly table: LocalGovernmentTable;
  readonly ask: (to: string, m: WideAreaCopyRequest) => Promise<WideAreaCopyAnswer>;
  readonly log: Logger;
};

/**
 * `POST /wide-area/copy` `{ identification, requester: { name, address, residentCode? |
 * birthDate? + sex? }, persons?: string[], wholeHousehold?, withRelationship?, withResidentCode?,
 * operator? }` at the issuing CS. The operator is the logged-in clerk (the console names one).
 * Refused before anything leaves: a malformed form (`wide-area.form`), a Juki card without its
 * resident code (`wide-area.card-needs-code`), an address this CS cannot place (`address.*`), an
 * address in this municipality (`wide-area.own-municipality`: the ordinary counter issues it).
 */
export async function issueWideAreaCopy(
  o: WideAreaIssuing,
  body: Readonly<Record<string, unknown>>,
  caller?: TerminalCaller,
): Promise<WideAreaCopy> {
  const issuedBy = counterOperator(body, caller, 'wide-area');
  const request = readForm(body, issuedBy);
  if (request.identification === 'juki-card' && request.requester.residentCode === undefined)
    throw new RegistryError(
      'invalid',
      '住民基本台帳カードの住民票コードがありません / a Juki card gives the resident code: send it',
      'wide-area.card-needs-code',
    );
  const residenceCode = splitAddress(o.table, request.requester.address).localGovernmentCode;
  if (residenceCode === o.self.code)
    throw new RegistryError(
      'invalid',
      '住所地が当市区町村です。通常の住民票の写しを交付してください / the requester lives here: issue an ordinary copy',
      'wide-area.own-municipality',
    );
  const to = `cs:${residenceCode}`;
  // A refusal of the residence CS is logged by the route (`route.refused`) and recorded by the
  // terminal.
  const answer = await o.ask(to, request);
  o.log.info('wide-area.issued', {
    to,
    requestId: request.requestId,
    issuedBy,
    persons: answer.persons.length,
  });
  const place = (code: string): Municipality => {
    const row = o.table.byCode(code);
    return {
      node: `cs:${code}`,
      code,
      prefecture: row?.prefecture ?? '',
      name: row?.municipality ?? code,
    };
  };
  return {
    requestId: request.requestId,
    issuedAt: answer.at,
    issuedBy,
    identification: request.identification,
    issuing: place(o.self.code),
    residence: place(residenceCode),
    requesterResidentCode: request.requester.residentCode,
    withRelationship: request.withRelationship,
    withResidentCode: request.withResidentCode,
    persons: answer.persons,
  };
}

/**
 * The access log's target of a copy: the requester's resident code when the form gave one, else
 * the residence CS (the log's target is an identifier, never a name or an address).
 */
export function wideAreaTarget(answer: unknown): string | undefined {
  const copy = answer as Partial<WideAreaCopy> | undefined;
  return copy?.requesterResidentCode ?? copy?.residence?.node;
}

/** The terminal's form as the message, read by the message's own reader (`wide-area.form`). */
function readForm(body: Readonly<Record<string, unknown>>, issuedBy: string): WideAreaCopyRequest {
  const requester = body.requester;
  const r =
    typeof requester === 'object' && requester !== null
      ? (requester as Record<string, unknown>)
      : {};
  const text = (v: unknown): string | undefined =>
    typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  const candidate = {
    kind: 'wide-area-copy',
    requestId: `wa-${randomUUID()}`,
    issuedBy,
    identification: body.identification,
    requester: {
      name: text(r.name) ?? '',
      address: text(r.address) ?? '',
      ...(text(r.residentCode) ? { residentCode: text(r.residentCode) } : {}),
      ...(text(r.birthDate) ? { birthDate: text(r.birthDate) } : {}),
      ...(text(r.sex) ? { sex: text(r.sex) } : {}),
    },
    persons: Array.isArray(body.persons)
      ? body.persons.map(text).filter((p): p is string => p !== undefined)
      : [],
    wholeHousehold: body.wholeHousehold === true,
    withRelationship: body.withRelationship === true,
    withResidentCode: body.withResidentCode === true,
  };
  try {
    const request = WideAreaCopyRequest.parse(new BodyReader('wide-area-copy', candidate));
    if (request.requester.name === '' || request.requester.address === '')
      throw new RegistryError(
        'invalid',
        '請求者の氏名と住所が必要です / the requester’s name and address are required',
        'wide-area.form',
      );
    return request;
  } catch (e) {
    if (e instanceof InvalidMessageError)
      throw new RegistryError('invalid', e.message, 'wide-area.form');
    throw e;
  }
}

const notACs = (self: NodeRef): RegistryError =>
  new RegistryError(
    'invalid',
    `${nodeName(self)} は広域交付に答えません / only a CS answers 広域交付`,
    'wide-area.not-a-cs',
  );

/**
 * `GET /wide-area/suspensions` at a residence CS (R18): the other municipalities' operator cards
 * whose requests are refused here now, with when each suspension ends (card ids and times only).
 */
export function wideAreaSuspensions(
  self: NodeRef,
  throttle: WideAreaThrottle | undefined,
  now = Date.now(),
): { card: string; until: string }[] {
  if (!throttle) throw notACs(self);
  return throttle
    .suspended(now)
    .map((s) => ({ card: s.card, until: new Date(s.until).toISOString() }));
}

/**
 * `POST /wide-area/release` `{ card: 'cs:131016/clerk-9' }` (a security officer, R18): lifts the
 * suspension of that card now; its count starts afresh. `wide-area.not-suspended` when it is not
 * suspended. The act is in the access log (the card as its target).
 */
export function releaseWideAreaCard(
  self: NodeRef,
  throttle: WideAreaThrottle | undefined,
  body: Readonly<Record<string, unknown>>,
  log?: Logger,
  now = Date.now(),
): { card: string; released: true } {
  if (!throttle) throw notACs(self);
  const card = body.card;
  if (typeof card !== 'string' || !/^cs:\d{6}\/[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(card))
    throw new RegistryError(
      'invalid',
      'card は「CS/操作者」です（例 cs:131016/clerk-1） / card is the CS and its operator, e.g. cs:131016/clerk-1',
      'wide-area.card',
    );
  if (!throttle.release(card, now))
    throw new RegistryError(
      'not-found',
      `${card} は停止されていません / ${card} is not suspended`,
      'wide-area.not-suspended',
    );
  log?.warn('wide-area.released', { card });
  return { card, released: true };
}

/** The card a `wide-area-suspended` alert names (its detail starts `card <CS>/<operator>:`). */
const SUSPENDED_CARD = /^card (cs:\d{6}\/[A-Za-z0-9][A-Za-z0-9._-]{0,63}):/;

/**
 * At start, the suspensions still running are read back from the records (R18): the throttle
 * keeps its counts in memory, but a suspension is recorded twice — its `wide-area-suspended`
 * alert, and the security officer's `wide-area.release` in the access log if it was lifted. A
 * card whose alert is younger than the suspension and not released since is suspended again
 * until the end the alert set. Only the records of the last `suspendMs` are read.
 */
export async function restoreWideAreaSuspensions(
  throttle: WideAreaThrottle,
  records: { readonly alerts: AlertStore; readonly access: AccessLogStore },
  now = Date.now(),
): Promise<number> {
  const from = now - throttle.limits.suspendMs;
  const suspendedAt = new Map<string, number>();
  for (let beforeId: number | undefined; ;) {
    const page = await records.alerts.listAlerts({ limit: 500, ...(beforeId ? { beforeId } : {}) });
    for (const a of page) {
      const at = Date.parse(a.at);
      const card =
        a.kind === 'wide-area-suspended' ? SUSPENDED_CARD.exec(a.detail)?.[1] : undefined;
      if (card && at >= from && !suspendedAt.has(card)) suspendedAt.set(card, at);
    }
    const last = page.at(-1);
    if (!last || page.length < 500 || Date.parse(last.at) < from) break;
    beforeId = last.id;
  }
  if (suspendedAt.size === 0) return 0;
  for (let beforeSeq: number | undefined; ;) {
    const page = await records.access.list({ limit: 500, ...(beforeSeq ? { beforeSeq } : {}) });
    for (const r of page) {
      const at = Date.parse(r.at);
      if (
        r.operation === 'wide-area.release' &&
        r.result === 'ok' &&
        at >= (suspendedAt.get(r.target) ?? Infinity)
      )
        suspendedAt.delete(r.target);
    }
    const last = page.at(-1);
    if (!last || page.length < 500 || Date.parse(last.at) < from) break;
    beforeSeq = last.seq;
  }
  for (const [card, at] of suspendedAt) throttle.restore(card, at + throttle.limits.suspendMs);
  return suspendedAt.size;
}

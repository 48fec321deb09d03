import type { CalendarDate } from '../dates/CalendarDate.ts';
import { addressMatchKey } from '../address/address-key.ts';
import { namesMatch } from '../name/name-matching.ts';
import type { ResidentRecord } from '../register/ResidentRecord.ts';
import type { PersonName, Sex } from '../resident/IdentityInfo.ts';

/*
 * 住民票の写しの広域交付 (R24; 住民基本台帳法第12条の4; docs/WIDE-AREA.md): a resident asks for
 * a copy of their resident record at ANY municipality, showing their Juki card or a photo ID of a
 * public office. The issuing municipality's CS (交付地) sends the residence municipality's CS
 * (住所地) what the law lists (request made, requester's name and resident code, the persons to
 * include, whether relationship and resident code are wanted); the residence CS answers with the
 * listed items of each person; the issuing municipality makes the copy with its certification.
 *
 * This module is the residence side's decision, pure: who may be given what. Only oneself or
 * members of one's own household, and only when what the requester stated matches the register.
 * A refusal never tells the issuing side WHICH stated item did not match (the requester at a
 * counter elsewhere could otherwise probe the register item by item).
 */

/** What the requester showed at the issuing counter (施行規則: the card, or a photo ID). */
export const IDENTIFICATIONS = ['juki-card', 'photo-id'] as const;
export type Identification = (typeof IDENTIFICATIONS)[number];

export const IDENTIFICATION_LABEL: Readonly<Record<Identification, string>> = {
  'juki-card': '住民基本台帳カード',
  'photo-id': '官公署発行の写真付き証明書',
};

/** The requester as they stated themselves at the issuing counter. */
export type WideAreaRequester = {
  /** 氏名 as written (matched to the register after NFKC, without white space). */
  readonly name: string;
  /** 住所 as written (matched by the address key: NFKC, ヶ/ヵ folded, white space removed). */
  readonly address: string;
  /** From the card, or stated with a photo ID. */
  readonly residentCode?: string | undefined;
  /** With a photo ID and no resident code: date of birth and sex (both). */
  readonly birthDate?: CalendarDate | undefined;
  readonly sex?: Sex | undefined;
};

/** The 通知 of 法第12条の4第2項, as the residence CS reads it (the caller CS is its certificate). */
export type WideAreaCopyRequest = {
  /** The issuing CS's id of this request (recorded on both sides). */
  readonly requestId: string;
  /** The operator (操作者識別カード) at the issuing counter: R18's fraud prevention counts them. */
  readonly issuedBy: string;
  readonly identification: Identification;
  readonly requester: WideAreaRequester;
  /** The persons to include, by name: the requester and/or members of their household. */
  readonly persons: readonly string[];
  /** Every current member of the requester's household (then `persons` is empty). */
  readonly wholeHousehold: boolean;
  readonly withRelationship: boolean;
  readonly withResidentCode: boolean;
};

/** One person of the copy: exactly the items of 法第12条の4第3項 (施行令), no more. */
export type WideAreaPerson = {
  readonly name: PersonName;
  readonly birthDate: CalendarDate;
  readonly sex: Sex;
  /** 続柄, only when asked for. */
  readonly relationship?: string | undefined;
  /** 住民となった年月日. */
  readonly becameResidentOn: CalendarDate;
  readonly address: string;
  /** 住所を定めた旨の届出の年月日 (absent for one who became a resident by birth). */
  readonly notifiedOn?: CalendarDate | undefined;
  /** 従前の住所. */
  readonly previousAddress?: string | undefined;
  /** 住民票コード, only when asked for. */
  readonly residentCode?: string | undefined;
};

/** The refusals of the residence CS, each a stable reason. */
export const WIDE_AREA_REFUSALS = {
  'wide-area.requester-mismatch':
    '請求者の申し出た事項が住民票と一致しません / what the requester stated does not match a resident of this municipality',
  'wide-area.identification':
    '住民票コードまたは生年月日と性別が必要です / with a photo ID the requester states the resident code, or date of birth and sex',
  'wide-area.not-in-household':
    '請求できるのは本人と同一世帯の者だけです / only oneself and members of one’s household may be included',
  'wide-area.no-persons': '写しに記載する者がありません / no person to include',
  'wide-area.card-suspended':
    'この操作者カードからの広域交付の要求は停止中です / requests from this operator card are suspended (too many in a short time)',
} as const;
export type WideAreaRefusalReason = keyof typeof WIDE_AREA_REFUSALS;

export type WideAreaDecision =
  | { readonly ok: true; readonly requester: ResidentRecord; readonly persons: WideAreaPerson[] }
  | { readonly ok: false; readonly reason: WideAreaRefusalReason; readonly message: string };

const refuse = (reason: WideAreaRefusalReason): WideAreaDecision => ({
  ok: false,
  reason,
  message: WIDE_AREA_REFUSALS[reason],
});

/**
 * The residence CS's decision on a request, given the requester's record as found by the code or
 * by name and date of birth (`candidates`: the register's current residents who may be the
 * requester) and a way to read a household. Refused:
 * - `wide-area.identification`: neither a resident code nor date of birth and sex (a Juki card
 *   always gives the code);
 * - `wide-area.requester-mismatch`: nobody in this municipality is a current resident with that
 *   name and address (and code, or date of birth and sex) — one reason for every mismatch;
 * - `wide-area.not-in-household`: a named person is not the requester nor a current member of
 *   the requester's household;
 * - `wide-area.no-persons`: nobody named and not the whole household.
 */
export function decideWideAreaCopy(
  request: WideAreaCopyRequest,
  candidates: readonly ResidentRecord[],
  household: readonly ResidentRecord[] | ((householdId: string) => readonly ResidentRecord[]),
): WideAreaDecision {
  const r = request.requester;
  const byCode = r.residentCode !== undefined;
  if (!byCode && (r.birthDate === undefined || r.sex === undefined))
    return refuse('wide-area.identification');
  const matching = candidates.filter(
    (c) =>
      c.status === 'resident' &&
      namesMatch(c.name.kanji, r.name) &&
      addressMatchKey(c.address) === addressMatchKey(r.address) &&
      (byCode ? c.residentCode === r.residentCode : c.birthDate === r.birthDate && c.sex === r.sex),
  );
  // Two residents with one name, address, date of birth and sex: the counter cannot tell them
  // apart without the code, so neither is given.
  if (matching.length !== 1) return refuse('wide-area.requester-mismatch');
  const requester = matching[0]!;
  const members = (
    typeof household === 'function' ? household(requester.householdId) : household
  ).filter((m) => m.status === 'resident' && m.householdId === requester.householdId);
  if (!members.some((m) => m.residentCode === requester.residentCode)) members.push(requester);

  let chosen: ResidentRecord[];
  if (request.wholeHousehold) chosen = members;
  else {
    chosen = [];
    for (const name of request.persons) {
      const found = members.filter((m) => namesMatch(m.name.kanji, name));
      if (found.length !== 1) return refuse('wide-area.not-in-household');
      if (!chosen.includes(found[0]!)) chosen.push(found[0]!);
    }
  }
  if (chosen.length === 0) return refuse('wide-area.no-persons');
  // The head of the household first, then by date of birth: the order of a 住民票.
  chosen.sort(
    (a, b) =>
      Number(b.relationship === '世帯主') - Number(a.relationship === '世帯主') ||
      (a.birthDate < b.birthDate ? -1 : a.birthDate > b.birthDate ? 1 : 0),
  );
  return {
    ok: true,
    requester,
    persons: chosen.map((m) => personOf(m, request)),
  };
}

function personOf(m: ResidentRecord, request: WideAreaCopyRequest): WideAreaPerson {
  return {
    name: { kanji: m.name.kanji, kana: m.name.kana },
    birthDate: m.birthDate,
    sex: m.sex,
    ...(request.withRelationship ? { relationship: m.relationship } : {}),
    becameResidentOn: m.becameResidentOn,
    address: m.address,
    ...(m.notifiedOn === undefined ? {} : { notifiedOn: m.notifiedOn }),
    ...(m.previousAddress === undefined ? {} : { previousAddress: m.previousAddress }),
    ...(request.withResidentCode ? { residentCode: m.residentCode } : {}),
  };
}

/**
 * R18's fraud prevention (seed: 住所地市町村において、交付地市町村の特定の操作者識別カードから一定
 * 時間に一定数以上の住民票の写しの広域交付要求があった場合は、住民票の写しの広域交付を停止): the
 * residence CS counts the requests of each operator card of each issuing CS in a sliding window;
 * the request that goes over `maxRequests` within `windowMs` suspends that card for `suspendMs`,
 * during which every request from it is refused `wide-area.card-suspended`. Other cards of the
 * same municipality are not affected. In memory: a restart forgets the counts (and a suspension),
 * which the alert raised at suspension outlives.
 */
export class WideAreaThrottle {
  readonly #seen = new Map<string, number[]>();
  readonly #suspendedUntil = new Map<string, number>();

  constructor(
    readonly limits: {
      readonly maxRequests: number;
      readonly windowMs: number;
      readonly suspendMs: number;
    },
  ) {}

  /**
   * Counts one request of `card` at `now`: `allowed`, `suspended` (just went over: the caller
   * raises the alert once) or `still-suspended`.
   */
  take(card: string, now: number): 'allowed' | 'suspended' | 'still-suspended' {
    const until = this.#suspendedUntil.get(card);
    if (until !== undefined) {
      if (now < until) return 'still-suspended';
      this.#suspendedUntil.delete(card);
      this.#seen.delete(card);
    }
    const from = now - this.limits.windowMs;
    const times = (this.#seen.get(card) ?? []).filter((t) => t > from);
    times.push(now);
    this.#seen.set(card, times);
    if (times.length <= this.limits.maxRequests) return 'allowed';
    this.#suspendedUntil.set(card, now + this.limits.suspendMs);
    return 'suspended';
  }

  /**
   * Lifts `card`'s suspension now (a security officer checked the requests): its count starts
   * afresh. False when it was not suspended at `now`.
   */
  release(card: string, now: number): boolean {
    const until = this.#suspendedUntil.get(card);
    this.#suspendedUntil.delete(card);
    this.#seen.delete(card);
    return until !== undefined && now < until;
  }

  /** Suspends `card` until `until` (a suspension read back from the records at start, R18). */
  restore(card: string, until: number): void {
    this.#suspendedUntil.set(card, Math.max(until, this.#suspendedUntil.get(card) ?? 0));
  }

  /** The cards suspended at `now`, with when each suspension ends. */
  suspended(now: number): { card: string; until: number }[] {
    return [...this.#suspendedUntil]
      .filter(([, until]) => now < until)
      .map(([card, until]) => ({ card, until }));
  }
}

/** Defaults of the throttle: 20 requests in 10 minutes from one card suspend it for an hour. */
export const DEFAULT_WIDE_AREA_LIMITS = {
  maxRequests: 20,
  windowMs: 10 * 60_000,
  suspendMs: 60 * 60_000,
} as const;

import { describe, expect, it } from 'vitest';
import { ADDRESS_A, code, date } from '../register/register.fixtures.ts';
import type { ResidentRecord } from '../register/ResidentRecord.ts';
import {
  decideWideAreaCopy,
  WideAreaThrottle,
  type WideAreaCopyRequest,
  type WideAreaDecision,
} from './wide-area-copy.ts';

/*
 * The residence CS's decision on 広域交付 (R24): who may be given what. Synthetic people of
 * 千代田区: 住基 太郎 (世帯主), his wife 住基 花子 and their son 住基 一郎 in one household; 別世帯
 * 次郎 at the same address in a household of his own.
 */
const person = (
  n: number,
  kanji: string,
  o: Partial<ResidentRecord> & { household?: string } = {},
): ResidentRecord => ({
  residentCode: code(n),
  name: { kanji, kana: 'ジュウキ' },
  sex: 'male',
  birthDate: date('1980-05-05'),
  address: ADDRESS_A,
  localGovernmentCode: '131016',
  householdId: o.household ?? 'h1',
  headOfHousehold: '住基 太郎',
  relationship: '世帯主',
  becameResidentOn: date('2024-04-01'),
  addressSetOn: date('2024-04-01'),
  notifiedOn: date('2024-04-05'),
  previousAddress: '大阪府大阪市北区梅田1丁目1番1号',
  status: 'resident',
  lastChange: { reason: 'move-in', date: date('2024-04-01') },
  version: 1,
  ...o,
});
const TARO = person(1, '住基 太郎');
const HANAKO = person(2, '住基 花子', {
  sex: 'female',
  birthDate: date('1982-08-08'),
  relationship: '妻',
});
const ICHIRO = person(3, '住基 一郎', { birthDate: date('2010-01-01'), relationship: '子' });
const JIRO = person(4, '別世帯 次郎', { household: 'h2', headOfHousehold: '別世帯 次郎' });
const GONE = person(5, '住基 三郎', { status: 'removed', relationship: '子' });
const HOUSEHOLD = [TARO, HANAKO, ICHIRO, GONE];

const request = (o: Partial<WideAreaCopyRequest> = {}): WideAreaCopyRequest => ({
  requestId: 'wa-1',
  issuedBy: 'clerk-1',
  identification: 'juki-card',
  requester: { name: '住基 太郎', address: ADDRESS_A, residentCode: TARO.residentCode },
  persons: ['住基 太郎'],
  wholeHousehold: false,
  withRelationship: false,
  withResidentCode: false,
  ...o,
});
const decide = (
  r: WideAreaCopyRequest,
  candidates: readonly ResidentRecord[] = [TARO],
): WideAreaDecision =>
  decideWideAreaCopy(r, candidates, (id) =>
    [...HOUSEHOLD, JIRO].filter((m) => m.householdId === id),
  );

const reason = (d: WideAreaDecision): string => (d.ok ? 'ok' : d.reason);

describe('広域交付 at the residence CS (R24)', () => {
  it('gives exactly the items the law lists, relationship and resident code only when asked', () => {
    const d = decide(request());
    expect(d.ok && d.persons).toEqual([
      {
        name: { kanji: '住基 太郎', kana: 'ジュウキ' },
        birthDate: '1980-05-05',
        sex: 'male',
        becameResidentOn: '2024-04-01',
        address: ADDRESS_A,
        notifiedOn: '2024-04-05',
        previousAddress: '大阪府大阪市北区梅田1丁目1番1号',
      },
    ]);
    const full = decide(request({ withRelationship: true, withResidentCode: true }));
    expect(full.ok && full.persons[0]).toMatchObject({
      relationship: '世帯主',
      residentCode: TARO.residentCode,
    });
    // Never what a wide-area copy leaves out: the registered domicile (本籍), the household id.
    expect(JSON.stringify(full.ok && full.persons)).not.toMatch(
      /registeredDomicile|householdId|status/,
    );
  });

  it('includes household members named, or the whole current household head first', () => {
    const named = decide(request({ persons: ['住基 一郎', '住基　花子'] }));
    expect(named.ok && named.persons.map((p) => p.name.kanji)).toEqual(['住基 花子', '住基 一郎']);
    const all = decide(request({ persons: [], wholeHousehold: true }));
    // The removed member (住基 三郎) is not in the household any more.
    expect(all.ok && all.persons.map((p) => p.name.kanji)).toEqual([
      '住基 太郎',
      '住基 花子',
      '住基 一郎',
    ]);
  });

  it.each([
    [
      'someone of another household',
      request({ persons: ['別世帯 次郎'] }),
      'wide-area.not-in-household',
    ],
    ['a removed member', request({ persons: ['住基 三郎'] }), 'wide-area.not-in-household'],
    ['nobody', request({ persons: [] }), 'wide-area.no-persons'],
    [
      'a stated name that differs',
      request({
        requester: { name: '住基 太朗', address: ADDRESS_A, residentCode: TARO.residentCode },
      }),
      'wide-area.requester-mismatch',
    ],
    [
      'a stated address that differs',
      request({
        requester: {
          name: '住基 太郎',
          address: '東京都千代田区千代田1番2号',
          residentCode: TARO.residentCode,
        },
      }),
      'wide-area.requester-mismatch',
    ],
    [
      'a photo ID with neither code nor date of birth and sex',
      request({ identification: 'photo-id', requester: { name: '住基 太郎', address: ADDRESS_A } }),
      'wide-area.identification',
    ],
  ])('refuses %s', (_what, r, expected) => {
    expect(reason(decide(r))).toBe(expected);
  });

  it('refuses a requester who moved away, with the same reason as one who does not match', () => {
    const moved = { ...TARO, status: 'removed' as const };
    expect(reason(decide(request(), [moved]))).toBe('wide-area.requester-mismatch');
    expect(reason(decide(request(), []))).toBe('wide-area.requester-mismatch');
  });

  it('finds the requester by date of birth and sex with a photo ID, and not when two match', () => {
    const byBirth = request({
      identification: 'photo-id',
      requester: {
        name: '住基太郎',
        address: ADDRESS_A,
        birthDate: date('1980-05-05'),
        sex: 'male',
      },
    });
    expect(reason(decide(byBirth, [TARO, JIRO]))).toBe('ok');
    expect(
      reason(decide({ ...byBirth, requester: { ...byBirth.requester, sex: 'female' } }, [TARO])),
    ).toBe('wide-area.requester-mismatch');
    const twin = person(9, '住基 太郎', { household: 'h3' });
    expect(reason(decide(byBirth, [TARO, twin]))).toBe('wide-area.requester-mismatch');
  });
});

describe('the fraud prevention of 広域交付 (R18): one operator card over the limit is suspended', () => {
  it('suspends the card that goes over, for the suspension, and no other card', () => {
    const t = new WideAreaThrottle({ maxRequests: 3, windowMs: 60_000, suspendMs: 600_000 });
    const card = 'cs:011002/clerk-1';
    expect([0, 1, 2].map((i) => t.take(card, 1_000 + i))).toEqual([
      'allowed',
      'allowed',
      'allowed',
    ]);
    expect(t.take(card, 1_010)).toBe('suspended');
    expect(t.take(card, 1_020)).toBe('still-suspended');
    expect(t.take('cs:011002/clerk-2', 1_030)).toBe('allowed');
    expect(t.suspended(2_000)).toEqual([{ card, until: 601_010 }]);
    // After the suspension the card starts afresh.
    expect(t.take(card, 601_010)).toBe('allowed');
  });

  it('lifts a suspension on release, and the card starts afresh', () => {
    const t = new WideAreaThrottle({ maxRequests: 1, windowMs: 60_000, suspendMs: 600_000 });
    expect([t.take('c', 0), t.take('c', 1)]).toEqual(['allowed', 'suspended']);
    expect(t.release('c', 2)).toBe(true);
    expect(t.suspended(3)).toEqual([]);
    expect(t.take('c', 4)).toBe('allowed');
    expect(t.release('c', 5)).toBe(false);
  });

  it('counts within a sliding window: requests spread out are never suspended', () => {
    const t = new WideAreaThrottle({ maxRequests: 2, windowMs: 1_000, suspendMs: 10_000 });
    for (let i = 0; i < 20; i++) expect(t.take('c', i * 600)).toBe('allowed');
  });
});

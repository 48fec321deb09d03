import { describe, expect, it } from 'vitest';
import { loadLocalGovernmentTable } from '../../reference-data/local-governments.ts';
import { code, date, DOMICILE } from '../register/register.fixtures.ts';
import type { ResidentRecord } from '../register/ResidentRecord.ts';
import {
  decideMoveOutCertificate,
  type MoveOutCertificateRequest,
  type MoveOutDecision,
} from './move-out-certificate.ts';

/*
 * 転入転出の特例 (R25) at the old municipality's CS: the 転出証明書情報 is given only to the CS of
 * the destination the 転出届 named, for the person whose card and stated items match. Synthetic
 * people of 千代田区 moving to 大阪市北区 (271276).
 */
const table = loadLocalGovernmentTable();
const OSAKA_KITA = '271276';
const movedOut: ResidentRecord = {
  residentCode: code(1),
  name: { kanji: '住基 太郎', kana: 'ジュウキ タロウ' },
  sex: 'male',
  birthDate: date('1980-05-05'),
  address: '東京都千代田区千代田1番1号',
  localGovernmentCode: '131016',
  householdId: 'h1',
  headOfHousehold: '住基 太郎',
  relationship: '世帯主',
  registeredDomicile: DOMICILE,
  becameResidentOn: date('2024-04-01'),
  addressSetOn: date('2024-04-01'),
  status: 'removed',
  removal: {
    reason: 'move-out',
    date: date('2026-12-01'),
    movedOverseas: false,
    destination: '大阪府大阪市北区梅田1丁目1番1号',
  },
  lastChange: { reason: 'move-out', date: date('2026-12-01') },
  version: 2,
};
const request: MoveOutCertificateRequest = {
  requestId: 'mo-1',
  issuedBy: 'clerk-1',
  residentCode: code(1),
  name: '住基　太郎',
  birthDate: date('1980-05-05'),
};
const reason = (d: MoveOutDecision): string => (d.ok ? 'ok' : d.reason);

describe('転出証明書情報 at the old municipality’s CS (R25)', () => {
  it('gives the items a 転入 needs to the destination’s CS', () => {
    const d = decideMoveOutCertificate(request, movedOut, OSAKA_KITA, table);
    expect(d.ok && d.certificate).toEqual({
      residentCode: code(1),
      name: { kanji: '住基 太郎', kana: 'ジュウキ タロウ' },
      sex: 'male',
      birthDate: '1980-05-05',
      registeredDomicile: DOMICILE,
      headOfHousehold: '住基 太郎',
      relationship: '世帯主',
      address: '東京都千代田区千代田1番1号',
      moveOutDate: '2026-12-01',
      destination: '大阪府大阪市北区梅田1丁目1番1号',
    });
  });

  it.each([
    ['no such record', undefined, request, OSAKA_KITA, 'move-out.mismatch'],
    [
      'another date of birth',
      movedOut,
      { ...request, birthDate: date('1980-05-06') },
      OSAKA_KITA,
      'move-out.mismatch',
    ],
    ['another name', movedOut, { ...request, name: '住基 次郎' }, OSAKA_KITA, 'move-out.mismatch'],
    [
      'a resident who has not notified a move-out',
      { ...movedOut, status: 'resident' as const, removal: undefined },
      request,
      OSAKA_KITA,
      'move-out.no-notice',
    ],
    [
      'one who died (the same reason as no record)',
      {
        ...movedOut,
        removal: { reason: 'death' as const, date: date('2026-12-01'), movedOverseas: false },
      },
      request,
      OSAKA_KITA,
      'move-out.mismatch',
    ],
    [
      'one who moved abroad',
      {
        ...movedOut,
        removal: { ...movedOut.removal!, movedOverseas: true, destination: 'フランス' },
      },
      request,
      OSAKA_KITA,
      'move-out.mismatch',
    ],
    ['a CS the 転出届 does not name', movedOut, request, '272035', 'move-out.other-destination'],
  ])('refuses %s', (_what, record, r, caller, expected) => {
    expect(reason(decideMoveOutCertificate(r, record, caller, table))).toBe(expected);
  });
});

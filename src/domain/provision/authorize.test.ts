import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CalendarDate } from '../dates/CalendarDate.ts';
import type { NodeRef } from '../network/NodeRef.ts';
import {
  PROVISION_REFUSAL_REASONS,
  ProvisionRegistry,
  authorizeProvision,
  type RegistrySnapshot,
} from './authorize.ts';
import {
  agreementProblem,
  currentSuspension,
  permissionProblem,
  recipientProblem,
  suspensionProblem,
  type Agreement,
  type Recipient,
  type RecipientId,
  type SuspensionEvent,
} from './recipient.ts';
import {
  AffairCatalog,
  ordinanceAffair,
  parseStatutoryAffairsCsv,
  type AffairId,
} from './statutory-affair.ts';

const catalog = AffairCatalog.of(
  parseStatutoryAffairsCsv(
    readFileSync(new URL('../../../data/statutory-affairs.csv', import.meta.url), 'utf8'),
  ),
);
const NATIONAL: NodeRef = { role: 'national', code: 'jlis' };
const TOKYO: NodeRef = { role: 'prefecture', code: '13' };
const d = (s: string) => s as CalendarDate;
const rid = (s: string) => s as RecipientId;
const aid = (s: string) => s as AffairId;

const pension: Recipient = {
  id: rid('mhlw-pension'),
  name: '厚生労働省及び日本年金機構',
  kind: 'national-agency',
  servedBy: NATIONAL,
  node: { role: 'agency', code: 'mhlw-pension' },
};
const mofa: Recipient = { ...pension, id: rid('mofa-passport'), name: '外務省' };
const tokyoBoard: Recipient = {
  id: rid('tokyo-board-of-education'),
  name: '東京都教育委員会',
  kind: 'prefecture-body',
  servedBy: TOKYO,
};
const agreement: Agreement = {
  id: 'J-LIS-2026-001',
  recipientId: pension.id,
  signedOn: d('2026-03-01'),
  validFrom: d('2026-04-01'),
  validTo: d('2027-03-31'),
  protectionMeasures: '専用回線、操作者の限定、アクセスログの保存と定期分析',
};
const suspend = (at: string): SuspensionEvent => ({
  recipientId: pension.id,
  action: 'suspend',
  at,
  by: 'operator-7',
  reason: '報告要求への回答がない (no answer to a report request, R5)',
});

const snapshot = (over: Partial<RegistrySnapshot> = {}): RegistrySnapshot => ({
  recipients: [pension, mofa],
  permissions: [
    { recipientId: pension.id, affairId: aid('別表第一:七十七'), identifier: 'pseudonym' },
    { recipientId: mofa.id, affairId: aid('別表第一:四十一'), identifier: 'pseudonym' },
  ],
  agreements: [agreement],
  suspensions: [],
  ordinanceAffairs: [],
  ...over,
});
const national = (over: Partial<RegistrySnapshot> = {}) =>
  ProvisionRegistry.of(NATIONAL, catalog, snapshot(over));
const ask = (
  registry: ProvisionRegistry,
  recipientId: string,
  affairId: string,
  on = '2026-11-24',
) => authorizeProvision(registry, { recipientId, affairId, on: d(on) });

describe('R3, R5: authorizeProvision', () => {
  it('R3: a registered agency, for its permitted affair, under an agreement in force: allowed, with the legal basis', () => {
    expect(ask(national(), 'mhlw-pension', '別表第一:七十七')).toMatchObject({
      ok: true,
      recipient: pension,
      identifier: 'pseudonym',
      agreement,
      legalBasis: '住民基本台帳法第三十条の九・別表第一の七十七の項',
    });
  });

  it('R3: refused provision.unknown-recipient: a recipient the register does not know', () => {
    expect(ask(national(), 'private-bank', '別表第一:七十七')).toMatchObject({
      ok: false,
      code: 'forbidden',
      reason: 'provision.unknown-recipient',
    });
  });

  it('R3: refused provision.not-served-here: a prefecture body asking the national server for a 別表第六 affair', () => {
    const registry = national({ recipients: [pension, tokyoBoard] });
    expect(ask(registry, tokyoBoard.id, '別表第六:一')).toMatchObject({
      code: 'forbidden',
      reason: 'provision.not-served-here',
    });
  });

  it('R5: refused provision.recipient-suspended (code suspended) while suspended; allowed again once reinstated', () => {
    const suspended = national({ suspensions: [suspend('2026-11-01T00:00:00.000Z')] });
    const refusal = ask(suspended, 'mhlw-pension', '別表第一:七十七');
    expect(refusal).toMatchObject({ code: 'suspended', reason: 'provision.recipient-suspended' });
    expect((refusal as { message: string }).message).toContain('2026-11-01T00:00:00.000Z');
    const reinstated = national({
      suspensions: [
        { ...suspend('2026-11-10T00:00:00.000Z'), action: 'reinstate', reason: '報告を受領' },
        suspend('2026-11-01T00:00:00.000Z'),
      ],
    });
    expect(ask(reinstated, 'mhlw-pension', '別表第一:七十七')).toMatchObject({ ok: true });
  });

  it('R3: refused provision.unknown-affair: an affair id that is in no table', () => {
    expect(ask(national(), 'mhlw-pension', '別表第一:九百九十九')).toMatchObject({
      code: 'invalid',
      reason: 'provision.unknown-affair',
    });
  });

  it('R3: refused provision.affair-not-permitted: the pension service asking for the passport affair (use outside the listed affair)', () => {
    expect(ask(national(), 'mhlw-pension', '別表第一:四十一')).toMatchObject({
      code: 'forbidden',
      reason: 'provision.affair-not-permitted',
    });
  });

  it('R3: a deleted item is never permitted, even if a permission row names it', () => {
    const registry = national({
      permissions: [
        { recipientId: pension.id, affairId: aid('別表第一:四'), identifier: 'pseudonym' },
      ],
    });
    expect(ask(registry, 'mhlw-pension', '別表第一:四')).toMatchObject({
      reason: 'provision.affair-not-permitted',
    });
  });

  it('R5: refused provision.no-agreement: a national agency without any agreement', () => {
    expect(ask(national({ agreements: [] }), 'mofa-passport', '別表第一:四十一')).toMatchObject({
      code: 'forbidden',
      reason: 'provision.no-agreement',
    });
  });

  it('R5: refused provision.agreement-expired after the last day, allowed on it', () => {
    expect(ask(national(), 'mhlw-pension', '別表第一:七十七', '2027-03-31')).toMatchObject({
      ok: true,
    });
    expect(ask(national(), 'mhlw-pension', '別表第一:七十七', '2027-04-01')).toMatchObject({
      reason: 'provision.agreement-expired',
    });
  });

  it('R5: refused provision.agreement-not-yet-in-force before the first day', () => {
    expect(ask(national(), 'mhlw-pension', '別表第一:七十七', '2026-03-31')).toMatchObject({
      reason: 'provision.agreement-not-yet-in-force',
    });
  });

  it('R5: a prefecture body needs no 協定書; its ordinance affair is authorised at its prefecture server', () => {
    const ordinance = ordinanceAffair({
      prefectureCode: '13',
      item: '一',
      recipient: '東京都教育委員会',
      affair: '就学奨励の事務',
      legalBasis: '東京都住民基本台帳法施行条例第二条',
    });
    const registry = ProvisionRegistry.of(TOKYO, catalog, {
      recipients: [tokyoBoard],
      permissions: [
        { recipientId: tokyoBoard.id, affairId: ordinance.id, identifier: 'resident-code' },
        { recipientId: tokyoBoard.id, affairId: aid('別表第六:一'), identifier: 'resident-code' },
      ],
      agreements: [],
      suspensions: [],
      ordinanceAffairs: [ordinance],
    });
    expect(ask(registry, tokyoBoard.id, '条例:13:一')).toMatchObject({
      ok: true,
      identifier: 'resident-code',
      agreement: undefined,
      legalBasis: '東京都住民基本台帳法施行条例第二条',
    });
    expect(ask(registry, tokyoBoard.id, '別表第六:一')).toMatchObject({ ok: true });
    expect(ask(registry, tokyoBoard.id, '条例:27:一')).toMatchObject({
      reason: 'provision.unknown-affair',
    });
  });

  it('the checks run in the documented order: suspended wins over an affair not permitted and a missing agreement', () => {
    const registry = national({ agreements: [], suspensions: [suspend('2026-01-01T00:00:00Z')] });
    expect(ask(registry, 'mhlw-pension', '別表第一:四十一')).toMatchObject({
      reason: 'provision.recipient-suspended',
    });
    expect(PROVISION_REFUSAL_REASONS.indexOf('provision.recipient-suspended')).toBeLessThan(
      PROVISION_REFUSAL_REASONS.indexOf('provision.affair-not-permitted'),
    );
  });
});

describe('R3, R5: what the register accepts', () => {
  it('R3: an affair may be permitted only to recipients its table provides to', () => {
    const affair = (id: string) => catalog.byId(id)!;
    expect(permissionProblem(pension, affair('別表第一:七十七'), 'pseudonym')).toBeUndefined();
    expect(permissionProblem(pension, affair('別表第五:一'), 'pseudonym')).toMatchObject({
      reason: 'permission.wrong-provider',
    });
    expect(permissionProblem(pension, affair('別表第二:一'), 'pseudonym')).toMatchObject({
      reason: 'permission.wrong-recipient-kind',
    });
    expect(permissionProblem(pension, affair('別表第一:四'), 'pseudonym')).toMatchObject({
      reason: 'permission.affair-deleted',
    });
    expect(permissionProblem(tokyoBoard, affair('別表第六:一'), 'resident-code')).toBeUndefined();
    const osaka = ordinanceAffair({
      prefectureCode: '27',
      item: '一',
      recipient: '大阪府教育委員会',
      affair: '事務',
      legalBasis: '大阪府条例',
    });
    expect(permissionProblem(tokyoBoard, osaka, 'resident-code')).toMatchObject({
      reason: 'permission.other-prefecture',
    });
  });

  it('a recipient id is kebab-case; a national agency is served by the national server', () => {
    expect(recipientProblem(pension)).toBeUndefined();
    expect(recipientProblem({ ...pension, id: rid('MHLW') })).toMatchObject({
      reason: 'recipient.id',
    });
    expect(recipientProblem({ ...pension, servedBy: TOKYO })).toMatchObject({
      reason: 'recipient.served-by',
    });
    expect(
      recipientProblem({ ...tokyoBoard, servedBy: { role: 'prefecture', code: '48' } }),
    ).toMatchObject({
      reason: 'recipient.served-by',
    });
  });

  it('R5: an agreement needs signed ≤ valid from ≤ valid to, and its protection measures', () => {
    expect(agreementProblem(agreement)).toBeUndefined();
    expect(agreementProblem({ ...agreement, signedOn: d('2026-05-01') })).toMatchObject({
      reason: 'agreement.dates',
    });
    expect(agreementProblem({ ...agreement, validTo: d('2026-01-01') })).toMatchObject({
      reason: 'agreement.dates',
    });
    expect(agreementProblem({ ...agreement, protectionMeasures: ' ' })).toMatchObject({
      reason: 'agreement.protection-measures',
    });
  });

  it('R5: a suspension says who decided, when and why; the latest event is in force', () => {
    expect(suspensionProblem(suspend('2026-11-01T00:00:00.000Z'))).toBeUndefined();
    expect(suspensionProblem({ ...suspend('2026-11-01'), by: 'x' })).toMatchObject({
      reason: 'suspension.at',
    });
    expect(suspensionProblem({ ...suspend('2026-11-01T00:00:00Z'), reason: '' })).toMatchObject({
      reason: 'suspension.reason',
    });
    expect(currentSuspension([])).toBeUndefined();
  });
});

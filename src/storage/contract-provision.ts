import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import type { NodeRef } from '../domain/network/NodeRef.ts';
import { ProvisionRegistry, authorizeProvision } from '../domain/provision/authorize.ts';
import type { NewDisclosure, NewRefusalRecord } from '../domain/provision/disclosure.ts';
import type {
  Agreement,
  Recipient,
  RecipientId,
  SuspensionEvent,
} from '../domain/provision/recipient.ts';
import { ordinanceAffair, type AffairId } from '../domain/provision/statutory-affair.ts';
import { loadStatutoryAffairs } from '../reference-data/statutory-affairs.ts';
import { residentCode } from './contract-fixtures.ts';
import type { ProvisionStore } from './ports.ts';

const catalog = loadStatutoryAffairs();
const NATIONAL: NodeRef = { role: 'national', code: 'jlis' };
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
const mofa: Recipient = {
  id: rid('mofa-passport'),
  name: '外務省',
  kind: 'national-agency',
  servedBy: NATIONAL,
};
const agreement: Agreement = {
  id: 'J-LIS-2026-001',
  recipientId: pension.id,
  signedOn: d('2026-03-01'),
  validFrom: d('2026-04-01'),
  validTo: d('2027-03-31'),
  protectionMeasures: '専用回線、操作者の限定、アクセスログの保存と定期分析',
};
const suspension: SuspensionEvent = {
  recipientId: pension.id,
  action: 'suspend',
  at: '2026-11-01T09:00:00.000Z',
  by: 'jlis-operator-7',
  reason: '報告要求に回答がない (no answer to a report request, R5)',
};
const disclosure = (n: number, over: Partial<NewDisclosure> = {}): NewDisclosure => ({
  at: `2026-11-24T0${n % 10}:00:00.000Z`,
  node: 'national:jlis',
  recipientId: pension.id,
  recipientName: pension.name,
  searcher: 'nenkin-operator-1',
  affairId: '別表第一:七十七',
  legalBasis: '住民基本台帳法第三十条の九・別表第一の七十七の項',
  queryId: `q-${n}`,
  residentCode: residentCode(n),
  channel: 'immediate',
  ...over,
});
const refusal = (n: number, over: Partial<NewRefusalRecord> = {}): NewRefusalRecord => ({
  at: `2026-11-24T0${n % 10}:30:00.000Z`,
  node: 'national:jlis',
  recipientId: pension.id,
  affairId: '別表第一:四十一',
  queryId: `r-${n}`,
  channel: 'immediate',
  code: 'forbidden',
  reason: 'provision.affair-not-permitted',
  message: '認められた事務ではありません (affair not permitted)',
  ...over,
});

/** The contract every ProvisionStore passes (SQLite and PostgreSQL). */
export function describeProvisionStoreContract(
  name: string,
  open: () => Promise<{ store: ProvisionStore; cleanup: () => Promise<void> }>,
): void {
  describe(`${name}: ProvisionStore contract`, () => {
    let store: ProvisionStore;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup();
    });

    const registered = async () => {
      await store.registerRecipient(pension);
      await store.registerRecipient(mofa);
      await store.permitAffair(
        { recipientId: pension.id, affairId: aid('別表第一:七十七'), identifier: 'pseudonym' },
        catalog.byId('別表第一:七十七')!,
      );
      await store.addAgreement(agreement);
    };
    const authorize = async (affairId: string, on = '2026-11-24') =>
      authorizeProvision(ProvisionRegistry.of(NATIONAL, catalog, await store.loadRegistry()), {
        recipientId: pension.id,
        affairId,
        on: d(on),
      });

    it('R3, R5: the register round-trips: recipients, permissions, agreements, and authorizes from it', async () => {
      await registered();
      expect(await store.listRecipients()).toEqual([pension, mofa]);
      const snapshot = await store.loadRegistry();
      expect(snapshot).toEqual({
        recipients: [pension, mofa],
        permissions: [
          { recipientId: pension.id, affairId: '別表第一:七十七', identifier: 'pseudonym' },
        ],
        agreements: [agreement],
        suspensions: [],
        ordinanceAffairs: [],
      });
      expect(await authorize('別表第一:七十七')).toMatchObject({ ok: true, agreement });
      // re-registering updates in place
      await store.registerRecipient({ ...mofa, name: '外務省領事局' });
      expect((await store.listRecipients())[1]!.name).toBe('外務省領事局');
    });

    it('R3: refuses a permission that does not fit the recipient, and one for an unknown recipient', async () => {
      await registered();
      await expect(
        store.permitAffair(
          { recipientId: pension.id, affairId: aid('別表第五:一'), identifier: 'pseudonym' },
          catalog.byId('別表第五:一')!,
        ),
      ).rejects.toMatchObject({ code: 'invalid', reason: 'permission.wrong-provider' });
      await expect(
        store.permitAffair(
          { recipientId: rid('nobody'), affairId: aid('別表第一:七十七'), identifier: 'pseudonym' },
          catalog.byId('別表第一:七十七')!,
        ),
      ).rejects.toMatchObject({ code: 'not-found', reason: 'provision.unknown-recipient' });
      await expect(
        store.permitAffair(
          { recipientId: pension.id, affairId: aid('別表第一:七十七'), identifier: 'pseudonym' },
          catalog.byId('別表第一:七十八')!,
        ),
      ).rejects.toMatchObject({ reason: 'permission.affair-mismatch' });
      await expect(
        store.registerRecipient({ ...pension, id: rid('Bad Id') }),
      ).rejects.toMatchObject({
        reason: 'recipient.id',
      });
    });

    it('R3: a revoked permission no longer authorizes', async () => {
      await registered();
      expect(await store.revokeAffair(pension.id, aid('別表第一:七十七'))).toBe(true);
      expect(await store.revokeAffair(pension.id, aid('別表第一:七十七'))).toBe(false);
      expect(await authorize('別表第一:七十七')).toMatchObject({
        reason: 'provision.affair-not-permitted',
      });
    });

    it('R5: an agreement id is never reused; a bad agreement or one for an unknown recipient is refused', async () => {
      await registered();
      await expect(
        store.addAgreement({ ...agreement, validTo: d('2030-01-01') }),
      ).rejects.toMatchObject({
        code: 'conflict',
        reason: 'agreement.exists',
      });
      await expect(
        store.addAgreement({ ...agreement, id: 'A-2', validFrom: d('2026-01-01') }),
      ).rejects.toMatchObject({ reason: 'agreement.dates' });
      await expect(
        store.addAgreement({ ...agreement, id: 'A-3', recipientId: rid('nobody') }),
      ).rejects.toMatchObject({ reason: 'provision.unknown-recipient' });
      const open: Agreement = { ...agreement, id: 'A-4', recipientId: mofa.id, validTo: undefined };
      await store.addAgreement(open);
      expect((await store.loadRegistry()).agreements).toContainEqual({
        id: 'A-4',
        recipientId: mofa.id,
        signedOn: open.signedOn,
        validFrom: open.validFrom,
        protectionMeasures: open.protectionMeasures,
      });
    });

    it('R5: suspension and reinstatement are kept with who, when and why; the latest decides', async () => {
      await registered();
      await store.recordSuspension(suspension);
      expect(await authorize('別表第一:七十七')).toMatchObject({
        code: 'suspended',
        reason: 'provision.recipient-suspended',
      });
      const reinstate: SuspensionEvent = {
        ...suspension,
        action: 'reinstate',
        at: '2026-11-10T09:00:00.000Z',
        reason: '報告を受領した (report received)',
      };
      await store.recordSuspension(reinstate);
      expect(await authorize('別表第一:七十七')).toMatchObject({ ok: true });
      expect(await store.suspensionsOf(pension.id)).toEqual([reinstate, suspension]);
      await expect(store.recordSuspension({ ...suspension, by: ' ' })).rejects.toMatchObject({
        reason: 'suspension.by',
      });
      await expect(
        store.recordSuspension({ ...suspension, recipientId: rid('nobody') }),
      ).rejects.toMatchObject({ reason: 'provision.unknown-recipient' });
    });

    it('R3: a prefecture keeps its ordinance affairs; only 条例 affairs are registered', async () => {
      const a = ordinanceAffair({
        prefectureCode: '13',
        item: '一',
        recipient: '東京都教育委員会',
        affair: '就学奨励の事務',
        legalBasis: '東京都住民基本台帳法施行条例第二条',
      });
      await store.registerOrdinanceAffair(a);
      await store.registerOrdinanceAffair({ ...a, affair: '就学奨励費の支給の事務' });
      expect((await store.loadRegistry()).ordinanceAffairs).toEqual([
        { ...a, affair: '就学奨励費の支給の事務' },
      ]);
      await expect(
        store.registerOrdinanceAffair(catalog.byId('別表第一:七十七')!),
      ).rejects.toMatchObject({
        reason: 'ordinance-affair.source',
      });
    });

    it('R17: disclosures are kept per person, newest first, also across a re-code; forwarding the same record twice adds nothing', async () => {
      const first = disclosure(1, { residentCode: residentCode(7) });
      const second = disclosure(3, {
        residentCode: residentCode(7),
        queryId: 'batch-9:12',
        channel: 'batch',
        searcher: undefined,
      });
      const other = disclosure(2);
      expect(await store.recordDisclosures([first, second, other])).toBe(3);
      await store.recordDisclosure(
        disclosure(4, { residentCode: residentCode(8), node: 'prefecture:13' }),
      );
      // The national server forwards its records to the prefecture again: ignored.
      expect(await store.recordDisclosures([first, second])).toBe(0);
      const mine = await store.disclosuresOf(residentCode(7));
      expect(mine.map((x) => x.queryId)).toEqual(['batch-9:12', 'q-1']);
      expect(mine[0]).toEqual({ ...second, id: mine[0]!.id });
      expect(mine[1]).toEqual({ ...first, id: mine[1]!.id });
      const both = await store.disclosuresOf([residentCode(7), residentCode(8)]);
      expect(both.map((x) => x.queryId)).toEqual(['q-4', 'batch-9:12', 'q-1']);
      expect(await store.disclosuresOf(residentCode(99))).toEqual([]);
    });

    it('R17: every row of a large batch is disclosed to its resident', async () => {
      const rows = Array.from({ length: 2000 }, (_, i) =>
        disclosure(i, {
          residentCode: residentCode(10_000 + i),
          queryId: `batch-1:${i + 1}`,
          channel: 'batch',
        }),
      );
      expect(await store.recordDisclosures(rows)).toBe(2000);
      for (const i of [0, 999, 1999])
        expect((await store.disclosuresOf(residentCode(10_000 + i))).map((x) => x.queryId)).toEqual(
          [`batch-1:${i + 1}`],
        );
    });

    it('R17, R23: refused attempts are recorded apart and never appear in a resident’s disclosures', async () => {
      await store.recordDisclosure(disclosure(1));
      const a = await store.recordRefusal(refusal(1));
      const b = await store.recordRefusal(
        refusal(2, {
          recipientId: 'private-bank',
          affairId: undefined,
          code: 'forbidden',
          reason: 'provision.unknown-recipient',
        }),
      );
      expect(a).toEqual({ ...refusal(1), id: a.id });
      expect(await store.listRefusals({ limit: 10 })).toEqual([b, a]);
      expect(await store.listRefusals({ limit: 10, recipientId: 'private-bank' })).toEqual([b]);
      expect(await store.listRefusals({ limit: 10, afterId: a.id })).toEqual([b]);
      expect((await store.disclosuresOf(residentCode(1))).map((x) => x.queryId)).toEqual(['q-1']);
    });

    it('R17: a malformed disclosure is refused and nothing of its batch is stored', async () => {
      await expect(
        store.recordDisclosures([disclosure(1), disclosure(2, { residentCode: '123' as never })]),
      ).rejects.toMatchObject({ code: 'invalid', reason: 'disclosure.resident-code' });
      await expect(
        store.recordDisclosure(disclosure(3, { at: 'yesterday' })),
      ).rejects.toMatchObject({
        reason: 'disclosure.at',
      });
      await expect(store.recordDisclosure(disclosure(4, { legalBasis: '' }))).rejects.toMatchObject(
        {
          reason: 'disclosure.field',
        },
      );
      expect(await store.disclosuresOf([residentCode(1), residentCode(2)])).toEqual([]);
    });

    it('R34: the self-check tally counts this node’s provisions in the period, window by window, with its refusals and media', async () => {
      // Hours 01–08 of 2026-11-24; records of another node and outside the period do not count.
      await store.recordDisclosures([
        ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) =>
          disclosure(n, n % 2 === 0 ? { channel: 'batch', queryId: `b-${n}` } : {}),
        ),
        disclosure(9, { node: 'prefecture:13' }),
      ]);
      await store.recordRefusal(refusal(2));
      await store.recordRefusal(refusal(3));
      await store.recordRefusal(refusal(4, { reason: 'search.below-minimum' }));
      await store.recordRefusal(refusal(5, { node: 'prefecture:13' }));
      const period = {
        node: 'national:jlis',
        fromAt: '2026-11-24T02:00:00.000Z',
        toAt: '2026-11-24T07:00:00.000Z',
      };
      const first = await store.provisionTally({ ...period, afterId: 0, window: 3 });
      const windows = [first];
      while (windows.at(-1)!.nextAfterId !== undefined)
        windows.push(
          await store.provisionTally({
            ...period,
            afterId: windows.at(-1)!.nextAfterId!,
            window: 3,
          }),
        );
      expect(windows.length).toBeGreaterThan(1);
      const counts = new Map<string, number>();
      for (const w of windows)
        for (const p of w.provisions)
          counts.set(
            `${p.recipientId} ${p.affairId} ${p.channel}`,
            (counts.get(`${p.recipientId} ${p.affairId} ${p.channel}`) ?? 0) + p.count,
          );
      // Hours 02–06: 3 and 5 immediate, 2, 4 and 6 batch.
      expect(Object.fromEntries(counts)).toEqual({
        [`${pension.id} 別表第一:七十七 immediate`]: 2,
        [`${pension.id} 別表第一:七十七 batch`]: 3,
      });
      expect([...first.refusals!].sort((a, b) => a.reason.localeCompare(b.reason))).toEqual([
        { recipientId: pension.id, reason: 'provision.affair-not-permitted', count: 2 },
        { recipientId: pension.id, reason: 'search.below-minimum', count: 1 },
      ]);
      expect(first.media).toEqual({ outputs: 0, rows: 0, disposed: 0 });
      expect(windows.slice(1).every((w) => w.refusals === undefined)).toBe(true);
    });
  });
}

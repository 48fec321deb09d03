import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import { addYears } from '../domain/dates/CalendarDate.ts';
import type {
  Agreement,
  IdentifierKind,
  Recipient,
  RecipientId,
} from '../domain/provision/recipient.ts';
import type { AffairCatalog, AffairId } from '../domain/provision/statutory-affair.ts';
import type { ProvisionStore } from '../storage/ports.ts';

/**
 * A small register of real recipients and affairs of 別表第一 for the national server of a demo or
 * a test network (docs/PROVISION.md): the pension service's annual status check (R30), passports,
 * health insurance, national taxes. Names and affairs are the law's; ids and agreement texts are
 * ours. `agencyWithoutAgreement` is registered and permitted but has no 協定書, so its queries are
 * refused `provision.no-agreement` (R5).
 */
const NATIONAL = { role: 'national', code: 'jlis' } as const;

type Entry = {
  readonly recipient: Recipient;
  readonly affairs: readonly { readonly id: string; readonly identifier: IdentifierKind }[];
  readonly agreement: boolean;
};

const agency = (id: string, name: string): Recipient => ({
  id: id as RecipientId,
  name,
  kind: 'national-agency',
  servedBy: NATIONAL,
  node: { role: 'agency', code: id },
});

export const REPRESENTATIVE_REGISTER: readonly Entry[] = [
  {
    recipient: agency('mhlw-pension', '厚生労働省及び日本年金機構'),
    affairs: [
      // 国民年金法: the pensioners' annual status check (現況確認).
      { id: '別表第一:七十七', identifier: 'pseudonym' },
      // 健康保険法
      { id: '別表第一:七十二', identifier: 'pseudonym' },
    ],
    agreement: true,
  },
  {
    recipient: agency('mofa-passport', '外務省'),
    affairs: [{ id: '別表第一:四十一', identifier: 'pseudonym' }], // 旅券法
    agreement: true,
  },
  {
    recipient: agency('nta-tax', '国税庁'),
    affairs: [{ id: '別表第一:四十四の二', identifier: 'pseudonym' }], // 国税通則法
    agreement: false,
  },
];

/** The id of the representative agency that has no agreement (its queries are refused, R5). */
export const AGENCY_WITHOUT_AGREEMENT = 'nta-tax' as RecipientId;

/**
 * Registers the representative recipients, their permitted affairs and agreements in force from
 * `from` for 3 years. Idempotent for recipients and permissions; an agreement id already
 * recorded is left as it is.
 */
export async function seedRepresentativeRegister(
  store: ProvisionStore,
  catalog: AffairCatalog,
  from: CalendarDate,
): Promise<void> {
  for (const entry of REPRESENTATIVE_REGISTER) {
    await store.registerRecipient(entry.recipient);
    for (const a of entry.affairs) {
      const affair = catalog.byId(a.id);
      if (affair === undefined) throw new Error(`representative register: no affair ${a.id}`);
      await store.permitAffair(
        { recipientId: entry.recipient.id, affairId: a.id as AffairId, identifier: a.identifier },
        affair,
      );
    }
    if (!entry.agreement) continue;
    const agreement: Agreement = {
      id: `J-LIS-${entry.recipient.id}-${from}`,
      recipientId: entry.recipient.id,
      signedOn: from,
      validFrom: from,
      validTo: addYears(from, 3),
      protectionMeasures:
        '専用回線による接続、操作者の限定と識別カードによる認証、提供を受けた情報の目的外利用の禁止、アクセスログの保存と定期分析、報告要求への回答 (dedicated line, named operators with ID cards, no use outside the affair, access logs kept and analysed, answers to report requests)',
    };
    const existing = (await store.loadRegistry()).agreements.some((x) => x.id === agreement.id);
    if (!existing) await store.addAgreement(agreement);
  }
}

import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import type { NodeRef } from '../domain/network/NodeRef.ts';
import type { RecipientId } from '../domain/provision/recipient.ts';
import { ProvisionService } from '../provision/provision-service.ts';
import { PseudonymDeriver } from '../provision/pseudonym.ts';
import { loadLocalGovernmentTable } from '../reference-data/local-governments.ts';
import { loadStatutoryAffairs } from '../reference-data/statutory-affairs.ts';
import { loadedRecord } from '../storage/contract-fixtures.ts';
import { openIdentityStore, openProvisionStore } from '../storage/open-store.ts';
import type { IdentityStore, ProvisionStore } from '../storage/ports.ts';

export const TOKYO: NodeRef = { role: 'prefecture', code: '13' };
/** 都道府県知事: 旅券法による一般旅券の発給… (the Act's 別表第五). */
export const GOVERNOR_PASSPORT = '別表第五:六';
export const GOVERNOR = 'tokyo-governor';

/**
 * 東京都's prefecture server in process, for tests of its terminal routes: real SQLite stores (in
 * memory) holding one resident of 千代田区, the governor registered as a recipient permitted the
 * passport affair, and the ProvisionService over them.
 */
export async function openTokyoProvision(): Promise<{
  readonly identities: IdentityStore;
  readonly provision: ProvisionStore;
  readonly service: ProvisionService;
  readonly resident: ReturnType<typeof loadedRecord>;
  close(): Promise<void>;
}> {
  const identities = await openIdentityStore('sqlite::memory:');
  const provision = await openProvisionStore('sqlite::memory:');
  const resident = loadedRecord(1, {
    name: { kanji: '検索 花子', kana: 'ケンサク ハナコ' },
    birthDate: '1980-04-02' as CalendarDate,
  });
  const loaded = await identities.loadBatch([{ line: 1, record: resident }]);
  if (loaded.refused.length > 0) throw new Error(JSON.stringify(loaded.refused));
  await provision.registerRecipient({
    id: GOVERNOR as RecipientId,
    name: '東京都知事',
    kind: 'prefecture-body',
    servedBy: TOKYO,
  });
  const affairs = loadStatutoryAffairs();
  const affair = affairs.byId(GOVERNOR_PASSPORT)!;
  await provision.permitAffair(
    { recipientId: GOVERNOR as RecipientId, affairId: affair.id, identifier: 'pseudonym' },
    affair,
  );
  const service = new ProvisionService({
    self: TOKYO,
    identities,
    provision,
    affairs,
    table: loadLocalGovernmentTable(),
    pseudonyms: new PseudonymDeriver(Buffer.alloc(32, 7)),
    today: () => '2026-11-25' as CalendarDate,
  });
  return {
    identities,
    provision,
    service,
    resident,
    close: async () => {
      await identities.close();
      await provision.close();
    },
  };
}

/** 厚生労働省及び日本年金機構: 年金の現況確認 (the Act's 別表第一). */
export const PENSION = '別表第一:七十三の六';
export const PENSION_SERVICE = 'mhlw-pension';

/**
 * The national server's register for the pension service's agency server (`agency:mhlw-pension`):
 * the recipient, the pension affair (pseudonyms) and a 協定書 in force from `from` (R3, R5).
 */
export async function registerPensionService(
  register: ProvisionStore,
  from: CalendarDate,
): Promise<void> {
  const id = PENSION_SERVICE as RecipientId;
  await register.registerRecipient({
    id,
    name: '厚生労働省及び日本年金機構',
    kind: 'national-agency',
    servedBy: { role: 'national', code: 'jlis' },
    node: { role: 'agency', code: PENSION_SERVICE },
  });
  const affair = loadStatutoryAffairs().byId(PENSION)!;
  await register.permitAffair(
    { recipientId: id, affairId: affair.id, identifier: 'pseudonym' },
    affair,
  );
  await register.addAgreement({
    id: 'agreement-pension',
    recipientId: id,
    signedOn: from,
    validFrom: from,
    protectionMeasures: '照会端末の限定、操作者の認証、提供記録の保存',
  });
}

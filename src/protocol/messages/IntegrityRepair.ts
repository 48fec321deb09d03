import type { ResidentCode } from '../../domain/resident/ResidentCode.ts';
import { BodyReader, isPlainObject } from './BodyReader.ts';
import { readIdentityInfo } from './ChangeNotice.ts';
import { defineMessage, IDEMPOTENCY_KEY } from './define-message.ts';
import {
  MAX_LIST_ITEMS,
  readCheckId,
  readCodes,
  readLastChange,
  type IntegrityRepairRecord,
} from './integrity-fields.ts';

/**
 * The repair after a check that found differences: the sender re-sends its records for the codes
 * missing or differing at the receiver (`upsert`: 本人確認情報 and change information, nothing
 * else — R1), and the codes the receiver holds as residents in scope but the sender does not
 * (`notResident`). Only codes the check found may be repaired, only in its scope. A write: the
 * key is `<checkId>:repair:<n>` (one per message of a repair); answered `integrity-repaired`.
 */
export type IntegrityRepair = {
  readonly kind: 'integrity-repair';
  readonly idempotencyKey: string;
  readonly checkId: string;
  readonly upsert: readonly IntegrityRepairRecord[];
  readonly notResident: readonly ResidentCode[];
};

export const repairKey = (checkId: string, n: number): string => `${checkId}:repair:${n}`;

export const IntegrityRepair = defineMessage<IntegrityRepair, 'integrity-repaired'>({
  kind: 'integrity-repair',
  roles: ['request'],
  reply: 'integrity-repaired',
  effect: 'write',
  parse(r): IntegrityRepair {
    const idempotencyKey = r.string('idempotencyKey', IDEMPOTENCY_KEY);
    const checkId = readCheckId(r);
    const prefix = `${checkId}:repair:`;
    if (!idempotencyKey.startsWith(prefix) || !/^\d+$/.test(idempotencyKey.slice(prefix.length)))
      r.fail('idempotencyKey', 'must be <checkId>:repair:<n>', 'message.idempotency-key-mismatch');
    const list = r.value('upsert');
    if (!Array.isArray(list)) return r.fail('upsert', 'must be a list');
    if (list.length > MAX_LIST_ITEMS) r.fail('upsert', `has more than ${MAX_LIST_ITEMS} items`);
    const upsert = list.map((item: unknown, i): IntegrityRepairRecord => {
      if (!isPlainObject(item)) return r.fail(`upsert[${i}]`, 'must be a map');
      const reader = new BodyReader(r.kind, item, `${r.path}upsert[${i}].`);
      return { ...readIdentityInfo(reader), lastChange: readLastChange(reader) };
    });
    return {
      kind: 'integrity-repair',
      idempotencyKey,
      checkId,
      upsert,
      notResident: readCodes(r, 'notResident'),
    };
  },
});

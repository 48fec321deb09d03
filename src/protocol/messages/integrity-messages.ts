/** The integrity-check messages (本人確認情報整合, R20; docs/PROTOCOL.md §5, docs/INTEGRITY.md). */
export { IntegrityAccept } from './IntegrityAccept.ts';
export { IntegrityConclude, integrityConclude } from './IntegrityConclude.ts';
export { IntegrityDescend } from './IntegrityDescend.ts';
export { IntegrityDifferences } from './IntegrityDifferences.ts';
export { IntegrityEntries, type IntegrityRange } from './IntegrityEntries.ts';
export { IntegrityNodes } from './IntegrityNodes.ts';
export { IntegrityOffer } from './IntegrityOffer.ts';
export { IntegrityRepair, repairKey } from './IntegrityRepair.ts';
export { IntegrityRepaired } from './IntegrityRepaired.ts';
export { IntegrityResult } from './IntegrityResult.ts';
export {
  CHECK_ID,
  ENTRY_DIGEST_BYTES,
  HASH_BYTES,
  MAX_TREE_DEPTH,
  type DifferenceCounts,
  type IntegrityRepairRecord,
} from './integrity-fields.ts';

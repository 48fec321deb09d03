/**
 * 本人確認情報整合 (integrity check, R20; docs/INTEGRITY.md): the lower node (CS, prefecture
 * server) checks its file of one scope against the upper node's (prefecture, national server)
 * with a hash tree over resident-code ranges, and repairs the differences on request.
 */
export { runIntegrityCheck, type RunIntegrityCheckOptions } from './integrity-sender.ts';
export {
  registerIntegrityHandlers,
  MAX_OPEN_CHECKS,
  type IntegrityReceiverOptions,
} from './integrity-receiver.ts';
export type { IntegrityReport, RepairSummary } from './report.ts';
export { HashTree, differingLeaves } from './hash-tree.ts';
export { canonicalRecord, entryDigest, recordDigest } from './record-digest.ts';
export {
  CODE_SPACE,
  RECORDS_PER_BUCKET,
  boundCode,
  depthForCount,
  rangeBounds,
  rangeStart,
} from './code-space.ts';
export { compareRange, DifferenceTally, type DifferenceKind } from './compare.ts';
export type { IntegrityScope } from '../domain/integrity/IntegrityScope.ts';

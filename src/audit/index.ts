/**
 * The access log (R23, R16; docs/AUDIT.md): append with a hash chain, seal with the node's key,
 * verify. Import from here.
 */
export {
  AccessLog,
  DEFAULT_SEAL_EVERY,
  sealAccessLog,
  type AccessLogOptions,
} from './access-log.ts';
export {
  certificateFingerprint,
  sealCertificate,
  sealKey,
  sealKeyFromBundle,
  sha256,
  type SealCertificate,
  type SealKey,
} from './seal-key.ts';
export {
  anchorConflictDetail,
  anchorSeals,
  checkAnchors,
  parseAnchorsExport,
  type AnchorCaller,
  type AnchorCheck,
  type AnchorProblem,
} from './anchor.ts';
export {
  verifyAccessLog,
  type TamperKind,
  type VerifyOptions,
  type VerifyProblem,
  type VerifyReport,
} from './verify.ts';

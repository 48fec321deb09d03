import type { AccessLogSeal, AccessRecord, AccessResult } from '../domain/audit/access-log.ts';

/**
 * Rows of `access_log` and `access_log_seal` (migration 0010), the same in both dialects. Reading
 * never checks the values: a tampered row must reach verify as it is, to be reported there.
 */

export const ACCESS_LOG_COLUMNS =
  'seq, at, node, operator, operation, target, purpose, result, reason, prev_hash, hash';
export const ACCESS_LOG_INSERT_COLUMNS = ACCESS_LOG_COLUMNS;
export const ACCESS_LOG_COLUMN_COUNT = 11;

export const SEAL_COLUMNS = 'seq, upto_seq, at, node, hash, cert_fingerprint, signature';

export type AccessLogRow = {
  seq: number | bigint;
  at: string;
  node: string;
  operator: string;
  operation: string;
  target: string;
  purpose: string | null;
  result: string;
  reason: string | null;
  prev_hash: string;
  hash: string;
};

export type SealRow = {
  seq: number | bigint;
  upto_seq: number | bigint;
  at: string;
  node: string;
  hash: string;
  cert_fingerprint: string;
  signature: string;
};

export function recordFromRow(r: AccessLogRow): AccessRecord {
  return {
    seq: Number(r.seq),
    at: r.at,
    node: r.node,
    operator: r.operator,
    operation: r.operation,
    target: r.target,
    ...(r.purpose === null ? {} : { purpose: r.purpose }),
    result: r.result as AccessResult,
    ...(r.reason === null ? {} : { reason: r.reason }),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** Parameters in ACCESS_LOG_COLUMNS order. */
export const recordValues = (r: AccessRecord): (string | number | null)[] => [
  r.seq,
  r.at,
  r.node,
  r.operator,
  r.operation,
  r.target,
  r.purpose ?? null,
  r.result,
  r.reason ?? null,
  r.prevHash,
  r.hash,
];

export function sealFromRow(r: SealRow): AccessLogSeal {
  return {
    seq: Number(r.seq),
    uptoSeq: Number(r.upto_seq),
    at: r.at,
    node: r.node,
    hash: r.hash,
    certFingerprint: r.cert_fingerprint,
    signature: r.signature,
  };
}

/** Parameters in SEAL_COLUMNS order. */
export const sealValues = (s: AccessLogSeal): (string | number)[] => [
  s.seq,
  s.uptoSeq,
  s.at,
  s.node,
  s.hash,
  s.certFingerprint,
  s.signature,
];

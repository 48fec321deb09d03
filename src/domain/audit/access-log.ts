import { RegistryError } from '../errors.ts';

/**
 * The access log (アクセスログ, R23; docs/AUDIT.md): one record per operation a node performed or
 * refused, hash-chained and periodically sealed with the node's key. This module is pure: it
 * defines the record, checks each field and the canonical bytes that are hashed and signed
 * (canonical.ts); the hashing and signing happen in src/audit.
 */

export const ACCESS_RESULTS = ['ok', 'refused', 'failed'] as const;
export type AccessResult = (typeof ACCESS_RESULTS)[number];

/** The operator of work the node did on its own (a timer, a received notice). */
export const SYSTEM_OPERATOR = 'system';

/** What a caller appends: the chain fields are added by the log. */
export type AccessEntry = {
  /** When, ISO 8601 UTC with milliseconds (`2026-11-24T05:06:07.089Z`). */
  readonly at: string;
  /** The node that performed the operation, e.g. `cs:131016`. */
  readonly node: string;
  /** The operator id, or `system`. */
  readonly operator: string;
  /** What was done, e.g. `provision.query`. */
  readonly operation: string;
  /**
   * On what: an identifier only (a resident code, a recipient id, a peer), printable ASCII
   * without spaces, so that no name or address can be written here. Empty when there is none.
   */
  readonly target: string;
  /** Why: the statutory affair id or a short free text. */
  readonly purpose?: string | undefined;
  readonly result: AccessResult;
  /** A stable reason code, e.g. for a refusal `provision.not-permitted`. */
  readonly reason?: string | undefined;
};

/** SHA-256, lowercase hex (64 characters). */
export type HexHash = string;

/** A record as stored: its place in the log and its link in the chain. */
export type AccessRecord = AccessEntry & {
  /** 1, 2, 3, … with no gap. */
  readonly seq: number;
  /** The hash of record seq − 1; GENESIS_HASH for record 1. */
  readonly prevHash: HexHash;
  /** SHA-256 of canonicalRecordBytes(this). */
  readonly hash: HexHash;
};

/** The prevHash of record 1. */
export const GENESIS_HASH: HexHash = '0'.repeat(64);

/** A seal: the node's signature over the hash of the record at `uptoSeq` (X-Road's manner). */
export type AccessLogSeal = {
  /** 1, 2, 3, … with no gap. */
  readonly seq: number;
  readonly uptoSeq: number;
  readonly at: string;
  readonly node: string;
  /** The hash of record `uptoSeq`. */
  readonly hash: HexHash;
  /** SHA-256 of the DER of the signing certificate, lowercase hex. */
  readonly certFingerprint: HexHash;
  /** ECDSA P-256 / SHA-256 over canonicalSealBytes(this), DER, base64. */
  readonly signature: string;
};

export const ACCESS_LOG_LIMITS = { target: 128, purpose: 200, reason: 64, operation: 64 } as const;

const ISO_UTC_MS =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
const NODE_NAME = /^[a-z]+:[A-Za-z0-9_-]{1,64}$/;
const OPERATOR_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const OPERATION = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;
const TARGET = /^[\x21-\x7e]*$/;
const REASON = /^[a-z0-9][a-z0-9._-]*$/;
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const LINE_TEXT = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]+$/;
const HEX_HASH = /^[0-9a-f]{64}$/;

const invalid = (field: string, ja: string, en: string): RegistryError =>
  new RegistryError('invalid', `アクセスログ: ${ja} / access log: ${en}`, `audit.${field}`);

function checkPattern(value: unknown, field: string, re: RegExp, max: number, ja: string): string {
  if (typeof value !== 'string' || value.length > max || !re.test(value))
    throw invalid(
      field,
      `${field} が不正です（${ja}）`,
      `${field} is malformed: ${JSON.stringify(value)}`,
    );
  return value;
}

/** ISO 8601 UTC with milliseconds; reason `audit.at`. */
export function checkLogTime(value: unknown, field = 'at'): string {
  return checkPattern(value, field, ISO_UTC_MS, 24, 'ISO 8601 UTC ミリ秒 YYYY-MM-DDTHH:MM:SS.sssZ');
}

export function checkNodeName(value: unknown, field = 'node'): string {
  return checkPattern(value, field, NODE_NAME, 80, '例 cs:131016');
}

export function checkHexHash(value: unknown, field: string): HexHash {
  return checkPattern(value, field, HEX_HASH, 64, 'SHA-256 の16進 64 文字');
}

function checkSeq(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)
    throw invalid(field, `${field} は 1 以上の整数です`, `${field} must be a positive integer`);
  return value;
}

function checkOptional(
  value: unknown,
  field: string,
  check: (v: unknown) => string,
): string | undefined {
  return value === undefined ? undefined : check(value);
}

/** Checks every field of an entry; throws RegistryError('invalid', …, 'audit.<field>'). */
export function checkAccessEntry(e: AccessEntry): AccessEntry {
  const operator = e.operator;
  if (operator !== SYSTEM_OPERATOR)
    checkPattern(
      operator,
      'operator',
      OPERATOR_ID,
      64,
      '英数字と . _ - の 64 文字まで、または system',
    );
  if (!(ACCESS_RESULTS as readonly unknown[]).includes(e.result))
    throw invalid(
      'result',
      '結果は ok / refused / failed です',
      'result must be ok, refused or failed',
    );
  const purpose = checkOptional(e.purpose, 'purpose', (v) => {
    if (typeof v !== 'string' || [...v].length > ACCESS_LOG_LIMITS.purpose || !LINE_TEXT.test(v))
      throw invalid(
        'purpose',
        `目的は改行なしの ${ACCESS_LOG_LIMITS.purpose} 文字までです`,
        `purpose must be 1–${ACCESS_LOG_LIMITS.purpose} characters on one line`,
      );
    return v;
  });
  const reason = checkOptional(e.reason, 'reason', (v) =>
    checkPattern(v, 'reason', REASON, ACCESS_LOG_LIMITS.reason, '英小文字・数字・. _ - のコード'),
  );
  return {
    at: checkLogTime(e.at),
    node: checkNodeName(e.node),
    operator,
    operation: checkPattern(
      e.operation,
      'operation',
      OPERATION,
      ACCESS_LOG_LIMITS.operation,
      '例 provision.query',
    ),
    target: checkPattern(
      e.target,
      'target',
      TARGET,
      ACCESS_LOG_LIMITS.target,
      `識別子のみ: 空白なしの ASCII ${ACCESS_LOG_LIMITS.target} 文字まで`,
    ),
    ...(purpose === undefined ? {} : { purpose }),
    result: e.result,
    ...(reason === undefined ? {} : { reason }),
  };
}

/** Checks a stored record: the entry's fields plus seq and the two hashes. */
export function checkAccessRecord(r: AccessRecord): AccessRecord {
  return {
    seq: checkSeq(r.seq, 'seq'),
    ...checkAccessEntry(r),
    prevHash: checkHexHash(r.prevHash, 'prevHash'),
    hash: checkHexHash(r.hash, 'hash'),
  };
}

/** Checks a seal's fields (not its signature: src/audit does that). */
export function checkSeal(s: AccessLogSeal): AccessLogSeal {
  if (typeof s.signature !== 'string' || !/^[A-Za-z0-9+/]{16,256}={0,2}$/.test(s.signature))
    throw invalid('signature', '署名が base64 ではありません', 'signature must be base64');
  return {
    seq: checkSeq(s.seq, 'seq'),
    uptoSeq: checkSeq(s.uptoSeq, 'uptoSeq'),
    at: checkLogTime(s.at),
    node: checkNodeName(s.node),
    hash: checkHexHash(s.hash, 'hash'),
    certFingerprint: checkHexHash(s.certFingerprint, 'certFingerprint'),
    signature: s.signature,
  };
}

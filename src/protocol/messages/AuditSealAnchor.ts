import type { AccessLogSeal } from '../../domain/audit/access-log.ts';
import type { BodyReader } from './BodyReader.ts';
import { defineMessage } from './define-message.ts';
import { NODE_NAME_RULE } from './NodeName.ts';

/**
 * アクセスログ封印の外部保管 (R23; docs/AUDIT.md "Anchoring at the upstream node"): a node sends
 * the seals of its access log to its upstream node (a CS to its prefecture server, a prefecture
 * or agency server to the national server), which keeps them append-only. Each seal is exactly
 * the seal row (`access_log_seal`), signed with the sender's node key; the receiver checks the
 * signature against the certificate the caller presented in the TLS handshake and refuses a
 * seal of any other node. Idempotent on (node, seal number): the same seal again is fine, a
 * different one under an anchored number is refused (`audit.anchor-conflict`) and raises an
 * alert. Answered by `audit-anchor-ack`.
 */
export type AuditSealAnchor = {
  readonly kind: 'audit-seal-anchor';
  /** Consecutive seals, oldest first (1–AUDIT_ANCHOR_MAX_SEALS). */
  readonly seals: readonly AccessLogSeal[];
};

export type AuditAnchorAck = {
  readonly kind: 'audit-anchor-ack';
  /** Seals stored now. */
  readonly anchored: number;
  /** Seals the receiver already held, identical. */
  readonly duplicates: number;
  /** The highest seal number of the caller the receiver holds after this call. */
  readonly uptoSeal: number;
};

/** The most seals one message carries (a seal is about 300 bytes). */
export const AUDIT_ANCHOR_MAX_SEALS = 100;

const ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HEX_HASH = { max: 64, pattern: /^[0-9a-f]{64}$/, patternText: '64 lowercase hex digits' };
const MAX_SEQ = Number.MAX_SAFE_INTEGER;

function readSeal(r: BodyReader): AccessLogSeal {
  return {
    seq: r.integer('seq', { min: 1, max: MAX_SEQ }),
    uptoSeq: r.integer('uptoSeq', { min: 1, max: MAX_SEQ }),
    at: r.string('at', {
      max: 24,
      pattern: ISO_UTC_MS,
      patternText: 'an ISO 8601 UTC instant with milliseconds',
    }),
    node: r.string('node', NODE_NAME_RULE),
    hash: r.string('hash', HEX_HASH),
    certFingerprint: r.string('certFingerprint', HEX_HASH),
    signature: r.string('signature', {
      max: 256,
      pattern: /^[A-Za-z0-9+/]{16,256}={0,2}$/,
      patternText: 'a base64 DER signature',
    }),
  };
}

export const AuditSealAnchor = defineMessage<AuditSealAnchor, 'audit-anchor-ack'>({
  kind: 'audit-seal-anchor',
  roles: ['request'],
  reply: 'audit-anchor-ack',
  effect: {
    idempotentByContent:
      'a seal is identified by (sender node, seal number) and signed: the same seal again is a duplicate, a different one under that number is refused',
  },
  parse: (r): AuditSealAnchor => {
    const seals = r.objects('seals', { maxItems: AUDIT_ANCHOR_MAX_SEALS }).map(readSeal);
    if (seals.length === 0) r.fail('seals', 'at least one seal is required');
    return { kind: 'audit-seal-anchor', seals };
  },
});

export const AuditAnchorAck = defineMessage<AuditAnchorAck>({
  kind: 'audit-anchor-ack',
  roles: ['reply'],
  reply: undefined,
  effect: 'read',
  parse: (r): AuditAnchorAck => ({
    kind: 'audit-anchor-ack',
    anchored: r.integer('anchored', { min: 0, max: AUDIT_ANCHOR_MAX_SEALS }),
    duplicates: r.integer('duplicates', { min: 0, max: AUDIT_ANCHOR_MAX_SEALS }),
    uptoSeal: r.integer('uptoSeal', { min: 0, max: MAX_SEQ }),
  }),
});

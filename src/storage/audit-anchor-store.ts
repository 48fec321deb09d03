import type { AccessLogSeal } from '../domain/audit/access-log.ts';
import { PostgresAuditAnchorStore } from './postgres/postgres-audit-anchor-store.ts';
import { SqliteAuditAnchorStore } from './sqlite/sqlite-audit-anchor-store.ts';
import { parseStoreUrl } from './store-url.ts';

/**
 * Access-log seals anchored at the upstream node (R23; docs/AUDIT.md "Anchoring at the upstream
 * node"). Migration 0015.
 * - At a prefecture or national server: the seals its downstream nodes sent, append-only.
 * - At the sending node: the highest seal number its upstream node acknowledged.
 */

/** A seal as the upstream node keeps it: the seal row, and when it arrived. */
export type AuditAnchor = AccessLogSeal & { readonly anchoredAt: string };

/** What storing a batch did. A conflict stops the batch: the seals before it are stored. */
export type AnchorResult = {
  readonly anchored: number;
  readonly duplicates: number;
  /** A different seal is anchored under this seal's node and number. */
  readonly conflict?: { readonly seal: AccessLogSeal; readonly anchored: AuditAnchor };
};

export interface AuditAnchorStore {
  /** In one transaction, in order: stores each seal not held; an identical one is a duplicate. */
  anchor(seals: readonly AccessLogSeal[], anchoredAt: string): Promise<AnchorResult>;
  /** One node's anchored seals with seal number > afterSeal, by number, at most `limit`. */
  anchors(node: string, afterSeal: number, limit: number): Promise<AuditAnchor[]>;
  /** The highest seal number anchored for `node` (0: none). */
  lastAnchoredSeal(node: string): Promise<number>;
  /** At the sender: the highest seal number `upstream` acknowledged (0 at first). */
  anchorCursor(upstream: string): Promise<number>;
  /** Moves the cursor forward (never back). */
  setAnchorCursor(upstream: string, sealSeq: number): Promise<void>;
  close(): Promise<void>;
}

/** Opens (and migrates) the anchor tables of the node whose store is `url`. */
export async function openAuditAnchorStore(
  url: string,
  options: { readonly schema?: string } = {},
): Promise<AuditAnchorStore> {
  const location = parseStoreUrl(url);
  switch (location.kind) {
    case 'sqlite':
      return SqliteAuditAnchorStore.open(location.path);
    case 'postgres':
      return PostgresAuditAnchorStore.open(location.connectionString, options);
  }
}

export type AuditAnchorRow = {
  node: string;
  seq: number | string;
  upto_seq: number | string;
  at: string;
  hash: string;
  cert_fingerprint: string;
  signature: string;
  anchored_at: string | Date;
};

export const AUDIT_ANCHOR_COLUMNS =
  'node, seq, upto_seq, at, hash, cert_fingerprint, signature, anchored_at';

export const auditAnchorValues = (s: AccessLogSeal, anchoredAt: string): (string | number)[] => [
  s.node,
  s.seq,
  s.uptoSeq,
  s.at,
  s.hash,
  s.certFingerprint,
  s.signature,
  anchoredAt,
];

export const auditAnchorFromRow = (r: AuditAnchorRow): AuditAnchor => ({
  seq: Number(r.seq),
  uptoSeq: Number(r.upto_seq),
  at: r.at,
  node: r.node,
  hash: r.hash,
  certFingerprint: r.cert_fingerprint,
  signature: r.signature,
  anchoredAt: r.anchored_at instanceof Date ? r.anchored_at.toISOString() : r.anchored_at,
});

/** The seal fields of an anchor (without when it arrived). */
export const sealOfAnchor = ({ anchoredAt: _, ...seal }: AuditAnchor): AccessLogSeal => seal;

/** Two seals are the same seal when every field of the row is equal. */
export const sameSeal = (a: AccessLogSeal, b: AccessLogSeal): boolean =>
  a.seq === b.seq &&
  a.uptoSeq === b.uptoSeq &&
  a.at === b.at &&
  a.node === b.node &&
  a.hash === b.hash &&
  a.certFingerprint === b.certFingerprint &&
  a.signature === b.signature;

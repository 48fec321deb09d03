import { checkSeal, type AccessLogSeal } from '../domain/audit/access-log.ts';
import { RegistryError } from '../domain/errors.ts';
import type { AnchorResult, AuditAnchorStore } from '../storage/audit-anchor-store.ts';
import { sameSeal } from '../storage/audit-anchor-store.ts';
import type { AccessLogStore } from '../storage/ports.ts';
import { sealCertificate, sealSignatureValid } from './seal-key.ts';

/*
 * Anchoring the access log's seals at the upstream node (R23; docs/AUDIT.md "Anchoring at the
 * upstream node"), in the manner of X-Road's time-stamping of its message log: once a seal has
 * left the node, whoever holds the node's key and database can no longer rewrite the log and
 * seal it again unseen — the rewritten seals differ from the anchored ones.
 */

/** The authenticated caller: its node name and the certificate it presented in the TLS handshake. */
export type AnchorCaller = {
  readonly node: string;
  /** The DER (or PEM) of the caller's certificate, from the TLS session: never from the message. */
  readonly certificate: string | Uint8Array;
};

/**
 * The receiver's side: checks every seal first (fields, the caller's node, the signature with the
 * caller's certificate), then stores them in one transaction. Refuses the whole call on a seal
 * that fails a check (nothing stored). A seal that differs from one anchored under the same
 * (node, seal number) is a conflict: `onConflict` is told (the node raises an alert), the seals
 * before it are kept, and the call is refused with `audit.anchor-conflict`.
 */
export async function anchorSeals(
  store: AuditAnchorStore,
  caller: AnchorCaller,
  seals: readonly AccessLogSeal[],
  options: {
    readonly now?: string;
    readonly onConflict?: (conflict: NonNullable<AnchorResult['conflict']>) => Promise<void> | void;
  } = {},
): Promise<{ anchored: number; duplicates: number; uptoSeal: number }> {
  const cert = sealCertificate(caller.certificate);
  for (const s of seals) {
    const seal = checkSeal(s);
    if (seal.node !== caller.node || (cert.node !== undefined && cert.node !== caller.node))
      throw new RegistryError(
        'forbidden',
        `封印 ${seal.seq} は ${seal.node} のものです。送れるのは自ノード（${caller.node}）の封印だけです / seal ${seal.seq} names ${seal.node}: a node anchors its own seals only (${caller.node})`,
        'audit.anchor-node',
      );
    if (seal.certFingerprint !== cert.fingerprint || !sealSignatureValid(seal, cert))
      throw new RegistryError(
        'invalid',
        `封印 ${seal.seq} の署名が送信元の証明書で検証できません / seal ${seal.seq} does not verify with the caller's certificate`,
        'audit.anchor-signature',
      );
  }
  const result = await store.anchor(seals, options.now ?? new Date().toISOString());
  if (result.conflict !== undefined) {
    await options.onConflict?.(result.conflict);
    const { seal, anchored } = result.conflict;
    throw new RegistryError(
      'conflict',
      `${seal.node} の封印 ${seal.seq} は既に別の内容で保管されています（封印済みのログが書き換えられた疑い） / ` +
        `seal ${seal.seq} of ${seal.node} differs from the one anchored on ${anchored.anchoredAt}: a sealed log was rewritten`,
      'audit.anchor-conflict',
    );
  }
  return {
    anchored: result.anchored,
    duplicates: result.duplicates,
    uptoSeal: await store.lastAnchoredSeal(caller.node),
  };
}

/** `AUDIT_ANCHOR_CONFLICT` alert detail: identifiers and hashes only. */
export function anchorConflictDetail(conflict: NonNullable<AnchorResult['conflict']>): string {
  const { seal, anchored } = conflict;
  return (
    `seal ${seal.seq} of ${seal.node}: anchored upto=${anchored.uptoSeq} hash=${anchored.hash.slice(0, 16)}… ` +
    `at=${anchored.at}, now upto=${seal.uptoSeq} hash=${seal.hash.slice(0, 16)}… at=${seal.at}`
  );
}

/** An anchor problem found by `checkAnchors`, in verify's terms. */
export type AnchorProblem = {
  readonly kind: 'anchor-mismatch' | 'anchor-missing-locally';
  readonly seq: number;
  readonly sealSeq: number;
  readonly detail: string;
};

export type AnchorCheck = {
  /** Anchored seals compared with the log's. */
  readonly anchors: number;
  /** The log's seals past the last anchored one (not yet anchored; not a problem). */
  readonly notAnchored: number;
  readonly problem: AnchorProblem | undefined;
};

/**
 * Compares the log's seals with the seals its upstream node anchored: each anchored seal must be
 * in the log, identical. Reads the log's seals in pages (bounded memory besides the anchors).
 */
export async function checkAnchors(
  store: AccessLogStore,
  anchors: readonly AccessLogSeal[],
  pageSize = 1000,
): Promise<AnchorCheck> {
  const sorted = [...anchors].sort((a, b) => a.seq - b.seq);
  let i = 0;
  let lastLocal = 0;
  for (let after = 0; ;) {
    const page = await store.seals(after, pageSize);
    for (const local of page) {
      lastLocal = local.seq;
      const a = sorted[i];
      if (a !== undefined && a.seq < local.seq)
        return { anchors: sorted.length, notAnchored: 0, problem: missing(a) };
      if (a === undefined || a.seq !== local.seq) continue;
      if (!sameSeal(a, local))
        return {
          anchors: sorted.length,
          notAnchored: 0,
          problem: {
            kind: 'anchor-mismatch',
            seq: local.uptoSeq,
            sealSeq: local.seq,
            detail:
              `封印 ${local.seq} が上位ノードに保管された封印と違います（記録 ${a.uptoSeq} まで、${a.at}）。封印済みのログが書き換えられ、封印し直されています / ` +
              `seal ${local.seq} differs from the one anchored upstream (up to record ${a.uptoSeq}, ${a.at}): the log was rewritten and sealed again`,
          },
        };
      i++;
    }
    if (page.length < pageSize) break;
    after = page.at(-1)!.seq;
  }
  const gone = sorted[i];
  if (gone !== undefined) return { anchors: sorted.length, notAnchored: 0, problem: missing(gone) };
  const lastAnchored = sorted.at(-1)?.seq ?? 0;
  return {
    anchors: sorted.length,
    notAnchored: Math.max(0, lastLocal - lastAnchored),
    problem: undefined,
  };
}

const missing = (a: AccessLogSeal): AnchorProblem => ({
  kind: 'anchor-missing-locally',
  seq: a.uptoSeq,
  sealSeq: a.seq,
  detail:
    `上位ノードに保管された封印 ${a.seq}（記録 ${a.uptoSeq} まで、${a.at}）がログにありません（切り詰め・書き換え） / ` +
    `seal ${a.seq} anchored upstream (up to record ${a.uptoSeq}, ${a.at}) is not in the log: truncated or rewritten`,
});

/**
 * Reads an anchors export (`juki audit anchors --json`): `{ node, anchors: [seal, …] }`, or a
 * bare list of seals. Each seal's fields are checked; throws RegistryError('invalid', …,
 * 'audit.anchors-file') otherwise.
 */
export function parseAnchorsExport(text: string): AccessLogSeal[] {
  const bad = (why: string, cause?: unknown): never => {
    throw new RegistryError(
      'invalid',
      `封印の保管記録ファイルを読めません / not an anchors export: ${why}`,
      'audit.anchors-file',
      cause === undefined ? undefined : { cause },
    );
  };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return bad('not JSON', e);
  }
  const list: unknown = Array.isArray(body)
    ? body
    : ((body as { anchors?: unknown } | null)?.anchors ?? bad('no anchors'));
  if (!Array.isArray(list)) return bad('anchors is not a list');
  return list.map((item: unknown, n) => {
    try {
      return checkSeal(item as AccessLogSeal);
    } catch (e) {
      return bad(`anchor ${n + 1}: ${(e as Error).message}`, e);
    }
  });
}

import { GENESIS_HASH, type AccessLogSeal, type AccessRecord } from '../domain/audit/access-log.ts';
import { recordHash } from '../domain/audit/canonical.ts';
import type { AccessLogStore } from '../storage/ports.ts';
import { checkAnchors } from './anchor.ts';
import { sealCertificate, sealSignatureValid, sha256, type SealCertificate } from './seal-key.ts';

/**
 * `juki audit verify` (docs/AUDIT.md "What verify reports"): walks the whole log in pages
 * (bounded memory), recomputes every hash, checks that seq runs 1, 2, 3, … and that each record
 * names the hash of the one before, checks every seal's signature and that it seals the record at
 * its `uptoSeq`. Stops at the first problem and says where.
 */

export type TamperKind =
  | 'changed'
  | 'removed'
  | 'reordered'
  | 'inserted'
  | 'seal-invalid'
  /** A seal differs from the one the upstream node anchored: the log was re-sealed. */
  | 'anchor-mismatch'
  /** A seal the upstream node anchored is not in the log: truncated or rewritten. */
  | 'anchor-missing-locally';

export type VerifyProblem = {
  readonly kind: TamperKind;
  /** The record where the problem shows (for `removed`: the last record before the gap). */
  readonly seq: number;
  /** The seal concerned, for `seal-invalid` (and `removed` found through a seal). */
  readonly sealSeq?: number;
  /** Japanese / English, for people. */
  readonly detail: string;
};

export type VerifyReport = {
  /** No tampering found (an unsealed tail is a warning, not tampering). */
  readonly ok: boolean;
  readonly records: number;
  readonly seals: number;
  readonly lastSeq: number;
  readonly lastSeal: AccessLogSeal | undefined;
  readonly problem: VerifyProblem | undefined;
  /** Records after the last seal: nothing proves they were not appended by someone else. */
  readonly unsealedTail: { readonly fromSeq: number; readonly count: number } | undefined;
  /** With `anchors`: how many anchored seals were compared, and the log's seals not anchored yet. */
  readonly anchors?: { readonly compared: number; readonly notAnchored: number };
};

export type VerifyOptions = {
  readonly pageSize?: number;
  /**
   * The seals the upstream node anchored for this node (`juki audit anchors`): each must be in
   * the log, identical. Compared once the chain and the seals verify.
   */
  readonly anchors?: readonly AccessLogSeal[];
};

/** Reads records by seq in pages, with one record of lookahead. */
class Pager<T extends { seq: number }> {
  #buffer: T[] = [];
  #after = 0;
  #done = false;

  constructor(
    private readonly fetch: (after: number, limit: number) => Promise<T[]>,
    private readonly pageSize: number,
  ) {}

  async peek(): Promise<T | undefined> {
    if (this.#buffer.length === 0 && !this.#done) {
      const page = await this.fetch(this.#after, this.pageSize);
      if (page.length < this.pageSize) this.#done = true;
      const last = page.at(-1);
      if (last !== undefined) this.#after = last.seq;
      this.#buffer = page;
    }
    return this.#buffer[0];
  }

  async next(): Promise<T | undefined> {
    const item = await this.peek();
    this.#buffer.shift();
    return item;
  }
}

const problem = (
  kind: TamperKind,
  seq: number,
  ja: string,
  en: string,
  sealSeq?: number,
): VerifyProblem => ({
  kind,
  seq,
  ...(sealSeq === undefined ? {} : { sealSeq }),
  detail: `${ja} / ${en}`,
});

/** The first problem of the chain at record `r` (prev: the record before, if any). */
function chainProblem(
  r: AccessRecord,
  prev: { seq: number; hash: string },
  prevprevHash: string | undefined,
  next: AccessRecord | undefined,
): VerifyProblem | undefined {
  const intact = recordHash(r, sha256) === r.hash;
  const linked = r.prevHash === prev.hash;
  const nextSkipsR = next !== undefined && next.prevHash === prev.hash;
  if (!intact) {
    // A changed record keeps its link; one that neither hashes right nor follows its
    // predecessor, and that nothing follows, was put there.
    if (nextSkipsR || (!linked && next === undefined))
      return problem(
        'inserted',
        r.seq,
        next === undefined
          ? `最後の記録 ${r.seq} はハッシュが合わず、記録 ${prev.seq} にも続いていません（偽の記録）`
          : `記録 ${r.seq} は連鎖にない偽の記録です（次の記録は記録 ${prev.seq} に続いています）`,
        next === undefined
          ? `the last record ${r.seq} neither matches its hash nor follows record ${prev.seq} (forged)`
          : `record ${r.seq} is not part of the chain: the next record follows record ${prev.seq}`,
      );
    return problem(
      'changed',
      r.seq,
      `記録 ${r.seq} の内容がハッシュと一致しません（改ざん）`,
      `record ${r.seq}'s content does not match its hash (changed)`,
    );
  }
  if (linked) return undefined;
  if (prevprevHash !== undefined && r.prevHash === prevprevHash)
    return problem(
      'inserted',
      prev.seq,
      `記録 ${prev.seq} は挿入された記録です（記録 ${r.seq} はその前の記録に続いています）`,
      `record ${prev.seq} was inserted: record ${r.seq} follows the record before it`,
    );
  if (nextSkipsR && r.prevHash !== next.hash)
    return problem(
      'inserted',
      r.seq,
      `記録 ${r.seq} は挿入された記録です（次の記録は記録 ${prev.seq} に続いています）`,
      `record ${r.seq} was inserted: the next record follows record ${prev.seq}`,
    );
  if (next === undefined && r.seq > 1)
    return problem(
      'inserted',
      r.seq,
      `最後の記録 ${r.seq} は記録 ${prev.seq} に続いていません（末尾に挿入）`,
      `the last record ${r.seq} does not follow record ${prev.seq} (appended by someone else)`,
    );
  return problem(
    'reordered',
    r.seq,
    `記録 ${r.seq} は記録 ${prev.seq} に続いていません（両方とも内容は無傷: 順序の入れ替え、または削除と番号の付け替え）`,
    `record ${r.seq} does not follow record ${prev.seq} though both are intact ` +
      '(reordered, or removed and renumbered)',
  );
}

function sealProblem(
  seal: AccessLogSeal,
  expectedSeq: number,
  previousUpto: number,
  certificates: ReadonlyMap<string, SealCertificate>,
): VerifyProblem | undefined {
  const bad = (ja: string, en: string) =>
    problem(
      'seal-invalid',
      seal.uptoSeq,
      `封印 ${seal.seq}: ${ja}`,
      `seal ${seal.seq}: ${en}`,
      seal.seq,
    );
  if (seal.seq !== expectedSeq)
    return bad(
      `封印番号が連続していません（${expectedSeq} のはず）`,
      `seal numbers skip (expected ${expectedSeq})`,
    );
  if (seal.uptoSeq <= previousUpto)
    return bad(
      `前の封印（記録 ${previousUpto} まで）より後ろを封印していません`,
      `does not seal past the previous seal (record ${previousUpto})`,
    );
  const cert = certificates.get(seal.certFingerprint);
  if (cert === undefined)
    return bad(
      `与えられた証明書のどれでもない鍵で署名されています（指紋 ${seal.certFingerprint.slice(0, 16)}…）`,
      `signed with a certificate not given (fingerprint ${seal.certFingerprint.slice(0, 16)}…)`,
    );
  if (!sealSignatureValid(seal, cert))
    return bad('署名が正しくありません', 'the signature does not verify');
  if (cert.node !== undefined && cert.node !== seal.node)
    return bad(
      `証明書のノード ${cert.node} と封印のノード ${seal.node} が違います`,
      `the certificate names ${cert.node}, the seal ${seal.node}`,
    );
  return undefined;
}

/**
 * Verifies the log against the node's certificate(s) (PEM): the current one and any earlier one
 * whose key sealed part of the log.
 */
export async function verifyAccessLog(
  store: AccessLogStore,
  certificatePems: string | readonly string[],
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const report = await walkLog(store, certificatePems, options);
  if (options.anchors === undefined || !report.ok) return report;
  const checked = await checkAnchors(store, options.anchors, options.pageSize);
  const anchors = { compared: checked.anchors, notAnchored: checked.notAnchored };
  return checked.problem === undefined
    ? { ...report, anchors }
    : { ...report, ok: false, problem: checked.problem, unsealedTail: undefined, anchors };
}

async function walkLog(
  store: AccessLogStore,
  certificatePems: string | readonly string[],
  options: VerifyOptions,
): Promise<VerifyReport> {
  const pageSize = options.pageSize ?? 1000;
  const certificates = new Map<string, SealCertificate>();
  for (const pem of typeof certificatePems === 'string' ? [certificatePems] : certificatePems) {
    const c = sealCertificate(pem);
    certificates.set(c.fingerprint, c);
  }
  const records = new Pager((after, limit) => store.page(after, limit), pageSize);
  const seals = new Pager((after, limit) => store.seals(after, limit), pageSize);

  let prev = { seq: 0, hash: GENESIS_HASH };
  let prevprevHash: string | undefined;
  let count = 0;
  let sealCount = 0;
  let lastSeal: AccessLogSeal | undefined;
  let found: VerifyProblem | undefined;
  const report = (): VerifyReport => {
    const sealedUpto = lastSeal?.uptoSeq ?? 0;
    return {
      ok: found === undefined,
      records: count,
      seals: sealCount,
      lastSeq: prev.seq,
      lastSeal,
      problem: found,
      unsealedTail:
        found === undefined && prev.seq > sealedUpto
          ? { fromSeq: sealedUpto + 1, count: prev.seq - sealedUpto }
          : undefined,
    };
  };

  for (let r = await records.next(); r !== undefined; r = await records.next()) {
    const expected = prev.seq + 1;
    if (r.seq < expected) {
      found = problem(
        'inserted',
        r.seq,
        `記録番号 ${r.seq} は 1 から始まる連番の外です`,
        `seq ${r.seq} is outside 1, 2, 3, …`,
      );
      return report();
    }
    if (r.seq > expected) {
      found = problem(
        'removed',
        prev.seq,
        `記録 ${prev.seq} の後の記録 ${expected}〜${r.seq - 1} が削除されています`,
        `records ${expected}–${r.seq - 1} after record ${prev.seq} were removed`,
      );
      return report();
    }
    found = chainProblem(r, prev, prevprevHash, await records.peek());
    if (found !== undefined) return report();
    count++;
    prevprevHash = prev.hash;
    prev = { seq: r.seq, hash: r.hash };

    for (
      let s = await seals.peek();
      s !== undefined && s.uptoSeq <= r.seq;
      s = await seals.peek()
    ) {
      await seals.next();
      found = sealProblem(s, sealCount + 1, lastSeal?.uptoSeq ?? 0, certificates);
      if (found === undefined && s.hash !== r.hash)
        found = problem(
          'seal-invalid',
          s.uptoSeq,
          `封印 ${s.seq} のハッシュが記録 ${s.uptoSeq} のハッシュと違います`,
          `seal ${s.seq}'s hash is not the hash of record ${s.uptoSeq}`,
          s.seq,
        );
      if (found !== undefined) return report();
      sealCount++;
      lastSeal = s;
    }
  }
  const pending = await seals.peek();
  if (pending !== undefined) {
    found =
      sealProblem(pending, sealCount + 1, lastSeal?.uptoSeq ?? 0, certificates) ??
      problem(
        'removed',
        prev.seq,
        `封印 ${pending.seq} は記録 ${pending.uptoSeq} までを封印していますが、ログは記録 ${prev.seq} で終わっています（末尾の削除）`,
        `seal ${pending.seq} seals up to record ${pending.uptoSeq} but the log ends at record ${prev.seq} (tail removed)`,
        pending.seq,
      );
  }
  return report();
}

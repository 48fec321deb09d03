import { RegistryError } from '../domain/errors.ts';
import {
  authorizeIntegrityScope,
  inIntegrityScope,
  type IntegrityScope,
} from '../domain/integrity/IntegrityScope.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import type { IntegrityRepaired } from '../protocol/messages/IntegrityRepaired.ts';
import type { IntegrityResult } from '../protocol/messages/IntegrityResult.ts';
import type { HandlerContext } from '../protocol/session/incoming-call.ts';
import type { Session } from '../protocol/session/session.ts';
import type { IdentityStore } from '../storage/ports.ts';
import { ByteMeter } from './byte-meter.ts';
import { depthForCount, rangeStart } from './code-space.ts';
import { compareRange, DIFFERENCE_KINDS, DifferenceTally } from './compare.ts';
import { HashTree } from './hash-tree.ts';
import { ITEM_BYTES, MAX_LISTED_DIFFERENCES, messageBudget } from './limits.ts';

/** Checks under way on one session, at most (a new offer beyond is refused `rate-limited`). */
export const MAX_OPEN_CHECKS = 2;
/** Concluded checks kept for their repair, per session (the oldest is forgotten first). */
const MAX_KEPT_CHECKS = 8;

export type IntegrityReceiverOptions = {
  /** The receiver's store: its file is compared, recorded in, and repaired. */
  readonly store: IdentityStore;
  readonly self: NodeRef;
  /** The peer as the transport authenticated it (its certificate): scopes are authorized on it. */
  readonly peer: NodeRef;
};

/** One check as the receiver follows it: what it has compared, found and answered. */
type Check = {
  readonly scope: IntegrityScope;
  readonly senderCount: number;
  readonly receiverCount: number;
  readonly depth: number;
  readonly startedAt: string;
  readonly tree: Promise<HashTree>;
  readonly abort: AbortController;
  readonly meter: ByteMeter;
  readonly found: DifferenceTally;
  /** Nodes (heap numbering: 2^level + index) the sender still has to compare: the children of a differing node. */
  readonly expected: Set<number>;
  /** Differing buckets, whose records the sender has to list. */
  readonly pendingLeaves: number[];
  /** Code ranges the sender has listed, merged, ascending: [from, to). */
  readonly covered: [number, number][];
  started: boolean;
  result?: IntegrityResult;
  readonly repairs: Map<string, IntegrityRepaired>;
};

const refuse = (code: RegistryError['code'], reason: string, message: string): never => {
  throw new RegistryError(code, message, reason);
};

/**
 * The receiver's side of 本人確認情報整合 (R20; docs/INTEGRITY.md), on one session with a lower
 * node: registers the handlers of the integrity-check requests, synchronously (call it in the
 * listener's `onSession`, between the session guard and its seal). The receiver:
 * - authorizes the scope against `peer` (a CS its own municipality, a prefecture its own
 *   prefecture) before reading anything: `forbidden` `integrity.scope-forbidden` otherwise;
 * - builds its own hash tree of the scope as soon as it accepts, and compares the sender's hashes
 *   and records with its own;
 * - checks that the sender compared everything (the whole first level, the children of every
 *   differing node, every differing bucket listed) before it concludes, so that the result it
 *   records and notifies is its own finding;
 * - repairs only codes the check found, in its scope.
 * State lives on the session: a check and its repair run on one session; closing it forgets them.
 */
export function registerIntegrityHandlers(
  session: Session,
  options: IntegrityReceiverOptions,
): void {
  const { store, self, peer } = options;
  const checks = new Map<string, Check>();
  session.on('close', () => {
    for (const c of checks.values()) c.abort.abort(new Error('the session closed'));
    checks.clear();
  });

  const known = (checkId: string, context: HandlerContext): Check => {
    if (context.peer.name !== nodeName(peer))
      refuse('forbidden', 'integrity.wrong-peer', `the session's peer is not ${nodeName(peer)}`);
    const check = checks.get(checkId);
    if (check === undefined)
      return refuse(
        'not-found',
        'integrity.unknown-check',
        `整合性検査がありません / no check ${checkId} on this session`,
      );
    return check;
  };

  session.handle('integrity-offer', async (m, context) => {
    if (context.peer.name !== nodeName(peer))
      refuse('forbidden', 'integrity.wrong-peer', `the session's peer is not ${nodeName(peer)}`);
    const decision = authorizeIntegrityScope(peer, self, m.scope);
    if (!decision.allowed)
      refuse(
        'forbidden',
        'integrity.scope-forbidden',
        `整合性検査の範囲外です / ${decision.reason}`,
      );
    if (checks.has(m.checkId))
      refuse('conflict', 'integrity.check-exists', `check ${m.checkId} is already under way`);
    if ([...checks.values()].filter((c) => c.result === undefined).length >= MAX_OPEN_CHECKS)
      refuse(
        'rate-limited',
        'integrity.too-many-checks',
        `at most ${MAX_OPEN_CHECKS} checks at once on one session`,
      );
    const meter = new ByteMeter();
    meter.receive(m);
    const receiverCount = await store.countScope(m.scope);
    const depth = depthForCount(Math.max(m.count, receiverCount));
    const abort = new AbortController();
    const tree = HashTree.build(store.scanScope(m.scope), depth, { signal: abort.signal });
    tree.catch(() => undefined); // awaited by the descent; a failure is reported there
    checks.set(m.checkId, {
      scope: m.scope,
      senderCount: m.count,
      receiverCount,
      depth,
      startedAt: new Date().toISOString(),
      tree,
      abort,
      meter,
      found: new DifferenceTally(MAX_LISTED_DIFFERENCES),
      expected: new Set(),
      pendingLeaves: [],
      covered: [],
      started: false,
      repairs: new Map(),
    });
    forgetOldChecks(checks);
    return meter.send({
      kind: 'integrity-accept' as const,
      checkId: m.checkId,
      count: receiverCount,
      depth,
    });
  });

  session.handle('integrity-descend', async (m, context) => {
    const check = known(m.checkId, context);
    check.meter.receive(m);
    if (check.result !== undefined)
      refuse('conflict', 'integrity.concluded', `check ${m.checkId} is concluded`);
    if (m.depth > check.depth)
      refuse('invalid', 'integrity.bad-depth', `the tree of ${m.checkId} has depth ${check.depth}`);
    if (!check.started) {
      // The first comparison covers the whole code space: every node of its level.
      if (m.indices.length !== 2 ** m.depth)
        refuse('invalid', 'integrity.incomplete', 'the first level must be sent whole');
      check.started = true;
    }
    let tree: HashTree;
    try {
      tree = await check.tree;
    } catch (e) {
      return refuse(
        'unavailable',
        'integrity.scan-failed',
        `整合性検査: 自ノードの読み出しに失敗 / reading this node's file failed: ${(e as Error).message}`,
      );
    }
    const differing = tree.differing(m.depth, m.indices, m.hashes);
    const base = 2 ** m.depth;
    for (const i of m.indices) check.expected.delete(base + i);
    for (const i of differing) {
      if (m.depth < check.depth) {
        check.expected.add(2 * base + 2 * i);
        check.expected.add(2 * base + 2 * i + 1);
      } else check.pendingLeaves.push(i);
    }
    return check.meter.send({
      kind: 'integrity-nodes' as const,
      checkId: m.checkId,
      depth: m.depth,
      differing,
    });
  });

  session.handle('integrity-entries', async (m, context) => {
    const check = known(m.checkId, context);
    check.meter.receive(m);
    if (check.result !== undefined)
      refuse('conflict', 'integrity.concluded', `check ${m.checkId} is concluded`);
    // This reply lists what fits the sender's frames (and the check's cap); it counts everything.
    const room = Math.floor(messageBudget(context.peer.maxFrameSize) / ITEM_BYTES.code);
    const reply = new DifferenceTally(
      Math.max(0, Math.min(room, MAX_LISTED_DIFFERENCES - check.found.listed)),
    );
    for (const r of m.ranges) {
      const mine = store.scanScope(
        check.scope,
        r.to === undefined ? { fromCode: r.from } : { fromCode: r.from, toCode: r.to },
      );
      await compareRange(r.codes, r.digests, mine, reply);
      cover(check.covered, Number(r.from), r.to === undefined ? Infinity : Number(r.to));
    }
    for (const kind of DIFFERENCE_KINDS) {
      for (const code of reply.codes[kind]) check.found.add(kind, code);
      check.found.counts[kind] += reply.counts[kind] - reply.codes[kind].length;
    }
    if (reply.truncated) check.found.truncated = true;
    return check.meter.send({
      kind: 'integrity-differences' as const,
      checkId: m.checkId,
      ...reply.codes,
      counts: { ...reply.counts },
      truncated: reply.truncated,
    });
  });

  session.handle('integrity-conclude', async (m, context) => {
    const check = known(m.checkId, context);
    if (check.result !== undefined) return check.result; // a retried conclude: the same result
    check.meter.receive(m);
    const leavesLeft = uncoveredLeaves(check.covered, check.depth, check.pendingLeaves);
    if (!check.started || check.expected.size > 0 || leavesLeft.length > 0)
      refuse(
        'invalid',
        'integrity.incomplete',
        `整合性検査が未完了です / the check is not complete: ${check.expected.size} nodes and ` +
          `${leavesLeft.length} buckets not compared`,
      );
    const tree = await check.tree;
    const found = check.found;
    const result: IntegrityResult = {
      kind: 'integrity-result',
      checkId: m.checkId,
      matching: found.total === 0,
      senderCount: check.senderCount,
      receiverCount: tree.count,
      counts: { ...found.counts },
      truncated: found.truncated,
    };
    check.meter.send(result);
    await store.recordIntegrityCheck({
      checkId: m.checkId,
      role: 'receiver',
      peer: nodeName(peer),
      scope: check.scope,
      startedAt: check.startedAt,
      finishedAt: new Date().toISOString(),
      localCount: tree.count,
      peerCount: check.senderCount,
      depth: check.depth,
      matching: result.matching,
      differenceCounts: result.counts,
      differences: found.codes,
      truncated: found.truncated,
      bytesSent: check.meter.sent,
      bytesReceived: check.meter.received,
      repaired: { inserted: 0, updated: 0, removed: 0, conflicts: 0 },
    });
    check.result = result;
    return result;
  });

  session.handle('integrity-repair', async (m, context) => {
    const check = known(m.checkId, context);
    const done = check.repairs.get(m.idempotencyKey);
    if (done !== undefined) return done; // a retried repair message: the same answer
    if (check.result === undefined)
      refuse('conflict', 'integrity.not-concluded', `check ${m.checkId} is not concluded`);
    // Only what the check found, only in its scope: a repair is never a way to write elsewhere.
    const upsertable = new Set([
      ...check.found.codes.missingAtReceiver,
      ...check.found.codes.differingValues,
    ]);
    const extra = new Set(check.found.codes.extraAtReceiver);
    const outside =
      m.upsert.find(
        (r) =>
          !upsertable.has(r.residentCode) || !inIntegrityScope(check.scope, r.localGovernmentCode),
      )?.residentCode ?? m.notResident.find((c) => !extra.has(c));
    if (outside !== undefined)
      refuse(
        'forbidden',
        'integrity.repair-outside-check',
        `整合性検査で見つかっていない記録は修復できません / ${outside} is not a difference this check found in its scope`,
      );
    const report = await store.repairIdentities(m.checkId, {
      scope: check.scope,
      upsert: m.upsert,
      notResident: m.notResident,
    });
    const reply: IntegrityRepaired = {
      kind: 'integrity-repaired',
      idempotencyKey: m.idempotencyKey,
      checkId: m.checkId,
      inserted: report.inserted,
      updated: report.updated,
      removed: report.removed,
      unchanged: report.unchanged,
      conflicts: [...report.conflictCodes].sort(),
    };
    check.repairs.set(m.idempotencyKey, reply);
    return reply;
  });
}

/** Adds [from, to) to the ranges the sender has listed (merged at the end). */
function cover(covered: [number, number][], from: number, to: number): void {
  const last = covered.at(-1);
  if (last !== undefined && last[0] <= from && from <= last[1]) last[1] = Math.max(last[1], to);
  else covered.push([from, to]);
}

/** Which of `leaves` (at `depth`) are not wholly inside the listed ranges. */
function uncoveredLeaves(
  covered: readonly [number, number][],
  depth: number,
  leaves: readonly number[],
): number[] {
  const merged: [number, number][] = [];
  for (const [a, b] of [...covered].sort((x, y) => x[0] - y[0])) {
    const last = merged.at(-1);
    if (last !== undefined && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return leaves.filter((leaf) => {
    const from = rangeStart(depth, leaf);
    const to = rangeStart(depth, leaf + 1);
    // The last merged range starting at or before `from`.
    let lo = 0;
    let hi = merged.length - 1;
    let at = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (merged[mid]![0] <= from) {
        at = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return at < 0 || merged[at]![1] < to;
  });
}

function forgetOldChecks(checks: Map<string, Check>): void {
  for (const [id, c] of checks) {
    if (checks.size <= MAX_KEPT_CHECKS) return;
    if (c.result !== undefined) checks.delete(id);
  }
}

import { RegistryError } from '../domain/errors.ts';
import {
  authorizeIntegrityScope,
  inIntegrityScope,
  type IntegrityScope,
} from '../domain/integrity/IntegrityScope.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import { identityInfoOf } from '../domain/resident/IdentityInfo.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import type { IntegrityRange } from '../protocol/messages/IntegrityEntries.ts';
import { integrityConclude } from '../protocol/messages/IntegrityConclude.ts';
import { repairKey } from '../protocol/messages/IntegrityRepair.ts';
import type { IntegrityRepairRecord } from '../protocol/messages/integrity-fields.ts';
import type { RequestMessage, ReplyOf } from '../protocol/messages/registry.ts';
import type { Session } from '../protocol/session/session.ts';
import type { IdentityStore } from '../storage/ports.ts';
import { ByteMeter } from './byte-meter.ts';
import { boundCode, depthForCount, rangeBounds } from './code-space.ts';
import { DIFFERENCE_KINDS, DifferenceTally } from './compare.ts';
import { HashTree } from './hash-tree.ts';
import {
  DEFAULT_CALL_TIMEOUT_MS,
  ITEM_BYTES,
  MAX_BUCKETS_PER_RANGE,
  MAX_LISTED_DIFFERENCES,
  MAX_REPAIR_RECORDS,
  messageBudget,
  START_DEPTH,
} from './limits.ts';
import { entryDigest } from './record-digest.ts';
import type { IntegrityReport, RepairSummary } from './report.ts';

export type RunIntegrityCheckOptions = {
  /** A ready (or readying) session with the upper node: CS → prefecture, prefecture → national. */
  readonly session: Session;
  /** The sender's own store: its file is what is checked. */
  readonly store: IdentityStore;
  readonly scope: IntegrityScope;
  /** Unique per check (CHECK_ID: letters, digits, . _ : -, ≤ 128); keys the writes. */
  readonly checkId: string;
  /** Re-send the differing records so that the receiver repairs its file. */
  readonly repair: boolean;
  readonly self: NodeRef;
  readonly peer: NodeRef;
  /** Per call (default 10 minutes: the first descent waits for the receiver's scan). */
  readonly callTimeoutMs?: number;
};

/**
 * The sender's side of 本人確認情報整合 (R20; docs/INTEGRITY.md): the lower node offers its file of
 * `scope`, both ends build the hash tree of their file, the sender descends the tree with the
 * receiver down to the differing buckets, lists their records (code + digest), and concludes; the
 * receiver notifies the result and records it. With `repair`, the records missing or differing at
 * the receiver are re-sent and the receiver's extra residents named, and the receiver repairs.
 * The sender records its own view of the check and returns it.
 */
export async function runIntegrityCheck(
  options: RunIntegrityCheckOptions,
): Promise<IntegrityReport> {
  const { session, store, scope, checkId, self, peer } = options;
  const allowed = authorizeIntegrityScope(self, peer, scope);
  if (!allowed.allowed)
    throw new RegistryError(
      'forbidden',
      `整合性検査の範囲外です / ${allowed.reason}`,
      'integrity.scope-forbidden',
    );
  const peerInfo = await session.ready;
  if (peerInfo.name !== nodeName(peer))
    throw new RegistryError(
      'invalid',
      `the session is with ${peerInfo.name}, not ${nodeName(peer)}`,
      'integrity.wrong-peer',
    );
  const startedAt = new Date().toISOString();
  const budget = messageBudget(peerInfo.maxFrameSize);
  const meter = new ByteMeter();
  let calls = 0;
  const timeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const call = async <M extends RequestMessage>(m: M): Promise<ReplyOf<M['kind']>> => {
    calls++;
    const reply = await session.request(meter.send(m), { timeoutMs });
    meter.receive(reply);
    const replyCheck = (reply as { checkId?: unknown }).checkId;
    if (replyCheck !== checkId) throw protocolFault(`a reply for check ${String(replyCheck)}`);
    return reply;
  };

  const count = await store.countScope(scope);
  const accept = await call({ kind: 'integrity-offer', checkId, scope, count });
  const depth = depthForCount(Math.max(count, accept.count));
  if (accept.depth !== depth) throw protocolFault(`tree depth ${accept.depth}, expected ${depth}`);
  const tree = await HashTree.build(store.scanScope(scope), depth);

  // The descent: from START_DEPTH (all nodes), then the children of each differing node.
  let level = Math.min(START_DEPTH, depth);
  let indices = Array.from({ length: 2 ** level }, (_, i) => i);
  let differing: number[];
  for (;;) {
    differing = [];
    const perMessage = Math.max(1, Math.floor(budget / ITEM_BYTES.node));
    for (let i = 0; i < indices.length; i += perMessage) {
      const chunk = indices.slice(i, i + perMessage);
      const nodes = await call({
        kind: 'integrity-descend',
        checkId,
        depth: level,
        indices: chunk,
        hashes: tree.hashesOf(level, chunk),
      });
      const sent = new Set(chunk);
      if (nodes.depth !== level || !nodes.differing.every((n) => sent.has(n)))
        throw protocolFault('the differing nodes are not among those sent');
      differing.push(...nodes.differing);
    }
    if (level === depth || differing.length === 0) break;
    indices = differing.flatMap((i) => [2 * i, 2 * i + 1]);
    level++;
  }

  // The differing buckets, record by record.
  const found = new DifferenceTally(MAX_LISTED_DIFFERENCES);
  const leaves = level === depth ? differing : [];
  for await (const ranges of entryBatches(store, scope, depth, leaves, budget)) {
    const d = await call({ kind: 'integrity-entries', checkId, ranges });
    for (const kind of DIFFERENCE_KINDS) {
      for (const code of d[kind]) found.add(kind, code);
      // Differences the reply only counted: count them, listing nothing.
      found.counts[kind] += d.counts[kind] - d[kind].length;
    }
    if (d.truncated) found.truncated = true;
  }

  const result = await call(integrityConclude(checkId));
  for (const kind of DIFFERENCE_KINDS)
    if (result.counts[kind] !== found.counts[kind])
      throw protocolFault(
        `the result counts ${result.counts[kind]} ${kind}, the replies ${found.counts[kind]}`,
      );

  const before = { sent: meter.sent, received: meter.received };
  const repaired =
    options.repair && !result.matching
      ? {
          ...(await sendRepair({ store, scope, checkId, budget, found, call })),
          bytes: { sent: meter.sent - before.sent, received: meter.received - before.received },
        }
      : undefined;

  const report: IntegrityReport = {
    checkId,
    scope,
    peer: nodeName(peer),
    depth,
    counts: { sender: tree.count, receiver: result.receiverCount },
    matching: result.matching,
    differences: found.codes,
    differenceCounts: { ...found.counts },
    truncated: found.truncated || result.truncated,
    bytes: { sent: meter.sent, received: meter.received },
    calls,
    repaired,
    startedAt,
    finishedAt: new Date().toISOString(),
  };
  await store.recordIntegrityCheck({
    checkId,
    role: 'sender',
    peer: report.peer,
    scope,
    startedAt,
    finishedAt: report.finishedAt,
    localCount: tree.count,
    peerCount: result.receiverCount,
    depth,
    matching: report.matching,
    differenceCounts: report.differenceCounts,
    differences: report.differences,
    truncated: report.truncated,
    bytesSent: meter.sent,
    bytesReceived: meter.received,
    repaired: repaired ?? { inserted: 0, updated: 0, removed: 0, conflicts: 0 },
  });
  return report;
}

const protocolFault = (what: string): RegistryError =>
  new RegistryError(
    'invalid',
    `整合性検査の応答が不正です / the receiver's answer does not fit the check: ${what}`,
    'integrity.bad-reply',
  );

/** Consecutive differing buckets as [first, end) runs of at most MAX_BUCKETS_PER_RANGE. */
function runsOf(leaves: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const leaf of leaves) {
    const last = runs.at(-1);
    if (last && last[1] === leaf && last[1] - last[0] < MAX_BUCKETS_PER_RANGE) last[1]++;
    else runs.push([leaf, leaf + 1]);
  }
  return runs;
}

/**
 * The `integrity-entries` messages for the differing buckets: each run of buckets becomes a range
 * with the sender's codes and digests in it, cut where a message is full (the cut code starts the
 * next range). Each message stays within the budget.
 */
async function* entryBatches(
  store: IdentityStore,
  scope: IntegrityScope,
  depth: number,
  leaves: readonly number[],
  budget: number,
): AsyncGenerator<IntegrityRange[]> {
  if (leaves.length === 0) return;
  const bounds = rangeBounds(depth);
  let batch: IntegrityRange[] = [];
  let size = 0;
  for (const [first, end] of runsOf(leaves)) {
    let from = boundCode(bounds[first]!)!;
    const to = boundCode(bounds[end]!);
    let codes: ResidentCode[] = [];
    let digests: Buffer[] = [];
    const close = (until: string | undefined) => {
      batch.push(range(from, until, codes, digests));
      codes = [];
      digests = [];
    };
    if (size + ITEM_BYTES.range > budget) {
      yield batch;
      batch = [];
      size = 0;
    }
    size += ITEM_BYTES.range;
    for await (const r of store.scanScope(
      scope,
      to === undefined ? { fromCode: from } : { fromCode: from, toCode: to },
    )) {
      if (size + ITEM_BYTES.entry > budget) {
        close(r.residentCode);
        yield batch;
        batch = [];
        size = ITEM_BYTES.range;
        from = r.residentCode;
      }
      codes.push(r.residentCode);
      digests.push(entryDigest(r));
      size += ITEM_BYTES.entry;
    }
    close(to);
  }
  if (batch.length > 0) yield batch;
}

const range = (
  from: string,
  to: string | undefined,
  codes: ResidentCode[],
  digests: Buffer[],
): IntegrityRange =>
  to === undefined
    ? { from, codes, digests: Buffer.concat(digests) }
    : { from, to, codes, digests: Buffer.concat(digests) };

/**
 * The repair: the sender's current records for the codes missing or differing at the receiver
 * (a record that has left the scope since the check is not sent), and the receiver's extra
 * residents, in messages within the budget, each with its own key `<checkId>:repair:<n>`.
 */
async function sendRepair(ctx: {
  store: IdentityStore;
  scope: IntegrityScope;
  checkId: string;
  budget: number;
  found: DifferenceTally;
  call: <M extends RequestMessage>(m: M) => Promise<ReplyOf<M['kind']>>;
}): Promise<Omit<RepairSummary, 'bytes'>> {
  const { store, scope, checkId, budget, found, call } = ctx;
  const codes = [...found.codes.missingAtReceiver, ...found.codes.differingValues].sort();
  let notResident = [...found.codes.extraAtReceiver];
  const totals = {
    inserted: 0,
    updated: 0,
    removed: 0,
    conflicts: 0,
    unchanged: 0,
    skipped: 0,
  };
  const conflictCodes: ResidentCode[] = [];
  let n = 0;
  let upsert: IntegrityRepairRecord[] = [];
  let size = 0;
  const flush = async () => {
    const maxCodes = Math.max(0, Math.floor((budget - size) / ITEM_BYTES.code));
    const now = notResident.slice(0, maxCodes);
    notResident = notResident.slice(now.length);
    const r = await call({
      kind: 'integrity-repair',
      idempotencyKey: repairKey(checkId, n++),
      checkId,
      upsert: upsert.sort((a, b) => (a.residentCode < b.residentCode ? -1 : 1)),
      notResident: now,
    });
    totals.inserted += r.inserted;
    totals.updated += r.updated;
    totals.removed += r.removed;
    totals.unchanged += r.unchanged;
    totals.conflicts += r.conflicts.length;
    conflictCodes.push(...r.conflicts);
    upsert = [];
    size = 0;
  };
  for (const code of codes) {
    const record = await store.findIdentity(code);
    if (
      record === undefined ||
      record.status !== 'resident' ||
      !inIntegrityScope(scope, record.localGovernmentCode)
    ) {
      totals.skipped++;
      continue;
    }
    const item: IntegrityRepairRecord = {
      ...identityInfoOf(record),
      lastChange: { reason: record.lastChange.reason, date: record.lastChange.date },
    };
    // JSON is longer than MessagePack for these records: a safe bound of the item's size.
    const itemSize = Buffer.byteLength(JSON.stringify(item)) + 16;
    if (upsert.length > 0 && (size + itemSize > budget || upsert.length >= MAX_REPAIR_RECORDS))
      await flush();
    upsert.push(item);
    size += itemSize;
  }
  while (upsert.length > 0 || notResident.length > 0) await flush();
  return { ...totals, conflictCodes: conflictCodes.sort() };
}

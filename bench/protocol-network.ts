/**
 * The closed network of the protocol benchmark: one test CA and the four nodes it needs, written
 * to a file the worker processes read (each process is one node), and what every side shares —
 * the change notices sent, the handler's answer, the limits and the stand-in rule for CS → CS.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { residentCodeOf } from '../src/domain/change/change-builders.ts';
import { buildEvent } from '../src/domain/change/change-builders.ts';
import { authorizeOperation, type AllowRule } from '../src/domain/network/allow-list.ts';
import type { NodeRef } from '../src/domain/network/NodeRef.ts';
import { createTestPki, parseNodeName, type NodeTlsCredentials } from '../src/pki/index.ts';
import { changeNotice, type ChangeAck, type ChangeNotice } from '../src/protocol/index.ts';
import { sampleChangeNotice } from '../src/protocol/protocol-fixtures.ts';
import type { AlertStore } from '../src/storage/ports.ts';
import type { Authorize } from '../src/transport/session-guard.ts';
import type { NetworkLimits } from '../src/transport/network-limits.ts';

/** The nodes: a CS and its prefecture server, another CS (in Hokkaido) and a switch. */
export const BENCH_NODES = {
  prefecture: 'prefecture:13',
  cs: 'cs:131016',
  target: 'cs:011011',
  switch: 'switch:east-1',
} as const;
export type BenchNodeRole = keyof typeof BENCH_NODES;

export type BenchNode = { readonly node: NodeRef; readonly credentials: NodeTlsCredentials };
export type BenchPki = Record<BenchNodeRole, BenchNode>;

/** Makes the CA, issues one certificate per node, writes them to `path`. */
export async function writeBenchPki(path: string): Promise<void> {
  const pki = await createTestPki();
  const nodes: Partial<Record<BenchNodeRole, NodeTlsCredentials>> = {};
  for (const [role, name] of Object.entries(BENCH_NODES))
    nodes[role as BenchNodeRole] = pki.credentials(await pki.issue(name));
  writeFileSync(path, JSON.stringify(nodes), { mode: 0o600 });
}

export function readBenchPki(path: string): BenchPki {
  const creds = JSON.parse(readFileSync(path, 'utf8')) as Record<BenchNodeRole, NodeTlsCredentials>;
  const node = (role: BenchNodeRole): BenchNode => ({
    node: parseNodeName(BENCH_NODES[role]),
    credentials: creds[role],
  });
  return {
    prefecture: node('prefecture'),
    cs: node('cs'),
    target: node('target'),
    switch: node('switch'),
  };
}

/**
 * The network limits of every benchmark node: the defaults, except the per-node request rate
 * (10 000/s by default, a policy that would cap the measurement), the per-address connection
 * rate (2/s, which the handshake benchmark exceeds by design) and the sessions per node (16 by
 * default; the benchmark opens up to 64 connections from one node). The token buckets still run.
 */
export const BENCH_LIMITS: Partial<NetworkLimits> = {
  requestRate: { burst: 1e12, perSecond: 1e12 },
  connectionRate: { burst: 1e12, perSecond: 1e12 },
  maxSessionsPerPeer: 1_024,
};

const CS_TO_CS: AllowRule = {
  caller: 'cs',
  callee: 'cs',
  operations: ['change-notice'],
  condition: 'any',
  requirement: 'R2',
  why: 'benchmark stand-in for the CS-to-CS operations of R24/R25',
};

const SMALLEST: AllowRule = {
  caller: 'cs',
  callee: 'prefecture',
  operations: ['route-request'],
  condition: 'any',
  requirement: 'R10',
  why: 'benchmark only: the smallest request kind, answered without a route (no stream)',
};

/**
 * The allow-list, plus two benchmark stand-ins: change-notice between two CS (the allow-list has
 * no CS → CS kind yet), and route-request from a CS to its prefecture server (the smallest request
 * kind, answered `route-accepted` at once: the cost of a call with next to no body).
 */
export const benchAuthorize: Authorize = (caller, callee, operation) =>
  caller.role === 'cs' && callee.role === 'cs' && operation === 'change-notice'
    ? { allowed: true, rule: CS_TO_CS }
    : caller.role === 'cs' && callee.role === 'prefecture' && operation === 'route-request'
      ? { allowed: true, rule: SMALLEST }
      : authorizeOperation(caller, callee, operation);

/**
 * `count` realistic change notices (sampleChangeNotice: 転居 with Japanese text), each for another
 * resident and so with its own transaction id. Built once; sending one encodes it every time.
 */
export function noticePool(count: number): ChangeNotice[] {
  const base = sampleChangeNotice().event;
  const pool: ChangeNotice[] = [];
  for (let i = 0; i < count; i++) {
    const values = { ...base.values, residentCode: residentCodeOf(String(1_000_000_000 + i)) };
    pool.push(changeNotice(buildEvent(base.reason, values, { changeDate: base.changeDate })));
  }
  return pool;
}

/** The handler's answer (no storage: the benchmark measures the protocol, not a store). */
export const ackOf = (notice: ChangeNotice, sequence: number): ChangeAck => ({
  kind: 'change-ack',
  idempotencyKey: notice.idempotencyKey,
  outcome: 'applied',
  sequence,
});

/** An alert store that keeps nothing: alerts are counted and written to stderr (expect none). */
export function countingAlerts(observer: string): AlertStore & { readonly count: () => number } {
  let n = 0;
  return {
    recordAlert(alert) {
      n++;
      process.stderr.write(`${observer} alert ${alert.kind}: ${alert.detail}\n`);
      return Promise.resolve({ ...alert, id: n });
    },
    listAlerts: () => Promise.resolve([]),
    close: () => Promise.resolve(),
    count: () => n,
  };
}

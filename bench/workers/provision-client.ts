/**
 * The agency side of the provision benchmark (`agency:mhlw-pension`, one process, one core):
 * provision queries to the national server, each with a new query id (so each person provided
 * is a new disclosure record), cycling through the QuerySet from `provision-prepare`.
 *
 * - `transport: protocol`: `connections` sessions (connectNetwork: mutual TLS 1.3 + hello),
 *   requests pipelined on each; the answer is decoded and validated by the session
 *   (ProvisionAnswer's reader);
 * - `transport: https`: the same queries as JSON POSTs to the Fastify reference (node:https,
 *   keep-alive Agent with maxSockets = connections, the same certificates), the answer read by
 *   the same reader.
 *
 * Closed loop (`rate` 0): `inFlight` lanes, each sending its next query when its last is
 * answered; every query completed in the window after the warm-up counts. Paced (`rate` > 0,
 * protocol only): an open loop sending `rate` queries per second on a fixed schedule whatever
 * the answers, round-robin over the sessions; a query's latency runs from the moment it was due
 * (so a server that falls behind shows it, no coordinated omission).
 */
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { nodeSecureContextOptions } from '../../src/pki/index.ts';
import { BodyReader, isPlainObject } from '../../src/protocol/messages/BodyReader.ts';
import { ProvisionAnswer } from '../../src/protocol/messages/ProvisionQuery.ts';
import type { Session } from '../../src/protocol/index.ts';
import { checkExpectedPeer, connectNetwork } from '../../src/transport/index.ts';
import { workerMain, round3 } from '../harness.ts';
import { countingAlerts } from '../protocol-network.ts';
import { epochMs } from '../protocol-servers.ts';
import {
  PROVISION_NODES,
  provisionBatch,
  provisionQuery,
  readProvisionPki,
  searchQuery,
  type ProvisionPki,
  type QueryKind,
  type QuerySet,
} from '../provision-network.ts';

type Args = {
  transport: 'protocol' | 'https';
  /** `batch`: each request is a `provision-batch` of BATCH_ROWS resident codes (protocol only). */
  kind: QueryKind | 'batch';
  pki: string;
  queries: string;
  host: string;
  port: number;
  connections: number;
  inFlight: number;
  /** Queries per second on a fixed schedule (protocol only); 0: closed loop. */
  rate: number;
  warmupSeconds: number;
  seconds: number;
  /** Makes this run's query ids unique (several runs share one store and its disclosure log). */
  run: string;
  /** Where in the query set this run starts (runs spread over it). */
  offset: number;
};

export type ProvisionClientResult = {
  transport: Args['transport'];
  kind: Args['kind'];
  connections: number;
  inFlight: number;
  rate: number;
  queries: number;
  /** People provided in the window (one disclosure record each). */
  persons: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Paced: the most queries in flight at once. */
  maxInFlight: number;
  fromEpochMs: number;
  toEpochMs: number;
  /** This process's CPU time over the window (ms). */
  cpuMs: number;
};

type Measured = Omit<
  ProvisionClientResult,
  'transport' | 'kind' | 'connections' | 'inFlight' | 'rate' | 'maxInFlight'
>;

const alerts = countingAlerts(`${PROVISION_NODES.agency} (client)`);

/** One query: resolves with the number of people provided. */
type Ask = (lane: number, i: number) => Promise<number>;

class Window {
  readonly latencies: number[] = [];
  persons = 0;
  #from: { at: number; epoch: number; cpu: NodeJS.CpuUsage } | undefined;
  #to: { at: number; epoch: number; cpu: NodeJS.CpuUsage } | undefined;
  readonly start: number;
  readonly end: number;

  constructor(a: Pick<Args, 'warmupSeconds' | 'seconds'>) {
    this.start = performance.now() + a.warmupSeconds * 1000;
    this.end = this.start + a.seconds * 1000;
  }

  /** Counts a query answered at `now` that was due (or sent) at `t`; false once the window is over. */
  done(t: number, now: number, persons: number): boolean {
    if (now >= this.end) {
      this.#to ??= mark(now);
      return false;
    }
    if (now >= this.start) {
      this.#from ??= mark(now);
      this.latencies.push(now - t);
      this.persons += persons;
    }
    return true;
  }

  result(): Measured {
    const from = this.#from;
    const to = this.#to;
    if (!from || !to) throw new Error('no query completed in the measurement window');
    const cpu = process.cpuUsage(from.cpu);
    const seconds = (to.at - from.at) / 1000;
    const l = this.latencies.sort((x, y) => x - y);
    const pct = (p: number) => round3(l[Math.min(l.length - 1, Math.floor(p * l.length))]!);
    return {
      queries: l.length,
      persons: this.persons,
      seconds: round3(seconds),
      perSecond: Math.round(l.length / seconds),
      p50Ms: pct(0.5),
      p99Ms: pct(0.99),
      maxMs: round3(l.at(-1)!),
      fromEpochMs: from.epoch,
      toEpochMs: to.epoch,
      cpuMs: round3((cpu.user + cpu.system) / 1000),
    };
  }
}

const mark = (at: number) => ({ at, epoch: epochMs(), cpu: process.cpuUsage() });

async function closedLoop(lanes: number, ask: Ask, a: Args): Promise<Measured> {
  const w = new Window(a);
  let next = a.offset;
  const lane = async (i: number): Promise<void> => {
    for (;;) {
      const t = performance.now();
      const persons = await ask(i, next++);
      if (!w.done(t, performance.now(), persons)) return;
    }
  };
  await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i)));
  return w.result();
}

/** Sends `rate` queries per second on a schedule, whatever the answers; latency from when due. */
async function paced(
  lanes: number,
  ask: Ask,
  a: Args,
): Promise<Measured & { maxInFlight: number }> {
  const w = new Window(a);
  const interval = 1000 / a.rate;
  let due = performance.now();
  let next = a.offset;
  let inFlight = 0;
  let maxInFlight = 0;
  let failure: Error | undefined;
  await new Promise<void>((resolve, reject) => {
    let over = false;
    const finish = () => {
      if (failure !== undefined) reject(failure);
      else resolve();
    };
    const tick = (): void => {
      const now = performance.now();
      while (!over && due <= now) {
        const t = due;
        const i = next++;
        due += interval;
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        ask(i % lanes, i).then(
          (persons) => {
            inFlight--;
            if (!w.done(t, performance.now(), persons)) over = true;
            if (over && inFlight === 0) finish();
          },
          (e: unknown) => {
            inFlight--;
            failure ??= e instanceof Error ? e : new Error(JSON.stringify(e));
            over = true;
            if (inFlight === 0) finish();
          },
        );
      }
      if (inFlight > 100_000) {
        failure ??= new Error('the server fell far behind the paced rate');
        over = true;
      }
      if (!over) setTimeout(tick, 1);
      else if (inFlight === 0) finish();
    };
    tick();
  });
  return { ...w.result(), maxInFlight };
}

function connect(pki: ProvisionPki, a: Args): Promise<Session> {
  return connectNetwork({
    self: pki.agency.node,
    credentials: pki.agency.credentials,
    expectedPeer: pki.national.node,
    host: a.host,
    port: a.port,
    alerts,
  });
}

function httpsAsk(
  pki: ProvisionPki,
  a: Args & { kind: QueryKind },
  set: QuerySet,
): { ask: Ask; close: () => void } {
  const agent = new https.Agent({
    ...nodeSecureContextOptions(pki.agency.credentials),
    keepAlive: true,
    maxSockets: a.connections,
    checkServerIdentity: (_host, cert) => checkExpectedPeer(cert, pki.national.node),
  });
  const ask: Ask = (_lane, i) =>
    new Promise<number>((resolve, reject) => {
      const body = JSON.stringify(provisionQuery(searchQuery(set, a.kind, i), `${a.run}-${i}`));
      const req = https.request(
        {
          agent,
          host: a.host,
          port: a.port,
          method: 'POST',
          path: '/provision-query',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            try {
              if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}`);
              const json: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
              if (!isPlainObject(json)) throw new Error('the answer is not an object');
              resolve(found(ProvisionAnswer.parse(new BodyReader('provision-answer', json))));
            } catch (e) {
              reject(e instanceof Error ? e : new Error(String(e)));
            }
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { ask, close: () => agent.destroy() };
}

/** Every query names someone stored: an empty answer means the benchmark is broken. */
function found(answer: ProvisionAnswer): number {
  if (answer.identities.length === 0) throw new Error('a query found nobody');
  return answer.identities.length;
}

await workerMain(async (a: Args): Promise<ProvisionClientResult> => {
  const pki = readProvisionPki(a.pki);
  const set = JSON.parse(readFileSync(a.queries, 'utf8')) as QuerySet;
  const base = {
    transport: a.transport,
    kind: a.kind,
    connections: a.connections,
    inFlight: a.inFlight,
    rate: a.rate,
  };
  if (a.transport === 'https') {
    const kind = a.kind;
    if (a.rate > 0 || kind === 'batch') throw new Error('paced and batch runs are protocol only');
    const client = httpsAsk(pki, { ...a, kind }, set);
    const measured = await closedLoop(a.inFlight, client.ask, a);
    client.close();
    return { ...base, ...measured, maxInFlight: a.inFlight };
  }
  const sessions: Session[] = [];
  for (let i = 0; i < a.connections; i++) sessions.push(await connect(pki, a));
  const n = sessions.length;
  const kind = a.kind;
  const ask: Ask =
    kind === 'batch'
      ? async (lane, i) => {
          const answer = await sessions[lane % n]!.request(
            provisionBatch(set, i, `${PROVISION_NODES.agency}:${a.run}:${i}`),
          );
          // Every row names someone stored: a refused or empty row means the benchmark is broken.
          for (const r of answer.results)
            if (!('identities' in r) || r.identities.length !== 1)
              throw new Error(`a batch row was not answered with one person: ${JSON.stringify(r)}`);
          return answer.results.length;
        }
      : async (lane, i) =>
          found(
            await sessions[lane % n]!.request(
              provisionQuery(searchQuery(set, kind, i), `${a.run}-${i}`),
            ),
          );
  const measured =
    a.rate > 0
      ? await paced(n, ask, a)
      : { ...(await closedLoop(a.inFlight, ask, a)), maxInFlight: a.inFlight };
  await Promise.all(sessions.map((s) => s.goaway()));
  if (alerts.count() > 0) throw new Error(`${alerts.count()} alert(s) on the client side`);
  return { ...base, ...measured };
});

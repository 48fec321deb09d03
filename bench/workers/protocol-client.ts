/**
 * The client side of the protocol benchmark (`cs:131016`, one process, one core). Modes:
 *
 * - `notice`: change-notice → change-ack over `connections` sessions (connectNetwork: mutual
 *   TLS 1.3 + hello) to the prefecture server, `inFlight` requests in flight spread evenly;
 * - `ping`: the same, each request an empty ping → pong (the ceiling: no message body, no
 *   codec, no handler — only the transport, framing and the session);
 * - `smallest`: the same, each request the smallest request kind (route-request → route-accepted,
 *   ≈ 40-byte bodies, no stream): a whole call with next to no message;
 * - `https`: the same notices as JSON POSTs to the Fastify server (node:https, a keep-alive
 *   Agent with maxSockets = connections, the same certificates), the ack read by the same reader;
 * - `direct` / `route`: change notices to the other CS, over a direct connection or over an
 *   inner session through the switch (openRoute);
 * - `handshake`: one full connection after another (TCP, mutual TLS 1.3 without resumption,
 *   hello exchange), each closed as soon as it is up.
 *
 * After a warm-up, every request completed in the window is counted and its latency kept. The
 * result also gives the window in epoch ms (for the servers' CPU share) and this process's CPU.
 */
import https from 'node:https';
import { nodeSecureContextOptions } from '../../src/pki/index.ts';
import { BodyReader, isPlainObject } from '../../src/protocol/messages/BodyReader.ts';
import { ChangeAck } from '../../src/protocol/messages/ChangeAck.ts';
import { routeRequest, type ChangeNotice, type Session } from '../../src/protocol/index.ts';
import { openRoute } from '../../src/switch/index.ts';
import { checkExpectedPeer, connectNetwork } from '../../src/transport/index.ts';
import { workerMain } from '../harness.ts';
import {
  BENCH_NODES,
  countingAlerts,
  noticePool,
  readBenchPki,
  type BenchPki,
} from '../protocol-network.ts';
import { epochMs } from '../protocol-servers.ts';

export type ClientMode =
  'notice' | 'smallest' | 'ping' | 'https' | 'direct' | 'route' | 'handshake';

type Args = {
  mode: ClientMode;
  pki: string;
  host: string;
  port: number;
  connections: number;
  inFlight: number;
  warmupSeconds: number;
  seconds: number;
};

export type ClientResult = {
  mode: ClientMode;
  connections: number;
  inFlight: number;
  requests: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** The measurement window, epoch ms. */
  fromEpochMs: number;
  toEpochMs: number;
  /** This process's CPU time over the window (ms). */
  cpuMs: number;
};

const alerts = countingAlerts('cs:131016 (client)');
const notices = noticePool(1024);
let next = 0;
const nextNotice = (): ChangeNotice => notices[next++ & 1023]!;

/**
 * Runs `lanes` loops of `op` at once; counts what completes in [warm-up end, + seconds).
 * Each lane sends its next request when its previous one is answered.
 */
async function drive(
  lanes: number,
  op: (lane: number) => Promise<void>,
  a: Pick<Args, 'warmupSeconds' | 'seconds'>,
): Promise<Omit<ClientResult, 'mode' | 'connections' | 'inFlight'>> {
  const start = performance.now() + a.warmupSeconds * 1000;
  const end = start + a.seconds * 1000;
  const latencies: number[] = [];
  let from: { at: number; epoch: number; cpu: NodeJS.CpuUsage } | undefined;
  let to: { at: number; epoch: number; cpu: NodeJS.CpuUsage } | undefined;
  const mark = (at: number) => ({ at, epoch: epochMs(), cpu: process.cpuUsage() });
  const lane = async (i: number): Promise<void> => {
    for (;;) {
      const t = performance.now();
      await op(i);
      const now = performance.now();
      if (now >= end) {
        to ??= mark(now);
        return;
      }
      if (now >= start) {
        from ??= mark(now);
        latencies.push(now - t);
      }
    }
  };
  await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i)));
  if (!from || !to) throw new Error('no request completed in the measurement window');
  const cpu = process.cpuUsage(from.cpu);
  const seconds = (to.at - from.at) / 1000;
  latencies.sort((x, y) => x - y);
  const pct = (p: number) =>
    round3(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!);
  return {
    requests: latencies.length,
    seconds: round3(seconds),
    perSecond: Math.round(latencies.length / seconds),
    p50Ms: pct(0.5),
    p99Ms: pct(0.99),
    fromEpochMs: from.epoch,
    toEpochMs: to.epoch,
    cpuMs: round3((cpu.user + cpu.system) / 1000),
  };
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

function connect(pki: BenchPki, a: Args, to: 'prefecture' | 'target' | 'switch'): Promise<Session> {
  return connectNetwork({
    self: pki.cs.node,
    credentials: pki.cs.credentials,
    expectedPeer: pki[to].node,
    host: a.host,
    port: a.port,
    alerts,
  });
}

async function request(session: Session): Promise<void> {
  const ack = await session.request(nextNotice());
  if (ack.outcome !== 'applied') throw new Error(`unexpected ack ${ack.outcome}`);
}

const SMALLEST = routeRequest(BENCH_NODES.target);

async function smallest(session: Session): Promise<void> {
  const reply = await session.request(SMALLEST);
  if (reply.target !== SMALLEST.target) throw new Error('unexpected route-accepted');
}

async function sessions(
  pki: BenchPki,
  a: Args,
): Promise<{ list: Session[]; close(): Promise<void> }> {
  if (a.mode === 'route') {
    const outer = await connect(pki, a, 'switch');
    const inner = await openRoute({
      outer,
      self: pki.cs.node,
      credentials: pki.cs.credentials,
      target: pki.target.node,
      alerts,
    });
    return {
      list: [inner],
      close: async () => {
        await inner.goaway();
        await outer.goaway();
      },
    };
  }
  const list: Session[] = [];
  for (let i = 0; i < a.connections; i++)
    list.push(await connect(pki, a, a.mode === 'direct' ? 'target' : 'prefecture'));
  return { list, close: () => Promise.all(list.map((s) => s.goaway())).then(() => undefined) };
}

function httpsClient(pki: BenchPki, a: Args): { post: () => Promise<void>; close: () => void } {
  const agent = new https.Agent({
    ...nodeSecureContextOptions(pki.cs.credentials),
    keepAlive: true,
    maxSockets: a.connections,
    checkServerIdentity: (_host, cert) => checkExpectedPeer(cert, pki.prefecture.node),
  });
  const post = () =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify(nextNotice());
      const req = https.request(
        {
          agent,
          host: a.host,
          port: a.port,
          method: 'POST',
          path: '/change-notice',
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
              if (!isPlainObject(json)) throw new Error('the ack is not an object');
              const ack = ChangeAck.parse(new BodyReader('change-ack', json));
              if (ack.outcome !== 'applied') throw new Error(`unexpected ack ${ack.outcome}`);
              resolve();
            } catch (e) {
              reject(e instanceof Error ? e : new Error(String(e)));
            }
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return { post, close: () => agent.destroy() };
}

await workerMain(async (a: Args): Promise<ClientResult> => {
  const pki = readBenchPki(a.pki);
  const base = { mode: a.mode, connections: a.connections, inFlight: a.inFlight };
  if (a.mode === 'handshake') {
    const measured = await drive(1, async () => (await connect(pki, a, 'prefecture')).close(), a);
    return { ...base, ...measured };
  }
  if (a.mode === 'https') {
    const client = httpsClient(pki, a);
    const measured = await drive(a.inFlight, () => client.post(), a);
    client.close();
    return { ...base, ...measured };
  }
  const open = await sessions(pki, a);
  const n = open.list.length;
  const op: (lane: number) => Promise<void> =
    a.mode === 'ping'
      ? (lane) => open.list[lane % n]!.ping().then(() => undefined)
      : a.mode === 'smallest'
        ? (lane) => smallest(open.list[lane % n]!)
        : (lane) => request(open.list[lane % n]!);
  const measured = await drive(a.inFlight, op, a);
  await open.close();
  if (alerts.count() > 0) throw new Error(`${alerts.count()} alert(s) on the client side`);
  return { ...base, ...measured };
});

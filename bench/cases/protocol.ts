import { round3 } from '../harness.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MessageCodec } from '../../src/protocol/index.ts';
import type { Benchmark, Check } from '../harness.ts';
import { runWorker } from '../harness.ts';
import { noticePool, writeBenchPki } from '../protocol-network.ts';
import { startServer, type ServerProcess } from '../protocol-servers.ts';
import type { ClientMode, ClientResult } from '../workers/protocol-client.ts';

/** Requests in flight in every request/response run, spread evenly over the connections. */
const IN_FLIGHT = 64;
const CONNECTIONS = [1, 16, 64] as const;
/** What each variant is called in the figures, and the client mode that runs it. */
const VARIANTS = {
  ceiling: 'ping',
  smallest: 'smallest',
  notice: 'notice',
  fastify: 'https',
} as const;
type Variant = keyof typeof VARIANTS;
/** In-flight requests of the switch comparison: one at a time (latency), and many (throughput). */
const SWITCH_IN_FLIGHT = [1, 64] as const;

type Address = { host: string; port: number };
type RunFigures = {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  seconds: number;
  /** CPU time per request (µs) on each side, and each side's CPU load over the window (1 = a core). */
  clientCpuUs: number;
  serverCpuUs: number;
  clientLoad: number;
  serverLoad: number;
};

export const protocolBenchmark: Benchmark = {
  name: 'protocol',
  description:
    'Request/response over the protocol (mutual TLS 1.3 on 127.0.0.1, the network listener with its session guard; client and server in separate processes, one core each) with 1, 16 and 64 connections and 64 requests in flight in total (64×1 … 1×64). "notice": a real small message, change-notice (≈ 550-byte MessagePack body, Japanese text) → change-ack, the handler validating at the edge and storing nothing. Against (a) the ceiling: the same sessions answering an empty message — ping → pong, which the session answers itself (no body, no codec, no handler); goal notice ≥ 0.7 × ceiling (reported besides: "smallest", the smallest request kind route-request → route-accepted with ≈ 40-byte bodies, a whole call with next to no message, to split the cost between the call and the message); and (b) Fastify 5 over HTTPS with the same certificates (client certificate required, TLS 1.3): the same notice as a JSON POST, the same per-request token bucket and allow-list, validated by the same change-notice reader, a JSON ack (response schema); node:https keep-alive Agent with maxSockets = connections and the same 64 requests in flight (HTTP/1.1: one per socket at a time); goal ≥ 3×. Each check is the worst ratio of the three connection counts. Rounds alternate the variants; the best round of each counts. Also: full mutual handshakes per second (one connection after another: TCP, TLS 1.3 without resumption, both certificates checked, hello exchange); and change notices CS → switch → CS (inner mutual-TLS session inside the route, the switch relaying its records, three processes on the two cores) against the same inner stack directly CS → CS over TCP, reported only.',
  async run({ quick, log }) {
    const rounds = quick ? 1 : 3;
    const seconds = quick ? 1 : 3;
    const warmupSeconds = quick ? 0.4 : 1;
    const handshakeSeconds = quick ? 1 : 4;
    const dir = mkdtempSync(path.join(tmpdir(), 'jukinet-bench-protocol-'));
    const pki = path.join(dir, 'pki.json');
    const timing = { warmupSeconds, seconds };
    const running: ServerProcess<unknown>[] = [];
    const server = async <Ready>(worker: string, args: Record<string, string | number>) => {
      const s = await startServer<Ready>(worker, args, log);
      running.push(s);
      return s;
    };
    try {
      await writeBenchPki(pki);
      const client = (mode: ClientMode, to: Address, connections: number, inFlight: number) =>
        runWorker<ClientResult & { maxRssMB: number }>(
          'protocol-client',
          { mode, pki, host: to.host, port: to.port, connections, inFlight, ...timing },
          log,
        );

      // ── request/response: ceiling, notice, Fastify ────────────────────────────────────────
      const protocol = await server<Address>('protocol-server', { pki });
      const fastify = await server<Address>('protocol-fastify', { pki });
      const best = new Map<string, RunFigures>();
      for (let round = 0; round < rounds; round++) {
        for (const connections of CONNECTIONS) {
          const order = Object.keys(VARIANTS) as Variant[];
          if (round % 2 === 1) order.reverse();
          for (const variant of order) {
            const target = variant === 'fastify' ? fastify : protocol;
            const r = await client(VARIANTS[variant], target.ready, connections, IN_FLIGHT);
            const f = await figuresOf(r, [target]);
            log(
              `  ${variant} ${connections}×${IN_FLIGHT / connections} round ${round + 1}: ${f.perSecond.toLocaleString('en')}/s, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms (CPU/request: client ${f.clientCpuUs} µs, server ${f.serverCpuUs} µs)`,
            );
            const key = `${variant}@${connections}`;
            if ((best.get(key)?.perSecond ?? -1) < f.perSecond) best.set(key, f);
          }
        }
      }

      const hs = await runWorker<ClientResult>(
        'protocol-client',
        {
          mode: 'handshake',
          pki,
          ...protocol.ready,
          connections: 1,
          inFlight: 1,
          warmupSeconds: quick ? 0.3 : 1,
          seconds: handshakeSeconds,
        },
        log,
      );
      const hsServerMs = await protocol.cpuMs(hs.fromEpochMs, hs.toEpochMs);
      const handshakes = {
        perSecond: hs.perSecond,
        p50Ms: hs.p50Ms,
        p99Ms: hs.p99Ms,
        handshakes: hs.requests,
        serverCpuMsPerHandshake: round3(hsServerMs / hs.requests),
        clientCpuMsPerHandshake: round3(hs.cpuMs / hs.requests),
      };
      log(
        `  handshakes: ${hs.perSecond}/s, p50 ${hs.p50Ms} ms, server CPU ${handshakes.serverCpuMsPerHandshake} ms each`,
      );
      const servers: Record<string, unknown> = {
        protocol: await protocol.stop(),
        fastify: await fastify.stop(),
      };

      // ── CS → switch → CS against CS → CS ──────────────────────────────────────────────────
      const cs = await server<{ host: string; routesPort: number; directPort: number }>(
        'protocol-cs',
        {
          pki,
        },
      );
      const sw = await server<Address>('protocol-switch', { pki, targetPort: cs.ready.routesPort });
      const bestSwitch = new Map<string, RunFigures>();
      for (let round = 0; round < rounds; round++) {
        for (const inFlight of SWITCH_IN_FLIGHT) {
          const order =
            round % 2 === 0 ? (['direct', 'route'] as const) : (['route', 'direct'] as const);
          for (const mode of order) {
            const r =
              mode === 'direct'
                ? await client(
                    'direct',
                    { host: cs.ready.host, port: cs.ready.directPort },
                    1,
                    inFlight,
                  )
                : await client('route', sw.ready, 1, inFlight);
            const f = await figuresOf(r, mode === 'direct' ? [cs] : [cs, sw]);
            log(
              `  ${mode} ${inFlight} in flight round ${round + 1}: ${f.perSecond.toLocaleString('en')}/s, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms`,
            );
            const key = `${mode}@${inFlight}`;
            if ((bestSwitch.get(key)?.perSecond ?? -1) < f.perSecond) bestSwitch.set(key, f);
          }
        }
      }
      servers.cs = await cs.stop();
      servers.switch = await sw.stop();

      // ── figures and checks ────────────────────────────────────────────────────────────────
      const requestResponse: Record<string, unknown> = {};
      let worstCeiling = Infinity;
      let worstFastify = Infinity;
      for (const c of CONNECTIONS) {
        const [ceiling, smallest, notice, fast] = (
          ['ceiling', 'smallest', 'notice', 'fastify'] as const
        ).map((v) => best.get(`${v}@${c}`)!);
        const vsCeiling = round3(notice!.perSecond / ceiling!.perSecond);
        const vsFastify = round3(notice!.perSecond / fast!.perSecond);
        worstCeiling = Math.min(worstCeiling, vsCeiling);
        worstFastify = Math.min(worstFastify, vsFastify);
        requestResponse[`${c} connection${c === 1 ? '' : 's'} × ${IN_FLIGHT / c} in flight`] = {
          ceiling,
          smallest,
          notice,
          fastify: fast,
          noticeVsCeiling: vsCeiling,
          noticeVsFastify: vsFastify,
          smallestVsCeiling: round3(smallest!.perSecond / ceiling!.perSecond),
          noticeVsSmallest: round3(notice!.perSecond / smallest!.perSecond),
          /** Server CPU per request, Fastify / protocol: the two servers' capacity on one core. */
          fastifyVsNoticeServerCpu: round3(fast!.serverCpuUs / notice!.serverCpuUs),
        };
      }
      const switchVsDirect: Record<string, unknown> = {
        note: 'reported only (no goal): the route adds the switch’s outer sessions and its relay; the switch shares the two cores with both CS here',
      };
      for (const n of SWITCH_IN_FLIGHT) {
        const direct = bestSwitch.get(`direct@${n}`)!;
        const route = bestSwitch.get(`route@${n}`)!;
        switchVsDirect[`${n} in flight`] = {
          direct,
          route,
          ratio: round3(route.perSecond / direct.perSecond),
        };
      }
      const switchRatio = round3(
        bestSwitch.get(`route@64`)!.perSecond / bestSwitch.get(`direct@64`)!.perSecond,
      );
      const notice = noticePool(1)[0]!;
      const checks: Check[] = [
        {
          name: 'protocol.small_vs_ceiling',
          value: worstCeiling,
          goal: 0.7,
          direction: 'min',
          unit: 'ratio',
        },
        {
          name: 'protocol.vs_fastify',
          value: worstFastify,
          goal: 3,
          direction: 'min',
          unit: 'ratio',
        },
        {
          name: 'protocol.switch_vs_direct',
          value: switchRatio,
          goal: 0,
          direction: 'min',
          unit: 'ratio',
        },
      ];
      return {
        parameters: {
          connections: CONNECTIONS,
          inFlight: IN_FLIGHT,
          switchInFlight: SWITCH_IN_FLIGHT,
          rounds,
          seconds,
          warmupSeconds,
          handshakeSeconds,
          noticeBodyBytes: new MessageCodec().encode(notice).length,
          noticeJsonBytes: Buffer.byteLength(JSON.stringify(notice)),
          limits:
            'network defaults, except the per-node request rate, the sessions per node and the per-address connection rate (raised; the token buckets still run)',
        },
        figures: {
          requestResponse,
          handshakes,
          switchVsDirect,
          switchCheck:
            'protocol.switch_vs_direct: route / direct change notices per second with 64 in flight; reported only (goal 0)',
          /**
           * The same notices on one connection with 64 in flight, through the network listener
           * (first-bytes check before TLS) against the direct CS port (TLS on the socket at once).
           */
          listenerVsDirectPort: round3(
            best.get(`notice@1`)!.perSecond / bestSwitch.get(`direct@64`)!.perSecond,
          ),
          servers,
        },
        checks,
      };
    } finally {
      for (const s of running) s.kill(); // those a failure left running
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** One run's figures, with the CPU the servers used over the client's measurement window. */
async function figuresOf(
  r: ClientResult,
  servers: readonly ServerProcess<unknown>[],
): Promise<RunFigures> {
  let serverMs = 0;
  for (const s of servers) serverMs += await s.cpuMs(r.fromEpochMs, r.toEpochMs);
  const windowMs = r.toEpochMs - r.fromEpochMs;
  return {
    perSecond: r.perSecond,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    requests: r.requests,
    seconds: r.seconds,
    clientCpuUs: round1((r.cpuMs * 1000) / r.requests),
    serverCpuUs: round1((serverMs * 1000) / r.requests),
    clientLoad: round3(r.cpuMs / windowMs),
    serverLoad: round3(serverMs / windowMs),
  };
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

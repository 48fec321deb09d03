import { round3, towardsHalfLoad } from '../harness.ts';
import {
  closeSync,
  copyFileSync,
  openSync,
  readSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createPseudonymSecretFile } from '../../src/provision/pseudonym.ts';
import type { Benchmark, Check } from '../harness.ts';
import { runWorker } from '../harness.ts';
import { startServer, type LoopDelay, type ServerProcess } from '../protocol-servers.ts';
import { BATCH_ROWS, writeProvisionPki, type QueryKind } from '../provision-network.ts';
import { freshSqlitePath, removeSqlite, WORK_DIR } from '../stores.ts';
import type { ProvisionClientResult } from '../workers/provision-client.ts';

/**
 * Residents of the full run; the issue asks 10 M, which takes over half an hour to load on the
 * 2-core machines: `JUKINET_BENCH_PROVISION_RESIDENTS=10000000 npm run bench -- provision`.
 */
const FULL_RESIDENTS = Number(process.env.JUKINET_BENCH_PROVISION_RESIDENTS ?? 1_000_000);
/**
 * `JUKINET_BENCH_PROVISION_KEEP=1`: the loaded store is kept in bench/.work (git-ignored) as a
 * pristine copy, and a later run with the same population copies it instead of loading again (a
 * 10 M load takes over half an hour). Each run still measures a fresh copy: no disclosure of an
 * earlier run is in it. The load figures reported are those of the load that made the copy.
 */
const KEEP_STORE = process.env.JUKINET_BENCH_PROVISION_KEEP === '1';
/** Agency sessions and queries in flight over them (pipelined, 16 per session). */
const CONNECTIONS = 4;
const IN_FLIGHT = 64;
/** Fastify: as many sockets as our sessions, and one socket per query in flight (HTTP/1.1 at its best); the better counts. */
const FASTIFY_SOCKETS = [CONNECTIONS, IN_FLIGHT] as const;
/** Batch chunks in flight (each BATCH_ROWS rows), over the same sessions. */
const BATCH_IN_FLIGHT = 8;
/** A prefix query is kept when it finds at most this many people ("few"). */
const MAX_PREFIX_MATCHES = 3;

type Address = { host: string; port: number };
type LookupFigures = { lookups: number; seconds: number; lookupsPerSecond: number };
type RunFigures = {
  perSecond: number;
  personsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  queries: number;
  seconds: number;
  /** CPU per query (µs) on each side, and each side's load over the window (1 = a core). */
  clientCpuUs: number;
  serverCpuUs: number;
  clientLoad: number;
  serverLoad: number;
  /** The server's event loop delay over the run (its warm-up included). */
  serverLoopDelay: LoopDelay;
};

export const provisionBenchmark: Benchmark = {
  name: 'provision',
  description:
    'Immediate provision (即時提供) at the national server: one SQLite national store with a generated population loaded through the ports, one agency (recipient, permitted affair, agreement) in its register. An agency server process queries the national server process over the protocol (mutual TLS 1.3, the network listener with its session guard, the node’s own provision-query handler: authorization against the register, the search rules, the store’s search, one disclosure record per person provided, the agency’s pseudonym, a log line), 4 sessions with 64 queries pipelined in all, each query with a new id; client and server one core each. The store’s file is read once before the rounds, so every variant runs on a warm OS cache. Queries by resident code (random) and by the first character of the name + the whole date of birth (values that find 1–3 people). Against (a) the raw in-process lookup of the same store in the same run: IdentityStore.findIdentity by random code, one after another (goal code queries ≥ 0.3 × lookups); (b) Fastify 5 over HTTPS + JSON with the same certificates doing the same work (the same token bucket and allow-list check, the provision-query reader, requesterOf and the same ProvisionService.answer on the same store, the same log line, a response schema), 4 and 64 keep-alive sockets, the better counts (goal ≥ 2× for both query kinds); (c) p99 latency of an open loop at half of the measured peak rate, latency counted from when each query was due (goal ≤ 10 ms; the worse of the two kinds); reported besides, p99 paced where the server uses about half of a core (that rate scaled by 0.5 ÷ the server load measured, then secant steps through the last two runs, up to four steps, until the load is within 0.45–0.55), since half the peak rate is more than half the load. Batch (一括提供): provision-batch messages of 256 resident codes, 8 in flight over the 4 sessions, each row authorized, searched, disclosed and answered as above; rows per second against the raw lookup (goal ≥ 0.5). Rounds alternate the variants; the best round of each counts.',
  async run({ quick, log }) {
    const residents = quick ? 50_000 : FULL_RESIDENTS;
    const rounds = quick ? 1 : 3;
    const seconds = quick ? 1.5 : 4;
    const warmupSeconds = quick ? 0.5 : 1;
    const pacedSeconds = quick ? 2 : 6;
    const lookups = quick ? 20_000 : 200_000;
    const codes = quick ? 20_000 : 200_000;
    const prefixQueries = quick ? 2_000 : 20_000;
    const dir = mkdtempSync(path.join(tmpdir(), 'jukinet-bench-provision-'));
    const files = {
      pki: path.join(dir, 'pki.json'),
      secret: path.join(dir, 'pseudonym.secret'),
      queries: path.join(dir, 'queries.json'),
      logFile: path.join(dir, 'national.log'),
    };
    const target = freshSqlitePath(`provision-${residents}`);
    const running: ServerProcess<unknown>[] = [];
    try {
      // ── the national store, loaded once through the ports; register and queries ──────────
      const load = await loadedStore(target, residents, log);
      await writeProvisionPki(files.pki);
      await createPseudonymSecretFile(files.secret);
      const prepared = await runWorker<Record<string, unknown>>(
        'provision-prepare',
        {
          target,
          queries: files.queries,
          codes,
          prefixQueries,
          maxPrefixMatches: MAX_PREFIX_MATCHES,
          seed: 11,
        },
        log,
      );
      log(`  queries: ${JSON.stringify(prepared)}`);

      // Every variant runs on a warm OS cache: the store's file read once from end to end.
      const warmed = warmFile(target);
      log(
        `  read the store once (${Math.round(warmed / 2 ** 20).toLocaleString('en')} MiB) to warm the OS cache`,
      );
      const serverArgs = { ...files, target };
      const protocol = await startServer<Address>('provision-server', serverArgs, log);
      running.push(protocol);
      const fastify = await startServer<Address>('provision-fastify', serverArgs, log);
      running.push(fastify);

      let runs = 0;
      let offset = 0;
      const client = async (
        transport: 'protocol' | 'https',
        kind: QueryKind | 'batch',
        connections: number,
        rate = 0,
        span = seconds,
        inFlight = IN_FLIGHT,
      ): Promise<RunFigures & { maxInFlight: number }> => {
        const to = transport === 'protocol' ? protocol : fastify;
        const r = await runWorker<ProvisionClientResult>(
          'provision-client',
          {
            transport,
            kind,
            pki: files.pki,
            queries: files.queries,
            ...to.ready,
            connections,
            inFlight,
            rate,
            warmupSeconds,
            seconds: span,
            run: `bench-${++runs}`,
            offset: (offset += 7919),
          },
          log,
        );
        return { ...(await figuresOf(r, to)), maxInFlight: r.maxInFlight };
      };

      // ── peak rates: raw lookup, protocol, Fastify; alternating, best round counts ────────
      const best = new Map<string, RunFigures>();
      const keep = (key: string, f: RunFigures) => {
        if ((best.get(key)?.perSecond ?? -1) < f.perSecond) best.set(key, f);
      };
      const raw: { ports?: LookupFigures; statement?: LookupFigures } = {};
      for (let round = 0; round < rounds; round++) {
        for (const mode of ['ports', 'raw'] as const) {
          const l = await runWorker<LookupFigures>(
            'lookup',
            { store: 'sqlite', mode, lookups, target, seed: 7 + round },
            log,
          );
          const key = mode === 'ports' ? 'ports' : 'statement';
          log(
            `  raw lookup (${mode === 'ports' ? 'findIdentity' : 'prepared statement'}) round ${round + 1}: ${l.lookupsPerSecond.toLocaleString('en')}/s`,
          );
          if ((raw[key]?.lookupsPerSecond ?? -1) < l.lookupsPerSecond) raw[key] = l;
        }
        for (const kind of ['code', 'prefix'] as const) {
          const variants = [
            ['protocol', CONNECTIONS],
            ...FASTIFY_SOCKETS.map((s) => ['https', s] as const),
          ] as const;
          const order = round % 2 === 0 ? [...variants] : [...variants].reverse();
          for (const [transport, connections] of order) {
            const f = await client(transport, kind, connections);
            const key = `${kind}.${transport === 'protocol' ? 'protocol' : `fastify@${connections}`}`;
            log(
              `  ${kind} ${key.split('.')[1]} round ${round + 1}: ${f.perSecond.toLocaleString('en')} queries/s, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms (CPU/query: client ${f.clientCpuUs} µs, server ${f.serverCpuUs} µs; server load ${f.serverLoad})`,
            );
            keep(key, f);
          }
        }
        // 一括提供: chunks of BATCH_ROWS resident codes, BATCH_IN_FLIGHT chunks pipelined.
        const b = await client('protocol', 'batch', CONNECTIONS, 0, seconds, BATCH_IN_FLIGHT);
        log(
          `  batch protocol round ${round + 1}: ${b.personsPerSecond.toLocaleString('en')} rows/s (${b.perSecond} chunks of ${BATCH_ROWS}/s), p50 ${b.p50Ms} ms, p99 ${b.p99Ms} ms per chunk (server load ${b.serverLoad})`,
        );
        if ((best.get('batch')?.personsPerSecond ?? -1) < b.personsPerSecond) best.set('batch', b);
      }

      // ── paced at half of the peak ─────────────────────────────────────────────────────────
      const halfLoad: Record<string, unknown> = {};
      let worstP99 = 0;
      for (const kind of ['code', 'prefix'] as const) {
        const rate = Math.round(best.get(`${kind}.protocol`)!.perSecond / 2);
        const f = await client('protocol', kind, CONNECTIONS, rate, pacedSeconds);
        log(
          `  ${kind} paced at ${rate.toLocaleString('en')}/s: ${f.perSecond.toLocaleString('en')} queries/s, p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, max ${f.maxMs} ms, at most ${f.maxInFlight} in flight; server event loop delay p99 ${f.serverLoopDelay.p99Ms} ms, max ${f.serverLoopDelay.maxMs} ms`,
        );
        halfLoad[kind] = { rate, ...f };
        worstP99 = Math.max(worstP99, f.p99Ms);
      }
      // Reported, no goal: p99 where the server uses about half of a core. Half the peak *rate*
      // is more than half the load (a lone query shares no commit, record or system call, and
      // the CPU per query rises as the rate falls: PROVISION.md "Latency at half load"), so the
      // rate is searched for: first scaled by 0.5 ÷ the load measured, then by the secant through
      // the last two runs (load is not proportional to rate), at most four steps, until the
      // load is within 0.45–0.55.
      const halfCpu: Record<string, unknown> = {};
      for (const kind of ['code', 'prefix'] as const) {
        let last = halfLoad[kind] as RunFigures & { rate: number };
        let before: (RunFigures & { rate: number }) | undefined;
        const steps: number[] = [];
        for (let step = 0; step < 4 && Math.abs(last.serverLoad - 0.5) > 0.05; step++) {
          const rate = Math.max(1, Math.round(towardsHalfLoad(last, before)));
          const f = await client('protocol', kind, CONNECTIONS, rate, pacedSeconds);
          log(
            `  ${kind} paced at ${rate.toLocaleString('en')}/s (towards half of a core): p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms, server load ${f.serverLoad}`,
          );
          steps.push(rate);
          before = last;
          last = { rate, ...f };
        }
        halfCpu[kind] = { ratesTried: steps, ...last };
      }

      const servers = { protocol: await protocol.stop(), fastify: await fastify.stop() };
      running.length = 0;
      const db = new Database(target, { readonly: true });
      const disclosures = db.prepare('SELECT count(*) FROM disclosure').pluck().get() as number;
      db.close();
      const storeMB = Math.round(statSync(target).size / 2 ** 20);

      // ── figures and checks ────────────────────────────────────────────────────────────────
      const peak = (key: string) => best.get(key)!;
      const fastifyBest = (kind: QueryKind) =>
        FASTIFY_SOCKETS.map((s) => peak(`${kind}.fastify@${s}`)).reduce((x, y) =>
          x.perSecond >= y.perSecond ? x : y,
        );
      const rawRate = raw.ports!.lookupsPerSecond;
      const byKind: Record<string, unknown> = {};
      for (const kind of ['code', 'prefix'] as const) {
        const p = peak(`${kind}.protocol`);
        const f = fastifyBest(kind);
        byKind[kind] = {
          protocol: p,
          ...Object.fromEntries(
            FASTIFY_SOCKETS.map((s) => [`fastify@${s}`, peak(`${kind}.fastify@${s}`)]),
          ),
          vsFastify: round3(p.perSecond / f.perSecond),
          vsRawLookup: round3(p.perSecond / rawRate),
          /** Server CPU per query, Fastify / protocol: the two servers' cost on one core. */
          fastifyVsProtocolServerCpu: round3(f.serverCpuUs / p.serverCpuUs),
        };
      }
      const codeVsRaw = round3(peak('code.protocol').perSecond / rawRate);
      const codeVsFastify = round3(peak('code.protocol').perSecond / fastifyBest('code').perSecond);
      const batch = peak('batch');
      const batchVsRaw = round3(batch.personsPerSecond / rawRate);
      const prefixVsFastify = round3(
        peak('prefix.protocol').perSecond / fastifyBest('prefix').perSecond,
      );
      const checks: Check[] = [
        {
          name: 'provision.code.vs_raw_lookup',
          value: codeVsRaw,
          goal: 0.3,
          direction: 'min',
          unit: 'ratio',
        },
        {
          name: 'provision.code.vs_fastify',
          value: codeVsFastify,
          goal: 2,
          direction: 'min',
          unit: 'ratio',
        },
        {
          name: 'provision.prefix.vs_fastify',
          value: prefixVsFastify,
          goal: 2,
          direction: 'min',
          unit: 'ratio',
        },
        {
          name: 'batch.vs_raw_lookup',
          value: batchVsRaw,
          goal: 0.5,
          direction: 'min',
          unit: 'ratio',
        },
        {
          name: 'provision.p99_ms_at_half_load',
          value: round3(worstP99),
          goal: 10,
          direction: 'max',
          unit: 'ms',
        },
      ];
      return {
        parameters: {
          residents,
          residentsNote:
            residents === 10_000_000
              ? 'the 10 M of the issue'
              : `${residents.toLocaleString('en')} residents (the issue asks 10 M; set JUKINET_BENCH_PROVISION_RESIDENTS=10000000 for it)`,
          store:
            'SQLite (WAL, synchronous NORMAL, the store’s default cache, no mmap: as a node opens it)',
          connections: CONNECTIONS,
          inFlight: IN_FLIGHT,
          fastifySockets: FASTIFY_SOCKETS,
          rounds,
          seconds,
          warmupSeconds,
          pacedSeconds,
          rawLookups: lookups,
          codes,
          prefixQueries,
          maxPrefixMatches: MAX_PREFIX_MATCHES,
          limits:
            'network defaults, except the per-node request rate, the sessions per node and the per-address connection rate (raised; the token buckets still run)',
        },
        figures: {
          load: {
            seconds: round3(load.seconds),
            rowsPerSecond: load.rowsPerSecond,
            ...(load.keptFrom ? { keptFrom: load.keptFrom } : {}),
          },
          queries: prepared,
          rawLookup: {
            findIdentity: raw.ports,
            preparedStatement: raw.statement,
            note: 'in-process, one lookup after another, random stored codes; the check divides by findIdentity',
          },
          ...byKind,
          batch: {
            rowsPerSecond: batch.personsPerSecond,
            chunksPerSecond: batch.perSecond,
            p50MsPerChunk: batch.p50Ms,
            p99MsPerChunk: batch.p99Ms,
            serverCpuUsPerRow: round1(batch.serverCpuUs / BATCH_ROWS),
            serverLoad: batch.serverLoad,
            vsRawLookup: batchVsRaw,
          },
          halfLoad,
          halfServerCpu: {
            note: 'reported only: the last of up to three paced runs, each at the previous rate × 0.5 ÷ the server load that run measured, stopping once the load is ≤ 0.55 (its serverLoad says where it ended)',
            ...halfCpu,
          },
          disclosureRows: disclosures,
          storeMB,
          servers,
        },
        checks,
      };
    } finally {
      for (const s of running) s.kill();
      rmSync(dir, { recursive: true, force: true });
      removeSqlite(target);
    }
  },
};

/** Reads `file` from end to end (the OS keeps it cached); returns its size. */
function warmFile(file: string): number {
  const fd = openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(8 * 2 ** 20);
  let total = 0;
  try {
    for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) total += n;
  } finally {
    closeSync(fd);
  }
  return total;
}

type LoadFigures = { seconds: number; rowsPerSecond: number; keptFrom?: string };

/** Loads `residents` into `target` through the ports, or copies the kept store (KEEP_STORE). */
async function loadedStore(
  target: string,
  residents: number,
  log: (line: string) => void,
): Promise<LoadFigures> {
  const kept = `${WORK_DIR}provision-${residents}.pristine.sqlite`;
  const keptFigures = `${kept}.json`;
  if (KEEP_STORE && existsSync(kept) && existsSync(keptFigures)) {
    log(`  copying the kept store of ${residents.toLocaleString('en')} residents (${kept})`);
    copyFileSync(kept, target);
    const figures = JSON.parse(readFileSync(keptFigures, 'utf8')) as LoadFigures;
    return { ...figures, keptFrom: statSync(kept).mtime.toISOString() };
  }
  log(`  loading ${residents.toLocaleString('en')} residents`);
  const load = await runWorker<LoadFigures>(
    'load',
    { store: 'sqlite', mode: 'ports', residents, batch: 10_000, target },
    log,
  );
  if (KEEP_STORE) {
    // The load worker closed the store, which checkpoints its WAL into the file.
    if (existsSync(`${target}-wal`))
      throw new Error(`${target}-wal is left: the store is not whole`);
    copyFileSync(target, kept);
    writeFileSync(
      keptFigures,
      JSON.stringify({ seconds: load.seconds, rowsPerSecond: load.rowsPerSecond }),
    );
    log(`  kept the loaded store as ${kept}`);
  }
  return load;
}

/** One run's figures, with the CPU the server used over the client's measurement window. */
async function figuresOf(
  r: ProvisionClientResult,
  server: ServerProcess<unknown>,
): Promise<RunFigures> {
  const serverMs = await server.cpuMs(r.fromEpochMs, r.toEpochMs);
  const loopDelay = await server.loopDelay();
  const windowMs = r.toEpochMs - r.fromEpochMs;
  return {
    perSecond: r.perSecond,
    personsPerSecond: Math.round(r.persons / r.seconds),
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    maxMs: r.maxMs,
    queries: r.queries,
    seconds: r.seconds,
    clientCpuUs: round1((r.cpuMs * 1000) / r.queries),
    serverCpuUs: round1((serverMs * 1000) / r.queries),
    clientLoad: round3(r.cpuMs / windowMs),
    serverLoad: round3(serverMs / windowMs),
    serverLoopDelay: loopDelay,
  };
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

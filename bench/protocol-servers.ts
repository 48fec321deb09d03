/**
 * Long-running server processes of the protocol benchmark. `runWorker` (harness.ts) runs a worker
 * to its end; a server must run while clients come and go, so it is driven by lines on its stdin:
 *
 *   server → parent (stdout)   READY {address…}      once listening
 *   parent → server (stdin)    cpu <t0> <t1>         CPU time it used between two epoch times (ms)
 *   server → parent            CPU {"ms":…}
 *   parent → server            delay                 its event loop's delay since the last `delay`
 *   server → parent            DELAY {"p50Ms":…,"p99Ms":…,"maxMs":…}
 *   parent → server            stop                  close, then print the result and exit
 *   server → parent            RESULT {…, maxRssMB}
 *
 * A server samples its own CPU time every 20 ms, so a client's measurement window (epoch ms,
 * `performance.timeOrigin + performance.now()` on both sides) gives the server's CPU share of it.
 */
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { workerArgv } from './compiled.ts';

export type LoopDelay = { readonly p50Ms: number; readonly p99Ms: number; readonly maxMs: number };

export type ServerProcess<Ready> = {
  readonly ready: Ready;
  /** Milliseconds of CPU (user + system) the server used between two epoch times. */
  cpuMs(fromEpochMs: number, toEpochMs: number): Promise<number>;
  /**
   * How late the server's event loop ran its callbacks since the last call (perf_hooks
   * monitorEventLoopDelay, 1 ms resolution): a stall on the server shows here; a latency tail
   * without one is queueing or the client.
   */
  loopDelay(): Promise<LoopDelay>;
  stop(): Promise<Record<string, unknown>>;
  /** Ends the process now if it still runs (after a failure elsewhere). */
  kill(): void;
};

/** Starts `bench/workers/<worker>.ts` with `args` and waits for its READY line. */
export function startServer<Ready>(
  worker: string,
  args: Record<string, string | number>,
  log: (s: string) => void,
): Promise<ServerProcess<Ready>> {
  // JUKINET_BENCH_PROFILE=DIR: each server writes a V8 CPU profile there when it stops.
  // JUKINET_BENCH_SERVER_FLAGS: further Node/V8 flags for the servers (diagnosis: --trace-gc …).
  const profile = process.env.JUKINET_BENCH_PROFILE;
  const flags = [
    ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []),
    ...(process.env.JUKINET_BENCH_SERVER_FLAGS ?? '').split(' ').filter((f) => f !== ''),
  ];
  const child = spawn(
    process.execPath,
    [...flags, ...workerArgv(worker, log), JSON.stringify(args)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
    for (const line of d.toString().split('\n')) if (line.trim()) log(`    ${worker}: ${line}`);
  });
  const waiting: { prefix: string; resolve: (json: unknown) => void }[] = [];
  let exited: Error | undefined;
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    const space = line.indexOf(' ');
    const prefix = space < 0 ? line : line.slice(0, space);
    const i = waiting.findIndex((w) => w.prefix === prefix);
    if (i < 0) return;
    const [w] = waiting.splice(i, 1);
    w!.resolve(JSON.parse(line.slice(space + 1)));
  });
  const failures: ((e: Error) => void)[] = [];
  child.on('close', (code) => {
    exited = new Error(`bench server ${worker} exited ${code}: ${err.slice(-2000)}`);
    for (const fail of failures.splice(0)) fail(exited);
  });
  const expect = <T>(prefix: string, send?: string): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(exited);
      failures.push(reject);
      waiting.push({ prefix, resolve: resolve as (json: unknown) => void });
      if (send !== undefined) child.stdin.write(`${send}\n`);
    });

  return expect<Ready>('READY').then((ready) => ({
    ready,
    cpuMs: (from, to) => expect<{ ms: number }>('CPU', `cpu ${from} ${to}`).then((r) => r.ms),
    loopDelay: () => expect<LoopDelay>('DELAY', 'delay'),
    stop: () => expect<Record<string, unknown>>('RESULT', 'stop'),
    kill: () => {
      if (!exited) child.kill();
    },
  }));
}

/** Epoch milliseconds with sub-millisecond resolution, comparable between processes. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

/**
 * Worker side: reads the JSON argument, starts the server (`start` returns what READY reports
 * and how to close), answers `cpu` and `stop` on stdin. The CPU samples cover the process's
 * whole life; the parent asks for its windows.
 */
export async function serveUntilStopped<A>(
  start: (args: A) => Promise<{ ready: object; close: () => Promise<object> }>,
): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as A;
  const samples: [at: number, cpuMs: number][] = [];
  const sample = () => {
    const u = process.cpuUsage();
    samples.push([epochMs(), (u.user + u.system) / 1000]);
  };
  sample();
  const sampler = setInterval(sample, 20);
  sampler.unref();
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const server = await start(args);
  delay.enable();
  process.stdout.write(`READY ${JSON.stringify(server.ready)}\n`);

  const at = (t: number): number => {
    sample();
    let i = samples.findIndex(([time]) => time >= t);
    if (i < 0) return samples.at(-1)![1];
    if (i === 0) return samples[0]![1];
    const [t1, c1] = samples[i]!;
    const [t0, c0] = samples[--i]!;
    return c0 + ((c1 - c0) * (t - t0)) / (t1 - t0 || 1);
  };
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, from, to] = line.trim().split(' ');
    if (command === 'cpu') {
      const ms = at(Number(to)) - at(Number(from));
      process.stdout.write(`CPU ${JSON.stringify({ ms })}\n`);
    } else if (command === 'delay') {
      const ms = (ns: number) => Math.round(ns / 1e4) / 100;
      const d = {
        p50Ms: ms(delay.percentile(50)),
        p99Ms: ms(delay.percentile(99)),
        maxMs: ms(delay.max),
      };
      delay.reset();
      process.stdout.write(`DELAY ${JSON.stringify(d)}\n`);
    } else if (command === 'stop') {
      clearInterval(sampler);
      const result = await server.close();
      const maxRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
      process.stdout.write(`RESULT ${JSON.stringify({ ...result, maxRssMB })}\n`);
      process.exit(0);
    }
  }
  process.stderr.write('stdin closed without stop: the benchmark went away\n');
  process.exit(1);
}

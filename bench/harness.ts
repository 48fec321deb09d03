import { spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { WORKERS_FROM_SOURCES, workerArgv } from './compiled.ts';

/** One goal check of a benchmark (stable names: issues and programs refer to them). */
export type Check = {
  readonly name: string;
  readonly value: number;
  readonly goal: number;
  readonly direction: 'min' | 'max';
  readonly unit: string;
};

export type BenchResult = {
  readonly name: string;
  readonly description: string;
  readonly quick: boolean;
  readonly parameters: Record<string, unknown>;
  readonly figures: Record<string, unknown>;
  readonly checks: readonly Check[];
  /** Set when a part could not run (e.g. no PostgreSQL): what is missing. */
  readonly missing?: readonly string[];
};

export type Benchmark = {
  readonly name: string;
  readonly description: string;
  run(options: {
    quick: boolean;
    log: (s: string) => void;
  }): Promise<Omit<BenchResult, 'name' | 'description' | 'quick'>>;
};

/** A figure to three decimals, as results report ratios and seconds. */
export const round3 = (x: number): number => Math.round(x * 1000) / 1000;

export function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const meets = (c: Check): boolean =>
  c.direction === 'min' ? c.value >= c.goal : c.value <= c.goal;

export function machine(): Record<string, unknown> {
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    /** How bench/workers ran (bench/compiled.ts). */
    workers: WORKERS_FROM_SOURCES ? 'sources through tsx' : 'compiled by tsc',
  };
}

/**
 * Runs one measurement in a child process so that each has its own heap and its own memory peak
 * (`maxRSS`). The worker module prints exactly one JSON line on stdout as its last line.
 */
export async function runWorker<T>(
  worker: string,
  args: Record<string, string | number>,
  log: (s: string) => void,
): Promise<T> {
  const argv = [...workerArgv(worker, log), JSON.stringify(args)];
  return new Promise<T>((resolvePromise, reject) => {
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      for (const line of d.toString().split('\n')) if (line.trim()) log(`    ${line}`);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0)
        return reject(new Error(`bench worker ${worker} exited ${code}: ${err.slice(-2000)}`));
      try {
        resolvePromise(JSON.parse(last) as T);
      } catch {
        reject(new Error(`bench worker ${worker} printed no result: ${out.slice(-500)}`));
      }
    });
  });
}

/** Worker side: read the JSON argument, run, print the result with the process's memory peak. */
export async function workerMain<A, R extends object>(fn: (args: A) => Promise<R>): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as A;
  const result = await fn(args);
  const maxRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  process.stdout.write(`\n${JSON.stringify({ ...result, maxRssMB })}\n`);
}

/**
 * The next paced rate towards a server load of 0.5: the secant through the last two runs when
 * their loads differ in the right direction, else the last rate scaled by 0.5 ÷ its load.
 */
export function towardsHalfLoad(
  last: { readonly rate: number; readonly serverLoad: number },
  before?: { readonly rate: number; readonly serverLoad: number },
): number {
  const proportional = (last.rate * 0.5) / last.serverLoad;
  if (before === undefined || before.rate === last.rate) return proportional;
  const slope = (last.serverLoad - before.serverLoad) / (last.rate - before.rate);
  if (!(slope > 0)) return proportional;
  const secant = last.rate + (0.5 - last.serverLoad) / slope;
  return secant > 0 ? secant : proportional;
}

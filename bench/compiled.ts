import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * How a benchmark starts its worker processes: the compiled JavaScript, as `juki` runs in
 * production (bin/juki.js runs tsc's output in dist/), not the sources through tsx. The two are
 * not the same program: tsx compiles with esbuild's `keepNames`, which wraps every function made
 * at run time in a `__name(fn, …)` call (an `Object.defineProperty`), and its loader makes the
 * process's heap grow differently. Measured in process on 2026-11-25 (alternating runs): decoding
 * and planning a provision query took 1.2–2.0× as long through tsx, while session round trips
 * were as fast or faster through tsx, depending mostly on the young generation's size (the
 * compiled code with `--min-semi-space-size=16`: 3.4 µs a route-request round trip, without:
 * 3.5–10). The workers and everything they import are compiled once per `npm run bench` (tsc,
 * bench/tsconfig.workers.json) into bench/.work/build. `JUKINET_BENCH_TSX=1` runs them from the
 * sources instead (to compare, or to debug).
 */
const BUILD_DIR = fileURLToPath(new URL('./.work/build/', import.meta.url));
export const WORKERS_FROM_SOURCES = process.env.JUKINET_BENCH_TSX === '1';
let built = false;

/** The Node arguments that run `bench/workers/<worker>` (before the worker's own arguments). */
export function workerArgv(worker: string, log: (s: string) => void): string[] {
  if (WORKERS_FROM_SOURCES)
    return ['--import', 'tsx', fileURLToPath(new URL(`./workers/${worker}.ts`, import.meta.url))];
  if (!built) build(log);
  return [`${BUILD_DIR}bench/workers/${worker}.js`];
}

function build(log: (s: string) => void): void {
  log(
    '  compiling the benchmark workers with tsc (as the product is built; JUKINET_BENCH_TSX=1 runs the sources)',
  );
  rmSync(BUILD_DIR, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const project = fileURLToPath(new URL('./tsconfig.workers.json', import.meta.url));
  try {
    execFileSync(process.execPath, [tsc, '-p', project], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const out = (e as { stdout?: Buffer }).stdout?.toString() ?? '';
    throw new Error(`tsc could not compile the benchmark workers:\n${out.slice(0, 4000)}`);
  }
  // src/reference-data finds data/ two levels up, as it does from src/ and dist/.
  mkdirSync(BUILD_DIR, { recursive: true });
  const data = `${BUILD_DIR}data`;
  if (!existsSync(data))
    symlinkSync(fileURLToPath(new URL('../data', import.meta.url)), data, 'dir');
  built = true;
}

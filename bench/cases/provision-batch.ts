import { round3 } from '../harness.ts';
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { drawResidentCode } from '../../src/domain/resident/ResidentCode.ts';
import { openProvisionStore } from '../../src/storage/open-store.ts';
import { parseStoreUrl } from '../../src/storage/store-url.ts';
import { ProcessNetwork } from '../../test/e2e/network-harness.ts';
import type { Benchmark, Check } from '../harness.ts';
import { runWorker } from '../harness.ts';
import { AFFAIR, PROVISION_NODES, seedRegistry } from '../provision-network.ts';
import { WORK_DIR } from '../stores.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** The CLI from source, as the e2e tests run it (`bin/juki.js` runs the same main from dist/). */
const ENTRY = fileURLToPath(new URL('../../src/cli/entry.ts', import.meta.url));
const NATIONAL = PROVISION_NODES.national;
const AGENCY = PROVISION_NODES.agency;
/** How often each process's memory is read from /proc. */
const SAMPLE_MS = 100;

/**
 * What the input file's line `i` (1-based) asks, and so what its result line must say: every
 * 1,000th line is not JSON, every 1,000th (offset 500) a resident code of 5 digits, every 50th
 * (offset 25) a well-formed code nobody has, the rest codes of people in the store.
 */
type Expected = 'found' | 'not-found' | 'refused:code' | 'refused:malformed-line';
const expectedOf = (i: number): Expected =>
  i % 1000 === 0
    ? 'refused:malformed-line'
    : i % 1000 === 500
      ? 'refused:code'
      : i % 50 === 25
        ? 'not-found'
        : 'found';

/** Writes the `lines`-line JSON Lines file of batch rows (resident-code queries) to `file`. */
async function writeRows(
  file: string,
  lines: number,
  codes: readonly string[],
  absent: readonly string[],
): Promise<number> {
  const out = createWriteStream(file);
  let bytes = 0;
  for (let i = 1; i <= lines; i++) {
    const e = expectedOf(i);
    const line =
      e === 'refused:malformed-line'
        ? `not a JSON object ${i}`
        : JSON.stringify({
            ref: `r${i}`,
            resident_code:
              e === 'refused:code'
                ? '12345'
                : e === 'not-found'
                  ? absent[i % absent.length]!
                  : codes[(i * 7919) % codes.length]!,
          });
    bytes += Buffer.byteLength(line) + 1;
    if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((e?: Error | null) => (e ? reject(e) : resolve())),
  );
  return bytes;
}

/** Each result line against its input line: in order, one per line, the expected status. */
async function verifyResults(
  file: string,
  lines: number,
): Promise<{
  resultLines: number;
  matching: number;
  statuses: Record<string, number>;
  refusedReasons: Record<string, number>;
  firstMismatch?: string;
}> {
  const statuses: Record<string, number> = {};
  const refusedReasons: Record<string, number> = {};
  let resultLines = 0;
  let matching = 0;
  let firstMismatch: string | undefined;
  const rl = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const raw of rl) {
    resultLines += 1;
    const r = JSON.parse(raw) as {
      line: number;
      ref: unknown;
      status: string;
      reason?: string;
      identity?: { identifier?: { kind?: string } };
    };
    statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    if (r.status === 'refused')
      refusedReasons[r.reason ?? '?'] = (refusedReasons[r.reason ?? '?'] ?? 0) + 1;
    const e = expectedOf(resultLines);
    const ok =
      r.line === resultLines &&
      (e === 'refused:malformed-line'
        ? r.status === 'refused' && r.reason === 'batch.malformed-line'
        : r.ref === `r${resultLines}` &&
          (e === 'refused:code'
            ? r.status === 'refused'
            : e === 'not-found'
              ? r.status === 'not-found'
              : r.status === 'found' && r.identity?.identifier?.kind === 'pseudonym'));
    if (ok) matching += 1;
    else firstMismatch ??= `line ${resultLines} (expected ${e}): ${raw.slice(0, 300)}`;
  }
  if (resultLines !== lines)
    firstMismatch ??= `${resultLines} result lines for ${lines} input lines`;
  return {
    resultLines,
    matching,
    statuses,
    refusedReasons,
    ...(firstMismatch ? { firstMismatch } : {}),
  };
}

/** VmHWM (peak resident set) and VmRSS of a process, in KiB; undefined once it has exited. */
function memoryOf(pid: number): { hwmKb: number; rssKb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number =>
      Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    const m = { hwmKb: kb('VmHWM'), rssKb: kb('VmRSS') };
    return Number.isNaN(m.hwmKb) || Number.isNaN(m.rssKb) ? undefined : m; // exiting: no memory left
  } catch {
    return undefined;
  }
}

type MemoryFigures = {
  /** The process's peak resident set over the run (VmHWM; the CLI's: its last sample). */
  peakMB: number;
  /** Resident set at 10 %, 50 % and 100 % of the run's time (the nearest sample before). */
  rssMB: { '10%': number; '50%': number; '100%': number };
};

/** Samples the memory of some processes every SAMPLE_MS until stopped. */
function sampleMemory(pids: Record<string, number>): {
  stop(): Record<string, MemoryFigures>;
} {
  const started = performance.now();
  const samples = new Map<string, { at: number; rssKb: number }[]>();
  const peaks = new Map<string, number>();
  const take = (): void => {
    for (const [name, pid] of Object.entries(pids)) {
      const m = memoryOf(pid);
      if (!m) continue;
      peaks.set(name, Math.max(peaks.get(name) ?? 0, m.hwmKb));
      const list = samples.get(name) ?? [];
      list.push({ at: performance.now() - started, rssKb: m.rssKb });
      samples.set(name, list);
    }
  };
  take();
  const timer = setInterval(take, SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      take();
      const elapsed = performance.now() - started;
      const mb = (kb: number): number => Math.round(kb / 1024);
      const figures: Record<string, MemoryFigures> = {};
      for (const name of Object.keys(pids)) {
        const list = samples.get(name) ?? [];
        const at = (f: number): number =>
          mb(list.filter((s) => s.at <= f * elapsed).at(-1)?.rssKb ?? NaN);
        figures[name] = {
          peakMB: mb(peaks.get(name) ?? NaN),
          rssMB: { '10%': at(0.1), '50%': at(0.5), '100%': at(1) },
        };
      }
      return figures;
    },
  };
}

/**
 * The CLI's full (mark-compact) collections, from V8's `--trace-gc` lines on its stdout: the heap
 * each left, in MB — what the process still held (the live set), where the resident set also
 * counts garbage V8 has not collected yet. Of the isolate that held most (the main thread; the
 * tsx loader thread is another).
 */
type FullGcs = {
  count: number;
  heapAfterMB: { min: number; max: number; last: number } | null;
  /** The largest heap left in the last half of the run ÷ the first one left after 10 % of it. */
  lateVsEarly: number | null;
};

const GC_LINE = /^\[\d+:(0x[0-9a-f]+)\]\s+(\d+) ms: Mark-Compact[^>]*-> ([\d.]+) \(/;

function fullGcsOf(lines: readonly string[], runMs: number): FullGcs {
  const byIsolate = new Map<string, { ms: number; mb: number }[]>();
  for (const line of lines) {
    const m = GC_LINE.exec(line);
    if (!m) continue;
    const list = byIsolate.get(m[1]!) ?? [];
    list.push({ ms: Number(m[2]), mb: Number(m[3]) });
    byIsolate.set(m[1]!, list);
  }
  const gcs =
    [...byIsolate.values()].sort(
      (a, b) => Math.max(...b.map((g) => g.mb)) - Math.max(...a.map((g) => g.mb)),
    )[0] ?? [];
  if (gcs.length === 0) return { count: 0, heapAfterMB: null, lateVsEarly: null };
  const mbs = gcs.map((g) => g.mb);
  const early = gcs.find((g) => g.ms >= runMs * 0.1);
  const late = gcs.filter((g) => g.ms >= runMs * 0.5).map((g) => g.mb);
  return {
    count: gcs.length,
    heapAfterMB: { min: Math.min(...mbs), max: Math.max(...mbs), last: mbs.at(-1)! },
    lateVsEarly:
      early && late.length > 0 && early !== gcs.at(-1)
        ? Math.round((Math.max(...late) / early.mb) * 1000) / 1000
        : null,
  };
}

type CliRun = {
  seconds: number;
  summary: Record<string, unknown>;
  /** Progress lines the CLI wrote on stderr, and how far into the run the first came. */
  progress: { lines: number; firstAtFractionOfRun: number | null; last: string | null };
  memory: Record<string, MemoryFigures>;
  fullGcs: FullGcs;
};

/**
 * `juki provision batch` as an operator runs it (stderr not a terminal), its memory sampled; with
 * V8's `--trace-gc` (lines on stdout before the summary, which is parsed without them).
 */
function runCli(args: readonly string[], servers: Record<string, number>): Promise<CliRun> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--trace-gc', '--import', 'tsx', ENTRY, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sampler = sampleMemory({ cli: child.pid!, ...servers });
  let out = '';
  let err = '';
  const progressAt: number[] = [];
  let lastProgress: string | null = null;
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
    for (const line of d.toString().split(/[\r\n]/))
      if (line.includes('一括提供 batch provision')) {
        progressAt.push(performance.now() - started);
        lastProgress = line.replace('\u001b[2K', '').trim();
      }
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const memory = sampler.stop();
      const ms = performance.now() - started;
      if (code !== 0) return reject(new Error(`juki provision batch exited ${code}: ${err}`));
      const lines = out.split('\n');
      const isGc = (l: string): boolean => /^\[\d+:0x[0-9a-f]+\]/.test(l);
      let summary: Record<string, unknown>;
      try {
        // --json: the summary alone, besides the GC trace.
        summary = JSON.parse(lines.filter((l) => !isGc(l)).join('\n')) as Record<string, unknown>;
      } catch {
        return reject(
          new Error(`juki provision batch printed no JSON summary: ${out.slice(-500)}`),
        );
      }
      resolve({
        seconds: ms / 1000,
        summary,
        progress: {
          lines: progressAt.length,
          firstAtFractionOfRun:
            progressAt.length === 0 ? null : Math.round((progressAt[0]! / ms) * 1000) / 1000,
          last: lastProgress,
        },
        memory,
        fullGcs: fullGcsOf(lines.filter(isGc), ms),
      });
    });
  });
}

export const provisionBatchBenchmark: Benchmark = {
  name: 'provision-batch',
  description:
    '一括提供 (batch provision, R14) of a large file through the real command: `juki provision batch --config AGENCY.json --affair A --in ROWS.jsonl --out RESULT.jsonl` as a child process (from source, its stderr a pipe as in a log, the default chunk of 256 rows; with V8’s --trace-gc, whose full collections tell the heap the CLI still holds), against an agency server and the national server each started by `juki node start` from `juki network init` configs (mutual TLS 1.3 over loopback, SQLite stores). The national store holds a generated population loaded through the ports and the agency in its register (recipient, permitted affair, agreement). Input files of resident-code rows: per 1,000 lines, 978 codes of people in the store, 20 well-formed codes nobody has, one code of 5 digits and one line that is not JSON. A file of one row runs first (each process’s floor). Each file runs on freshly started servers; the memory of the CLI and of both servers is read from /proc every 100 ms (VmHWM: the peak resident set; the CLI’s from its last sample). Every result line is checked against its input line (line number, ref, status; a found row carries a pseudonym) and the disclosures the national server recorded are counted. Goals (issue 5: “a file of 1 M rows works in bounded memory”): the peak resident set at 1 M rows ≤ 2 × the peak at 100 k rows, for the CLI and for the agency server (memory growing with the file would be ×10; when V8 collects moves a peak by up to ×1.5); the CLI’s heap after full collections in the last half of the 1 M run ≤ 1.2 × the first one after 10 % of it; every result line as expected. Reported besides: rows per second (the CLI’s wall time), the national server’s peak, the memory at 10/50/100 % of each run, the CLI’s heap after each full collection (its live set: the resident set also holds garbage V8 has not collected yet), and the progress lines the CLI wrote while it ran (off a terminal, without a total: one at most every 10 s).',
  async run({ quick, log }) {
    const residents = quick ? 20_000 : 50_000;
    const sizes = quick ? ([10_000, 100_000] as const) : ([100_000, 1_000_000] as const);
    const work = `${WORK_DIR}provision-batch/`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const net = await ProcessNetwork.create({
      prefectures: [],
      municipalities: [],
      agencies: [AGENCY.split(':')[1]!],
      overrides: { schedule: { integrityMinutes: 0, retentionMinutes: 0 }, log: { level: 'info' } },
    });
    try {
      // ── the national store: residents through the ports, the agency in its register ───────
      const storeUrl = net.config(NATIONAL).store;
      const target = (parseStoreUrl(storeUrl) as { path: string }).path;
      log(`  loading ${residents.toLocaleString('en')} residents`);
      const load = await runWorker<{ seconds: number; rowsPerSecond: number }>(
        'load',
        { store: 'sqlite', mode: 'ports', residents, batch: 10_000, target },
        log,
      );
      const provision = await openProvisionStore(storeUrl);
      await seedRegistry(provision);
      await provision.close();
      const db = new Database(target, { readonly: true });
      const codes = db.prepare('SELECT resident_code FROM identity').pluck().all() as string[];
      db.close();
      const taken = new Set(codes);
      let s = 17;
      const digits = (n: number): string => {
        let d = '';
        for (let k = 0; k < n; k++) {
          s = (s * 1103515245 + 12345) % 2 ** 31;
          d += String(s % 10);
        }
        return d;
      };
      const absent: string[] = [];
      while (absent.length < 1000) {
        const c = drawResidentCode(digits);
        if (!taken.has(c)) absent.push(c);
      }
      const disclosures = (): number => {
        const d = new Database(target, { readonly: true });
        try {
          return d.prepare('SELECT count(*) FROM disclosure').pluck().get() as number;
        } finally {
          d.close();
        }
      };

      // ── each file: fresh servers, the CLI, its output checked ─────────────────────────────
      const runs: Record<string, Record<string, unknown>> = {};
      const peaks: Record<string, Record<string, number>> = {};
      let allMatching = 0;
      let allLines = 0;
      // A file of one row first: each process's floor (the CLI's is mostly its start-up).
      for (const lines of [1, ...sizes]) {
        const input = `${work}rows-${lines}.jsonl`;
        const output = `${work}result-${lines}.jsonl`;
        const inputBytes = await writeRows(input, lines, codes, absent);
        const disclosuresBefore = disclosures();
        await net.start(NATIONAL);
        await net.start(AGENCY);
        const servers = { national: net.pid(NATIONAL)!, agency: net.pid(AGENCY)! };
        const idle = Object.fromEntries(
          Object.entries(servers).map(([k, pid]) => [k, Math.round(memoryOf(pid)!.rssKb / 1024)]),
        );
        log(
          `  ${lines.toLocaleString('en')} rows (${Math.round(inputBytes / 2 ** 20)} MiB): running the CLI`,
        );
        const cli = await runCli(
          [
            'provision',
            'batch',
            '--config',
            net.manifest.nodes.find((n) => n.node === AGENCY)!.config,
            '--affair',
            AFFAIR,
            '--in',
            input,
            '--out',
            output,
            '--json',
          ],
          servers,
        );
        await net.kill(AGENCY, 'SIGTERM');
        await net.kill(NATIONAL, 'SIGTERM');
        const recorded = disclosures() - disclosuresBefore;
        const verified = await verifyResults(output, lines);
        rmSync(output, { force: true });
        rmSync(input, { force: true });
        allMatching += verified.matching;
        allLines += lines;
        const rowsPerSecond = Math.round(lines / cli.seconds);
        let expectedFound = 0;
        for (let i = 1; i <= lines; i++) if (expectedOf(i) === 'found') expectedFound++;
        log(
          `  ${lines.toLocaleString('en')} rows: ${rowsPerSecond.toLocaleString('en')} rows/s; peak RSS CLI ${cli.memory.cli!.peakMB} MB, agency ${cli.memory.agency!.peakMB} MB, national ${cli.memory.national!.peakMB} MB; ${verified.matching.toLocaleString('en')}/${lines.toLocaleString('en')} result lines as expected; the CLI's heap after ${cli.fullGcs.count} full GCs ${JSON.stringify(cli.fullGcs.heapAfterMB)} MB; ${cli.progress.lines} progress line(s), the first at ${cli.progress.firstAtFractionOfRun ?? '-'} of the run`,
        );
        if (verified.firstMismatch) log(`  first mismatch: ${verified.firstMismatch}`);
        runs[String(lines)] = {
          inputMiB: round3(inputBytes / 2 ** 20),
          seconds: round3(cli.seconds),
          rowsPerSecond,
          summary: cli.summary,
          results: verified,
          disclosuresRecorded: recorded,
          disclosuresAsFound: recorded === expectedFound,
          idleRssMB: idle,
          memory: cli.memory,
          cliFullGcs: cli.fullGcs,
          progress: cli.progress,
        };
        peaks[String(lines)] = Object.fromEntries(
          Object.entries(cli.memory).map(([k, m]) => [k, m.peakMB]),
        );
      }

      // ── figures and checks ────────────────────────────────────────────────────────────────
      const [small, large] = sizes.map(String) as [string, string];
      const ratio = (p: string): number => round3(peaks[large]![p]! / peaks[small]![p]!);
      // The CLI's live set late in the largest run against early in it (a same-run reference that
      // does not depend on when V8 collects): what it still holds does not grow with the rows.
      const heapLateVsEarly = (runs[large]!.cliFullGcs as FullGcs).lateVsEarly;
      const checks: Check[] = [
        {
          name: 'batch.file_rss_1m_vs_100k',
          value: ratio('cli'),
          goal: 2,
          direction: 'max',
          unit: 'ratio',
        },
        {
          name: 'batch.agency_rss_1m_vs_100k',
          value: ratio('agency'),
          goal: 2,
          direction: 'max',
          unit: 'ratio',
        },
        ...(heapLateVsEarly === null
          ? []
          : [
              {
                name: 'batch.file_heap_late_vs_early',
                value: heapLateVsEarly,
                goal: 1.2,
                direction: 'max' as const,
                unit: 'ratio',
              },
            ]),
        {
          name: 'batch.file_results_as_expected',
          value: round3(allMatching / allLines),
          goal: 1,
          direction: 'min',
          unit: 'ratio',
        },
      ];
      return {
        parameters: {
          residents,
          sizes,
          sizesNote: quick
            ? 'quick: 10 k and 100 k rows (the check names keep 1m_vs_100k: larger vs smaller)'
            : '100 k and 1 M rows',
          chunk: 256,
          rowsPer1000Lines: { found: 978, notFound: 20, malformedCode: 1, notJson: 1 },
          cli: 'node --trace-gc --import tsx src/cli/entry.ts provision batch … --json (stderr a pipe)',
          servers: `${NATIONAL} and ${AGENCY}, juki node start, restarted for each file`,
          sampleMs: SAMPLE_MS,
        },
        figures: {
          load: { seconds: round3(load.seconds), rowsPerSecond: load.rowsPerSecond },
          runs,
          peakRssMB: peaks,
          peakRatioLargeVsSmall: {
            cli: ratio('cli'),
            agency: ratio('agency'),
            national: ratio('national'),
          },
        },
        checks,
        ...(heapLateVsEarly === null
          ? {
              missing: [
                'batch.file_heap_late_vs_early: no full GC of the CLI late in the larger run (too short)',
              ],
            }
          : {}),
      };
    } finally {
      await net.destroy();
      rmSync(work, { recursive: true, force: true });
    }
  },
};

/**
 * `npm run bench [-- <name>] [--quick]`: runs the benchmark suite, writes
 * bench/results/<name>.json (machine, versions, parameters, figures, checks) and regenerates the
 * human-readable bench/results/README.md from every result file present.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { machine, meets, type Benchmark, type BenchResult } from './harness.ts';
import { loadBenchmark } from './cases/load.ts';
import { lookupBenchmark } from './cases/lookup.ts';
import { propagationBenchmark } from './cases/propagation.ts';
import { integrityBenchmark } from './cases/integrity.ts';
import { protocolBenchmark } from './cases/protocol.ts';
import { provisionBenchmark } from './cases/provision.ts';
import { provisionBatchBenchmark } from './cases/provision-batch.ts';
import { disclosureLogBenchmark } from './cases/disclosure-log.ts';

const BENCHMARKS: readonly Benchmark[] = [
  loadBenchmark,
  lookupBenchmark,
  protocolBenchmark,
  propagationBenchmark,
  integrityBenchmark,
  provisionBenchmark,
  provisionBatchBenchmark,
  disclosureLogBenchmark,
];
const RESULTS_DIR = fileURLToPath(new URL('./results/', import.meta.url));

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const names = args.filter((a) => !a.startsWith('--'));
  const unknown = names.filter((n) => !BENCHMARKS.some((b) => b.name === n));
  if (unknown.length > 0) {
    console.error(
      `unknown benchmark(s): ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`,
    );
    return 2;
  }
  const selected =
    names.length === 0 ? BENCHMARKS : BENCHMARKS.filter((b) => names.includes(b.name));
  mkdirSync(RESULTS_DIR, { recursive: true });
  let allMet = true;
  for (const bench of selected) {
    const log = (s: string): void => console.error(s);
    log(`== ${bench.name}${quick ? ' (quick)' : ''}: ${bench.description}`);
    const started = new Date();
    const partial = await bench.run({ quick, log });
    const result: BenchResult & Record<string, unknown> = {
      name: bench.name,
      description: bench.description,
      quick,
      startedAt: started.toISOString(),
      seconds: Math.round((Date.now() - started.getTime()) / 100) / 10,
      machine: machine(),
      ...partial,
    };
    writeFileSync(`${RESULTS_DIR}${bench.name}.json`, `${JSON.stringify(result, null, 2)}\n`);
    for (const c of result.checks) {
      const ok = meets(c);
      allMet &&= ok;
      log(
        `  ${ok ? 'MET ' : 'MISS'} ${c.name} = ${c.value} ${c.unit} (goal ${c.direction === 'min' ? '≥' : '≤'} ${c.goal})`,
      );
    }
    for (const m of result.missing ?? []) log(`  NOT RUN: ${m}`);
  }
  writeResultsReadme();
  return allMet ? 0 : 1;
}

function writeResultsReadme(): void {
  const results = readdirSync(RESULTS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map(
      (f) =>
        JSON.parse(readFileSync(`${RESULTS_DIR}${f}`, 'utf8')) as BenchResult & {
          startedAt: string;
          machine: Record<string, unknown>;
        },
    );
  const lines = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (do not edit by hand). Every figure is a ratio against a reference',
    'measured in the same run, on the same machine. Goals: docs and the issues that set them.',
    '',
    '| benchmark | check | value | goal | met | run |',
    '|---|---|---:|---:|---|---|',
  ];
  for (const r of results) {
    for (const c of r.checks) {
      lines.push(
        `| ${r.name} | \`${c.name}\` | ${c.value} ${c.unit} | ${c.direction === 'min' ? '≥' : '≤'} ${c.goal} | ${meets(c) ? 'yes' : '**no**'} | ${r.startedAt.slice(0, 10)}${r.quick ? ' (quick)' : ''} |`,
      );
    }
    for (const m of r.missing ?? [])
      lines.push(`| ${r.name} | not run | ${m} | | | ${r.startedAt.slice(0, 10)} |`);
  }
  lines.push('', '## Details', '');
  for (const r of results) {
    lines.push(
      `### ${r.name}`,
      '',
      r.description,
      '',
      `Machine: ${JSON.stringify(r.machine)}`,
      '',
      'Parameters: `' + JSON.stringify(r.parameters) + '`',
      '',
      '```json',
      JSON.stringify(r.figures, null, 2),
      '```',
      '',
    );
  }
  writeFileSync(`${RESULTS_DIR}README.md`, `${lines.join('\n')}\n`);
}

process.exitCode = await main();

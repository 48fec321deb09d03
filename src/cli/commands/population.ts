import { parseArgs } from 'node:util';
import { parseCalendarDate } from '../../domain/dates/CalendarDate.ts';
import { writePopulationFile } from '../../population/write-population-file.ts';
import { loadLocalGovernmentTable } from '../../reference-data/local-governments.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';
import { createProgress } from '../progress.ts';

export const POPULATION_HELP = `juki population generate --residents N --seed S --out FILE [options]

  Writes a deterministic synthetic population (JSON Lines, see docs/POPULATION.md): the same
  seed and options give the same file. Streams, so 10 M residents fit in a few hundred MB.

  --residents N        number of residents (required)
  --seed S             PRNG seed (required)
  --out FILE           output file (required)
  --as-of YYYY-MM-DD   reference date for ages (default ${'2026-10-01'}; fixed so files are reproducible)
  --municipalities C,C only these 6-digit local-government codes (default: all of Japan)
  --json               print the summary as JSON`;

export const DEFAULT_AS_OF = '2026-10-01';

export async function runPopulation(args: readonly string[], io: CommandIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'generate')
    throw new UsageError(`unknown subcommand ${JSON.stringify(sub ?? '')}: expected generate`);
  const { values } = parseArgs({
    args: rest,
    options: {
      residents: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      'as-of': { type: 'string', default: DEFAULT_AS_OF },
      municipalities: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const residents = Number(values.residents);
  if (!Number.isSafeInteger(residents) || residents < 1)
    throw new UsageError('--residents must be a positive integer');
  if (values.seed === undefined || values.seed === '') throw new UsageError('--seed is required');
  if (values.out === undefined) throw new UsageError('--out is required');

  const table = loadLocalGovernmentTable();
  const onlyCodes = values.municipalities
    ?.split(',')
    .map((c) => c.trim())
    .filter(Boolean);
  for (const code of onlyCodes ?? []) {
    if (!/^\d{6}$/.test(code) || table.byCode(code) === undefined) {
      throw new UsageError(`--municipalities: unknown 6-digit local-government code ${code}`);
    }
  }
  const started = performance.now();
  const progress = createProgress('generating', residents, {
    interactive: io.interactive,
    write: (s) => process.stderr.write(s),
  });
  const result = await writePopulationFile(
    values.out,
    {
      residents,
      seed: values.seed,
      municipalities: table.rows,
      asOf: parseCalendarDate(values['as-of']),
      ...(onlyCodes ? { onlyCodes } : {}),
    },
    (done) => progress.update(done),
  );
  progress.finish(result.rows);
  const seconds = (performance.now() - started) / 1000;
  const summary = {
    out: values.out,
    residents: result.rows,
    bytes: result.bytes,
    seconds: Number(seconds.toFixed(2)),
  };
  if (values.json) printJson(io, summary);
  else
    io.out(
      `wrote ${result.rows.toLocaleString('en')} residents (${(result.bytes / 1e6).toFixed(1)} MB) to ${values.out} in ${seconds.toFixed(1)} s`,
    );
  return EXIT.ok;
}

import { parseArgs } from 'node:util';
import { bulkLoadPopulationFile } from '../../population/bulk-load.ts';
import { openIdentityStore } from '../../storage/open-store.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';
import { createProgress } from '../progress.ts';

export const LOAD_HELP = `juki load --store <sqlite:PATH | postgres://…> --in FILE [--batch N] [--json]

  Bulk-loads a population file (from \`juki population generate\`) into a store. Malformed rows and
  rows whose resident code or individual number is already stored are refused and reported with
  their line number and reason; nothing already stored is changed. Exit 0 when every row loaded,
  1 when any row was refused.

  --store URL   sqlite:PATH (embedded, created if missing) or postgres://user@host:port/db
  --in FILE     population file (JSON Lines)
  --batch N     rows per transaction (default 10000)
  --json        machine-readable report`;

export async function runLoad(args: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      store: { type: 'string' },
      in: { type: 'string' },
      batch: { type: 'string', default: '10000' },
      json: { type: 'boolean', default: false },
    },
  });
  if (values.store === undefined) throw new UsageError('--store is required');
  if (values.in === undefined) throw new UsageError('--in is required');
  const batchSize = Number(values.batch);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1)
    throw new UsageError('--batch must be a positive integer');

  const store = await openIdentityStore(values.store);
  const started = performance.now();
  try {
    let progress: ReturnType<typeof createProgress> | undefined;
    const report = await bulkLoadPopulationFile(store, values.in, {
      batchSize,
      onProgress: (done, expected) => {
        progress ??= createProgress('loading', expected, {
          interactive: io.interactive,
          write: (s) => process.stderr.write(s),
        });
        progress.update(done);
      },
    });
    progress?.finish(report.rowsRead);
    const seconds = (performance.now() - started) / 1000;
    if (values.json) {
      printJson(io, { ...report, seconds: Number(seconds.toFixed(2)) });
    } else {
      io.out(
        `loaded ${report.loaded.toLocaleString('en')} of ${report.rowsRead.toLocaleString('en')} rows in ${seconds.toFixed(1)} s`,
      );
      if (report.refusedCount > 0) {
        io.out(
          `refused ${report.refusedCount.toLocaleString('en')} rows (nothing already stored was changed):`,
        );
        for (const r of report.refusals)
          io.out(`  line ${r.line}${r.residentCode ? ` (${r.residentCode})` : ''}: ${r.reason}`);
        if (report.refusedCount > report.refusals.length)
          io.out(
            `  … and ${report.refusedCount - report.refusals.length} more (use --json for the report)`,
          );
      }
    }
    return report.refusedCount === 0 ? EXIT.ok : EXIT.failed;
  } finally {
    await store.close();
  }
}

import { parseArgs } from 'node:util';
import { UsageError } from '../cli-error.ts';
import type { CommandIO } from '../io.ts';
import { runNode } from './node.ts';

export const INTEGRITY_HELP = `juki integrity check --config FILE [--repair] [--json]
juki integrity list  --config FILE

  本人確認情報整合 (R20) at a running CS or prefecture server: check its file against its upstream
  node now (the same as juki node integrity); --repair re-sends the differing records; list shows
  the checks the node recorded. docs/INTEGRITY.md.`;

/** `juki integrity …`: the name for `juki node integrity …`. */
export async function runIntegrity(args: readonly string[], io: CommandIO): Promise<number> {
  const { positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: false,
  });
  const [action] = positionals;
  const rest = args.filter((a) => a !== action);
  if (action === 'check') return runNode(['integrity', ...rest], io);
  if (action === 'list') return runNode(['integrity', '--list', ...rest], io);
  throw new UsageError(INTEGRITY_HELP);
}

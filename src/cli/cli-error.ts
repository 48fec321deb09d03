import { isRegistryError, type ErrorCode } from '../domain/errors.ts';

/** Exit codes of `juki`: 0 success / valid, 1 negative verdict or failed operation, 2 bad usage. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A usage error: wrong flags or arguments. Printed with the command's help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const EXIT_BY_CODE: Record<ErrorCode, number> = {
  invalid: EXIT.failed,
  'not-found': EXIT.failed,
  conflict: EXIT.failed,
  forbidden: EXIT.failed,
  'too-many-matches': EXIT.failed,
  suspended: EXIT.failed,
  'rate-limited': EXIT.failed,
  unavailable: EXIT.failed,
};

/** The one place where errors become exit codes and messages. */
export function describeError(e: unknown): { exitCode: number; message: string } {
  if (e instanceof UsageError) return { exitCode: EXIT.usage, message: e.message };
  if (isRegistryError(e)) {
    const reason = e.reason ? ` [${e.reason}]` : '';
    return { exitCode: EXIT_BY_CODE[e.code], message: `${e.code}: ${e.message}${reason}` };
  }
  const message = e instanceof Error ? e.message : String(e);
  return { exitCode: EXIT.failed, message: `unexpected error: ${message}` };
}

/**
 * Structured logs of a running node: one JSON object per line (time, level, node, event, fields).
 * Fields are flat scalars only — no objects — so that a record, an event or a person's values
 * cannot be logged by accident: logs carry counts, transaction ids, node names and durations,
 * never 本人確認情報 (names, addresses, dates of birth, resident codes). docs/OPERATIONS.md.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export type Logger = {
  log(level: LogLevel, event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
};

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function jsonLogger(options: {
  write: (line: string) => void;
  base?: LogFields;
  minLevel?: LogLevel;
  now?: () => Date;
}): Logger {
  const min = LEVELS[options.minLevel ?? 'info'];
  const now = options.now ?? (() => new Date());
  const make = (base: LogFields): Logger => {
    const log = (level: LogLevel, event: string, fields: LogFields = {}): void => {
      if (LEVELS[level] < min) return;
      options.write(
        `${JSON.stringify({ time: now().toISOString(), level, ...base, event, ...fields })}\n`,
      );
    };
    return {
      log,
      info: (e, f) => log('info', e, f),
      warn: (e, f) => log('warn', e, f),
      error: (e, f) => log('error', e, f),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return make(options.base ?? {});
}

/** A logger that drops everything (tests that do not look at logs). */
export const silentLogger: Logger = jsonLogger({ write: () => undefined, minLevel: 'error' });

/** The message of an error, for a log field (never its stack or attached data). */
export const errorText = (e: unknown): string =>
  e instanceof Error ? `${e.name}: ${e.message}` : String(e);

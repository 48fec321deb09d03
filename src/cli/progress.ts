/**
 * Progress for long work (population generation, bulk load). On a terminal: one line redrawn in
 * place with count, percentage, rate and ETA. Elsewhere (CI logs, pipes): a line every 10 % — or,
 * when the total is unknown (a streamed file), at most one every 10 seconds — so logs stay short
 * but a long run still shows it is alive.
 */
export type Progress = { update(done: number): void; finish(done: number): void };

/** Off a terminal with no total: the least time between two lines. */
export const UNKNOWN_TOTAL_LINE_MS = 10_000;

export function createProgress(
  label: string,
  total: number | undefined,
  options: { interactive: boolean; write: (s: string) => void; now?: () => number },
): Progress {
  const now = options.now ?? (() => performance.now());
  const started = now();
  let lastDraw = 0;
  let lastDecile = -1;
  let lastLine = started;

  const line = (done: number): string => {
    const seconds = (now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    if (total === undefined || total === 0)
      return `${label}: ${done.toLocaleString('en')} (${rate.toLocaleString('en')}/s)`;
    const pct = Math.min(100, (done / total) * 100);
    const eta = rate > 0 ? Math.max(0, Math.round((total - done) / rate)) : undefined;
    const width = 24;
    const filled = Math.round((pct / 100) * width);
    const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
    return `${label} ${bar} ${pct.toFixed(1)}% ${done.toLocaleString('en')}/${total.toLocaleString('en')} ${rate.toLocaleString('en')}/s${eta === undefined ? '' : ` ETA ${eta}s`}`;
  };

  return {
    update(done) {
      if (options.interactive) {
        const t = now();
        if (t - lastDraw < 100) return;
        lastDraw = t;
        options.write(`\r\x1b[2K${line(done)}`);
        return;
      }
      if (total === undefined || total === 0) {
        const t = now();
        if (t - lastLine < UNKNOWN_TOTAL_LINE_MS) return;
        lastLine = t;
        options.write(`${line(done)}\n`);
        return;
      }
      const decile = Math.floor((done / total) * 10);
      if (decile > lastDecile && decile < 10) {
        lastDecile = decile;
        options.write(`${line(done)}\n`);
      }
    },
    finish(done) {
      options.write(options.interactive ? `\r\x1b[2K${line(done)}\n` : `${line(done)}\n`);
    },
  };
}

/**
 * Retry delays with exponential back-off and full jitter: attempt n waits a random time in
 * [0, min(max, initial · 2^n)]. Jitter keeps a thousand CS that lost their prefecture server at
 * the same moment from reconnecting in lock-step when it returns.
 */
export type BackoffPolicy = { readonly initialMs: number; readonly maxMs: number };

export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(random() * ceiling);
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * A wake-up flag for a loop that sleeps between polls: `notify()` ends the current (or the next)
 * `wait()` early, so new work is sent at once instead of at the next poll.
 */
export class Wakeup {
  #pending = false;
  #resolve: (() => void) | undefined;

  notify(): void {
    this.#pending = true;
    this.#resolve?.();
  }

  async wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (!this.#pending) {
      const woken = new Promise<void>((resolve) => (this.#resolve = resolve));
      await Promise.race([woken, sleep(ms, signal)]);
      this.#resolve = undefined;
    }
    this.#pending = false;
  }
}

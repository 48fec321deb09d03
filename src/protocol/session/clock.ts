/**
 * Time for a session: timeouts and heartbeats. Injectable so tests drive time by hand
 * (`ManualClock`) and stay fast and deterministic.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Real time. Timers are unref'd: a session's timers never keep the process alive on their own. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout(callback, ms) {
    const t = setTimeout(callback, ms);
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

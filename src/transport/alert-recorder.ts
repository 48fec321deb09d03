import type { AlertKind, NewSecurityAlert } from '../domain/network/SecurityAlert.ts';
import type { AlertStore } from '../storage/ports.ts';

export type AlertRecorderOptions = {
  readonly store: AlertStore;
  /** The node that sees the alerts (`prefecture:13`). */
  readonly observer: string;
  /** The same alert (kind, peer host, peer name) is stored at most once per interval (ms). */
  readonly intervalMs: number;
  readonly now: () => Date;
  /** The alert store failed: the network side goes on refusing; this must tell an operator. */
  readonly onStoreError: (error: unknown) => void;
};

/** Everything an alert says about its cause; `observer` and `at` are the recorder's. */
export type AlertInput = {
  readonly kind: AlertKind;
  /** `address:port` of the peer, as seen by this node. */
  readonly peerAddress: string;
  readonly peerName?: string | undefined;
  readonly detail: string;
};

/** Where a component raises alerts: an AlertRecorder, or a listener's `recordAlert`. */
export type AlertSink = { record(alert: AlertInput): void };

const MAX_DETAIL = 500;

/**
 * Records intrusion alerts (R11) in a node's AlertStore without ever holding up the network
 * side: recording is asynchronous, and what is being recorded can be awaited (`flush`, for
 * tests and shutdown).
 *
 * Floods are summarised, not stored one by one: a peer host that repeats the same alert within
 * `intervalMs` has the repeats counted and reported in the next alert of that kind ("+N similar
 * suppressed"). The refusals themselves are never suppressed — only their records.
 */
export class AlertRecorder implements AlertSink {
  readonly #pending = new Set<Promise<unknown>>();
  readonly #last = new Map<string, { at: number; suppressed: number }>();

  constructor(readonly options: AlertRecorderOptions) {}

  get observer(): string {
    return this.options.observer;
  }

  record(alert: AlertInput): void {
    const now = this.options.now();
    const key = `${alert.kind}|${hostOf(alert.peerAddress)}|${alert.peerName ?? ''}`;
    const last = this.#last.get(key);
    if (last && now.getTime() - last.at < this.options.intervalMs) {
      last.suppressed++;
      return;
    }
    const suppressed = last?.suppressed ?? 0;
    this.#last.set(key, { at: now.getTime(), suppressed: 0 });
    if (this.#last.size > 10_000) this.#forgetOld(now.getTime());
    const detail =
      suppressed > 0 ? `${alert.detail} (+${suppressed} similar suppressed)` : alert.detail;
    const row: NewSecurityAlert = {
      at: now.toISOString(),
      observer: this.options.observer,
      kind: alert.kind,
      peerAddress: alert.peerAddress,
      peerName: alert.peerName,
      detail: detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL - 1)}…` : detail,
    };
    const p = this.options.store.recordAlert(row).then(
      () => undefined,
      (e: unknown) => this.options.onStoreError(e),
    );
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  /** Resolves when every alert recorded so far is stored (or failed). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  #forgetOld(nowMs: number) {
    for (const [key, v] of this.#last)
      if (nowMs - v.at >= this.options.intervalMs && v.suppressed === 0) this.#last.delete(key);
  }
}

/** `127.0.0.1` of `127.0.0.1:5000`, `::1` of `[::1]:5000`; the whole string otherwise. */
export function hostOf(address: string): string {
  const bracketed = /^\[([^\]]+)\]:\d+$/.exec(address);
  if (bracketed) return bracketed[1]!;
  const m = /^([^:]+):\d+$/.exec(address);
  return m ? m[1]! : address;
}

/** `host:port` for IPv4, `[host]:port` for IPv6; `unknown` when the socket is already gone. */
export function formatAddress(host: string | undefined, port: number | undefined): string {
  if (host === undefined) return 'unknown';
  const h = host.includes(':') ? `[${host}]` : host;
  return port === undefined ? h : `${h}:${port}`;
}

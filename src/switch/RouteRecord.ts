/**
 * What the switch keeps of a route (R2): who, when, how long, how many bytes — connection
 * metadata, never content. It is handed to an injected sink (a small metadata log, a monitor);
 * the switch itself writes nothing to disk.
 */
export type RouteRecord = {
  /** ISO 8601 instant the route was requested. */
  readonly at: string;
  /** The CS that asked (`cs:131016`), as its certificate named it. */
  readonly caller: string;
  /** The CS it asked for, as named in its request. */
  readonly target: string;
  /** `relayed`: the tunnel ran and ended; `refused`: never opened; `failed`: broke off. */
  readonly outcome: 'relayed' | 'refused' | 'failed';
  /** Why it was refused or failed: a stable reason (`switch.target-not-cs`, …). */
  readonly reason?: string;
  /** A route that broke off: what broke it (which side, the error's message), for diagnosis. */
  readonly detail?: string;
  /** Bytes relayed caller → target and target → caller (the inner TLS records). */
  readonly bytesUp: number;
  readonly bytesDown: number;
  readonly durationMs: number;
};

export type RouteRecordSink = (record: RouteRecord) => void;

/** Which way relayed bytes go: `up` caller → target, `down` target → caller. */
export type RelayDirection = 'up' | 'down';

/**
 * An observer of the bytes the switch relays (monitoring, and the tests that prove the switch
 * sees only ciphertext). It must not keep them.
 */
export type RelayTap = (direction: RelayDirection, chunk: Uint8Array) => void;

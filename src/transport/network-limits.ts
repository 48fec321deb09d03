import { checkRateLimit, type RateLimit } from './token-bucket.ts';

/**
 * The network side's limits (R11; docs/NETWORK.md "Rate limits"). The defaults suit long-lived
 * connections between servers: a node connects a handful of times a day and then sends many
 * requests over one session.
 */
export type NetworkLimits = {
  /**
   * From the first byte to the end of the hello exchange (first bytes, TLS handshake, certificate
   * checks, hello), in ms; a connection that stalls longer is cut with `handshake-timeout`.
   */
  readonly handshakeTimeoutMs: number;
  /**
   * New connections per peer address (IP), counted before TLS tells who the peer is: over it →
   * refused, `rate-limited`.
   */
  readonly connectionRate: RateLimit;
  /**
   * Requests per peer node (the node its certificate names), one budget shared by all its
   * sessions on this listener: over it → answered `rate-limited`, alert `rate-limited`.
   */
  readonly requestRate: RateLimit;
  /**
   * Sessions one peer node (by its certificate) may hold open at once with this node; one more
   * is refused after the handshake, alert `rate-limited`. A CS holds a few (upstream, provision,
   * an integrity check, reports); many nodes each holding a few are not limited by it.
   */
  readonly maxSessionsPerPeer: number;
  /** Connections open at once (handshaking or established); more are refused at accept. */
  readonly maxConnections: number;
  /** The same alert (kind, peer host, node) is stored at most once per interval (ms). */
  readonly alertIntervalMs: number;
  /** How long a closing connection may take to flush before it is cut (ms). */
  readonly closeTimeoutMs: number;
};

export const DEFAULT_NETWORK_LIMITS: NetworkLimits = {
  handshakeTimeoutMs: 10_000,
  connectionRate: { burst: 20, perSecond: 2 },
  requestRate: { burst: 20_000, perSecond: 10_000 },
  maxConnections: 4_096,
  maxSessionsPerPeer: 16,
  alertIntervalMs: 1_000,
  closeTimeoutMs: 5_000,
};

const positiveInteger = (name: string, v: number) => {
  if (!Number.isSafeInteger(v) || v < 1)
    throw new RangeError(`${name} must be an integer ≥ 1: ${v}`);
  return v;
};

/** The defaults with `overrides` applied, validated once (STYLE habit 9). */
export function resolveNetworkLimits(overrides: Partial<NetworkLimits> = {}): NetworkLimits {
  const l = { ...DEFAULT_NETWORK_LIMITS, ...overrides };
  return {
    handshakeTimeoutMs: positiveInteger('handshakeTimeoutMs', l.handshakeTimeoutMs),
    connectionRate: checkRateLimit('connectionRate', l.connectionRate),
    requestRate: checkRateLimit('requestRate', l.requestRate),
    maxConnections: positiveInteger('maxConnections', l.maxConnections),
    maxSessionsPerPeer: positiveInteger('maxSessionsPerPeer', l.maxSessionsPerPeer),
    alertIntervalMs: positiveInteger('alertIntervalMs', l.alertIntervalMs),
    closeTimeoutMs: positiveInteger('closeTimeoutMs', l.closeTimeoutMs),
  };
}

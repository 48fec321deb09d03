import { checkMaxFrameSize, DEFAULT_MAX_FRAME_SIZE } from '../frame/frame.ts';
import { MAX_CREDIT } from '../messages/Hello.ts';
import type { NodeName } from '../messages/NodeName.ts';
import { isNodeName } from '../messages/NodeName.ts';
import type { Transport } from '../transport.ts';
import type { Clock } from './clock.ts';
import { systemClock } from './clock.ts';

/** The message-level protocol versions this build speaks (negotiated in `hello`). */
export const PROTOCOL_VERSIONS = { min: 1, max: 1 } as const;

export type SessionOptions = {
  readonly transport: Transport;
  /** This node's name, as its certificate names it (e.g. `prefecture:13`). */
  readonly localNode: NodeName;
  /** Optional features announced in `hello` (e.g. `route` on the switch). */
  readonly capabilities?: readonly string[];
  /** Largest frame body accepted from the peer (default 1 MiB; 4 KiB – 16 MiB). */
  readonly maxFrameSize?: number;
  /** Default time a call waits for its reply (ms; default 30 000; 0 = no limit). */
  readonly requestTimeoutMs?: number;
  /** A ping is sent every interval (ms; default 5 000; 0 = no heartbeats, tests only). */
  readonly heartbeatIntervalMs?: number;
  /** Nothing received for this long (ms; default 15 000; ≥ 2 × interval) → the session closes. */
  readonly idleTimeoutMs?: number;
  /**
   * A frame begun by the peer must be complete within this time (ms; default 10 000; 0 = no
   * deadline). Trickled bytes do not extend it: a peer that declares a body and sends it a byte at
   * a time (slowloris) is cut `frame.stalled` instead of holding the buffer forever. Keep it above
   * the time the largest frame (`maxFrameSize`) takes on the slowest link.
   */
  readonly frameTimeoutMs?: number;
  /**
   * Replies and control frames (pongs, credit…) queued while the transport is above its
   * high-water mark — the peer is not reading — beyond this many bytes cut the session
   * `session.peer-not-reading` (default 16 MiB). Stream data does not count: credit and
   * back-pressure already pace it.
   */
  readonly maxOutputBacklog?: number;
  /** Credit (bytes) granted to every stream towards this node (default 256 KiB). */
  readonly streamWindow?: number;
  /** Requests from the peer handled at once; more are refused `rate-limited` (default 1024). */
  readonly maxIncomingCalls?: number;
  /** After `goaway`, how long in-flight calls may take before the connection is cut (10 000). */
  readonly goawayGraceMs?: number;
  readonly versions?: { readonly min: number; readonly max: number };
  readonly clock?: Clock;
};

export type ResolvedSessionOptions = Required<Omit<SessionOptions, 'transport'>>;

const positive = (name: string, v: number, min = 1, max = Number.MAX_SAFE_INTEGER) => {
  if (!Number.isSafeInteger(v) || v < min || v > max)
    throw new RangeError(`${name} must be an integer in [${min}, ${max}]: ${v}`);
  return v;
};

/** Validates the options once (STYLE habit 9: config is checked at startup). */
export function resolveSessionOptions(o: SessionOptions): ResolvedSessionOptions {
  if (!isNodeName(o.localNode))
    throw new RangeError(`localNode must be <role>:<code>: ${JSON.stringify(o.localNode)}`);
  const heartbeatIntervalMs = positive('heartbeatIntervalMs', o.heartbeatIntervalMs ?? 5_000, 0);
  const idleTimeoutMs = positive('idleTimeoutMs', o.idleTimeoutMs ?? 15_000);
  if (heartbeatIntervalMs > 0 && idleTimeoutMs < 2 * heartbeatIntervalMs)
    throw new RangeError('idleTimeoutMs must be at least twice heartbeatIntervalMs');
  const versions = o.versions ?? PROTOCOL_VERSIONS;
  positive('versions.min', versions.min, 1, 0xffff);
  positive('versions.max', versions.max, versions.min, 0xffff);
  return {
    localNode: o.localNode,
    capabilities: [...(o.capabilities ?? [])],
    maxFrameSize: checkMaxFrameSize(o.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE),
    requestTimeoutMs: positive('requestTimeoutMs', o.requestTimeoutMs ?? 30_000, 0),
    heartbeatIntervalMs,
    idleTimeoutMs,
    frameTimeoutMs: positive('frameTimeoutMs', o.frameTimeoutMs ?? 10_000, 0),
    maxOutputBacklog: positive('maxOutputBacklog', o.maxOutputBacklog ?? 16 * 1024 * 1024),
    streamWindow: positive('streamWindow', o.streamWindow ?? 256 * 1024, 1, MAX_CREDIT),
    maxIncomingCalls: positive('maxIncomingCalls', o.maxIncomingCalls ?? 1024),
    goawayGraceMs: positive('goawayGraceMs', o.goawayGraceMs ?? 10_000, 0),
    versions,
    clock: o.clock ?? systemClock,
  };
}

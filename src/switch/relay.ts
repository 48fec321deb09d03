import type { IncomingStream, OutgoingStream } from '../protocol/index.ts';
import type { RelayDirection, RelayTap } from './RouteRecord.ts';

/** The four streams of a route at the switch: each incoming one feeds the other side. */
export type RouteStreams = {
  /** From the caller (its route call's upload) … */
  readonly fromCaller: IncomingStream;
  /** … to the target (the switch's route call's upload). */
  readonly toTarget: OutgoingStream;
  /** From the target (the download of the switch's call) … */
  readonly fromTarget: IncomingStream;
  /** … to the caller (the download of the caller's call). */
  readonly toCaller: OutgoingStream;
};

export type RelayResult = { readonly bytesUp: number; readonly bytesDown: number };

/** A route that broke off, with what was relayed until then. */
export class RelayError extends Error {
  override readonly name = 'RelayError';
  constructor(
    readonly relayed: RelayResult,
    cause: unknown,
  ) {
    super(`the route broke off: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}

/**
 * Relays a route both ways until both directions have ended (R2): bytes only, as they come; the
 * switch neither reads nor keeps them. Back-pressure carries through (a direction reads its next
 * chunk only once the other side took the last). If either direction fails, everything is torn
 * down and the promise rejects with a RelayError that tells the bytes relayed until then.
 */
export async function relayRoute(streams: RouteStreams, tap?: RelayTap): Promise<RelayResult> {
  const count = { up: 0, down: 0 };
  const pump = async (from: IncomingStream, to: OutgoingStream, direction: RelayDirection) => {
    for (;;) {
      const chunk = await from.read();
      if (chunk === undefined) return to.end();
      count[direction] += chunk.length;
      tap?.(direction, chunk);
      await to.write(chunk);
    }
  };
  try {
    await Promise.all([
      pump(streams.fromCaller, streams.toTarget, 'up'),
      pump(streams.fromTarget, streams.toCaller, 'down'),
    ]);
    return { bytesUp: count.up, bytesDown: count.down };
  } catch (e) {
    const error = new RelayError({ bytesUp: count.up, bytesDown: count.down }, e);
    streams.fromCaller.cancel('the route broke off');
    streams.fromTarget.cancel('the route broke off');
    streams.toTarget.abort(error);
    throw error;
  }
}

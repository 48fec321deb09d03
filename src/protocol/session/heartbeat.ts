import { IdleTimeoutError, TimeoutError } from '../errors.ts';
import { FrameKind } from '../frame/frame.ts';
import { readU32 } from './call-link.ts';
import type { Clock } from './clock.ts';
import type { FrameWriter } from './frame-writer.ts';
import type { ResolvedSessionOptions } from './session-options.ts';

/**
 * Heartbeats (docs/PROTOCOL.md §9): a ping frame every interval, answered by a pong; when nothing
 * at all has arrived for the idle timeout, the peer is presumed dead and the session closes with
 * IdleTimeoutError — a silent peer never keeps calls hanging. The session reports it as a
 * violation (an `idle-timeout` alert on the network side): a quiet peer answers pings, a dead or
 * hostile one does not. `ping()` measures a round trip.
 * Ping bodies are 8 bytes: a u32 nonce (0 for heartbeats) and 4 zero bytes; pong echoes them.
 */
export class Heartbeat {
  #timer: unknown;
  #stopped = false;
  #nonce = 0;
  readonly #pings = new Map<
    number,
    { sentAt: number; timer: unknown; resolve: (ms: number) => void; reject: (e: Error) => void }
  >();

  constructor(
    private readonly clock: Clock,
    private readonly writer: FrameWriter,
    private readonly options: Pick<ResolvedSessionOptions, 'heartbeatIntervalMs' | 'idleTimeoutMs'>,
    private readonly hooks: {
      readonly lastReceivedAt: () => number;
      readonly idle: (error: IdleTimeoutError) => void;
    },
  ) {}

  start(): void {
    if (this.options.heartbeatIntervalMs > 0) this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    this.clock.clearTimeout(this.#timer);
  }

  ping(timeoutMs: number): Promise<number> {
    this.#nonce = this.#nonce === 0xffff_ffff ? 1 : this.#nonce + 1;
    const nonce = this.#nonce;
    return new Promise((resolve, reject) => {
      const timer =
        timeoutMs > 0
          ? this.clock.setTimeout(() => {
              this.#pings.delete(nonce);
              reject(
                new TimeoutError(`no pong within ${timeoutMs} ms`, { reason: 'ping.timeout' }),
              );
            }, timeoutMs)
          : undefined;
      this.#pings.set(nonce, { sentAt: this.clock.now(), timer, resolve, reject });
      this.writer.control(FrameKind.ping, 0, 0, pingBody(nonce));
    });
  }

  onPong(body: Uint8Array): void {
    const nonce = readU32(body);
    const ping = this.#pings.get(nonce);
    if (!ping) return;
    this.#pings.delete(nonce);
    this.clock.clearTimeout(ping.timer);
    ping.resolve(this.clock.now() - ping.sentAt);
  }

  failPings(error: Error): void {
    for (const p of this.#pings.values()) {
      this.clock.clearTimeout(p.timer);
      p.reject(error);
    }
    this.#pings.clear();
  }

  #schedule() {
    this.#timer = this.clock.setTimeout(() => this.#tick(), this.options.heartbeatIntervalMs);
  }

  #tick() {
    if (this.#stopped) return;
    const silentFor = this.clock.now() - this.hooks.lastReceivedAt();
    if (silentFor >= this.options.idleTimeoutMs) {
      this.hooks.idle(
        new IdleTimeoutError(
          `nothing received for ${Math.round(silentFor)} ms (idle timeout ${this.options.idleTimeoutMs} ms)`,
        ),
      );
      return;
    }
    this.writer.control(FrameKind.ping, 0, 0, pingBody(0));
    this.#schedule();
  }
}

const pingBody = (nonce: number): Uint8Array => {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(nonce, 0);
  return b;
};

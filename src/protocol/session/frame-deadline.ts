import { FrameTimeoutError } from '../errors.ts';
import type { FrameDecoder } from '../frame/frame-decoder.ts';
import type { Clock } from './clock.ts';

/** How much of the frame under way has arrived, for alerts (stalled and truncated frames). */
export function frameProgress(d: FrameDecoder): string {
  return d.declaredLength < 0
    ? `${d.bufferedBytes} of its 16 header bytes received`
    : `${d.bufferedBytes} of its ${d.declaredLength} body bytes received`;
}

/**
 * The frame deadline (docs/PROTOCOL.md §9, R11): a frame left unfinished at the end of a chunk must
 * be complete within `timeoutMs`. The deadline is kept while the same frame trickles in and moves
 * on only when a frame completes, so a byte every few seconds cannot hold a session (and its
 * buffer) forever, while large frames arriving steadily are never cut. One timer, armed only while
 * a frame is under way — nothing per frame on the hot path. `timeoutMs` 0: off.
 */
export class FrameDeadline {
  /** When the frame being received must be complete (clock ms); 0: no frame under way. */
  #deadline = 0;
  #timer: unknown;
  #stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly decoder: FrameDecoder,
    private readonly timeoutMs: number,
    private readonly late: (error: FrameTimeoutError) => void,
  ) {}

  /** After a chunk was decoded at `now`, of which `completed` frames came out. */
  afterChunk(now: number, completed: number): void {
    if (!this.decoder.partial) {
      this.#deadline = 0;
      return;
    }
    if (this.timeoutMs === 0 || (this.#deadline !== 0 && completed === 0)) return;
    this.#deadline = now + this.timeoutMs;
    this.#timer ??= this.clock.setTimeout(this.#check, this.timeoutMs);
  }

  stop(): void {
    this.#stopped = true;
    this.clock.clearTimeout(this.#timer);
  }

  /** Cut if the frame under way is late, else wait for its deadline. */
  readonly #check = () => {
    this.#timer = undefined;
    if (this.#stopped || this.#deadline === 0) return;
    const left = this.#deadline - this.clock.now();
    if (left > 0) {
      this.#timer = this.clock.setTimeout(this.#check, left);
      return;
    }
    this.late(
      new FrameTimeoutError(
        `a frame was not finished within ${this.timeoutMs} ms (${frameProgress(this.decoder)})`,
      ),
    );
  };
}

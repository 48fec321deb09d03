import {
  CancelledError,
  FlowControlError,
  ProtocolViolationError,
  TimeoutError,
} from '../errors.ts';
import { FrameFlag, FrameKind } from '../frame/frame.ts';
import type { Message, MessageKind, RequestMessage } from '../messages/registry.ts';
import type { CallLink } from './call-link.ts';
import { u32Bytes } from './call-link.ts';
import { IncomingStream } from './incoming-stream.ts';
import { OutgoingStream } from './outgoing-stream.ts';

export type CallOptions = {
  /** Time to wait for the reply (ms); default: the session's requestTimeoutMs; 0 = no limit. */
  readonly timeoutMs?: number;
  /** Aborting it cancels the call. */
  readonly signal?: AbortSignal;
};

export type CallReply<R> = {
  readonly message: R;
  /** The download, when the responder answered with a stream. */
  readonly download: IncomingStream | undefined;
};

/**
 * A call this side made: a request, its reply, and the streams either way. The reply timer runs
 * from the call (for an upload: from the end of the upload) to the reply message; a streamed reply
 * is then kept alive by the heartbeats. Every call ends: with its reply and streams done, an error
 * from the peer, a timeout, a cancel, or the session's close — never by hanging.
 */
export class OutgoingCall<R extends Message = Message> {
  readonly reply: Promise<CallReply<R>>;
  /** The upload, when the call was made with `upload: true`. */
  readonly upload: OutgoingStream | undefined;
  #download: IncomingStream | undefined;
  #id = 0;
  #resolve!: (r: CallReply<R>) => void;
  #reject!: (e: Error) => void;
  #replied = false;
  #settled = false;
  #timer: unknown;
  readonly #timeoutMs: number;
  readonly #onAbort: (() => void) | undefined;

  constructor(
    private readonly link: CallLink,
    readonly message: RequestMessage,
    readonly expectedKind: MessageKind,
    options: CallOptions & { readonly upload?: boolean },
    defaultTimeoutMs: number,
  ) {
    this.reply = new Promise<CallReply<R>>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.reply.catch(() => undefined); // a caller that drops the promise does not crash the node
    this.#timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    this.upload = options.upload
      ? new OutgoingStream(
          {
            send: (chunk) => link.writer.zeroCopy(FrameKind.streamData, 0, this.#id, chunk),
            end: () => link.writer.control(FrameKind.streamEnd, 0, this.#id),
            abort: (e) => this.cancel(e.message),
            whenWritable: () => link.writer.whenWritable(),
            settled: () => {
              if (!this.#replied && this.#timer === undefined) this.#startTimer();
              this.#check();
            },
          },
          0, // credit arrives with the request being sent
          () => link.peerMaxFrameSize(),
        )
      : undefined;
    if (!this.upload) this.#startTimer();
    const signal = options.signal;
    if (signal) {
      this.#onAbort = () => this.cancel('the caller aborted');
      if (signal.aborted) queueMicrotask(this.#onAbort);
      else signal.addEventListener('abort', this.#onAbort, { once: true });
      void this.reply
        .finally(() => signal.removeEventListener('abort', this.#onAbort!))
        .catch(() => undefined);
    }
  }

  get id(): number {
    return this.#id;
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** Sends the request under `id` (the session calls it once the connection is ready). */
  send(id: number): void {
    this.#id = id;
    try {
      this.link.writer.message(
        FrameKind.request,
        this.upload ? FrameFlag.stream : 0,
        id,
        this.message,
      );
    } catch (e) {
      this.fail(e as Error); // e.g. FrameTooLargeError: refused here, never sent
      return;
    }
    this.upload?.addCredit(this.link.peerInitialCredit());
  }

  /** Abandons the call: the peer is told (cancel frame), the reply rejects with CancelledError. */
  cancel(reason = 'cancelled'): void {
    if (this.#settled) return;
    if (this.#id !== 0) this.link.writer.control(FrameKind.cancel, 0, this.#id);
    this.fail(new CancelledError(reason));
  }

  /** Ends the call with `error`, sending nothing (the session is closing, or a local refusal). */
  fail(error: Error): void {
    if (this.#settled) return;
    if (!this.#replied) this.#reject(error);
    this.upload?.fail(error);
    this.#download?.fail(error);
    this.#settle();
  }

  // ── frames for this call from the responder ────────────────────────────────────────────────────

  onResponse(message: Message, streamed: boolean): void {
    if (this.#replied)
      return this.link.violation(
        new ProtocolViolationError(`second response to request ${this.#id}`, {
          reason: 'response.repeated',
        }),
      );
    if (message.kind !== this.expectedKind)
      return this.link.violation(
        new ProtocolViolationError(
          `${message.kind} is not a reply to ${this.message.kind} (expected ${this.expectedKind})`,
          { reason: 'response.wrong-kind' },
        ),
      );
    this.#replied = true;
    this.#clearTimer();
    if (streamed) {
      const id = this.#id;
      this.#download = new IncomingStream(
        {
          grant: (n) => this.link.writer.control(FrameKind.streamCredit, 0, id, u32Bytes(n)),
          cancel: () => this.cancel('the download was cancelled by its reader'),
          settled: () => this.#check(),
        },
        this.link.localWindow,
      );
    }
    this.#resolve({ message: message as R, download: this.#download });
    this.#check();
  }

  onError(error: Error): void {
    this.fail(error);
  }

  /** cancel with REPLY: the responder will not read more of the upload. */
  onUploadStopped(): void {
    this.upload?.fail(new CancelledError('the peer stopped reading the upload', { remote: true }));
    this.#check();
  }

  onDownloadData(chunk: Uint8Array): void {
    if (!this.#download) return this.#unexpected('stream data');
    if (!this.#download.push(chunk))
      this.link.violation(
        new FlowControlError(
          `request ${this.#id}: ${chunk.length} bytes beyond the credit granted`,
        ),
      );
  }

  onDownloadEnd(): void {
    if (!this.#download) return this.#unexpected('stream end');
    this.#download.end();
  }

  onUploadCredit(bytes: number): void {
    if (!this.upload) return this.#unexpected('stream credit');
    if (bytes === 0 || !this.upload.addCredit(bytes))
      this.link.violation(new FlowControlError(`request ${this.#id}: invalid credit ${bytes}`));
  }

  #unexpected(what: string) {
    this.link.violation(
      new ProtocolViolationError(`${what} for request ${this.#id}, which has no such stream`, {
        reason: 'stream.unexpected',
      }),
    );
  }

  #startTimer() {
    if (this.#timeoutMs === 0 || this.#settled) return;
    this.#timer = this.link.clock.setTimeout(() => {
      this.#timer = undefined;
      if (this.#settled || this.#replied) return;
      if (this.#id !== 0) this.link.writer.control(FrameKind.cancel, 0, this.#id);
      this.fail(new TimeoutError(`no reply to ${this.message.kind} within ${this.#timeoutMs} ms`));
    }, this.#timeoutMs);
  }

  #clearTimer() {
    if (this.#timer !== undefined) this.link.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #check() {
    if (this.#settled || !this.#replied) return;
    if (this.upload && !this.upload.settled) return;
    if (this.#download && !this.#download.settled) return;
    this.#settle();
  }

  #settle() {
    this.#settled = true;
    this.#clearTimer();
    this.link.outgoingSettled(this as unknown as OutgoingCall);
  }
}

import { RegistryError } from '../../domain/errors.ts';
import {
  CancelledError,
  errorToWire,
  FlowControlError,
  ProtocolError,
  ProtocolViolationError,
} from '../errors.ts';
import { FrameFlag, FrameKind } from '../frame/frame.ts';
import type {
  Message,
  MessageKind,
  MessageOf,
  ReplyOf,
  RequestKind,
} from '../messages/registry.ts';
import type { CallLink } from './call-link.ts';
import { u32Bytes } from './call-link.ts';
import type { PeerInfo } from './handshake.ts';
import { IncomingStream } from './incoming-stream.ts';
import { OutgoingStream } from './outgoing-stream.ts';
import { StreamingReply } from './streaming-reply.ts';

export type HandlerContext = {
  /** The peer, as authenticated by the transport and announced in `hello`. */
  readonly peer: PeerInfo;
  readonly requestId: number;
  /** Aborted when the caller cancels or the connection closes: stop work, the reply is dropped. */
  readonly signal: AbortSignal;
  /** The upload, when the request came with the STREAM flag. */
  readonly upload: IncomingStream | undefined;
};

export type HandlerResult<R> = R | StreamingReply<R>;

/**
 * Answers one request kind. Returns the reply (or a StreamingReply); throws a RegistryError to
 * answer with an `error` carrying its code, message and reason (the caller gets the same
 * RegistryError). Anything else thrown is answered `internal` with a fixed message (the text of a
 * bug never leaves the node) and reported through the session's `handler-error` event.
 */
export type Handler<K extends RequestKind> = (
  message: MessageOf<K>,
  context: HandlerContext,
) => HandlerResult<ReplyOf<K>> | Promise<HandlerResult<ReplyOf<K>>>;

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  typeof v === 'object' && v !== null && typeof (v as { then?: unknown }).then === 'function';

/**
 * The context a handler gets. `signal` is a getter on the prototype, so the AbortController is
 * made only for handlers that look at it. (It was added by `Object.defineProperty` on each call,
 * which put every context in V8's dictionary mode: a route-request round trip in process cost
 * 11.5–14.3 µs of CPU that way, 3.7–4.1 µs now; docs/PROTOCOL.md §11.)
 */
class CallContext implements HandlerContext {
  readonly requestId: number;
  readonly upload: IncomingStream | undefined;
  readonly #call: IncomingCall;

  constructor(
    call: IncomingCall,
    readonly peer: PeerInfo,
  ) {
    this.#call = call;
    this.requestId = call.id;
    this.upload = call.upload;
  }

  get signal(): AbortSignal {
    return this.#call.signal;
  }
}

/**
 * A call the peer made to this side. Ends when its reply (or error) is written, its download has
 * ended and its upload is done — or when the caller cancels or the session closes. Once the
 * handler's work is done, the rest of an upload it did not read is refused (cancel with REPLY).
 */
export class IncomingCall {
  /** Made on first use: most handlers never look at the signal, and it costs (measured ~9%). */
  #controller: AbortController | undefined;
  #endError: Error | undefined;
  readonly upload: IncomingStream | undefined;
  #download: OutgoingStream | undefined;
  #answered = false;
  #workDone = false;
  #settled = false;

  constructor(
    private readonly link: CallLink,
    readonly id: number,
    readonly kind: MessageKind,
    readonly replyKind: MessageKind,
    withUpload: boolean,
  ) {
    this.upload = withUpload
      ? new IncomingStream(
          {
            grant: (n) =>
              link.writer.control(FrameKind.streamCredit, FrameFlag.reply, id, u32Bytes(n)),
            cancel: () => link.writer.control(FrameKind.cancel, FrameFlag.reply, id),
            settled: () => this.#check(),
          },
          link.localWindow,
        )
      : undefined;
  }

  /** Aborted (with the reason) when the caller cancels or the session closes. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#endError) this.#controller.abort(this.#endError);
    }
    return this.#controller.signal;
  }

  run(handler: Handler<RequestKind>, message: Message, peer: PeerInfo): void {
    const context = new CallContext(this, peer);
    let result: unknown;
    try {
      result = handler(message as MessageOf<RequestKind>, context);
    } catch (e) {
      this.#fail(e);
      return;
    }
    if (isThenable(result))
      result.then(
        (r) => this.#reply(r),
        (e: unknown) => this.#fail(e),
      );
    else this.#reply(result);
  }

  /** Answers with an error without running a handler (refusals before dispatch). */
  refuse(error: RegistryError | ProtocolError): void {
    this.#fail(error);
  }

  // ── frames for this call from the caller ───────────────────────────────────────────────────────

  /** cancel without REPLY: the caller abandoned the call; nothing more is sent for it. */
  onCancel(): void {
    if (this.#settled) return;
    this.#end(new CancelledError('the caller cancelled the request', { remote: true }));
  }

  onUploadData(chunk: Uint8Array): void {
    if (!this.upload) return this.#unexpected('stream data');
    if (!this.upload.push(chunk))
      this.link.violation(
        new FlowControlError(`request ${this.id}: ${chunk.length} bytes beyond the credit granted`),
      );
  }

  onUploadEnd(): void {
    if (!this.upload) return this.#unexpected('stream end');
    this.upload.end();
  }

  onDownloadCredit(bytes: number): void {
    if (!this.#download) return this.#unexpected('stream credit');
    if (bytes === 0 || !this.#download.addCredit(bytes))
      this.link.violation(new FlowControlError(`request ${this.id}: invalid credit ${bytes}`));
  }

  /** The session is closing: stop everything, send nothing. */
  fail(error: Error): void {
    if (!this.#settled) this.#end(error);
  }

  // ── answering ──────────────────────────────────────────────────────────────────────────────────

  #reply(result: unknown) {
    if (this.#settled) return; // cancelled or closed meanwhile: the reply is dropped
    const streaming = result instanceof StreamingReply;
    const message = (streaming ? result.message : result) as Message | undefined;
    if (typeof message !== 'object' || message === null || message.kind !== this.replyKind) {
      const e = new Error(
        `the ${this.kind} handler returned ${typeof message === 'object' && message !== null ? message.kind : typeof message}, not ${this.replyKind}`,
      );
      return this.#fail(e);
    }
    try {
      const flags = FrameFlag.reply | (streaming ? FrameFlag.stream : 0);
      this.link.writer.message(FrameKind.response, flags, this.id, message);
    } catch (e) {
      return this.#fail(e); // e.g. a reply larger than the peer accepts
    }
    this.#answered = true;
    if (!streaming) {
      this.#workDone = true;
      return this.#check();
    }
    const link = this.link;
    const id = this.id;
    const download = new OutgoingStream(
      {
        send: (chunk) => link.writer.zeroCopy(FrameKind.streamData, FrameFlag.reply, id, chunk),
        end: () => link.writer.control(FrameKind.streamEnd, FrameFlag.reply, id),
        abort: (e) => this.#fail(e),
        whenWritable: () => link.writer.whenWritable(),
        settled: () => this.#check(),
      },
      link.peerInitialCredit(),
      () => link.peerMaxFrameSize(),
    );
    this.#download = download;
    let produced: Promise<void>;
    try {
      produced = result.produce(download, this.signal);
    } catch (e) {
      produced = Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    produced
      .then(
        () => download.end(),
        (e: unknown) => this.#fail(e),
      )
      .catch(() => undefined) // end() after a failure: the call already ended
      .finally(() => {
        this.#workDone = true;
        this.#check();
      });
  }

  /** Answers with an `error` frame (ends the call and its streams). */
  #fail(e: unknown) {
    if (this.#settled) return;
    if (!(e instanceof RegistryError) && !(e instanceof ProtocolError))
      this.link.handlerError(e, this.kind);
    this.link.writer.message(FrameKind.error, FrameFlag.reply, this.id, {
      kind: 'error',
      ...errorToWire(e),
    });
    this.#end(e instanceof Error ? e : new Error(String(e)));
  }

  #end(error: Error) {
    this.#endError = error;
    this.#controller?.abort(error);
    this.upload?.fail(error);
    this.#download?.fail(error);
    this.#settle();
  }

  #unexpected(what: string) {
    this.link.violation(
      new ProtocolViolationError(`${what} for request ${this.id}, which has no such stream`, {
        reason: 'stream.unexpected',
      }),
    );
  }

  #check() {
    if (this.#settled || !this.#answered || !this.#workDone) return;
    if (this.#download && !this.#download.settled) return;
    if (this.upload && !this.upload.settled) {
      this.upload.cancel('the handler finished without reading the whole upload');
      return; // cancel settles the upload, which calls #check again
    }
    this.#settle();
  }

  #settle() {
    this.#settled = true;
    this.link.incomingSettled(this);
  }
}

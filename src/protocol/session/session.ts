import { EventEmitter } from 'node:events';
import { RegistryError } from '../../domain/errors.ts';
import {
  BadFrameError,
  ConnectionClosedError,
  errorFromWire,
  GoawayError,
  PeerNotReadingError,
  ProtocolError,
  ProtocolViolationError,
  UnknownMessageKindError,
} from '../errors.ts';
import { FrameDecoder } from '../frame/frame-decoder.ts';
import type { Frame } from '../frame/frame.ts';
import { FrameFlag, FrameKind } from '../frame/frame.ts';
import type { Goaway } from '../messages/Goaway.ts';
import type { Message, ReplyOf, RequestKind, RequestMessage } from '../messages/registry.ts';
import { replyKindOf } from '../messages/registry.ts';
import type { Transport } from '../transport.ts';
import type { CallLink } from './call-link.ts';
import { readU32 } from './call-link.ts';
import type { Clock } from './clock.ts';
import { FrameWriter } from './frame-writer.ts';
import type { PeerInfo } from './handshake.ts';
import { Handshake } from './handshake.ts';
import type { Handler } from './incoming-call.ts';
import { IncomingCalls } from './incoming-calls.ts';
import type { CallOptions, CallReply } from './outgoing-call.ts';
import { OutgoingCall } from './outgoing-call.ts';
import { OutgoingCalls } from './outgoing-calls.ts';
import type { ResolvedSessionOptions, SessionOptions } from './session-options.ts';
import { resolveSessionOptions } from './session-options.ts';
import { Heartbeat } from './heartbeat.ts';
import { FrameDeadline, frameProgress } from './frame-deadline.ts';

export type SessionEvents = {
  /**
   * The peer broke the protocol: raise an alert (R11). A bad, truncated (`frame.truncated`) or
   * stalled frame (`frame.stalled`), an invalid message, silence past the idle timeout
   * (`session.idle-timeout`), output it does not read (`session.peer-not-reading`), …
   */
  violation: [error: ProtocolError];
  /** The peer sent `goaway`: `goaway` for a shutdown, another code when it drops us for a fault. */
  goaway: [error: ProtocolError];
  /** The peer asked for a kind this node does not know (answered `unknown-kind`). */
  'unknown-kind': [kind: string];
  /** A handler threw something other than RegistryError / ProtocolError (a bug: log it). */
  'handler-error': [error: unknown, kind: string];
  /** The session ended; `reason` undefined for a graceful end (goaway), else why. */
  close: [reason: Error | undefined];
};

type State = 'handshake' | 'ready' | 'closed';

/**
 * One connection's application protocol (docs/PROTOCOL.md): hello, many requests in flight both
 * ways, handlers by message kind, streams with credit, heartbeats, goaway. Built on a Transport;
 * knows nothing of sockets or TLS.
 */
export class Session extends EventEmitter<SessionEvents> {
  readonly transport: Transport;
  readonly options: ResolvedSessionOptions;
  /** Resolves when both hellos are done; rejects if the handshake fails or the session closes. */
  readonly ready: Promise<PeerInfo>;
  /** Resolves when the session has ended, with the reason (undefined: graceful). Never rejects. */
  readonly closed: Promise<Error | undefined>;

  readonly #clock: Clock;
  #beforeDispatch: ((kind: RequestKind) => void) | undefined;
  #beforePong: (() => boolean) | undefined;
  readonly #writer: FrameWriter;
  readonly #decoder: FrameDecoder;
  readonly #link: CallLink;
  readonly #heartbeat: Heartbeat;
  readonly #outgoing: OutgoingCalls;
  readonly #incoming: IncomingCalls;
  #state: State = 'handshake';
  readonly #handshake: Handshake;
  #goingAway = false;
  /** The peer has answered the ping sent after our goaway: no request of its can still cross it. */
  #goawaySeen = false;
  #peerGoingAway = false;
  #peerFault: ProtocolError | undefined;
  #transportError: Error | undefined;
  #graceTimer: unknown;
  #lastReceivedAt: number;
  readonly #frameDeadline: FrameDeadline;
  #resolveReady!: (p: PeerInfo) => void;
  #rejectReady!: (e: Error) => void;
  #resolveClosed!: (reason: Error | undefined) => void;
  readonly #listeners: {
    data: (c: Uint8Array) => void;
    drain: () => void;
    error: (e: Error) => void;
    close: (e?: Error) => void;
  };

  constructor(options: SessionOptions & { readonly handlers?: HandlerMap }) {
    super();
    this.options = resolveSessionOptions(options);
    this.transport = options.transport;
    this.#clock = this.options.clock;
    this.#writer = new FrameWriter(
      this.transport,
      this.#clock,
      this.options.maxFrameSize,
      this.options.maxOutputBacklog,
      (bytes) =>
        // Not from inside the write that crossed the limit: its caller finishes first.
        queueMicrotask(() =>
          this.#violation(
            new PeerNotReadingError(
              `the peer does not read: ${bytes} bytes of replies and control frames wait ` +
                `(limit ${this.options.maxOutputBacklog})`,
            ),
          ),
        ),
    );
    this.#decoder = new FrameDecoder({ maxFrameSize: this.options.maxFrameSize });
    this.#lastReceivedAt = this.#clock.now();
    this.ready = new Promise((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.ready.catch(() => undefined);
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    this.#link = this.#createLink();
    this.#outgoing = new OutgoingCalls(this.#writer);
    this.#incoming = new IncomingCalls(this.#link, this.options.maxIncomingCalls);
    for (const [kind, handler] of Object.entries(options.handlers ?? {}))
      if (handler) this.handle(kind as RequestKind, handler as Handler<RequestKind>);

    this.#listeners = {
      data: (c) => this.#onData(c),
      drain: () => this.#onDrain(),
      error: (e) => (this.#transportError ??= e),
      close: (e) => this.#onTransportClose(e),
    };
    this.transport.on('data', this.#listeners.data);
    this.transport.on('drain', this.#listeners.drain);
    this.transport.on('error', this.#listeners.error);
    this.transport.on('close', this.#listeners.close);

    this.#frameDeadline = new FrameDeadline(
      this.#clock,
      this.#decoder,
      this.options.frameTimeoutMs,
      (e) => this.#violation(e),
    );
    this.#heartbeat = new Heartbeat(this.#clock, this.#writer, this.options, {
      lastReceivedAt: () => this.#lastReceivedAt,
      idle: (e) => this.#violation(e), // a peer that answers no heartbeat: alert (R11)
    });
    this.#handshake = new Handshake(this.options, this.#writer, this.transport.peer.name, {
      refuse: (f, e) => this.#refuse(f, e),
      fail: (e) => this.#shutdown(e),
      timeout: (e) => this.#notifyAndClose(e),
      ready: (peer) => this.#onReady(peer),
    });
    this.#handshake.start(this.#outgoing.allocateId());
    this.#heartbeat.start();
  }

  /** The peer, once the handshake is done. */
  get peer(): PeerInfo | undefined {
    return this.#state === 'ready' ? this.#handshake.peer : undefined;
  }

  get state(): State {
    return this.#state;
  }

  /** Calls in flight: made by this side (including those waiting to be sent) and by the peer. */
  get inFlight(): { readonly outgoing: number; readonly incoming: number } {
    return {
      outgoing: this.#outgoing.size + this.#outgoing.queued,
      incoming: this.#incoming.size,
    };
  }

  /**
   * A check run for every request of the peer (after hello) before its handler is looked up —
   * also for a kind that has no handler here. Throwing a RegistryError or ProtocolError refuses
   * the request with it; the handler never runs. One per session (the firewall's, R8).
   */
  beforeDispatch(check: (kind: RequestKind) => void): this {
    if (this.#beforeDispatch) throw new Error('beforeDispatch is already set on this session');
    this.#beforeDispatch = check;
    return this;
  }

  /**
   * A check run for every ping of the peer: false leaves it unanswered (no pong), e.g. when the
   * peer is over its request rate (the session guard counts pings with requests). One per session.
   */
  beforePong(check: () => boolean): this {
    if (this.#beforePong) throw new Error('beforePong is already set on this session');
    this.#beforePong = check;
    return this;
  }

  /** Registers the handler of one request kind (`hello` is the session's own). */
  handle<K extends RequestKind>(kind: K, handler: Handler<K>): this {
    this.#incoming.handle(kind, handler as unknown as Handler<RequestKind>);
    return this;
  }

  /**
   * Starts a call. With `upload: true` the request opens an upload stream (`call.upload`); a reply
   * may come with a download stream (`(await call.reply).download`).
   */
  call<M extends RequestMessage>(
    message: M,
    options: CallOptions & { readonly upload?: boolean } = {},
  ): OutgoingCall<ReplyOf<M['kind']>> {
    if (message.kind === 'hello') throw new Error('hello is sent by the session itself');
    const call = new OutgoingCall<ReplyOf<M['kind']>>(
      this.#link,
      message,
      replyKindOf(message.kind),
      options,
      this.options.requestTimeoutMs,
    );
    const c = call as unknown as OutgoingCall;
    if (this.#state === 'closed') c.fail(new ConnectionClosedError('the session is closed'));
    else if (this.#goingAway || this.#peerGoingAway)
      c.fail(new GoawayError('the session is going away: the request was not sent'));
    else this.#outgoing.submit(c, this.#state === 'ready');
    return call;
  }

  /** One request, one reply message (a streamed reply's download is cancelled). */
  async request<M extends RequestMessage>(
    message: M,
    options: CallOptions = {},
  ): Promise<ReplyOf<M['kind']>> {
    const reply: CallReply<ReplyOf<M['kind']>> = await this.call(message, options).reply;
    reply.download?.cancel('request() reads only the reply message');
    return reply.message;
  }

  /** Round-trip time to the peer (ms), by a ping frame. */
  ping(): Promise<number> {
    return this.#heartbeat.ping(this.options.requestTimeoutMs);
  }

  /**
   * Graceful close: tells the peer (goaway), refuses new requests both ways (`goaway` error: not
   * processed, safe to retry elsewhere), lets the calls in flight finish, waits until the peer has
   * seen the goaway (a ping's pong), then closes. Calls still running after `goawayGraceMs` fail.
   * Resolves when the session has closed.
   */
  goaway(message = 'the node is shutting down'): Promise<void> {
    if (this.#state !== 'closed' && !this.#goingAway) {
      this.#goingAway = true;
      this.#writer.message(FrameKind.goaway, 0, 0, { kind: 'goaway', code: 'goaway', message });
      this.#outgoing.failQueued(
        new GoawayError('the session is going away: the request was not sent'),
      );
      // The peer may have sent requests before it saw the goaway: they are answered `goaway` when
      // they arrive. A ping after the goaway tells when they all have — its pong comes after them.
      this.#heartbeat.ping(0).then(
        () => {
          this.#goawaySeen = true;
          this.#finishGoaway();
        },
        () => undefined,
      );
      this.#graceTimer = this.#clock.setTimeout(
        () =>
          this.#shutdown(
            new GoawayError(`calls still in flight after ${this.options.goawayGraceMs} ms`),
          ),
        this.options.goawayGraceMs,
      );
      this.#finishGoaway();
    }
    return this.closed.then(() => undefined);
  }

  /** Closes now: every call in flight fails with ConnectionClosedError. */
  close(reason?: Error): void {
    this.#shutdown(reason);
  }

  // ── reading ────────────────────────────────────────────────────────────────────────────────────

  #onData(chunk: Uint8Array) {
    if (this.#state === 'closed') return;
    const now = this.#clock.now();
    this.#lastReceivedAt = now;
    try {
      const frames = this.#decoder.push(chunk);
      for (const frame of frames) {
        this.#onFrame(frame);
        if (this.#isClosed()) return;
      }
      this.#frameDeadline.afterChunk(now, frames.length);
    } catch (e) {
      if (e instanceof ProtocolError) this.#violation(e);
      else this.#shutdown(e as Error); // a bug of this side: the connection cannot be trusted
    }
  }

  #onFrame(f: Frame) {
    const reply = (f.flags & FrameFlag.reply) !== 0;
    switch (f.kind) {
      case FrameKind.request:
        return this.#onRequest(f);
      case FrameKind.response:
        return this.#onResponse(f);
      case FrameKind.error: {
        const m = this.#writer.codec.decode(f.body, 'error');
        if (m.kind !== 'error') return;
        const error = errorFromWire(m.code, m.message, m.reason);
        if (this.#handshake.awaitsReplyTo(f.requestId)) return this.#shutdown(error);
        return this.#outgoing.get(f.requestId)?.onError(error);
      }
      case FrameKind.cancel:
        if (reply) return this.#outgoing.get(f.requestId)?.onUploadStopped();
        return this.#incoming.get(f.requestId)?.onCancel();
      case FrameKind.streamData:
        if (reply) return this.#outgoing.get(f.requestId)?.onDownloadData(f.body);
        return this.#incoming.get(f.requestId)?.onUploadData(f.body);
      case FrameKind.streamEnd:
        if (reply) return this.#outgoing.get(f.requestId)?.onDownloadEnd();
        return this.#incoming.get(f.requestId)?.onUploadEnd();
      case FrameKind.streamCredit:
        if (reply) return this.#outgoing.get(f.requestId)?.onUploadCredit(readU32(f.body));
        return this.#incoming.get(f.requestId)?.onDownloadCredit(readU32(f.body));
      case FrameKind.ping:
        if (this.#beforePong && !this.#beforePong()) return;
        return this.#writer.control(FrameKind.pong, 0, 0, f.body);
      case FrameKind.pong:
        return this.#heartbeat.onPong(f.body);
      case FrameKind.goaway:
        return this.#onGoaway(this.#writer.codec.decode(f.body, 'goaway') as Goaway);
    }
  }

  #onRequest(f: Frame) {
    let message: Message;
    try {
      message = this.#writer.codec.decode(f.body, 'request');
    } catch (e) {
      // A kind this node does not know: answered, not fatal (how a newer peer learns we lack it).
      if (e instanceof UnknownMessageKindError && this.#handshake.peer) {
        this.emit('unknown-kind', e.messageKind);
        return this.#refuse(f, e);
      }
      throw e;
    }
    if (message.kind === 'hello') return this.#handshake.onPeerHello(f, message);
    const peer = this.#handshake.peer;
    if (!peer)
      throw new ProtocolViolationError(`${message.kind} before hello`, { reason: 'hello.first' });
    if (this.#beforeDispatch) {
      try {
        this.#beforeDispatch(message.kind as RequestKind);
      } catch (e) {
        if (e instanceof RegistryError || e instanceof ProtocolError) return this.#refuse(f, e);
        throw e;
      }
    }
    this.#incoming.dispatch(f, message, peer, this.#goingAway);
  }

  #refuse(f: Frame, error: RegistryError | ProtocolError) {
    this.#incoming.refuse(f, error);
  }

  #onResponse(f: Frame) {
    const message = this.#writer.codec.decode(f.body, 'reply');
    if (this.#handshake.awaitsReplyTo(f.requestId)) return this.#handshake.onReply(f, message);
    this.#outgoing.get(f.requestId)?.onResponse(message, (f.flags & FrameFlag.stream) !== 0);
  }

  #onGoaway(m: Goaway) {
    const error = errorFromWire(m.code, m.message, m.reason);
    const fault =
      error instanceof ProtocolError ? error : new GoawayError(m.message, { remote: true });
    if (m.code !== 'goaway') this.#peerFault = fault;
    this.#peerGoingAway = true;
    this.#outgoing.failQueued(
      new GoawayError('the peer is going away: the request was not sent', { remote: true }),
    );
    this.emit('goaway', fault);
  }

  #onReady(peer: PeerInfo) {
    if (this.#state !== 'handshake') return;
    this.#state = 'ready';
    this.#writer.encoder.maxFrameSize = peer.maxFrameSize;
    this.#resolveReady(peer);
    this.#outgoing.flush();
  }

  // ── writing and bookkeeping ────────────────────────────────────────────────────────────────────

  #onDrain() {
    this.#writer.onDrain();
    if (this.#state === 'ready') this.#outgoing.flush();
  }

  #finishGoaway() {
    if (
      this.#goingAway &&
      this.#goawaySeen &&
      this.#outgoing.size === 0 &&
      this.#incoming.size === 0
    )
      this.#shutdown(undefined);
  }

  #createLink(): CallLink {
    return {
      clock: this.#clock,
      writer: this.#writer,
      localWindow: this.options.streamWindow,
      peerInitialCredit: () => this.#handshake.peer?.initialCredit ?? 0,
      peerMaxFrameSize: () => this.#writer.encoder.maxFrameSize,
      violation: (e) => this.#violation(e),
      outgoingSettled: (call) => {
        this.#outgoing.settled(call);
        this.#finishGoaway();
      },
      incomingSettled: (call) => {
        this.#incoming.settled(call);
        this.#finishGoaway();
      },
      handlerError: (e, kind) => this.emit('handler-error', e, kind),
    };
  }

  /** (A method, so that TypeScript does not narrow the state across calls that change it.) */
  #isClosed(): boolean {
    return this.#state === 'closed';
  }

  // ── ending ─────────────────────────────────────────────────────────────────────────────────────

  /** The peer broke the protocol: alert, tell it why (goaway with the fault), close. */
  #violation(error: ProtocolError) {
    if (this.#state === 'closed') return;
    this.emit('violation', error);
    this.#notifyAndClose(error);
  }

  #notifyAndClose(error: ProtocolError) {
    if (this.#state === 'closed') return;
    this.#writer.message(FrameKind.goaway, 0, 0, {
      kind: 'goaway',
      code: error.code,
      message: error.message,
      reason: error.reason,
    });
    this.#shutdown(error);
  }

  #onTransportClose(error: Error | undefined) {
    if (this.#state === 'closed') return;
    if (this.#decoder.partial && !this.#decoder.failure)
      // The peer ended the connection inside a frame: a truncated frame (R11).
      return this.#violation(
        new BadFrameError(
          `the connection closed inside a frame (${frameProgress(this.#decoder)})${error ? `: ${error.message}` : ''}`,
          { reason: 'frame.truncated', ...(error ? { cause: error } : {}) },
        ),
      );
    const reason =
      error ??
      this.#transportError ??
      this.#peerFault ??
      (this.#goingAway || (this.#peerGoingAway && this.#outgoing.size === 0)
        ? undefined
        : new ConnectionClosedError('the peer closed the connection'));
    this.#shutdown(reason);
  }

  #shutdown(reason: Error | undefined) {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    this.#heartbeat.stop();
    this.#handshake.stop();
    this.#clock.clearTimeout(this.#graceTimer);
    this.#frameDeadline.stop();
    const error =
      reason instanceof ConnectionClosedError
        ? reason
        : new ConnectionClosedError(
            reason ? `connection closed: ${reason.message}` : 'connection closed',
            reason ? { cause: reason } : {},
          );
    this.#rejectReady(reason ?? error);
    this.#outgoing.failAll(error);
    this.#incoming.failAll(error);
    this.#heartbeat.failPings(error);
    this.#writer.close(error);
    this.transport.off('data', this.#listeners.data);
    this.transport.off('drain', this.#listeners.drain);
    this.transport.off('error', this.#listeners.error);
    this.transport.off('close', this.#listeners.close);
    this.transport.close(reason);
    this.emit('close', reason);
    this.#resolveClosed(reason);
  }
}

/** Handlers by request kind, to pass at creation. */
export type HandlerMap = { readonly [K in Exclude<RequestKind, 'hello'>]?: Handler<K> };

/** A session over `transport`; it sends `hello` at once. */
export function createSession(
  options: SessionOptions & { readonly handlers?: HandlerMap },
): Session {
  return new Session(options);
}

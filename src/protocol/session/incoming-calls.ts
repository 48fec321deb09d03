import { RegistryError } from '../../domain/errors.ts';
import type { ProtocolError } from '../errors.ts';
import { GoawayError, ProtocolViolationError, UnknownMessageKindError } from '../errors.ts';
import type { Frame } from '../frame/frame.ts';
import { FrameFlag } from '../frame/frame.ts';
import type { Message, RequestKind } from '../messages/registry.ts';
import { replyKindOf } from '../messages/registry.ts';
import type { CallLink } from './call-link.ts';
import type { PeerInfo } from './handshake.ts';
import type { Handler } from './incoming-call.ts';
import { IncomingCall } from './incoming-call.ts';

/**
 * The calls the peer made to this side, and the handlers that answer them by request kind.
 * Refusals before a handler runs: going away (`goaway`: not processed), too many calls at once
 * (`rate-limited`), no handler (`unknown-kind`). A request under an id still in flight is a
 * violation.
 */
export class IncomingCalls {
  readonly #calls = new Map<number, IncomingCall>();
  readonly #handlers = new Map<string, Handler<RequestKind>>();

  constructor(
    private readonly link: CallLink,
    private readonly maxCalls: number,
  ) {}

  get size(): number {
    return this.#calls.size;
  }

  get(id: number): IncomingCall | undefined {
    return this.#calls.get(id);
  }

  handle(kind: RequestKind, handler: Handler<RequestKind>): void {
    if (kind === 'hello') throw new Error('hello is handled by the session itself');
    if (this.#handlers.has(kind)) throw new Error(`a handler for ${kind} is already registered`);
    this.#handlers.set(kind, handler);
  }

  dispatch(f: Frame, message: Message, peer: PeerInfo, goingAway: boolean): void {
    if (this.#calls.has(f.requestId))
      throw new ProtocolViolationError(`request id ${f.requestId} is already in flight`, {
        reason: 'request.duplicate-id',
      });
    if (goingAway)
      return this.refuse(f, new GoawayError('going away: the request was not processed'));
    if (this.#calls.size >= this.maxCalls)
      return this.refuse(
        f,
        new RegistryError('rate-limited', 'too many requests in flight', 'session.too-many-calls'),
      );
    const handler = this.#handlers.get(message.kind);
    if (!handler)
      return this.refuse(
        f,
        new UnknownMessageKindError(message.kind, { reason: 'message.no-handler' }),
      );
    const kind = message.kind as RequestKind;
    const call = new IncomingCall(
      this.link,
      f.requestId,
      kind,
      replyKindOf(kind),
      (f.flags & FrameFlag.stream) !== 0,
    );
    this.#calls.set(f.requestId, call);
    call.run(handler, message, peer);
  }

  /** Answers `f` with an error. Not registered: upload frames that follow are dropped as stale. */
  refuse(f: Frame, error: RegistryError | ProtocolError): void {
    new IncomingCall(this.link, f.requestId, 'error', 'error', false).refuse(error);
  }

  settled(call: IncomingCall): void {
    if (this.#calls.get(call.id) === call) this.#calls.delete(call.id);
  }

  failAll(error: Error): void {
    for (const call of [...this.#calls.values()]) call.fail(error);
  }
}

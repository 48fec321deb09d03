import type { ProtocolError } from '../errors.ts';
import { ProtocolViolationError, TimeoutError, UnsupportedVersionError } from '../errors.ts';
import type { Frame } from '../frame/frame.ts';
import { FrameFlag, FrameKind } from '../frame/frame.ts';
import type { Hello } from '../messages/Hello.ts';
import type { NodeName } from '../messages/NodeName.ts';
import type { Message } from '../messages/registry.ts';
import type { FrameWriter } from './frame-writer.ts';
import type { ResolvedSessionOptions } from './session-options.ts';

/** What a session knows of its peer once `hello` is done. */
export type PeerInfo = {
  readonly name: NodeName;
  /** The negotiated protocol version: the highest both speak. */
  readonly version: number;
  readonly capabilities: readonly string[];
  /** The largest frame body the peer accepts (this side never sends more). */
  readonly maxFrameSize: number;
  /** Credit the peer grants each stream towards it before any stream-credit. */
  readonly initialCredit: number;
};

/** The highest version in both ranges, or undefined when they do not overlap. */
export function negotiateVersion(
  local: { readonly min: number; readonly max: number },
  remote: { readonly min: number; readonly max: number },
): number | undefined {
  const v = Math.min(local.max, remote.max);
  return v >= Math.max(local.min, remote.min) ? v : undefined;
}

export function localHello(o: ResolvedSessionOptions): Hello {
  return {
    kind: 'hello',
    minVersion: o.versions.min,
    maxVersion: o.versions.max,
    node: o.localNode,
    capabilities: o.capabilities,
    maxFrameSize: o.maxFrameSize,
    initialCredit: o.streamWindow,
  };
}

/**
 * Accepts the peer's `hello`: the node it names must be the one the transport authenticated (a
 * peer claiming another identity is refused — R9, R11), and the version ranges must overlap.
 */
export function acceptHello(
  hello: Hello,
  authenticatedName: string,
  local: ResolvedSessionOptions,
): PeerInfo {
  if (hello.node !== authenticatedName)
    throw new ProtocolViolationError(
      `hello names ${hello.node} but the connection authenticated ${authenticatedName}`,
      { reason: 'hello.node-mismatch' },
    );
  const version = negotiateVersion(local.versions, {
    min: hello.minVersion,
    max: hello.maxVersion,
  });
  if (version === undefined)
    throw new UnsupportedVersionError(
      `no common protocol version: this node speaks ${local.versions.min}–${local.versions.max}, ` +
        `${hello.node} speaks ${hello.minVersion}–${hello.maxVersion}`,
      { reason: 'version.no-common' },
    );
  return {
    name: hello.node,
    version,
    capabilities: hello.capabilities,
    maxFrameSize: hello.maxFrameSize,
    initialCredit: hello.initialCredit,
  };
}

export type HandshakeHooks = {
  /** Answer the peer's hello request with an error. */
  readonly refuse: (frame: Frame, error: ProtocolError) => void;
  /** Close the session (no common version: not an attack, no alert). */
  readonly fail: (error: Error) => void;
  /** Tell the peer (goaway) and close: no hello in time. */
  readonly timeout: (error: TimeoutError) => void;
  readonly ready: (peer: PeerInfo) => void;
};

/**
 * The hello exchange of one session (docs/PROTOCOL.md §6): sends this side's hello, accepts the
 * peer's (answering it with ours) and the reply to ours; ready when both are in. Violations are
 * thrown (the session turns them into an alert and a close).
 */
export class Handshake {
  #helloId = 0;
  #timer: unknown;
  #peer: PeerInfo | undefined;
  #replied = false;

  constructor(
    private readonly options: ResolvedSessionOptions,
    private readonly writer: FrameWriter,
    private readonly authenticatedName: string,
    private readonly hooks: HandshakeHooks,
  ) {}

  /** The peer, once its hello is accepted: its requests may be handled from then on. */
  get peer(): PeerInfo | undefined {
    return this.#peer;
  }

  start(requestId: number): void {
    this.#helloId = requestId;
    this.writer.message(FrameKind.request, 0, requestId, localHello(this.options));
    const ms = this.options.requestTimeoutMs;
    if (ms > 0)
      this.#timer = this.options.clock.setTimeout(
        () =>
          this.hooks.timeout(
            new TimeoutError('no hello from the peer in time', { reason: 'hello.timeout' }),
          ),
        ms,
      );
  }

  stop(): void {
    this.options.clock.clearTimeout(this.#timer);
  }

  /** True for the id of this side's hello while its reply is awaited. */
  awaitsReplyTo(requestId: number): boolean {
    return this.#helloId !== 0 && requestId === this.#helloId;
  }

  onPeerHello(f: Frame, hello: Hello): void {
    if (this.#peer)
      throw new ProtocolViolationError('a second hello', { reason: 'hello.repeated' });
    if (f.flags & FrameFlag.stream)
      throw new ProtocolViolationError('hello with a stream', { reason: 'hello.stream' });
    let peer: PeerInfo;
    try {
      peer = acceptHello(hello, this.authenticatedName, this.options);
    } catch (e) {
      if (e instanceof ProtocolViolationError) throw e;
      this.hooks.refuse(f, e as ProtocolError); // no common version: say so, then close
      return this.hooks.fail(e as Error);
    }
    this.#peer = peer;
    this.writer.message(FrameKind.response, FrameFlag.reply, f.requestId, localHello(this.options));
    this.#maybeReady();
  }

  onReply(f: Frame, message: Message): void {
    if (message.kind !== 'hello' || (f.flags & FrameFlag.stream) !== 0)
      throw new ProtocolViolationError('the reply to hello is not a hello', {
        reason: 'hello.bad-reply',
      });
    const peer = acceptHello(message, this.authenticatedName, this.options);
    if (this.#peer && (this.#peer.name !== peer.name || this.#peer.version !== peer.version))
      throw new ProtocolViolationError('the peer sent two different hellos', {
        reason: 'hello.inconsistent',
      });
    this.#replied = true;
    this.#helloId = 0;
    this.#maybeReady();
  }

  #maybeReady() {
    if (!this.#peer || !this.#replied) return;
    this.stop();
    this.hooks.ready(this.#peer);
  }
}

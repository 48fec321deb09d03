import { encode } from '@msgpack/msgpack';
import type { ProtocolError } from '../errors.ts';
import type { Frame, FrameKind } from '../frame/frame.ts';
import { FrameFlag, FrameKind as K } from '../frame/frame.ts';
import { FrameDecoder } from '../frame/frame-decoder.ts';
import { FrameEncoder } from '../frame/frame-encoder.ts';
import { MessageCodec } from '../messages/codec.ts';
import type { Hello } from '../messages/Hello.ts';
import type { Message } from '../messages/registry.ts';
import type { Transport } from '../transport.ts';

/**
 * A hand-driven peer for tests: writes any frame (valid or not) onto a transport and records
 * the frames it receives. Used to play a peer that breaks the protocol (garbage, frames beyond
 * credit, requests before hello), which a Session never does.
 */
export class RawPeer {
  readonly received: Frame[] = [];
  readonly codec = new MessageCodec();
  readonly #encoder = new FrameEncoder();
  readonly #decoder = new FrameDecoder();
  decodeError: ProtocolError | undefined;
  closed = false;

  constructor(readonly transport: Transport) {
    transport.on('data', (chunk) => {
      try {
        this.received.push(...this.#decoder.push(chunk));
      } catch (e) {
        this.decodeError = e as ProtocolError;
      }
    });
    transport.on('close', () => (this.closed = true));
  }

  /** Writes raw bytes. */
  bytes(data: Uint8Array): void {
    this.transport.write([data]);
  }

  frame(kind: FrameKind, flags: number, requestId: number, body: Uint8Array | Message): void {
    const bytes = body instanceof Uint8Array ? body : this.codec.encode(body).slice();
    this.transport.write([this.#encoder.encode(kind, flags, requestId, bytes)]);
  }

  /** A request whose body is any object (possibly not a valid message). */
  rawRequest(requestId: number, body: unknown, flags = 0): void {
    this.transport.write([this.#encoder.encode(K.request, flags, requestId, encode(body))]);
  }

  /** Plays the hello exchange as `node`: sends its hello (id 1) and answers the session's. */
  hello(node: string, overrides: Partial<Hello> = {}): void {
    const hello: Hello = {
      kind: 'hello',
      minVersion: 1,
      maxVersion: 1,
      node,
      capabilities: [],
      maxFrameSize: 1 << 20,
      initialCredit: 1 << 20,
      ...overrides,
    };
    this.frame(K.request, 0, 1, hello);
    this.transport.on('data', () => {
      for (const f of this.received)
        if (f.kind === K.request && !this.#answered.has(f.requestId)) {
          this.#answered.add(f.requestId);
          const m = this.codec.decode(f.body, 'request');
          if (m.kind === 'hello') this.frame(K.response, FrameFlag.reply, f.requestId, hello);
        }
    });
  }

  readonly #answered = new Set<number>();

  /** The decoded messages of received frames of `kind`. */
  messages(kind: FrameKind, role: 'request' | 'reply' | 'error' | 'goaway'): Message[] {
    return this.received.filter((f) => f.kind === kind).map((f) => this.codec.decode(f.body, role));
  }
}

import { HEADER_LENGTH } from '../protocol/frame/frame.ts';
import { MessageCodec } from '../protocol/messages/codec.ts';
import type { Message } from '../protocol/messages/registry.ts';

/**
 * Bytes of the integrity check on the wire, at the protocol level: each message's frame (16-byte
 * header + MessagePack body). TLS records add about 22 bytes per record on top; hello and
 * heartbeats belong to the session, not to the check, and are not counted.
 */
export class ByteMeter {
  readonly #codec = new MessageCodec();
  sent = 0;
  received = 0;

  size(message: Message): number {
    return HEADER_LENGTH + this.#codec.encode(message).length;
  }

  send<M extends Message>(message: M): M {
    this.sent += this.size(message);
    return message;
  }

  receive<M extends Message>(message: M): M {
    this.received += this.size(message);
    return message;
  }
}

import { InvalidMessageError, UnknownMessageKindError } from '../errors.ts';
import { BodyReader, isPlainObject } from './BodyReader.ts';
import { decodeMsgpack } from './decode-msgpack.ts';
import { MsgpackEncoder } from './encode-msgpack.ts';
import type { MessageRole } from './define-message.ts';
import { IDEMPOTENCY_KEY, isWrite } from './define-message.ts';
import type { Message } from './registry.ts';
import { findMessageDefinition } from './registry.ts';

/**
 * Message ⇄ body bytes (MessagePack, our own codec: `encode-msgpack.ts`, `decode-msgpack.ts`).
 * Decoding is the edge: bytes → values (bounded) → the kind's definition → a typed message, or a
 * typed error (never any other exception):
 * - UnknownMessageKindError: `kind` names no message this node knows;
 * - InvalidMessageError: not MessagePack, not a map, a kind not allowed in this place, a missing
 *   or bad idempotency key on a write, or a field that fails its schema (named in `field`).
 *
 * One codec per session: the encoder reuses its buffer (`encode` returns a view of it, valid until
 * the next call — the frame encoder copies it into the frame at once).
 */
export class MessageCodec {
  readonly #encoder = new MsgpackEncoder();

  encode(message: Message): Uint8Array {
    const definition = findMessageDefinition(message.kind);
    if (!definition) throw new UnknownMessageKindError(message.kind);
    return this.#encoder.encode(definition.toWire ? definition.toWire(message) : message);
  }

  decode(body: Uint8Array, role: MessageRole): Message {
    const value = decodeMsgpack(body);
    if (!isPlainObject(value))
      throw new InvalidMessageError('?', '', 'body must be a map', {
        reason: 'message.malformed-body',
      });
    const kind = value.kind;
    if (typeof kind !== 'string')
      throw new InvalidMessageError('?', 'kind', 'is missing', { reason: 'message.missing-kind' });
    const definition = findMessageDefinition(kind);
    if (!definition) throw new UnknownMessageKindError(kind.slice(0, 64));
    if (!definition.roles.includes(role))
      throw new InvalidMessageError(kind, 'kind', `is not allowed in a ${role} frame`, {
        reason: 'message.wrong-place',
      });
    const reader = new BodyReader(kind, value);
    if (isWrite(definition)) reader.string('idempotencyKey', IDEMPOTENCY_KEY);
    return definition.parse(reader);
  }
}

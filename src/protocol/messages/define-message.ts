import type { BodyReader } from './BodyReader.ts';

/**
 * Where a message may appear:
 * - `request`: the body of a request frame (the definition names its `reply` kind);
 * - `reply`: the body of a response frame;
 * - `error` / `goaway`: the body of an error / goaway frame.
 */
export type MessageRole = 'request' | 'reply' | 'error' | 'goaway';

export type MessageEffect = 'read' | 'write' | { readonly idempotentByContent: string };

/** Whether a definition is a write carrying an idempotency key. */
export const isWrite = (d: { readonly effect: MessageEffect }): boolean => d.effect === 'write';

export type MessageDefinition<
  T extends { readonly kind: string },
  Reply extends string | undefined = undefined,
> = {
  readonly kind: T['kind'];
  readonly roles: readonly MessageRole[];
  /** For requests: the kind of the reply. */
  readonly reply: Reply;
  /**
   * What receiving the message does to the receiver's state (R10, "idempotency keys on every
   * write"). Required, with no default, so that every new kind chooses:
   * - `'read'`: changes nothing the sender relies on (queries, replies, errors, goaway);
   * - `'write'`: the message carries `idempotencyKey` (the sender's transaction id), checked by the
   *   codec before `parse`; the receiver applies it once per key (DESIGN §2);
   * - `{ idempotentByContent }`: changes state but carries no key, because applying the same
   *   content twice is the same as once; the string says why. The kinds allowed this are listed
   *   in messages.test.ts and docs/PROTOCOL.md §5.
   */
  readonly effect: MessageEffect;
  /** Reads the decoded body into the typed message, or throws InvalidMessageError (`BodyReader`). */
  readonly parse: (body: BodyReader) => T;
  /** What goes on the wire for `message`, when it differs from the message itself. */
  readonly toWire?: (message: T) => unknown;
};

/**
 * One message kind (STYLE habit 2: schema = type = file). A new kind is a new file exporting
 * `type X` and `const X = defineMessage<X, 'reply-kind'>({...})`, plus one line in `registry.ts`.
 */
export function defineMessage<
  T extends { readonly kind: string },
  const Reply extends string | undefined = undefined,
>(definition: MessageDefinition<T, Reply>): MessageDefinition<T, Reply> {
  return Object.freeze(definition);
}

/** Idempotency keys: the sender's transaction id, 1–256 characters, no control characters. */
export const IDEMPOTENCY_KEY = { max: 256, noControl: true };

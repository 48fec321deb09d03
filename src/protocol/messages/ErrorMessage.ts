import type { WireErrorCode } from '../wire-codes.ts';
import { fromWireCode, toWireCode } from '../wire-codes.ts';
import { defineMessage } from './define-message.ts';

/**
 * The body of an `error` frame: the call failed. `code` travels as its wire number
 * (`wire-codes.ts`); a number this node does not know reads as `internal`. `reason` is the stable
 * machine-readable reason of the RegistryError or ProtocolError (e.g. `identity.not-found`).
 */
export type ErrorMessage = {
  readonly kind: 'error';
  readonly code: WireErrorCode;
  readonly message: string;
  readonly reason?: string | undefined;
};

export const MESSAGE_TEXT = { min: 0, max: 2000 };
export const REASON = { max: 128, pattern: /^[a-z0-9][a-z0-9._-]*$/, patternText: 'a-z 0-9 . _ -' };

/** Texts longer than the wire allows are cut, never refused (an error must always get through). */
export const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export const ErrorMessage = defineMessage<ErrorMessage>({
  kind: 'error',
  roles: ['error'],
  reply: undefined,
  effect: 'read',
  parse(r): ErrorMessage {
    const code = fromWireCode(r.integer('code', { max: 0xffff }));
    const message = r.string('message', MESSAGE_TEXT);
    const reason = r.optionalString('reason', REASON);
    return reason === undefined
      ? { kind: 'error', code, message }
      : { kind: 'error', code, message, reason };
  },
  toWire: (m) => ({
    kind: 'error',
    code: toWireCode(m.code),
    message: clip(m.message, MESSAGE_TEXT.max),
    ...(m.reason !== undefined && REASON.pattern.test(m.reason) && m.reason.length <= REASON.max
      ? { reason: m.reason }
      : {}),
  }),
});

import type { WireErrorCode } from '../wire-codes.ts';
import { fromWireCode, toWireCode } from '../wire-codes.ts';
import { defineMessage } from './define-message.ts';
import { clip, MESSAGE_TEXT, REASON } from './ErrorMessage.ts';

/**
 * The body of a `goaway` frame: the sender accepts no new requests and closes the connection once
 * its calls are done. `code` is `goaway` for a graceful shutdown, or the fault that makes the
 * sender drop the connection now (e.g. `invalid-message`, `timeout`), so the peer learns why.
 */
export type Goaway = {
  readonly kind: 'goaway';
  readonly code: WireErrorCode;
  readonly message: string;
  readonly reason?: string | undefined;
};

export const Goaway = defineMessage<Goaway>({
  kind: 'goaway',
  roles: ['goaway'],
  reply: undefined,
  effect: 'read',
  parse(r): Goaway {
    const code = fromWireCode(r.integer('code', { max: 0xffff }));
    const message = r.string('message', MESSAGE_TEXT);
    const reason = r.optionalString('reason', REASON);
    return reason === undefined
      ? { kind: 'goaway', code, message }
      : { kind: 'goaway', code, message, reason };
  },
  toWire: (m) => ({
    kind: 'goaway',
    code: toWireCode(m.code),
    message: clip(m.message, MESSAGE_TEXT.max),
    ...(m.reason !== undefined && REASON.pattern.test(m.reason) && m.reason.length <= REASON.max
      ? { reason: m.reason }
      : {}),
  }),
});

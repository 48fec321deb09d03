import type { ErrorCode } from '../domain/errors.ts';
import { ERROR_CODES } from '../domain/errors.ts';

/**
 * The one mapping between error names and the numbers that travel in `error` and `goaway`
 * messages (DESIGN §2: "errors are one vocabulary, mapped to wire codes in one place").
 *
 * Two families share one number space:
 * - the domain's ErrorCode (1–99): what a handler's RegistryError said; it arrives on the caller's
 *   side as a RegistryError with the same code, message and reason;
 * - protocol faults (100–199): what the session itself detected (a bad frame, a timeout, a peer
 *   going away…); they arrive as a ProtocolError subclass (`errors.ts`).
 *
 * Numbers are forever: a number is never reused for another meaning. A new code takes a new
 * number; a peer that does not know a number maps it to `internal` (a failure it cannot name —
 * never success), see `fromWireCode`.
 */

/** Protocol faults, with the domain code a caller may treat them as (`registryCodeOf`). */
export const PROTOCOL_FAULTS = {
  /** Malformed frame: bad magic, reserved bits set, wrong flags or request id for the kind. */
  'bad-frame': { wire: 100, registry: 'invalid' },
  /** The frame version or the protocol version range is not supported. */
  'unsupported-version': { wire: 101, registry: 'invalid' },
  /** A frame declares a body longer than the receiver's maximum. */
  'frame-too-large': { wire: 102, registry: 'invalid' },
  /** Unknown frame kind or message kind. */
  'unknown-kind': { wire: 103, registry: 'invalid' },
  /** A body that is not valid MessagePack or fails its message schema. */
  'invalid-message': { wire: 104, registry: 'invalid' },
  /** The peer broke a session rule (request before hello, wrong reply kind, identity mismatch…). */
  violation: { wire: 105, registry: 'invalid' },
  /** Stream data beyond the credit the receiver granted. */
  'flow-control': { wire: 106, registry: 'invalid' },
  /** A request got no reply in time, or the connection was silent past the idle timeout. */
  timeout: { wire: 110, registry: 'unavailable' },
  /** The call was cancelled (by the caller, or a stream stopped by its receiver). */
  cancelled: { wire: 111, registry: 'unavailable' },
  /** The peer is shutting down: the request was NOT processed; retry on another connection. */
  goaway: { wire: 112, registry: 'unavailable' },
  /** The connection closed before the call completed (outcome unknown: retry idempotently). */
  closed: { wire: 113, registry: 'unavailable' },
  /** The peer failed in a way it does not name (a handler bug), or an unknown wire code. */
  internal: { wire: 120, registry: 'unavailable' },
} as const satisfies Record<string, { wire: number; registry: ErrorCode }>;

export type ProtocolFaultCode = keyof typeof PROTOCOL_FAULTS;
export const PROTOCOL_FAULT_CODES = Object.keys(PROTOCOL_FAULTS) as ProtocolFaultCode[];

/** Everything an `error` message can name: a domain error or a protocol fault. */
export type WireErrorCode = ErrorCode | ProtocolFaultCode;

/** Domain codes, in the order of ERROR_CODES; the numbers are part of the wire format. */
const DOMAIN_WIRE: Record<ErrorCode, number> = {
  invalid: 1,
  'not-found': 2,
  conflict: 3,
  forbidden: 4,
  'too-many-matches': 5,
  suspended: 6,
  'rate-limited': 7,
  unavailable: 8,
};

const TO_WIRE = new Map<WireErrorCode, number>();
const FROM_WIRE = new Map<number, WireErrorCode>();
for (const code of ERROR_CODES) {
  TO_WIRE.set(code, DOMAIN_WIRE[code]);
  FROM_WIRE.set(DOMAIN_WIRE[code], code);
}
for (const code of PROTOCOL_FAULT_CODES) {
  TO_WIRE.set(code, PROTOCOL_FAULTS[code].wire);
  FROM_WIRE.set(PROTOCOL_FAULTS[code].wire, code);
}

/** The code an unknown wire number maps to: a failure, never success, never retried blindly. */
export const UNKNOWN_WIRE_CODE: WireErrorCode = 'internal';

export function toWireCode(code: WireErrorCode): number {
  const n = TO_WIRE.get(code);
  if (n === undefined) throw new RangeError(`no wire code for ${String(code)}`);
  return n;
}

/** The name of a wire number; numbers this version does not know become `internal`. */
export function fromWireCode(n: number): WireErrorCode {
  return FROM_WIRE.get(n) ?? UNKNOWN_WIRE_CODE;
}

export const isErrorCode = (code: WireErrorCode): code is ErrorCode =>
  Object.hasOwn(DOMAIN_WIRE, code);

export const isProtocolFaultCode = (code: string): code is ProtocolFaultCode =>
  Object.hasOwn(PROTOCOL_FAULTS, code);

/** The domain code a caller may treat any wire code as (protocol faults fold into two). */
export function registryCodeOf(code: WireErrorCode): ErrorCode {
  return isErrorCode(code) ? code : PROTOCOL_FAULTS[code].registry;
}

/** Every (name, number) pair, for docs and tests. */
export const WIRE_CODE_TABLE: readonly { code: WireErrorCode; wire: number }[] = [...TO_WIRE].map(
  ([code, wire]) => ({ code, wire }),
);

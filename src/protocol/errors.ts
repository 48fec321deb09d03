import { RegistryError } from '../domain/errors.ts';
import type { ErrorCode } from '../domain/errors.ts';
import type { ProtocolFaultCode, WireErrorCode } from './wire-codes.ts';
import { isErrorCode, registryCodeOf } from './wire-codes.ts';

/**
 * Protocol faults as named classes (STYLE habit 7): each has a `name`, a stable `code` (a
 * ProtocolFaultCode, mapped to a wire number in `wire-codes.ts`), a machine-readable `reason`
 * (e.g. `frame.bad-magic`) and an optional `cause`. The domain never sees these: a node turns them
 * into its own terms with `registryCode` / `toRegistryError`.
 */
export type ProtocolErrorOptions = {
  readonly cause?: unknown;
  /** A stable, machine-readable reason, e.g. `frame.bad-magic`, `hello.node-mismatch`. */
  readonly reason?: string | undefined;
  /** True when the peer reported the fault (an `error` or `goaway` message), false when seen here. */
  readonly remote?: boolean;
  /** For decoder faults: the offset in the byte stream of the offending byte. */
  readonly offset?: number;
};

export class ProtocolError extends Error {
  override name = 'ProtocolError';
  readonly reason: string | undefined;
  readonly remote: boolean;
  readonly offset: number | undefined;
  constructor(
    readonly code: ProtocolFaultCode,
    message: string,
    options: ProtocolErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.reason = options.reason;
    this.remote = options.remote ?? false;
    this.offset = options.offset;
  }
  /** The domain code a caller may treat this fault as (`unavailable` or `invalid`). */
  get registryCode(): ErrorCode {
    return registryCodeOf(this.code);
  }
}

// ── framing ──────────────────────────────────────────────────────────────────────────────────────

export class BadFrameError extends ProtocolError {
  override name = 'BadFrameError';
  constructor(message: string, options: ProtocolErrorOptions = {}) {
    super('bad-frame', message, { reason: 'frame.malformed', ...options });
  }
}

/** The first two bytes of a frame are not the magic: not our protocol (R10, R11). */
export class BadMagicError extends BadFrameError {
  override name = 'BadMagicError';
  constructor(message: string, options: ProtocolErrorOptions = {}) {
    super(message, { reason: 'frame.bad-magic', ...options });
  }
}

export class UnsupportedVersionError extends ProtocolError {
  override name = 'UnsupportedVersionError';
  constructor(message: string, options: ProtocolErrorOptions = {}) {
    super('unsupported-version', message, { reason: 'version.unsupported', ...options });
  }
}

export class FrameTooLargeError extends ProtocolError {
  override name = 'FrameTooLargeError';
  constructor(
    readonly declaredLength: number,
    readonly maxFrameSize: number,
    options: ProtocolErrorOptions = {},
  ) {
    super(
      'frame-too-large',
      `frame body of ${declaredLength} bytes exceeds the maximum of ${maxFrameSize}`,
      { reason: 'frame.too-large', ...options },
    );
  }
}

export class UnknownFrameKindError extends ProtocolError {
  override name = 'UnknownFrameKindError';
  constructor(
    readonly frameKind: number,
    options: ProtocolErrorOptions = {},
  ) {
    super('unknown-kind', `unknown frame kind 0x${frameKind.toString(16).padStart(2, '0')}`, {
      reason: 'frame.unknown-kind',
      ...options,
    });
  }
}

// ── messages ─────────────────────────────────────────────────────────────────────────────────────

export class UnknownMessageKindError extends ProtocolError {
  override name = 'UnknownMessageKindError';
  constructor(
    readonly messageKind: string,
    options: ProtocolErrorOptions = {},
  ) {
    super('unknown-kind', `unknown message kind ${JSON.stringify(messageKind)}`, {
      reason: 'message.unknown-kind',
      ...options,
    });
  }
}

/** A body that is not valid MessagePack, or a message that fails its schema; names the field. */
export class InvalidMessageError extends ProtocolError {
  override name = 'InvalidMessageError';
  constructor(
    /** The message kind, or `?` when the body has none. */
    readonly messageKind: string,
    /** The path of the offending field, e.g. `event.values.residentCode`; `` for the whole body. */
    readonly field: string,
    problem: string,
    options: ProtocolErrorOptions = {},
  ) {
    super('invalid-message', `${messageKind}${field === '' ? '' : `.${field}`}: ${problem}`, {
      reason: 'message.invalid',
      ...options,
    });
  }
}

// ── session ──────────────────────────────────────────────────────────────────────────────────────

/** The peer broke a session rule; `reason` says which (e.g. `hello.node-mismatch`). */
export class ProtocolViolationError extends ProtocolError {
  override name = 'ProtocolViolationError';
  constructor(message: string, options: ProtocolErrorOptions = {}) {
    super('violation', message, { reason: 'session.violation', ...options });
  }
}

export class FlowControlError extends ProtocolError {
  override name = 'FlowControlError';
  constructor(message: string, options: ProtocolErrorOptions = {}) {
    super('flow-control', message, { reason: 'stream.credit-exceeded', ...options });
  }
}

export class TimeoutError extends ProtocolError {
  override name = 'TimeoutError';
  constructor(message: string, options: ProtocolErrorOptions = {}) {
    super('timeout', message, { reason: 'request.timeout', ...options });
  }
}

/** Nothing arrived from the peer for the idle timeout: it is presumed dead and dropped. */
export class IdleTimeoutError extends TimeoutError {
  override name = 'IdleTimeoutError';
  constructor(message: string, options: ProtocolErrorOptions = {}) {
    super(message, { reason: 'session.idle-timeout', ...options });
  }
}

/**
 * A frame was begun but not finished within the frame deadline (`frameTimeoutMs`): bytes trickled
 * in too slowly to ever complete it (slowloris). The session is cut.
 */
export class FrameTimeoutError extends TimeoutError {
  override name = 'FrameTimeoutError';
  constructor(message: string, options: ProtocolErrorOptions = {}) {
    super(message, { reason: 'frame.stalled', ...options });
  }
}

/**
 * The peer sends but does not read: replies and control frames piled up on the transport past
 * `maxOutputBacklog`. The session is cut before the backlog exhausts this node's memory.
 */
export class PeerNotReadingError extends ProtocolViolationError {
  override name = 'PeerNotReadingError';
  constructor(message: string, options: ProtocolErrorOptions = {}) {
    super(message, { reason: 'session.peer-not-reading', ...options });
  }
}

export class CancelledError extends ProtocolError {
  override name = 'CancelledError';
  constructor(message: string, options: ProtocolErrorOptions = {}) {
    super('cancelled', message, { reason: 'request.cancelled', ...options });
  }
}

/** The peer (or this side) is going away: the request was not processed and may be retried. */
export class GoawayError extends ProtocolError {
  override name = 'GoawayError';
  constructor(message: string, options: ProtocolErrorOptions = {}) {
    super('goaway', message, { reason: 'session.goaway', ...options });
  }
}

/** The connection closed while the call was in flight; its outcome is unknown. */
export class ConnectionClosedError extends ProtocolError {
  override name = 'ConnectionClosedError';
  constructor(message: string, options: ProtocolErrorOptions = {}) {
    super('closed', message, { reason: 'session.closed', ...options });
  }
}

/** The peer failed without naming why (a handler bug there), or sent a code we do not know. */
export class InternalPeerError extends ProtocolError {
  override name = 'InternalPeerError';
  constructor(message: string, options: ProtocolErrorOptions = {}) {
    super('internal', message, { reason: 'peer.internal', ...options });
  }
}

// ── translation at the edge ──────────────────────────────────────────────────────────────────────

const FAULT_CLASSES: Record<
  ProtocolFaultCode,
  (message: string, options: ProtocolErrorOptions) => ProtocolError
> = {
  'bad-frame': (m, o) => new BadFrameError(m, o),
  'unsupported-version': (m, o) => new UnsupportedVersionError(m, o),
  'frame-too-large': (m, o) => new ProtocolError('frame-too-large', m, o),
  'unknown-kind': (m, o) => new ProtocolError('unknown-kind', m, o),
  'invalid-message': (m, o) => new ProtocolError('invalid-message', m, o),
  violation: (m, o) => new ProtocolViolationError(m, o),
  'flow-control': (m, o) => new FlowControlError(m, o),
  timeout: (m, o) => new TimeoutError(m, o),
  cancelled: (m, o) => new CancelledError(m, o),
  goaway: (m, o) => new GoawayError(m, o),
  closed: (m, o) => new ConnectionClosedError(m, o),
  internal: (m, o) => new InternalPeerError(m, o),
};

/**
 * What an `error` message from the peer becomes on this side: a domain code is the same
 * RegistryError the peer's handler threw (code, message, reason); a protocol fault is its
 * ProtocolError subclass with `remote: true`.
 */
export function errorFromWire(
  code: WireErrorCode,
  message: string,
  reason?: string,
): RegistryError | ProtocolError {
  if (isErrorCode(code)) return new RegistryError(code, message, reason);
  return FAULT_CLASSES[code](message, { reason, remote: true });
}

export type WireError = {
  readonly code: WireErrorCode;
  readonly message: string;
  readonly reason?: string | undefined;
};

/**
 * What a thrown value becomes on the wire. A RegistryError or ProtocolError keeps its code,
 * message and reason; anything else is `internal` with a fixed message — a bug's text (stack
 * traces, SQL, file paths) never leaves the node.
 */
export function errorToWire(e: unknown): WireError {
  if (e instanceof RegistryError) return { code: e.code, message: e.message, reason: e.reason };
  if (e instanceof ProtocolError) return { code: e.code, message: e.message, reason: e.reason };
  return { code: 'internal', message: 'internal error', reason: 'peer.internal' };
}

/** Any failure of a call in the domain's terms (protocol faults become invalid / unavailable). */
export function toRegistryError(e: unknown): RegistryError {
  if (e instanceof RegistryError) return e;
  if (e instanceof ProtocolError)
    return new RegistryError(e.registryCode, e.message, e.reason, { cause: e });
  return new RegistryError('unavailable', 'internal error', 'peer.internal', { cause: e });
}

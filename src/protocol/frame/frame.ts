import {
  BadFrameError,
  BadMagicError,
  FrameTooLargeError,
  UnknownFrameKindError,
} from '../errors.ts';
import { UnsupportedVersionError } from '../errors.ts';

/**
 * A frame: a fixed 16-byte header and a body (docs/PROTOCOL.md §2). All integers big-endian.
 *
 * ```
 * offset size field
 *  0     2    magic        0xA5 0x4A
 *  2     1    version      1 (the frame layout; messages are versioned by `hello`)
 *  3     1    kind         FrameKind
 *  4     1    flags        FrameFlag bits; the ones a kind does not allow must be 0
 *  5     3    reserved     0
 *  8     4    request id   u32; 0 for connection frames (ping, pong, goaway), else ≠ 0
 * 12     4    body length  u32; ≤ the receiver's maximum frame size, checked before buffering
 * 16     n    body
 * ```
 */
export const MAGIC = [0xa5, 0x4a] as const;
export const FRAME_VERSION = 1;
export const HEADER_LENGTH = 16;
/** Default maximum body length a receiver accepts (1 MiB). */
export const DEFAULT_MAX_FRAME_SIZE = 1 << 20;
/** The largest maximum a node may configure (16 MiB): bulk data travels as streams of frames. */
export const MAX_FRAME_SIZE_LIMIT = 16 << 20;
/** The smallest maximum a node may configure: every control message must fit. */
export const MIN_FRAME_SIZE_LIMIT = 4096;
export const MAX_REQUEST_ID = 0xffff_ffff;

export const FrameKind = {
  /** A request message (msgpack body); STREAM flag: an upload stream follows. */
  request: 0x01,
  /** The reply message to a request; STREAM flag: a download stream follows. */
  response: 0x02,
  /** The call failed: an `error` message. Ends the call, and any stream of it. */
  error: 0x03,
  /** Without REPLY: the caller abandons the call. With REPLY: the responder stops the upload. */
  cancel: 0x04,
  /** Stream bytes (opaque to the protocol), within the receiver's credit. */
  streamData: 0x05,
  /** The sender's stream ended normally. */
  streamEnd: 0x06,
  /** The receiver of a stream grants more credit: body u32 (bytes). */
  streamCredit: 0x07,
  /** Heartbeat: body 8 opaque bytes, echoed by `pong`. */
  ping: 0x08,
  pong: 0x09,
  /** The sender accepts no new requests and will close once its calls are done: `goaway` message. */
  goaway: 0x0a,
} as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

export const FrameFlag = {
  /** Sent by the side that answers the request id (the responder), not the caller. */
  reply: 0x01,
  /** On request / response: a stream of stream-data frames follows under the same request id. */
  stream: 0x02,
} as const;

export type Frame = {
  readonly kind: FrameKind;
  readonly flags: number;
  readonly requestId: number;
  /** A view into the received bytes (no copy when the body arrived in one chunk). */
  readonly body: Uint8Array;
};

type KindRule = {
  readonly name: string;
  /** 'none': request id must be 0 (connection frame); 'some': must not be 0. */
  readonly requestId: 'none' | 'some';
  /** Flags the kind allows, and the ones it requires. */
  readonly allowedFlags: number;
  readonly requiredFlags: number;
  readonly minBody: number;
  /** Exact maximum body for fixed-size kinds; undefined: the receiver's maximum frame size. */
  readonly maxBody: number | undefined;
};

const R = FrameFlag.reply;
const S = FrameFlag.stream;
const rule = (
  name: string,
  requestId: 'none' | 'some',
  allowedFlags: number,
  requiredFlags: number,
  minBody: number,
  maxBody?: number,
): KindRule => ({ name, requestId, allowedFlags, requiredFlags, minBody, maxBody });

/** Per-kind header rules; the decoder checks them before it buffers a body. */
export const KIND_RULES: ReadonlyMap<number, KindRule> = new Map<number, KindRule>([
  [FrameKind.request, rule('request', 'some', S, 0, 1)],
  [FrameKind.response, rule('response', 'some', R | S, R, 1)],
  [FrameKind.error, rule('error', 'some', R, R, 1)],
  [FrameKind.cancel, rule('cancel', 'some', R, 0, 0, 0)],
  [FrameKind.streamData, rule('stream-data', 'some', R, 0, 1)],
  [FrameKind.streamEnd, rule('stream-end', 'some', R, 0, 0, 0)],
  [FrameKind.streamCredit, rule('stream-credit', 'some', R, 0, 4, 4)],
  [FrameKind.ping, rule('ping', 'none', 0, 0, 8, 8)],
  [FrameKind.pong, rule('pong', 'none', 0, 0, 8, 8)],
  [FrameKind.goaway, rule('goaway', 'none', 0, 0, 1)],
]);

export const frameKindName = (kind: number): string =>
  KIND_RULES.get(kind)?.name ?? `0x${kind.toString(16)}`;

/**
 * Checks header byte `position` (0–7) of a frame that starts at stream offset `frameStart`, as
 * soon as the byte is known: garbage (HTTP, a TLS record, random bytes) is refused at its first
 * wrong byte, whatever the chunking. `kind` is the kind byte once known (for the flags check).
 */
export function checkHeaderByte(position: number, value: number, kind: number, frameStart: number) {
  const offset = frameStart + position;
  switch (position) {
    case 0:
    case 1:
      if (value !== MAGIC[position])
        throw new BadMagicError(
          `not a jukinet frame: byte ${position} is 0x${value.toString(16).padStart(2, '0')}`,
          { offset },
        );
      return;
    case 2:
      if (value !== FRAME_VERSION)
        throw new UnsupportedVersionError(
          `frame version ${value} (this node speaks ${FRAME_VERSION})`,
          {
            reason: 'frame.unsupported-version',
            offset,
          },
        );
      return;
    case 3:
      if (!KIND_RULES.has(value)) throw new UnknownFrameKindError(value, { offset });
      return;
    case 4: {
      const r = KIND_RULES.get(kind)!;
      if ((value & ~r.allowedFlags) !== 0 || (value & r.requiredFlags) !== r.requiredFlags)
        throw new BadFrameError(`flags 0x${value.toString(16)} not allowed on ${r.name}`, {
          reason: 'frame.flags',
          offset,
        });
      return;
    }
    default:
      if (value !== 0)
        throw new BadFrameError(`reserved header byte ${position} is not 0`, {
          reason: 'frame.reserved',
          offset,
        });
  }
}

/**
 * Checks the request id and the declared body length of a complete header, before any body byte
 * is buffered: a 4 GiB declaration is refused here, never allocated.
 */
export function checkHeaderFields(
  kind: number,
  requestId: number,
  bodyLength: number,
  maxFrameSize: number,
  frameStart: number,
) {
  const r = KIND_RULES.get(kind)!;
  if ((requestId === 0) !== (r.requestId === 'none'))
    throw new BadFrameError(
      r.requestId === 'none'
        ? `${r.name} must have request id 0`
        : `${r.name} must have a request id`,
      { reason: 'frame.request-id', offset: frameStart + 8 },
    );
  if (bodyLength > maxFrameSize)
    throw new FrameTooLargeError(bodyLength, maxFrameSize, { offset: frameStart + 12 });
  if (bodyLength < r.minBody || (r.maxBody !== undefined && bodyLength > r.maxBody))
    throw new BadFrameError(
      `${r.name} body of ${bodyLength} bytes (expected ${
        r.maxBody === r.minBody ? r.minBody : `at least ${r.minBody}`
      })`,
      { reason: 'frame.body-length', offset: frameStart + 12 },
    );
}

/** A configured maximum frame size, checked once (config is validated at startup). */
export function checkMaxFrameSize(n: number): number {
  if (!Number.isSafeInteger(n) || n < MIN_FRAME_SIZE_LIMIT || n > MAX_FRAME_SIZE_LIMIT)
    throw new RangeError(
      `maxFrameSize must be an integer in [${MIN_FRAME_SIZE_LIMIT}, ${MAX_FRAME_SIZE_LIMIT}]: ${n}`,
    );
  return n;
}

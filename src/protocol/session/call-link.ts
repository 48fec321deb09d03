import type { ProtocolError } from '../errors.ts';
import type { Clock } from './clock.ts';
import type { FrameWriter } from './frame-writer.ts';
import type { IncomingCall } from './incoming-call.ts';
import type { OutgoingCall } from './outgoing-call.ts';

/** What a call (either direction) needs from its session. */
export interface CallLink {
  readonly clock: Clock;
  readonly writer: FrameWriter;
  /** Credit this side grants every stream towards it. */
  readonly localWindow: number;
  /** Credit the peer grants every stream towards it (after hello). */
  peerInitialCredit(): number;
  /** The largest frame body the peer accepts. */
  peerMaxFrameSize(): number;
  /** The peer broke the protocol: the session closes. */
  violation(error: ProtocolError): void;
  outgoingSettled(call: OutgoingCall): void;
  incomingSettled(call: IncomingCall): void;
  /** A handler threw something other than a RegistryError / ProtocolError (a bug: logged). */
  handlerError(error: unknown, kind: string): void;
}

export const u32Bytes = (n: number): Uint8Array => {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(n, 0);
  return b;
};

export const readU32 = (b: Uint8Array, at = 0): number =>
  ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;

/**
 * jukinet's own application protocol (R10): frames, messages, sessions. docs/PROTOCOL.md is the
 * specification; this is its implementation. Imports only src/domain and npm packages — no
 * sockets: connections come in through `Transport`.
 */
export * from './errors.ts';
export * from './wire-codes.ts';
export type { Transport, TransportEvents, TransportListener, TransportPeer } from './transport.ts';
export type { MemoryTransportOptions } from './memory-transport.ts';
export { createMemoryTransportPair, MemoryTransport, splitEvery } from './memory-transport.ts';
export type { Frame } from './frame/frame.ts';
export {
  DEFAULT_MAX_FRAME_SIZE,
  FRAME_VERSION,
  FrameFlag,
  FrameKind,
  frameKindName,
  HEADER_LENGTH,
  MAGIC,
  MAX_FRAME_SIZE_LIMIT,
} from './frame/frame.ts';
export type { FrameDecoderOptions } from './frame/frame-decoder.ts';
export { FrameDecoder } from './frame/frame-decoder.ts';
export type { FrameEncoderOptions } from './frame/frame-encoder.ts';
export { FrameEncoder } from './frame/frame-encoder.ts';
export * from './messages/index.ts';
export type { Clock } from './session/clock.ts';
export { systemClock } from './session/clock.ts';
export { ManualClock } from './session/manual-clock.ts';
export type { PeerInfo } from './session/handshake.ts';
export { negotiateVersion } from './session/handshake.ts';
export type { Handler, HandlerContext, HandlerResult } from './session/incoming-call.ts';
export { IncomingStream } from './session/incoming-stream.ts';
export type { CallOptions, CallReply } from './session/outgoing-call.ts';
export { OutgoingCall } from './session/outgoing-call.ts';
export { OutgoingStream } from './session/outgoing-stream.ts';
export type { HandlerMap, SessionEvents } from './session/session.ts';
export { createSession, Session } from './session/session.ts';
export type { SessionOptions } from './session/session-options.ts';
export { PROTOCOL_VERSIONS } from './session/session-options.ts';
export { StreamingReply, streamingReply } from './session/streaming-reply.ts';

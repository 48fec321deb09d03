import type { OutgoingStream } from './outgoing-stream.ts';

/**
 * What a handler returns to answer with a message followed by a stream (a download): the session
 * sends `message` with the STREAM flag, then runs `produce`, which writes the stream (awaiting each
 * write: that is the back-pressure). When `produce` resolves the stream is ended; when it throws,
 * the call fails with that error (an `error` frame; a RegistryError keeps its code).
 */
export class StreamingReply<R> {
  constructor(
    readonly message: R,
    readonly produce: (stream: OutgoingStream, signal: AbortSignal) => Promise<void>,
  ) {}
}

export const streamingReply = <R>(
  message: R,
  produce: (stream: OutgoingStream, signal: AbortSignal) => Promise<void>,
): StreamingReply<R> => new StreamingReply(message, produce);

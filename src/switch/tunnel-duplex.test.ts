import { describe, expect, it } from 'vitest';
import { IncomingStream } from '../protocol/session/incoming-stream.ts';
import { OutgoingStream } from '../protocol/session/outgoing-stream.ts';
import { TunnelDuplex } from './tunnel-duplex.ts';

/** A tunnel over real stream objects whose transport is held back until `drain()`. */
function tunnel() {
  const sent: string[] = [];
  let drain: () => void = () => undefined;
  const outgoing = new OutgoingStream(
    {
      send: (chunk) => sent.push(`data:${chunk.length}`),
      end: () => sent.push('end'),
      abort: (e) => sent.push(`abort:${e.message}`),
      whenWritable: () => new Promise<void>((r) => (drain = r)),
      settled: () => undefined,
    },
    1 << 20,
    () => 1 << 16,
  );
  const incoming = new IncomingStream(
    { grant: () => undefined, cancel: () => sent.push('cancel'), settled: () => undefined },
    1 << 20,
  );
  return { duplex: new TunnelDuplex(incoming, outgoing), incoming, sent, drain: () => drain() };
}

describe('TunnelDuplex (R2: the byte stream of a route through the switch)', () => {
  it('R2: destroyed after end() while its last write is still held back, it is a clean close: the write and the stream-end still go out, nothing is cancelled or aborted', async () => {
    const t = tunnel();
    t.duplex.write(Buffer.from('close_notify'));
    t.duplex.end();
    await new Promise((r) => setImmediate(r));
    // The TLS socket destroys the duplex once both sides have closed, before the transport took
    // the last bytes: the switch must not see the route broken off.
    t.duplex.destroy();
    await new Promise((r) => setImmediate(r));
    t.drain();
    await new Promise((r) => setImmediate(r));
    expect(t.sent).toEqual(['data:12', 'end']);
  });

  it('R2: destroyed before end(), the route is cut: the incoming stream is cancelled and the outgoing one aborted', async () => {
    const t = tunnel();
    t.duplex.destroy();
    await new Promise((r) => setImmediate(r));
    expect(t.sent).toEqual(['cancel', 'abort:the tunnel was closed']);
  });

  it('R2: after a clean close, incomingDone waits for the peer’s last records and its end, which are read, not cancelled', async () => {
    const t = tunnel();
    let done = false;
    void t.duplex.incomingDone.then(() => (done = true));
    t.duplex.end();
    t.drain();
    await new Promise((r) => setImmediate(r));
    t.duplex.destroy();
    await new Promise((r) => setImmediate(r));
    // The route's accepting side keeps its call open meanwhile: its session would otherwise
    // refuse the rest of the upload, and the switch record the route as broken off.
    expect(done).toBe(false);
    t.incoming.push(Buffer.from('the peer’s close_notify'));
    t.incoming.end();
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(true);
    expect(t.sent).toEqual(['end']);
  });
});

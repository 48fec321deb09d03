import { afterEach, describe, expect, it } from 'vitest';
import { RegistryError } from '../../domain/errors.ts';
import { CancelledError, FlowControlError } from '../errors.ts';
import { FrameFlag, FrameKind } from '../frame/frame.ts';
import { createMemoryTransportPair, splitEvery } from '../memory-transport.ts';
import type { RouteAccepted } from '../messages/RouteAccepted.ts';
import { routeRequest } from '../messages/RouteRequest.ts';
import type { SessionPair } from '../protocol-fixtures.ts';
import { connectSessions } from '../protocol-fixtures.ts';
import type { IncomingStream } from './incoming-stream.ts';
import { RawPeer } from './raw-peer.ts';
import { createSession } from './session.ts';
import { streamingReply } from './streaming-reply.ts';

const flush = () => new Promise<void>((r) => setImmediate(r));
const accepted: RouteAccepted = { kind: 'route-accepted', target: 'cs:011002' };
const pattern = (n: number, seed = 0) => {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
};

let pair: SessionPair | undefined;
afterEach(() => {
  pair?.close();
  pair = undefined;
});

describe('Session streams (R10: bulk transfers with credit-based flow control)', () => {
  it('R10: a handler streams a download; the caller reads every byte in order', async () => {
    pair = connectSessions({ transport: { split: splitEvery(1000) } });
    const data = pattern(3 * 1024 * 1024 + 17);
    pair.b.handle('route-request', () =>
      streamingReply(accepted, async (out) => {
        for (let i = 0; i < data.length; i += 100_000)
          await out.write(data.subarray(i, i + 100_000));
      }),
    );
    const { message, download } = await pair.a.call(routeRequest('cs:011002')).reply;
    expect(message).toEqual(accepted);
    const got = await download!.readAll();
    expect(got.length).toBe(data.length);
    expect(got.equals(data)).toBe(true); // (toEqual compares 3 MB byte by byte: seconds)
    expect(pair.a.inFlight).toEqual({ outgoing: 0, incoming: 0 });
  });

  it('R10: a slow consumer bounds memory: the receiver buffers at most its window, the sender waits', async () => {
    const window = 64 * 1024;
    pair = connectSessions({
      a: { streamWindow: window },
      transport: { highWaterMark: 16 * 1024 },
    });
    const total = 4 * 1024 * 1024;
    let produced = 0;
    pair.b.handle('route-request', () =>
      streamingReply(accepted, async (out) => {
        while (produced < total) {
          await out.write(Buffer.alloc(32 * 1024, 1));
          produced += 32 * 1024;
        }
      }),
    );
    const { download } = await pair.a.call(routeRequest('cs:011002')).reply;
    let consumed = 0;
    let maxBuffered = 0;
    let maxAhead = 0;
    for await (const chunk of download!) {
      consumed += chunk.length;
      maxBuffered = Math.max(maxBuffered, download!.bufferedBytes);
      maxAhead = Math.max(maxAhead, produced - consumed);
      await flush(); // the consumer is slow: one chunk per turn of the event loop
    }
    expect(consumed).toBe(total);
    expect(maxBuffered).toBeLessThanOrEqual(window);
    // in flight at most: the window, one chunk being written, the transport's buffer
    expect(maxAhead).toBeLessThanOrEqual(window + 32 * 1024 + 16 * 1024);
  });

  it('R10: a caller uploads a stream; the handler reads it and replies', async () => {
    pair = connectSessions({
      b: { streamWindow: 8 * 1024 },
      transport: { split: splitEvery(999) },
    });
    const data = pattern(200_000, 5);
    let got: Buffer | undefined;
    pair.b.handle('route-request', async (_, ctx) => {
      got = await ctx.upload!.readAll();
      return { kind: 'route-accepted', target: `cs:${got.length}` };
    });
    const call = pair.a.call(routeRequest('cs:011002'), { upload: true });
    for (let i = 0; i < data.length; i += 30_000)
      await call.upload!.write(data.subarray(i, i + 30_000));
    await call.upload!.end();
    expect((await call.reply).message).toEqual({ kind: 'route-accepted', target: 'cs:200000' });
    expect(got!.equals(data)).toBe(true);
  });

  it('R2: a tunnel — upload and download at once on one call — relays bytes both ways', async () => {
    pair = connectSessions();
    pair.b.handle('route-request', (_, ctx) =>
      streamingReply(accepted, async (out) => {
        for await (const chunk of ctx.upload!) await out.write(Buffer.from(chunk).reverse());
      }),
    );
    const call = pair.a.call(routeRequest('cs:011002'), { upload: true });
    const { download } = await call.reply;
    const echoes: string[] = [];
    const reader = (async () => {
      for await (const c of download!) echoes.push(Buffer.from(c).toString());
    })();
    for (const word of ['ClientHello', 'Finished', 'application data']) {
      await call.upload!.write(Buffer.from(word));
      while (echoes.length < 1 || echoes.at(-1) !== [...word].reverse().join('')) await flush();
    }
    await call.upload!.end();
    await reader;
    expect(echoes).toEqual(['olleHtneilC', 'dehsiniF', 'atad noitacilppa']);
  });

  it('R10: a consumer that stops reading cancels the call: the producer’s next write fails', async () => {
    pair = connectSessions({ a: { streamWindow: 4096 } });
    let producerError: unknown;
    let signal: AbortSignal | undefined;
    pair.b.handle('route-request', () =>
      streamingReply(accepted, async (out, s) => {
        signal = s;
        try {
          for (;;) await out.write(Buffer.alloc(1024));
        } catch (e) {
          producerError = e;
          throw e;
        }
      }),
    );
    const { download } = await pair.a.call(routeRequest('cs:011002')).reply;
    for await (const _ of download!) break;
    while (producerError === undefined) await flush();
    expect(producerError).toBeInstanceOf(CancelledError);
    expect(signal?.aborted).toBe(true);
    await flush();
    expect(pair.b.inFlight.incoming).toBe(0);
  });

  it('R10: a producer that fails mid-stream fails the download with its RegistryError', async () => {
    pair = connectSessions();
    pair.b.handle('route-request', () =>
      streamingReply(accepted, async (out) => {
        await out.write(Buffer.from('part'));
        throw new RegistryError('unavailable', '相手先CSが応答しません', 'route.target-down');
      }),
    );
    const { download } = await pair.a.call(routeRequest('cs:011002')).reply;
    const error = await download!.readAll().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ code: 'unavailable', reason: 'route.target-down' });
  });

  it('R10: a handler that replies without reading its upload stops the upload; the reply still arrives', async () => {
    pair = connectSessions({ b: { streamWindow: 4096 } });
    pair.b.handle('route-request', () => accepted);
    const call = pair.a.call(routeRequest('cs:011002'), { upload: true });
    expect((await call.reply).message).toEqual(accepted);
    let error: unknown;
    try {
      for (let i = 0; i < 100; i++) await call.upload!.write(Buffer.alloc(1024));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CancelledError);
    expect(error).toMatchObject({ remote: true });
  });

  it('R11: stream data beyond the credit granted is a flow-control violation, and closes', async () => {
    const [ta, tb] = createMemoryTransportPair();
    const b = createSession({
      transport: tb,
      localNode: 'prefecture:13',
      heartbeatIntervalMs: 0,
      streamWindow: 4096,
    });
    let upload: IncomingStream | undefined;
    b.handle('route-request', (_, ctx) => {
      upload = ctx.upload;
      return new Promise<never>(() => undefined);
    });
    const raw = new RawPeer(ta);
    raw.hello('cs:131016');
    await b.ready;
    const violations: unknown[] = [];
    b.on('violation', (e) => violations.push(e));
    raw.frame(FrameKind.request, FrameFlag.stream, 3, routeRequest('cs:011002'));
    raw.frame(FrameKind.streamData, 0, 3, Buffer.alloc(4096)); // exactly the credit: fine
    await flush();
    expect(upload?.bufferedBytes).toBe(4096);
    raw.frame(FrameKind.streamData, 0, 3, Buffer.alloc(1)); // one byte more
    await b.closed;
    expect(violations[0]).toBeInstanceOf(FlowControlError);
  });
});

import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  BadFrameError,
  FrameTimeoutError,
  PeerNotReadingError,
  type ProtocolError,
} from '../errors.ts';
import { FrameEncoder } from '../frame/frame-encoder.ts';
import { rawFrameHeader } from '../frame/frame-fixtures.ts';
import { FrameKind } from '../frame/frame.ts';
import { createMemoryTransportPair } from '../memory-transport.ts';
import type { Transport, TransportEvents } from '../transport.ts';
import { ManualClock } from './manual-clock.ts';
import { RawPeer } from './raw-peer.ts';
import type { Session } from './session.ts';
import { createSession } from './session.ts';

const flush = () => new Promise<void>((r) => setImmediate(r));

const ping = (nonce: number) => {
  const body = Buffer.alloc(8);
  body.writeUInt32BE(nonce, 0);
  return new FrameEncoder().encode(FrameKind.ping, 0, 0, body);
};

/** A session (prefecture:13) after hello with a hand-driven peer, on a manual clock. */
async function sessionWithRawPeer(frameTimeoutMs = 1_000) {
  const clock = new ManualClock();
  const [ta, tb] = createMemoryTransportPair();
  const b = createSession({
    transport: tb,
    localNode: 'prefecture:13',
    heartbeatIntervalMs: 0, // no idle timeout: only the frame deadline can cut
    frameTimeoutMs,
    clock,
  });
  const raw = new RawPeer(ta);
  raw.hello('cs:131016');
  await b.ready;
  const violations: ProtocolError[] = [];
  b.on('violation', (e) => violations.push(e));
  return { clock, b, raw, violations };
}

describe('Session: a frame must be finished within the frame deadline (R11, slowloris)', () => {
  it('R11: a body trickled a byte at a time is cut at the deadline, not kept alive by the trickle', async () => {
    const { clock, b, raw, violations } = await sessionWithRawPeer(1_000);
    raw.bytes(rawFrameHeader(0x01, 3, 100)); // declares 100 bytes of body …
    await flush();
    for (let t = 0; t < 750; t += 250) {
      clock.advance(250);
      raw.bytes(Uint8Array.of(0x41)); // … and sends one every 250 ms
      await flush();
    }
    expect(b.state).toBe('ready'); // 750 ms: within the deadline
    clock.advance(250);
    await flush();
    expect(b.state).toBe('closed');
    expect(violations).toHaveLength(1);
    expect(violations[0]).toBeInstanceOf(FrameTimeoutError);
    expect(violations[0]).toMatchObject({
      code: 'timeout',
      reason: 'frame.stalled',
      message: 'a frame was not finished within 1000 ms (3 of its 100 body bytes received)',
    });
    expect(await b.closed).toBe(violations[0]);
    // The peer is told why.
    expect(raw.messages(FrameKind.goaway, 'goaway')).toEqual([
      expect.objectContaining({ code: 'timeout', reason: 'frame.stalled' }),
    ]);
  });

  it('R11: a header trickled byte by byte is cut at the deadline too', async () => {
    const { clock, b, raw, violations } = await sessionWithRawPeer(1_000);
    const h = rawFrameHeader(0x01, 3, 10);
    for (let i = 0; i < 5; i++) {
      raw.bytes(h.subarray(i, i + 1));
      await flush();
      clock.advance(300);
    }
    await flush();
    expect(b.state).toBe('closed');
    expect(violations.map((v) => v.message)).toEqual([
      'a frame was not finished within 1000 ms (4 of its 16 header bytes received)',
    ]);
  });

  it('R10: frames that keep completing are never cut, though every chunk ends inside the next one', async () => {
    const { clock, b, raw, violations } = await sessionWithRawPeer(1_000);
    // Each chunk: the end of one ping and the start of the next — the decoder is never empty at
    // the end of a chunk, yet every frame is finished within 600 ms of its first byte.
    const pings = Buffer.concat(Array.from({ length: 12 }, (_, i) => ping(i + 1)));
    raw.bytes(pings.subarray(0, 12));
    for (let at = 12; at + 24 <= pings.length; at += 24) {
      await flush();
      clock.advance(600);
      raw.bytes(pings.subarray(at, at + 24));
    }
    await flush();
    clock.advance(600); // 6.6 s since the first byte, more than six deadlines
    await flush();
    expect(violations).toEqual([]);
    expect(b.state).toBe('ready');
    expect(raw.received.filter((f) => f.kind === FrameKind.pong)).toHaveLength(11);
    b.close();
  });

  it('R10: an idle session with no frame under way holds no frame timer', async () => {
    const { clock, b, raw } = await sessionWithRawPeer(1_000);
    const before = clock.pending;
    raw.bytes(ping(1).subarray(0, 10));
    await flush();
    expect(clock.pending).toBe(before + 1); // one timer while a frame is under way
    raw.bytes(ping(1).subarray(10));
    await flush();
    clock.advance(1_000); // the armed timer fires, finds no frame under way, is not re-armed
    expect(clock.pending).toBe(before);
    expect(b.state).toBe('ready');
    b.close();
  });
});

describe('Session: a truncated frame (R11)', () => {
  it('R11: the peer closing inside a frame is a violation frame.truncated, not a quiet close', async () => {
    const { b, raw, violations } = await sessionWithRawPeer();
    raw.bytes(Buffer.concat([rawFrameHeader(0x01, 5, 100), Buffer.alloc(10, 0x41)]));
    await flush();
    raw.transport.close();
    const reason = await b.closed;
    expect(violations).toHaveLength(1);
    expect(violations[0]).toBeInstanceOf(BadFrameError);
    expect(violations[0]).toMatchObject({
      code: 'bad-frame',
      reason: 'frame.truncated',
      message: 'the connection closed inside a frame (10 of its 100 body bytes received)',
    });
    expect(reason).toBe(violations[0]);
  });

  it('R10: the peer closing between frames is no violation', async () => {
    const { b, raw, violations } = await sessionWithRawPeer();
    raw.bytes(ping(1));
    await flush();
    raw.transport.close();
    await b.closed;
    expect(violations).toEqual([]);
  });
});

/** A transport whose peer never reads: every write stays buffered, `drain` only when told. */
class UnreadTransport extends EventEmitter<TransportEvents> implements Transport {
  readonly peer = { name: 'cs:131016' };
  written = 0;
  closed = false;
  write(chunks: readonly Uint8Array[]): boolean {
    for (const c of chunks) this.written += c.length;
    return false;
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    queueMicrotask(() => this.emit('close'));
  }
}

describe('Session: a peer that sends but does not read (R11, bounded memory)', () => {
  function unreadSession(): { t: UnreadTransport; s: Session; violations: ProtocolError[] } {
    const t = new UnreadTransport();
    const s = createSession({
      transport: t,
      localNode: 'prefecture:13',
      heartbeatIntervalMs: 0,
      maxOutputBacklog: 10_000,
    });
    const violations: ProtocolError[] = [];
    s.on('violation', (e) => violations.push(e));
    return { t, s, violations };
  }
  const pings = (n: number) => Buffer.concat(Array.from({ length: n }, (_, i) => ping(i + 1)));

  it('R11: pongs piling up past maxOutputBacklog cut the session session.peer-not-reading', async () => {
    const { t, s, violations } = unreadSession();
    t.emit('data', pings(400)); // 400 pongs of 24 bytes: 9 600 bytes, under the cap
    await flush();
    expect(s.state).toBe('handshake');
    t.emit('data', pings(20)); // 10 080 bytes
    await flush();
    expect(s.state).toBe('closed');
    expect(violations).toHaveLength(1);
    expect(violations[0]).toBeInstanceOf(PeerNotReadingError);
    expect(violations[0]).toMatchObject({
      code: 'violation',
      reason: 'session.peer-not-reading',
      message:
        'the peer does not read: 10008 bytes of replies and control frames wait (limit 10000)',
    });
    // Nothing more is written once cut: the backlog stops growing.
    const written = t.written;
    t.emit('data', pings(100));
    await flush();
    expect(t.written).toBe(written);
  });

  it('R10: a peer that reads (drain) between bursts is never cut', async () => {
    const { t, s, violations } = unreadSession();
    for (let i = 0; i < 5; i++) {
      t.emit('data', pings(400));
      await flush();
      t.emit('drain'); // the peer read it all
    }
    expect(violations).toEqual([]);
    expect(s.state).toBe('handshake');
    s.close();
  });

  it('R11: beforePong can leave a ping unanswered (the guard counts pings as requests)', async () => {
    const { t, s } = unreadSession();
    let allowed = 2;
    s.beforePong(() => allowed-- > 0);
    const before = t.written;
    t.emit('data', pings(5));
    await flush();
    expect(t.written - before).toBe(2 * 24); // two pongs, three pings refused
    s.close();
  });
});

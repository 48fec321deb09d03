import { afterEach, describe, expect, it } from 'vitest';
import { ERROR_CODES, RegistryError } from '../../domain/errors.ts';
import {
  BadMagicError,
  CancelledError,
  ConnectionClosedError,
  FrameTooLargeError,
  InternalPeerError,
  InvalidMessageError,
  ProtocolViolationError,
  TimeoutError,
  UnsupportedVersionError,
} from '../errors.ts';
import type { ProtocolError } from '../errors.ts';
import { FrameFlag, FrameKind } from '../frame/frame.ts';
import type { ChangeAck } from '../messages/ChangeAck.ts';
import type { ChangeNotice } from '../messages/ChangeNotice.ts';
import { createMemoryTransportPair, splitEvery } from '../memory-transport.ts';
import type { SessionPair } from '../protocol-fixtures.ts';
import { connectSessions, sampleChangeNotice, sampleMessages } from '../protocol-fixtures.ts';
import { routeRequest } from '../messages/RouteRequest.ts';
import { RawPeer } from './raw-peer.ts';
import type { Session } from './session.ts';
import { createSession } from './session.ts';

const flush = () => new Promise<void>((r) => setImmediate(r));
const applied = (m: ChangeNotice, sequence = 1): ChangeAck => ({
  kind: 'change-ack',
  idempotencyKey: m.idempotencyKey,
  outcome: 'applied',
  sequence,
});
const noticeNo = (i: number): ChangeNotice => {
  const n = sampleChangeNotice();
  const transactionId = `tx-${i}`;
  return { ...n, idempotencyKey: transactionId, event: { ...n.event, transactionId } };
};

let pair: SessionPair | undefined;
afterEach(() => {
  pair?.close();
  pair = undefined;
});

describe('Session: hello (R10: our own protocol, R9: the peer is who its certificate says)', () => {
  it('R10: both sides learn the peer, the negotiated version, its limits and capabilities', async () => {
    pair = connectSessions({ b: { capabilities: ['route'], maxFrameSize: 64 * 1024 } });
    const [peerOfA, peerOfB] = await Promise.all([pair.a.ready, pair.b.ready]);
    expect(peerOfA).toEqual({
      name: 'prefecture:13',
      version: 1,
      capabilities: ['route'],
      maxFrameSize: 64 * 1024,
      initialCredit: 256 * 1024,
    });
    expect(peerOfB.name).toBe('cs:131016');
  });

  it('R9: a hello naming another node than the transport authenticated is a violation, and closes', async () => {
    const [ta, tb] = createMemoryTransportPair({ names: ['cs:131016', 'prefecture:13'] });
    const a = createSession({ transport: ta, localNode: 'cs:131016', heartbeatIntervalMs: 0 });
    const impostor = createSession({
      transport: tb,
      localNode: 'national:jlis',
      heartbeatIntervalMs: 0,
    });
    const violations: ProtocolError[] = [];
    a.on('violation', (e) => violations.push(e));
    await expect(a.ready).rejects.toBeInstanceOf(ProtocolViolationError);
    expect(violations.map((v) => v.reason)).toEqual(['hello.node-mismatch']);
    expect(await a.closed).toBeInstanceOf(ProtocolViolationError);
    await impostor.closed;
  });

  it('R10: without a common protocol version both sides close with UnsupportedVersionError', async () => {
    pair = connectSessions({ b: { versions: { min: 2, max: 3 } } });
    await expect(pair.a.ready).rejects.toBeInstanceOf(UnsupportedVersionError);
    await expect(pair.b.ready).rejects.toBeInstanceOf(UnsupportedVersionError);
  });

  it('R10: a request before hello is a violation', async () => {
    const [ta, tb] = createMemoryTransportPair();
    const b = createSession({ transport: tb, localNode: 'prefecture:13', heartbeatIntervalMs: 0 });
    const raw = new RawPeer(ta);
    const violations: ProtocolError[] = [];
    b.on('violation', (e) => violations.push(e));
    raw.frame(FrameKind.request, 0, 5, sampleChangeNotice());
    await b.closed;
    expect(violations.map((v) => v.reason)).toEqual(['hello.first']);
  });
});

describe('Session: requests (R10)', () => {
  it('R10: many requests in flight complete out of order, each with its own reply', async () => {
    pair = connectSessions({ transport: { split: splitEvery(7) } });
    const release: (() => void)[] = [];
    pair.b.handle(
      'change-notice',
      (m) =>
        new Promise((resolve) =>
          release.push(() => resolve(applied(m, Number(m.idempotencyKey.slice(3))))),
        ),
    );
    const replies = Array.from({ length: 50 }, (_, i) => pair!.a.request(noticeNo(i)));
    while (release.length < 50) await flush();
    for (const r of release.reverse()) r(); // answer the last first
    const acks = await Promise.all(replies);
    expect(acks.map((a) => a.idempotencyKey)).toEqual(
      Array.from({ length: 50 }, (_, i) => `tx-${i}`),
    );
    expect(acks.map((a) => (a.outcome === 'applied' ? a.sequence : -1))).toEqual(
      Array.from({ length: 50 }, (_, i) => i),
    );
  });

  it('R10: works over a slow link that cuts frames anywhere (1 ms delay, 5-byte chunks)', async () => {
    pair = connectSessions({ transport: { delayMs: 1, split: splitEvery(5) } });
    pair.b.handle('change-notice', (m) => applied(m));
    const acks = await Promise.all([1, 2, 3].map((i) => pair!.a.request(noticeNo(i))));
    expect(acks.map((a) => a.idempotencyKey)).toEqual(['tx-1', 'tx-2', 'tx-3']);
  });

  it.each(ERROR_CODES)(
    'R10: a handler’s RegistryError(%s) arrives as the same RegistryError on the caller’s side',
    async (code) => {
      pair = connectSessions();
      pair.b.handle('change-notice', () => {
        throw new RegistryError(code, `refused: ${code}`, `test.${code}`);
      });
      const error = await pair.a.request(sampleChangeNotice()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryError);
      expect(error).toMatchObject({ code, message: `refused: ${code}`, reason: `test.${code}` });
    },
  );

  it('R10: a handler bug is answered internal without its text, reported locally, and the session lives on', async () => {
    pair = connectSessions();
    const bugs: unknown[] = [];
    pair.b.on('handler-error', (e) => bugs.push(e));
    let calls = 0;
    pair.b.handle('change-notice', (m) => {
      if (calls++ === 0) throw new TypeError('secret stack detail');
      return applied(m);
    });
    const error = await pair.a.request(sampleChangeNotice()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalPeerError);
    expect((error as Error).message).toBe('internal error');
    expect(bugs).toHaveLength(1);
    await expect(pair.a.request(sampleChangeNotice())).resolves.toMatchObject({
      outcome: 'applied',
    });
  });

  it('R10: a kind without a handler, or unknown to the peer, is answered unknown-kind; the session lives on', async () => {
    pair = connectSessions();
    await expect(pair.a.request(sampleChangeNotice())).rejects.toMatchObject({
      code: 'unknown-kind',
      remote: true,
    });
    expect(pair.b.state).toBe('ready');
  });

  it('R10: a request that gets no reply in time fails with TimeoutError, and the handler is told to stop', async () => {
    pair = connectSessions();
    let signal: AbortSignal | undefined;
    pair.b.handle('change-notice', (_, ctx) => {
      signal = ctx.signal;
      return new Promise<never>(() => undefined);
    });
    await expect(pair.a.request(sampleChangeNotice(), { timeoutMs: 20 })).rejects.toBeInstanceOf(
      TimeoutError,
    );
    await flush();
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(CancelledError);
    expect(pair.a.inFlight).toEqual({ outgoing: 0, incoming: 0 });
    expect(pair.b.inFlight).toEqual({ outgoing: 0, incoming: 0 });
  });

  it('R10: an aborted signal cancels the call', async () => {
    pair = connectSessions();
    pair.b.handle('change-notice', () => new Promise<never>(() => undefined));
    const controller = new AbortController();
    const reply = pair.a.request(sampleChangeNotice(), { signal: controller.signal });
    await flush();
    controller.abort();
    await expect(reply).rejects.toBeInstanceOf(CancelledError);
  });

  it('R10: closing fails every pending call with ConnectionClosedError — nothing hangs', async () => {
    pair = connectSessions();
    pair.b.handle('change-notice', () => new Promise<never>(() => undefined));
    await pair.a.ready;
    const pending = [pair.a.request(noticeNo(1)), pair.a.request(noticeNo(2))];
    await flush();
    pair.b.close(); // the far end goes away
    for (const p of pending) await expect(p).rejects.toBeInstanceOf(ConnectionClosedError);
    await expect(pair.a.request(noticeNo(3))).rejects.toBeInstanceOf(ConnectionClosedError);
    expect(await pair.a.closed).toBeInstanceOf(ConnectionClosedError);
  });

  it('R10: a request larger than the peer accepts is refused here, never sent', async () => {
    pair = connectSessions({ b: { maxFrameSize: 4096 } });
    pair.b.handle('change-notice', (m) => applied(m));
    const big = sampleChangeNotice();
    const huge = {
      ...big,
      event: { ...big.event, values: { ...big.event.values, address: '東'.repeat(2000) } },
    };
    await expect(pair.a.request(huge)).rejects.toBeInstanceOf(FrameTooLargeError);
    await expect(pair.a.request(sampleChangeNotice())).resolves.toMatchObject({
      outcome: 'applied',
    });
  });

  it('R10: requests beyond maxIncomingCalls are refused rate-limited', async () => {
    pair = connectSessions({ b: { maxIncomingCalls: 2 } });
    pair.b.handle('change-notice', () => new Promise<never>(() => undefined));
    const calls = [1, 2, 3].map((i) =>
      pair!.a.request(noticeNo(i), { timeoutMs: 0 }).catch((e: unknown) => e),
    );
    expect(await calls[2]).toMatchObject({
      code: 'rate-limited',
      reason: 'session.too-many-calls',
    });
    pair.close();
    for (const c of calls.slice(0, 2)) expect(await c).toBeInstanceOf(ConnectionClosedError);
  });
});

describe('Session: a peer that breaks the protocol (R11: dropped, and an alert can be raised)', () => {
  async function brokenPeer(send: (raw: RawPeer, b: Session) => void) {
    const [ta, tb] = createMemoryTransportPair();
    const b = createSession({ transport: tb, localNode: 'prefecture:13', heartbeatIntervalMs: 0 });
    b.handle('change-notice', () => new Promise<never>(() => undefined));
    const raw = new RawPeer(ta);
    raw.hello('cs:131016');
    await b.ready;
    const violations: ProtocolError[] = [];
    b.on('violation', (e) => violations.push(e));
    send(raw, b);
    const reason = await b.closed;
    await flush();
    return { violations, reason, raw };
  }

  it('R11: garbage (HTTP) on the connection → BadMagicError, goaway with the fault, closed', async () => {
    const { violations, reason, raw } = await brokenPeer((r) =>
      r.bytes(Buffer.from('GET / HTTP/1.1\r\n\r\n')),
    );
    expect(violations[0]).toBeInstanceOf(BadMagicError);
    expect(reason).toBe(violations[0]);
    expect(raw.messages(FrameKind.goaway, 'goaway')).toEqual([
      expect.objectContaining({ kind: 'goaway', code: 'bad-frame', reason: 'frame.bad-magic' }),
    ]);
    expect(raw.closed).toBe(true);
  });

  it('R11: an invalid message → InvalidMessageError naming the field, closed', async () => {
    const notice = JSON.parse(JSON.stringify(sampleChangeNotice())) as {
      event: { residentCode: string };
    };
    notice.event.residentCode = '1234';
    const { violations } = await brokenPeer((r) => r.rawRequest(7, notice));
    expect(violations[0]).toBeInstanceOf(InvalidMessageError);
    expect(violations[0]).toMatchObject({ field: 'event.residentCode' });
  });

  it('R11: a second request under an id still in flight is a violation', async () => {
    const { violations } = await brokenPeer((r) => {
      r.frame(FrameKind.request, 0, 9, sampleChangeNotice());
      r.frame(FrameKind.request, 0, 9, sampleChangeNotice());
    });
    expect(violations.map((v) => v.reason)).toEqual(['request.duplicate-id']);
  });

  it('R11: a second hello is a violation', async () => {
    const { violations } = await brokenPeer((r) =>
      r.frame(FrameKind.request, 0, 2, {
        kind: 'hello',
        minVersion: 1,
        maxVersion: 1,
        node: 'cs:131016',
        capabilities: [],
        maxFrameSize: 1 << 20,
        initialCredit: 1 << 20,
      }),
    );
    expect(violations.map((v) => v.reason)).toEqual(['hello.repeated']);
  });

  it('R11: a reply of the wrong kind is a violation, and the call fails', async () => {
    let call: Promise<unknown> | undefined;
    const { violations } = await brokenPeer((r, b) => {
      call = b.request(routeRequest('cs:011002')).catch((e: unknown) => e);
      r.transport.on('data', () => {
        const req = r.received.find((f) => f.kind === FrameKind.request && f.requestId !== 1);
        if (req && !r.closed)
          r.frame(FrameKind.response, FrameFlag.reply, req.requestId, sampleMessages()[2]!);
      });
    });
    expect(violations.map((v) => v.reason)).toEqual(['response.wrong-kind']);
    expect(await call).toBeInstanceOf(ConnectionClosedError);
  });

  it('R11: a frame for a request id not in flight is dropped quietly (a late reply after a cancel)', async () => {
    pair = connectSessions();
    await pair.a.ready;
    const raw = new RawPeer(pair.b.transport);
    raw.frame(FrameKind.response, FrameFlag.reply, 4242, {
      kind: 'route-accepted',
      target: 'cs:011002',
    });
    raw.frame(FrameKind.streamData, FrameFlag.reply, 4242, Buffer.from('late'));
    await flush();
    expect(pair.a.state).toBe('ready');
  });
});

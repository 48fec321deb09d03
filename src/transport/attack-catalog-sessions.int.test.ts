/**
 * The attack catalog, continued (attack-catalog-fixtures.ts has the target): a peer that passes
 * the TLS handshake, then breaks the protocol inside it or stalls. Each attack is refused, an
 * alert with its reason is recorded, and the store is unchanged.
 */
import { encode } from '@msgpack/msgpack';
import type netModule from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REJECTION_RULES } from '../domain/change/validate-change.ts';
import { rawFrameHeader } from '../protocol/frame/frame-fixtures.ts';
import { connectNetwork } from './connect.ts';
import { listenNetwork, type NetworkListener } from './network-listener.ts';
import { ALPN_PROTOCOL, serverTlsOptions } from './tls-options.ts';
import type { TlsTransport } from './tls-transport.ts';
import {
  HANDSHAKE_MS,
  net,
  pref,
  cs,
  alerts,
  store,
  listener,
  newAlerts,
  connectAs,
  foreignNotice,
  tlsAttempt,
  csTls,
  useAttackTarget,
} from './attack-catalog-fixtures.ts';

useAttackTarget();

describe('attack catalog: broken protocol inside TLS (R10, R11)', () => {
  it('R10: a bad frame after hello ends the session with a bad-frame alert', async () => {
    const before = await store.countIdentities();
    const session = await connectAs(cs);
    (session.transport as TlsTransport).socket.write(Buffer.from('DROP TABLE residents;'));
    const reason = await session.closed;
    expect(reason).toBeDefined();
    await vi.waitFor(async () =>
      expect(await newAlerts()).toMatchObject([
        {
          kind: 'bad-frame',
          peerName: 'cs:131016',
          detail: expect.stringContaining('bad-frame') as unknown,
        },
      ]),
    );
    expect(await store.countIdentities()).toBe(before);
  });

  it('R11: requests of unknown kinds are answered unknown-kind, the session lives on, and the third raises one unknown-kinds alert', async () => {
    const before = await store.countIdentities();
    const session = await connectAs(cs);
    const socket = (session.transport as TlsTransport).socket;
    // Request frames the session did not make (ids far above its own): their error replies come
    // back for ids not in flight and are dropped by the client session.
    for (let i = 1; i <= 4; i++) {
      const body = encode({ kind: `probe-${i}` });
      socket.write(Buffer.concat([rawFrameHeader(0x01, 900_000 + i, body.length), body]));
    }
    await vi.waitFor(async () =>
      expect(await newAlerts()).toMatchObject([
        {
          kind: 'unknown-kinds',
          peerName: 'cs:131016',
          detail: expect.stringContaining('"probe-1", "probe-2", "probe-3"') as unknown,
        },
      ]),
    );
    // Forward compatibility: the same session is still open and answering.
    expect(session.state).toBe('ready');
    expect(await session.ping()).toBeGreaterThanOrEqual(0);
    expect(await newAlerts()).toHaveLength(1); // the fourth raised no second alert
    expect(await store.countIdentities()).toBe(before);
    await session.goaway();
  });

  it('R10: a frame declaring 64 MiB is refused from its header, nothing buffered, with a bad-frame alert', async () => {
    const before = await store.countIdentities();
    const session = await connectAs(cs);
    (session.transport as TlsTransport).socket.write(rawFrameHeader(0x01, 1001, 64 << 20));
    expect(await session.closed).toBeDefined();
    await vi.waitFor(async () =>
      expect(await newAlerts()).toMatchObject([
        {
          kind: 'bad-frame',
          peerName: 'cs:131016',
          detail: expect.stringMatching(/too large|frame-too-large/) as unknown,
        },
      ]),
    );
    expect(await store.countIdentities()).toBe(before);
  });

  it('R10/R11: a truncated frame (header promises 100 bytes, 10 come, then the peer ends) changes nothing, with a bad-frame alert', async () => {
    const before = await store.countIdentities();
    const session = await connectAs(cs);
    const socket = (session.transport as TlsTransport).socket;
    socket.end(Buffer.concat([rawFrameHeader(0x01, 1005, 100), Buffer.alloc(10, 0x41)]));
    await session.closed;
    expect(await store.countIdentities()).toBe(before);
    await vi.waitFor(() =>
      expect(listener.sessions().filter((s) => s.peer.name === 'cs:131016')).toEqual([]),
    );
    // The server held 10 bytes of an unfinished frame when the peer ended: not a quiet close.
    await vi.waitFor(async () =>
      expect(await newAlerts()).toMatchObject([
        {
          kind: 'bad-frame',
          peerName: 'cs:131016',
          peerAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/) as unknown,
          detail:
            'bad-frame (frame.truncated): the connection closed inside a frame (10 of its 100 body bytes received)',
        },
      ]),
    );
  });

  it('R11: a peer that completes TLS but never says hello is cut at the timeout', async () => {
    const started = Date.now();
    await tlsAttempt({ ...csTls(), ALPNProtocols: [ALPN_PROTOCOL] });
    expect(Date.now() - started).toBeLessThan(HANDSHAKE_MS + 1_000);
    await vi.waitFor(async () =>
      expect(await newAlerts()).toMatchObject([
        {
          kind: 'handshake-timeout',
          peerName: 'cs:131016',
          detail: `no complete handshake within ${HANDSHAKE_MS} ms (stalled at: hello)`,
        },
      ]),
    );
  });
});

describe('attack catalog: stalled sessions after hello (R11, bounded memory)', () => {
  const IDLE_MS = 600;
  const FRAME_MS = 500;
  let strict: NetworkListener;

  beforeAll(async () => {
    strict = await listenNetwork({
      self: pref.node,
      credentials: pref.credentials,
      host: '127.0.0.1',
      port: 0,
      alerts,
      limits: { handshakeTimeoutMs: HANDSHAKE_MS, alertIntervalMs: 1 },
      session: { heartbeatIntervalMs: 200, idleTimeoutMs: IDLE_MS, frameTimeoutMs: FRAME_MS },
      onSession: () => undefined,
    });
  });

  afterAll(() => strict.close());

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const csSessions = () => strict.sessions().filter((s) => s.peer.name === 'cs:131016');

  it('R11: a quiet peer that answers heartbeats is kept; once it stops answering it is cut with an idle-timeout alert', async () => {
    const session = await connectAs(cs, strict);
    await sleep(3 * IDLE_MS); // nothing to say, but the pongs keep the link alive
    expect(session.state).toBe('ready');
    expect(csSessions()).toHaveLength(1);
    expect(await newAlerts()).toEqual([]);

    (session.transport as TlsTransport).socket.pause(); // stops reading: answers no more pings
    await vi.waitFor(
      async () =>
        expect(await newAlerts()).toMatchObject([
          {
            kind: 'idle-timeout',
            peerName: 'cs:131016',
            peerAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/) as unknown,
            detail: expect.stringMatching(
              /^timeout \(session\.idle-timeout\): nothing received for \d+ ms \(idle timeout 600 ms\)$/,
            ) as unknown,
          },
        ]),
      { timeout: 3_000 },
    );
    await vi.waitFor(() => expect(csSessions()).toEqual([]));
    session.close();
  });

  it('R11: a frame trickled a byte at a time is cut at the frame deadline, with a bad-frame alert', async () => {
    const before = await store.countIdentities();
    const session = await connectAs(cs, strict);
    const socket = (session.transport as TlsTransport).socket;
    const started = Date.now();
    socket.write(rawFrameHeader(0x01, 1009, 1000)); // declares 1 000 bytes …
    const trickle = setInterval(() => socket.write(Buffer.of(0x41)), 100); // … sends 10 a second
    try {
      await session.closed; // the server's goaway ends the session
      const ms = Date.now() - started;
      expect(ms).toBeGreaterThanOrEqual(FRAME_MS - 50);
      expect(ms).toBeLessThan(FRAME_MS + 1_000); // not kept alive by the trickle
    } finally {
      clearInterval(trickle);
    }
    await vi.waitFor(async () =>
      expect(await newAlerts()).toMatchObject([
        {
          kind: 'bad-frame',
          peerName: 'cs:131016',
          peerAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/) as unknown,
          detail: expect.stringContaining(
            `timeout (frame.stalled): a frame was not finished within ${FRAME_MS} ms`,
          ) as unknown,
        },
      ]),
    );
    expect(await store.countIdentities()).toBe(before);
  });

  it('R11: a peer that sends requests but never reads the replies is cut past maxOutputBacklog, memory bounded, with a peer-not-reading alert', async () => {
    const BACKLOG = 256 * 1024;
    const rule = REJECTION_RULES[0]!.rule;
    // A listener whose replies are large (a 1 000-character rejection message, ~1 KiB a reply)
    // and whose backlog limit is small, so that the kernel's socket buffers fill in a few MiB.
    const hoarded = await listenNetwork({
      self: pref.node,
      credentials: pref.credentials,
      host: '127.0.0.1',
      port: 0,
      alerts,
      limits: {
        handshakeTimeoutMs: HANDSHAKE_MS,
        alertIntervalMs: 1,
        requestRate: { burst: 1_000_000, perSecond: 1_000_000 },
      },
      session: { maxOutputBacklog: BACKLOG },
      onSession: (session) =>
        session.handle('change-notice', (m) =>
          Promise.resolve({
            kind: 'change-ack' as const,
            idempotencyKey: m.idempotencyKey,
            outcome: 'rejected' as const,
            rejection: { rule, message: 'x'.repeat(1000) },
          }),
        ),
    });
    try {
      const before = await store.countIdentities();
      const session = await connectAs(cs, hoarded);
      (session.transport as TlsTransport).socket.pause(); // reads nothing from here on
      const notice = foreignNotice();
      const held = () => hoarded.sessions().some((s) => s.peer.name === 'cs:131016');
      expect(held()).toBe(true);
      let sent = 0;
      // Up to 40 MiB of replies, 500 requests at a time, until the server cuts the session (the
      // client, reading nothing, does not see its goaway).
      while (held() && sent < 40_000) {
        for (let i = 0; i < 500; i++, sent++) session.request(notice).catch(() => undefined); // replies are not idempotency-checked here
        await new Promise((r) => setTimeout(r, 20));
      }
      await vi.waitFor(
        async () =>
          expect(await newAlerts()).toMatchObject([
            {
              kind: 'peer-not-reading',
              peerName: 'cs:131016',
              peerAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/) as unknown,
              detail: expect.stringMatching(
                new RegExp(`the peer does not read: \\d+ bytes .*\\(limit ${BACKLOG}\\)`),
              ) as unknown,
            },
          ]),
        { timeout: 10_000 },
      );
      // Bounded: the session was cut within one reply of the limit, not after all of them.
      const [alert] = await newAlerts();
      const waiting = Number(/does not read: (\d+) bytes/.exec(alert!.detail)![1]);
      expect(waiting).toBeGreaterThan(BACKLOG);
      expect(waiting).toBeLessThan(BACKLOG + 4096);
      expect(held()).toBe(false);
      expect(sent).toBeLessThan(40_000);
      session.close();
      expect(await store.countIdentities()).toBe(before);
    } finally {
      await hoarded.close();
    }
  });

  it('R11: a server that completes TLS but never says hello: the client gives up and records it', async () => {
    const clientAlerts = await net.alertStore();
    const mute = tls.createServer(serverTlsOptions(pref.credentials), (socket) => {
      socket.on('error', () => undefined);
      socket.resume(); // reads the client's hello, never answers
    });
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    const port = (mute.address() as netModule.AddressInfo).port;
    try {
      await expect(
        connectNetwork({
          self: cs.node,
          credentials: cs.credentials,
          expectedPeer: pref.node,
          host: '127.0.0.1',
          port,
          alerts: clientAlerts,
          limits: { handshakeTimeoutMs: HANDSHAKE_MS },
        }),
      ).rejects.toMatchObject({ code: 'unavailable', reason: 'network.handshake-timeout' });
      await vi.waitFor(async () =>
        expect(await net.alerts(clientAlerts)).toMatchObject([
          {
            observer: 'cs:131016',
            kind: 'handshake-timeout',
            peerName: 'prefecture:13',
            peerAddress: `127.0.0.1:${port}`,
            detail: `no complete handshake within ${HANDSHAKE_MS} ms (stalled at: hello from the server)`,
          },
        ]),
      );
    } finally {
      mute.close();
    }
  });
});

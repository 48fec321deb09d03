/**
 * The network side's attack catalog (DESIGN §7; docs/NETWORK.md "Attack catalog"), over real TLS
 * on 127.0.0.1: a prefecture server (prefecture:13) with a real identity store behind its
 * change-notice handler. Each attack is refused, an alert with its reason is recorded, and the
 * store is unchanged.
 */
import { encode } from '@msgpack/msgpack';
import { mkdtemp, rm } from 'node:fs/promises';
import netModule from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  buildEvent,
  buildIdentity,
  date,
  individualNumberOf,
  residentCodeOf,
} from '../domain/change/change-builders.ts';
import type { SecurityAlert } from '../domain/network/SecurityAlert.ts';
import { createTestPki } from '../pki/index.ts';
import { rawFrameHeader } from '../protocol/frame/frame-fixtures.ts';
import { changeNotice, routeRequest } from '../protocol/index.ts';
import { openIdentityStore } from '../storage/open-store.ts';
import type { AlertStore, IdentityStore } from '../storage/ports.ts';
import { connectNetwork } from './connect.ts';
import { listenNetwork, type NetworkListener } from './network-listener.ts';
import { createTestNetwork, type TestNetwork, type TestNode } from './test-network.ts';
import { ALPN_PROTOCOL, serverTlsOptions } from './tls-options.ts';
import type { TlsTransport } from './tls-transport.ts';

const HANDSHAKE_MS = 800;
const DAY = 86_400_000;

let net: TestNetwork;
let pref: TestNode;
let cs: TestNode;
let alerts: AlertStore;
let store: IdentityStore;
let dir: string;
let listener: NetworkListener;
/** The id of the last alert before the current test. */
let mark = 0;

beforeAll(async () => {
  net = await createTestNetwork();
  pref = await net.node('prefecture:13');
  cs = await net.node('cs:131016');
  alerts = await net.alertStore();
  dir = await mkdtemp(path.join(tmpdir(), 'jukinet-attacks-'));
  store = await openIdentityStore(`sqlite:${path.join(dir, 'prefecture-13.sqlite')}`);
  listener = await listenNetwork({
    self: pref.node,
    credentials: pref.credentials,
    host: '127.0.0.1',
    port: 0,
    alerts,
    limits: {
      handshakeTimeoutMs: HANDSHAKE_MS,
      connectionRate: { burst: 1000, perSecond: 1000 },
      alertIntervalMs: 1, // every attack from 127.0.0.1 recorded (flood summaries: own test)
    },
    onSession: (session) =>
      session.handle('change-notice', async (m) => {
        const outcome = await store.applyChange(m.event, { today: date('2024-06-02') });
        if (outcome.status === 'rejected')
          return {
            kind: 'change-ack',
            idempotencyKey: m.idempotencyKey,
            outcome: 'rejected',
            rejection: { rule: outcome.rejection.rule, message: outcome.rejection.message },
          };
        return {
          kind: 'change-ack',
          idempotencyKey: m.idempotencyKey,
          outcome: outcome.status,
          sequence: outcome.sequence,
        };
      }),
  });
  // The legitimate baseline: the prefecture's own CS stores one change.
  const session = await connectAs(cs);
  const ack = await session.request(changeNotice(buildEvent('move-in', buildIdentity())));
  expect(ack).toMatchObject({ outcome: 'applied' });
  await session.goaway();
  expect(await store.countIdentities()).toBe(1);
  expect(await net.alerts(alerts)).toEqual([]);
});

beforeEach(async () => {
  mark = (await net.alerts(alerts)).at(-1)?.id ?? 0;
});

/** The alerts recorded since the test began. */
const newAlerts = async () => (await net.alerts(alerts)).filter((a) => a.id > mark);

afterAll(async () => {
  await listener.close();
  await store.close();
  await net.cleanup();
  await rm(dir, { recursive: true, force: true });
});

function connectAs(node: TestNode, target = listener) {
  return connectNetwork({
    self: node.node,
    credentials: node.credentials,
    expectedPeer: pref.node,
    host: target.address.host,
    port: target.address.port,
  });
}

/** A foreign change the attacker would like stored. */
const foreignNotice = () =>
  changeNotice(
    buildEvent(
      'move-in',
      buildIdentity({
        residentCode: residentCodeOf('1111111111'),
        individualNumber: individualNumberOf('22222222222'),
      }),
    ),
  );

/** Waits for exactly the alerts `expected` to be added, and that nothing was stored. */
async function expectRefused(expected: Partial<Record<keyof SecurityAlert, unknown>>[]) {
  await vi.waitFor(async () => expect(await newAlerts()).toMatchObject(expected));
  expect(await store.countIdentities()).toBe(1);
}

/** Raw bytes on the protocol port; resolves with what came back and how long until close. */
function rawAttempt(bytes?: Uint8Array): Promise<{ reply: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    let reply = '';
    const s = netModule.connect(listener.address.port, listener.address.host, () => {
      if (bytes) s.write(bytes);
    });
    s.on('data', (d: Buffer) => (reply += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => resolve({ reply, ms: Date.now() - started }));
  });
}

/** A hand-made TLS client; resolves when the connection is over. */
function tlsAttempt(options: tls.ConnectionOptions): Promise<{ error: string | undefined }> {
  return new Promise((resolve) => {
    let error: string | undefined;
    const s = tls.connect({
      host: listener.address.host,
      port: listener.address.port,
      checkServerIdentity: () => undefined,
      ...options,
    });
    s.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
    s.resume(); // read (and drop) what comes, so that the end of the connection is seen
    s.on('close', () => resolve({ error }));
  });
}

const csTls = () => ({
  cert: cs.credentials.certPem,
  key: cs.credentials.keyPem,
  ca: cs.credentials.caPem,
});

describe('attack catalog: refused before TLS (R10, R11)', () => {
  it('R10: an HTTP request on the protocol port is dropped, unanswered, with an alert quoting it', async () => {
    const { reply } = await rawAttempt(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(reply).toBe('');
    await expectRefused([
      {
        observer: 'prefecture:13',
        kind: 'not-our-protocol',
        peerAddress: expect.stringMatching(/^127\.0\.0\.1:\d+$/) as unknown,
        peerName: undefined,
        detail: 'not a TLS handshake: GET / HTTP/1.1\\x0d\\x0aHost: x\\x0d\\x0a\\x0d\\x0a',
      },
    ]);
  });

  it('R10: plain garbage is dropped with an alert showing the bytes', async () => {
    await rawAttempt(Uint8Array.of(0x00, 0xff, 0x41, 0x42, 0x07));
    await expectRefused([
      { kind: 'not-our-protocol', detail: 'not a TLS handshake: \\x00\\xffAB\\x07' },
    ]);
  });

  it('R10: an SMTP-like greeting is dropped with an alert quoting it', async () => {
    const { reply } = await rawAttempt(Buffer.from('EHLO mail.example.jp\r\n'));
    expect(reply).toBe('');
    await expectRefused([
      { kind: 'not-our-protocol', detail: 'not a TLS handshake: EHLO mail.example.jp\\x0d\\x0a' },
    ]);
  });

  it('R10: our own frames in clear (no TLS) are dropped too', async () => {
    await rawAttempt(Uint8Array.of(0xa5, 0x4a, 0x01, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0));
    await expectRefused([{ kind: 'not-our-protocol', detail: expect.stringContaining('\\xa5J') }]);
  });

  it('R11: a stalled connection (connects, sends nothing) is closed within the timeout', async () => {
    const { ms } = await rawAttempt();
    expect(ms).toBeGreaterThanOrEqual(HANDSHAKE_MS - 50);
    expect(ms).toBeLessThan(HANDSHAKE_MS + 1_000);
    await expectRefused([
      {
        kind: 'handshake-timeout',
        detail: `no complete handshake within ${HANDSHAKE_MS} ms (stalled at: first bytes)`,
      },
    ]);
  });

  it('R11: a handshake that stops after its first record bytes is closed within the timeout', async () => {
    const { ms } = await rawAttempt(Uint8Array.of(0x16, 0x03, 0x01, 0x02, 0x00));
    expect(ms).toBeLessThan(HANDSHAKE_MS + 1_000);
    await expectRefused([
      {
        kind: 'handshake-timeout',
        detail: expect.stringContaining('the TLS handshake') as unknown,
      },
    ]);
  });
});

describe('attack catalog: refused by the TLS handshake (R9, R11)', () => {
  it('R9: a certificate from another CA (same name, same CA name) is refused', async () => {
    const foreignPki = await createTestPki();
    const foreign = await foreignPki.issue('cs:131016');
    await tlsAttempt({
      cert: foreign.certPem,
      key: foreign.keyPem,
      ca: net.pki.caPem, // the attacker knows the real CA certificate
      ALPNProtocols: [ALPN_PROTOCOL],
    });
    await expectRefused([
      {
        kind: 'tls-handshake-failed',
        detail: expect.stringContaining('UNABLE_TO_VERIFY_LEAF_SIGNATURE') as unknown,
      },
    ]);
  });

  it('R11: a revoked client certificate is refused as revoked', async () => {
    const stolen = await net.node('cs:131024');
    await net.pki.revoke(stolen.cert.serial, 'keyCompromise');
    await listener.reloadCrl(net.pki.crlPem());
    await expect(connectAs(stolen)).rejects.toMatchObject({ reason: 'network.refused-by-peer' });
    await expectRefused([
      { kind: 'certificate-revoked', detail: expect.stringContaining('CERT_REVOKED') as unknown },
    ]);
  });

  it('R9: an expired client certificate is refused as expired', async () => {
    const old = await net.node('cs:131032', {
      now: new Date(Date.now() - 400 * DAY),
      validityDays: 30,
    });
    await expect(connectAs(old)).rejects.toMatchObject({ code: 'unavailable' });
    await expectRefused([
      {
        kind: 'certificate-expired',
        detail: expect.stringContaining('CERT_HAS_EXPIRED') as unknown,
      },
    ]);
  });

  it('R9: a TLS client without a certificate is refused', async () => {
    const { error } = await tlsAttempt({ ca: net.pki.caPem, ALPNProtocols: [ALPN_PROTOCOL] });
    expect(error).toBeDefined();
    await expectRefused([
      {
        kind: 'tls-handshake-failed',
        detail: expect.stringContaining('did not return a certificate') as unknown,
      },
    ]);
  });

  it('R9: a TLS 1.2 client (even with a valid certificate) is refused', async () => {
    const { error } = await tlsAttempt({
      ...csTls(),
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
      ALPNProtocols: [ALPN_PROTOCOL],
    });
    expect(error).toBeDefined();
    await expectRefused([
      {
        kind: 'tls-handshake-failed',
        detail: 'ERR_SSL_UNSUPPORTED_PROTOCOL: unsupported protocol',
      },
    ]);
  });

  it('R9: a TLS 1.3 client offering only a cipher outside the CRYPTREC list is refused', async () => {
    const { error } = await tlsAttempt({
      ...csTls(),
      ciphers: 'TLS_CHACHA20_POLY1305_SHA256', // node:tls takes TLS 1.3 suites here
      ALPNProtocols: [ALPN_PROTOCOL],
    });
    expect(error).toBeDefined();
    await expectRefused([
      { kind: 'tls-handshake-failed', detail: expect.stringMatching(/cipher/i) as unknown },
    ]);
  });

  it('R10: an HTTPS client (valid certificate, ALPN http/1.1) is refused', async () => {
    const { error } = await tlsAttempt({ ...csTls(), ALPNProtocols: ['h2', 'http/1.1'] });
    expect(error).toBeDefined();
    await expectRefused([
      {
        kind: 'not-our-protocol',
        detail: expect.stringContaining('(ALPN), e.g. HTTPS') as unknown,
      },
    ]);
  });

  it('R10: a TLS client that names no application protocol is refused', async () => {
    await tlsAttempt(csTls());
    await expectRefused([
      {
        kind: 'not-our-protocol',
        detail: expect.stringContaining('without the jukinet/1') as unknown,
      },
    ]);
  });
});

describe('attack catalog: valid certificates, wrong role (R8, R11)', () => {
  it('R8: an agency certificate dialling a prefecture server is refused', async () => {
    const agency = await net.node('agency:mhlw-pension');
    await expect(connectAs(agency)).rejects.toMatchObject({ reason: 'network.refused-by-peer' });
    await expectRefused([
      {
        kind: 'unexpected-peer',
        peerName: 'agency:mhlw-pension',
        detail: 'no rule lets agency:mhlw-pension connect to prefecture:13',
      },
    ]);
  });

  it('R8: a CS of prefecture 27 cannot reach prefecture 13 to send its change notice', async () => {
    const osaka = await net.node('cs:271021');
    await expect(connectAs(osaka)).rejects.toMatchObject({ reason: 'network.refused-by-peer' });
    await expectRefused([
      {
        kind: 'unexpected-peer',
        peerName: 'cs:271021',
        detail: 'no rule lets cs:271021 connect to prefecture:13',
      },
    ]);
  });

  it('R8: an operation the allow-list does not give the pair is answered forbidden', async () => {
    const session = await connectAs(cs);
    await expect(session.request(routeRequest('cs:131024'))).rejects.toMatchObject({
      code: 'forbidden',
      reason: 'network.operation-forbidden',
    });
    // The session stays usable for what is allowed.
    expect(await session.request(foreignNotice())).toMatchObject({ outcome: 'applied' });
    await session.goaway();
    await vi.waitFor(async () =>
      expect(await newAlerts()).toMatchObject([
        {
          kind: 'forbidden-operation',
          peerName: 'cs:131016',
          detail: 'cs:131016 may not ask prefecture:13 for route-request',
        },
      ]),
    );
    expect(await store.countIdentities()).toBe(2); // the allowed notice, and only it
  });
});

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

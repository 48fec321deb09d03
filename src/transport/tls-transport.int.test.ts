/**
 * The transport profile over real TLS on 127.0.0.1 (R9, R10): TLS 1.3 with the CRYPTREC suites
 * only, no resumption, each side knows the other by its certificate, the client refuses a server
 * that is not the node it dialled, and back-pressure reaches the writer.
 */
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeNotice, type Session } from '../protocol/index.ts';
import { buildEvent, buildIdentity } from '../domain/change/change-builders.ts';
import type { AlertStore } from '../storage/ports.ts';
import type { AuthenticatedPeer } from './authenticated-peer.ts';
import { connectNetwork } from './connect.ts';
import { listenNetwork, type NetworkListener } from './network-listener.ts';
import { createTestNetwork, type TestNetwork, type TestNode } from './test-network.ts';
import { ALLOWED_CIPHERS, ALPN_PROTOCOL } from './tls-options.ts';
import type { TlsTransport } from './tls-transport.ts';

let net: TestNetwork;
let pref: TestNode;
let cs: TestNode;
let serverAlerts: AlertStore;
let clientAlerts: AlertStore;
let listener: NetworkListener;
const accepted: { session: Session; peer: AuthenticatedPeer }[] = [];

beforeAll(async () => {
  net = await createTestNetwork();
  pref = await net.node('prefecture:13');
  cs = await net.node('cs:131016');
  serverAlerts = await net.alertStore();
  clientAlerts = await net.alertStore();
  listener = await listenNetwork({
    self: pref.node,
    credentials: pref.credentials,
    host: '127.0.0.1',
    port: 0,
    alerts: serverAlerts,
    onSession: (session, peer) => {
      accepted.push({ session, peer });
      session.handle('change-notice', (m) => ({
        kind: 'change-ack',
        idempotencyKey: m.idempotencyKey,
        outcome: 'applied',
        sequence: 1,
      }));
    },
  });
});

afterAll(async () => {
  await listener.close();
  await net.cleanup();
});

const connectCs = (node: TestNode = cs) =>
  connectNetwork({
    self: node.node,
    credentials: node.credentials,
    expectedPeer: pref.node,
    host: listener.address.host,
    port: listener.address.port,
    alerts: clientAlerts,
  });

const notice = () => changeNotice(buildEvent('move-within', buildIdentity()));

describe('the TLS transport profile', () => {
  it('R9: both ends run TLS 1.3 with an AES-GCM suite and know each other by certificate', async () => {
    const session = await connectCs();
    const socket = (session.transport as TlsTransport).socket;
    expect(socket.getProtocol()).toBe('TLSv1.3');
    expect(ALLOWED_CIPHERS).toContain(socket.getCipher().name);
    expect(socket.alpnProtocol).toBe(ALPN_PROTOCOL);
    expect(session.transport.peer.name).toBe('prefecture:13');
    const ack = await session.request(notice());
    expect(ack).toMatchObject({ kind: 'change-ack', outcome: 'applied' });

    const server = accepted.at(-1)!;
    expect(server.peer).toMatchObject({ name: 'cs:131016', serial: cs.cert.serial });
    const serverSocket = (server.session.transport as TlsTransport).socket;
    expect(serverSocket.getProtocol()).toBe('TLSv1.3');
    expect(ALLOWED_CIPHERS).toContain(serverSocket.getCipher().name);
    // An ephemeral ECDHE key exchange on an allowed curve: fresh keys per connection.
    expect(socket.getEphemeralKeyInfo()).toMatchObject({ type: 'ECDH' });
    await session.goaway();
  });

  it('R9: no resumption: every reconnection is a full handshake on both sides', async () => {
    for (let i = 0; i < 3; i++) {
      const session = await connectCs();
      expect((session.transport as TlsTransport).socket.isSessionReused()).toBe(false);
      expect((accepted.at(-1)!.session.transport as TlsTransport).socket.isSessionReused()).toBe(
        false,
      );
      await session.goaway();
    }
  });

  it('R9: a client that offers a saved session still gets a full handshake (the server keeps none)', async () => {
    const attempt = (session?: Buffer) =>
      new Promise<{ reused: boolean; saved: Buffer | undefined }>((resolve, reject) => {
        let saved: Buffer | undefined;
        const s = tls.connect({
          host: listener.address.host,
          port: listener.address.port,
          cert: cs.credentials.certPem,
          key: cs.credentials.keyPem,
          ca: cs.credentials.caPem,
          ALPNProtocols: [ALPN_PROTOCOL],
          checkServerIdentity: () => undefined,
          ...(session ? { session } : {}),
        });
        s.on('session', (b: Buffer) => (saved = b));
        s.on('error', reject);
        s.once('secureConnect', () => {
          const reused = s.isSessionReused();
          setTimeout(() => {
            s.destroy();
            resolve({ reused, saved });
          }, 100);
        });
      });
    const first = await attempt();
    expect(first.reused).toBe(false);
    expect(first.saved).toBeDefined(); // else the second attempt would offer nothing
    // node:tls still sends TLS 1.3 session tickets (stateful ids, because of SSL_OP_NO_TICKET),
    // but they name a session cache that does not exist: offering one changes nothing.
    const second = await attempt(first.saved);
    expect(second.reused).toBe(false);
  });

  it('R9: the client refuses a server whose certificate names another node, and records it', async () => {
    const before = (await net.alerts(clientAlerts)).length;
    const refused = connectNetwork({
      self: cs.node,
      credentials: cs.credentials,
      expectedPeer: { role: 'prefecture', code: '27' }, // dialled Osaka, Tokyo answers
      host: listener.address.host,
      port: listener.address.port,
      alerts: clientAlerts,
    });
    await expect(refused).rejects.toMatchObject({
      code: 'forbidden',
      reason: 'network.unexpected-peer',
    });
    const alerts = (await net.alerts(clientAlerts)).slice(before);
    expect(alerts).toMatchObject([
      {
        observer: 'cs:131016',
        kind: 'unexpected-peer',
        peerName: 'prefecture:27',
        detail: expect.stringContaining('prefecture:13, not prefecture:27') as unknown,
      },
    ]);
  });

  it('R9: the client refuses a server whose certificate is revoked', async () => {
    const rogue = await net.node('prefecture:13');
    await net.pki.revoke(rogue.cert.serial, 'keyCompromise');
    const rogueAlerts = await net.alertStore();
    const rogueListener = await listenNetwork({
      self: rogue.node,
      credentials: rogue.credentials,
      host: '127.0.0.1',
      port: 0,
      alerts: rogueAlerts,
      onSession: () => undefined,
    });
    try {
      const before = (await net.alerts(clientAlerts)).length;
      await expect(
        connectNetwork({
          self: cs.node,
          credentials: cs.credentials, // with the CA's current CRL
          expectedPeer: pref.node,
          host: rogueListener.address.host,
          port: rogueListener.address.port,
          alerts: clientAlerts,
        }),
      ).rejects.toMatchObject({ code: 'forbidden', reason: 'network.peer-certificate' });
      expect((await net.alerts(clientAlerts)).slice(before)).toMatchObject([
        { kind: 'certificate-revoked', detail: expect.stringContaining('CERT_REVOKED') as unknown },
      ]);
    } finally {
      await rogueListener.close();
    }
  });

  it('frames written in one turn of the event loop leave as one TLS record; later turns are not held back', async () => {
    const session = await connectCs();
    const server = accepted.at(-1)!.session.transport as TlsTransport;
    await session.ping(); // the server has read our hello
    let reads = 0;
    server.socket.on('data', () => reads++);
    // Three pings in one turn: one record, so the server's TLS layer hands over one chunk.
    await Promise.all([session.ping(), session.ping(), session.ping()]);
    expect(reads).toBe(1);
    // One ping per turn: each leaves at the end of its own turn, nothing waits for company.
    reads = 0;
    for (let i = 0; i < 3; i++) await session.ping();
    expect(reads).toBe(3);
    await session.goaway();
  });

  it('R10: back-pressure: write returns false above the high-water mark and drain follows', async () => {
    const session = await connectCs();
    const transport = session.transport as TlsTransport;
    const server = accepted.at(-1)!.session.transport as TlsTransport;
    server.socket.pause(); // the far end stops reading
    const chunk = new Uint8Array(256 * 1024);
    let writes = 0;
    // Raw bytes below the session: the session is closed by the peer afterwards, which is fine.
    while (transport.write([chunk])) if (++writes > 1000) break;
    expect(writes).toBeLessThan(1000);
    const drained = new Promise<void>((resolve) => transport.once('drain', resolve));
    server.socket.resume();
    await drained;
    session.close();
  });
});

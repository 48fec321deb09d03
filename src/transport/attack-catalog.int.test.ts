/**
 * The network side's attack catalog (DESIGN §7; docs/NETWORK.md "Attack catalog"), over real TLS
 * on 127.0.0.1: a prefecture server (prefecture:13) with a real identity store behind its
 * change-notice handler. Each attack is refused, an alert with its reason is recorded, and the
 * store is unchanged.
 */
import { describe, expect, it, vi } from 'vitest';
import { createTestPki } from '../pki/index.ts';
import { routeRequest } from '../protocol/index.ts';
import { ALPN_PROTOCOL } from './tls-options.ts';
import {
  HANDSHAKE_MS,
  DAY,
  net,
  cs,
  store,
  listener,
  newAlerts,
  connectAs,
  foreignNotice,
  expectRefused,
  rawAttempt,
  tlsAttempt,
  csTls,
  useAttackTarget,
} from './attack-catalog-fixtures.ts';

useAttackTarget();

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

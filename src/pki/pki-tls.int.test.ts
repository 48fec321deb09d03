/**
 * The proof that what the PKI produces works with node:tls (R9, R11): a mutual-TLS server on
 * 127.0.0.1 trusting only the network CA, with the CA's CRL, TLS 1.3 only, accepts a valid node
 * and refuses a revoked, an expired and a foreign certificate, and a stale CRL.
 */
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { NodeCertificate } from './network-ca.ts';
import { nodeIdentityFromCertificate } from './node-identity-from-certificate.ts';
import { formatNodeName, nodeDnsName, parseNodeName } from './NodeIdentity.ts';
import { createTestPki, type TestPki } from './test-pki.ts';
import { nodeSecureContextOptions, TLS_PROFILE } from './tls-profile.ts';

const DAY = 86_400_000;
const serverNode = parseNodeName('national:jlis');

type Attempt = { greeting: string; error: string | undefined };
type Accepted = { node: string; protocol: string | null; cipher: string };

let pki: TestPki;
let foreignPki: TestPki;
let server: NodeCertificate;
let good: NodeCertificate;
let revoked: NodeCertificate;
let expired: NodeCertificate;
let foreign: NodeCertificate;
const servers: tls.Server[] = [];

beforeAll(async () => {
  pki = await createTestPki();
  // Same CA name on purpose: only the key decides.
  foreignPki = await createTestPki();
  server = await pki.issue(serverNode);
  good = await pki.issue('cs:131016');
  revoked = await pki.issue('cs:131024');
  // Test-only backdating: issued 400 days ago for 30 days.
  expired = await pki.issue('cs:131032', {
    now: new Date(Date.now() - 400 * DAY),
    validityDays: 30,
  });
  foreign = await foreignPki.issue('cs:131016');
  await pki.revoke(revoked.serial, 'keyCompromise');
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** A server as a node runs it: mutual TLS, the network CA only, the CRL, TLS 1.3. */
async function startServer(
  crlPem: string,
  rejectUnauthorized = true,
): Promise<{
  port: number;
  accepted: Accepted[];
  refused: string[];
  diagnosed: (string | null)[];
  srv: tls.Server;
}> {
  const accepted: Accepted[] = [];
  const refused: string[] = [];
  const diagnosed: (string | null)[] = [];
  const srv = tls.createServer(
    {
      ...nodeSecureContextOptions({ ...pki.credentials(server), crlPem }),
      requestCert: true,
      rejectUnauthorized,
    },
    (socket) => {
      if (!rejectUnauthorized) {
        diagnosed.push(
          socket.authorizationError === null ? null : String(socket.authorizationError),
        );
        socket.end();
        return;
      }
      const node = formatNodeName(nodeIdentityFromCertificate(socket.getPeerCertificate().raw));
      accepted.push({ node, protocol: socket.getProtocol(), cipher: socket.getCipher().name });
      socket.end(`hello ${node}`);
    },
  );
  srv.on('tlsClientError', (e) => refused.push((e as NodeJS.ErrnoException).code ?? e.message));
  servers.push(srv);
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  return { port: (srv.address() as AddressInfo).port, accepted, refused, diagnosed, srv };
}

/**
 * A client connection as a node opens it. It always trusts the real network CA (an attacker
 * knows the CA certificate too), so a refusal is the server's doing, never the client's.
 */
function attempt(
  port: number,
  client: NodeCertificate,
  servername = nodeDnsName(serverNode),
): Promise<Attempt> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername,
      rejectUnauthorized: true,
      ...nodeSecureContextOptions(pki.credentials(client)),
    });
    let greeting = '';
    let error: string | undefined;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (greeting += d));
    socket.on('error', (e: NodeJS.ErrnoException) => (error ??= e.code ?? e.message));
    socket.on('close', () => resolve({ greeting, error }));
  });
}

describe('node:tls with the network PKI', () => {
  it('R9: a node with a valid certificate connects over TLS 1.3 and is known by its certificate', async () => {
    const s = await startServer(pki.crlPem());
    const result = await attempt(s.port, good);
    expect(result).toEqual({ greeting: 'hello cs:131016', error: undefined });
    expect(s.accepted).toEqual([
      {
        node: 'cs:131016',
        protocol: 'TLSv1.3',
        cipher: expect.stringMatching(/^TLS_AES_(128|256)_GCM_SHA(256|384)$/) as unknown,
      },
    ]);
    expect(TLS_PROFILE.minVersion).toBe('TLSv1.3');
  });

  it('R11: a revoked certificate is refused', async () => {
    const s = await startServer(pki.crlPem());
    expect(await attempt(s.port, revoked)).toMatchObject({ greeting: '' });
    expect(s.accepted).toEqual([]);
    await vi.waitFor(() => expect(s.refused).toHaveLength(1));
  });

  it('R9: an expired certificate is refused', async () => {
    const s = await startServer(pki.crlPem());
    expect(expired.notAfter.getTime()).toBeLessThan(Date.now());
    expect(await attempt(s.port, expired)).toMatchObject({ greeting: '' });
    expect(s.accepted).toEqual([]);
  });

  it('R9: a certificate from another CA is refused, whatever it calls itself', async () => {
    const s = await startServer(pki.crlPem());
    expect(nodeIdentityFromCertificate(foreign.certPem)).toEqual(parseNodeName('cs:131016'));
    expect(await attempt(s.port, foreign)).toMatchObject({ greeting: '' });
    expect(s.accepted).toEqual([]);
  });

  it('R9/R11: the refusals are for the reason the PKI intends (verification error of each)', async () => {
    // Same server, but it lets the handshake finish so the verification result can be read.
    const s = await startServer(pki.crlPem(), false);
    for (const client of [good, revoked, expired, foreign]) await attempt(s.port, client);
    expect(s.diagnosed).toEqual([
      null,
      'CERT_REVOKED',
      'CERT_HAS_EXPIRED',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    ]);
  });

  it('R11: a revocation takes effect for new connections once the server loads the new CRL', async () => {
    const victim = await pki.issue('cs:131041');
    const s = await startServer(pki.crlPem());
    expect((await attempt(s.port, victim)).greeting).toBe('hello cs:131041');
    await pki.revoke(victim.serial, 'privilegeWithdrawn');
    s.srv.setSecureContext({ ...nodeSecureContextOptions({ ...pki.credentials(server) }) });
    expect((await attempt(s.port, victim)).greeting).toBe('');
    expect((await attempt(s.port, good)).greeting).toBe('hello cs:131016');
  });

  it('R11: a CRL past its nextUpdate makes the server refuse everyone (fail closed): refresh it', async () => {
    const stale = await pki.ca.refreshCrl({
      now: new Date(Date.now() - 3 * DAY),
      validityHours: 24,
    });
    await pki.ca.refreshCrl(); // the CA goes on with a fresh one
    const strict = await startServer(stale);
    expect((await attempt(strict.port, good)).greeting).toBe('');
    const diag = await startServer(stale, false);
    await attempt(diag.port, good);
    expect(diag.diagnosed).toEqual(['CRL_HAS_EXPIRED']);
  });

  it('R9: the client authenticates the server too: revoked or misnamed servers are refused', async () => {
    const s = await startServer(pki.crlPem());
    expect(await attempt(s.port, good, nodeDnsName(parseNodeName('prefecture:13')))).toMatchObject({
      greeting: '',
      error: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    const revokedServer = await pki.issue(serverNode);
    await pki.revoke(revokedServer.serial, 'keyCompromise');
    const srv = tls.createServer({
      ...nodeSecureContextOptions(pki.credentials(revokedServer)),
      requestCert: true,
      rejectUnauthorized: true,
    });
    servers.push(srv);
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const result = await attempt((srv.address() as AddressInfo).port, good);
    expect(result).toEqual({ greeting: '', error: 'CERT_REVOKED' });
  });
});

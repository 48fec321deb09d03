import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath } from '../disclosure/pdf.ts';
import { RegistryError } from '../domain/errors.ts';
import { jsonLogger } from '../nodes/json-log.ts';
import { parseNodeConfig } from '../nodes/node-config.ts';
import { startNodeWebTerminal } from '../nodes/node-web-terminal.ts';
import { openCredentialStore } from '../storage/open-credential-store.ts';
import type { CredentialStore } from '../storage/ports.ts';
import { ALLOWED_CIPHERS } from '../transport/tls-options.ts';
import { chromiumAvailable, enroll, login, me, openTerminal } from './browser-fixtures.ts';
import { issueEnrollmentToken } from './enrollment.ts';
import { InMemoryOperatorDirectory } from './operator-directory.ts';
import { startWebTerminal, type WebTerminal } from './web-terminal-server.ts';
import { writeWebTlsFixture, type WebTlsFixture } from './web-tls-fixtures.ts';
import { loadWebTls } from './web-tls.ts';

/*
 * The web terminal over HTTPS (config `webTerminal.tls`; docs/WEB-TERMINAL.md "HTTPS on a LAN"):
 * a certificate of a test CA, TLS 1.3 with the CRYPTREC suites, HSTS, Secure cookies; plain http
 * and TLS 1.2 refused; a key file others can read refused at start; and a real login in Chromium
 * over https (the server's key pinned with --ignore-certificate-errors-spki-list).
 */

const operators = new InMemoryOperatorDirectory([
  {
    id: 'clerk-1',
    name: '窓口 太郎',
    cardType: 'counter-clerk',
    node: 'cs:131016',
    revoked: false,
  },
]);
const logLines: string[] = [];
const log = jsonLogger({ write: (l) => logLines.push(l), minLevel: 'debug' });
const events = (event: string): Record<string, unknown>[] =>
  logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e['event'] === event);

const work = mkdtempSync(join(tmpdir(), 'jukinet-web-tls-'));
let fixture: WebTlsFixture;
let credentials: CredentialStore;
let terminal: WebTerminal;
let origin: string;
let port: number;

/** A port in 26100–31100 that depends on the pid (the origin names it before the listen). */
async function start(): Promise<WebTerminal> {
  const base = 26100 + ((process.pid * 7) % 5000);
  const tls = await loadWebTls({ cert: fixture.certPath, key: fixture.keyPath }, 'localhost', log);
  for (let p = base; ; p++) {
    try {
      const t = await startWebTerminal({
        port: p,
        rpId: 'localhost',
        origin: `https://localhost:${p}`,
        tls,
        operators,
        credentials,
        log,
      });
      [origin, port] = [`https://localhost:${p}`, p];
      return t;
    } catch (e) {
      if (!(e instanceof Error && 'code' in e && e.code === 'EADDRINUSE') || p > base + 50) throw e;
    }
  }
}

type Answer = {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  protocol: string | null;
  cipher: string;
};

function get(
  path: string,
  options: { ca?: string; method?: string; body?: unknown } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port,
        path,
        method: options.method ?? 'GET',
        ...(options.ca === undefined ? {} : { ca: options.ca }),
        headers: body ? { 'content-type': 'application/json', origin } : {},
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            protocol: socket.getProtocol(),
            cipher: socket.getCipher().standardName,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

beforeAll(async () => {
  fixture = await writeWebTlsFixture(work, 'localhost');
  credentials = await openCredentialStore(`sqlite:${join(work, 'node.sqlite')}`);
  terminal = await start();
});

afterAll(async () => {
  await terminal?.close();
  await credentials?.close();
  rmSync(work, { recursive: true, force: true });
  // No key material in the log, whatever was refused.
  const body = fixture.keyPem.split('\n').slice(1, -2).join('');
  expect(logLines.join('')).not.toContain(body.slice(0, 40));
});

describe('the web terminal over HTTPS', () => {
  it('serves the login page over TLS 1.3 with a CRYPTREC suite, HSTS and the security headers', async () => {
    const page = await get('/', { ca: fixture.caPem });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html');
    expect(page.protocol).toBe('TLSv1.3');
    expect(ALLOWED_CIPHERS).toContain(page.cipher);
    expect(page.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(events('web-terminal.listening')).toEqual([
      expect.objectContaining({ origin, tls: true }),
    ]);
  });

  it('sets its cookies Secure (and HttpOnly, SameSite=Strict)', async () => {
    const { token } = await issueEnrollmentToken(credentials, operators, {
      operatorId: 'clerk-1',
      issuedBy: 'admin-1',
    });
    const answer = await get('/api/enroll/options', {
      ca: fixture.caPem,
      method: 'POST',
      body: { operatorId: 'clerk-1', token },
    });
    expect(answer.status).toBe(200);
    const cookies = answer.headers['set-cookie'] as string[];
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(
      /^jk_challenge=[^;]+; Path=\/; HttpOnly; SameSite=Strict; .*; Secure$/,
    );
  });

  it('is not trusted without the CA, and refuses plain http and TLS 1.2 on its port', async () => {
    await expect(get('/')).rejects.toThrow(/self-signed|unable to (get|verify)/i);
    const plain = new Promise<number>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/' }, (res) =>
        resolve(res.statusCode ?? 0),
      );
      req.on('error', reject);
      req.end();
    });
    await expect(plain).rejects.toThrow(/socket hang up|ECONNRESET|Parse Error/);
    const tls12 = new Promise<void>((resolve, reject) => {
      const s = connect({
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        ca: fixture.caPem,
        maxVersion: 'TLSv1.2',
      });
      s.on('secureConnect', () => {
        s.destroy();
        resolve();
      });
      s.on('error', reject);
    });
    await expect(tls12).rejects.toThrow(/protocol version|alert/i);
    await expect.poll(() => events('web-terminal.tls-refused').length).toBeGreaterThanOrEqual(2);
  });
});

describe('the web terminal’s certificate and key at start', () => {
  const refusal = async (p: Promise<unknown>): Promise<RegistryError> => {
    const e = await p.then(
      () => undefined,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(RegistryError);
    return e as RegistryError;
  };

  it('a node whose config names a key file others can read does not start its web terminal', async () => {
    const dir = mkdtempSync(join(work, 'loose-'));
    const f = await writeWebTlsFixture(dir, 'localhost');
    chmodSync(f.keyPath, 0o644);
    const config = parseNodeConfig(
      {
        node: { role: 'cs', code: '131016' },
        store: `sqlite:${join(dir, 'node.sqlite')}`,
        tls: { bundle: 'bundle' },
        upstream: { node: { role: 'prefecture', code: '13' }, host: '127.0.0.1', port: 1 },
        register: `sqlite:${join(dir, 'register.sqlite')}`,
        webTerminal: {
          host: '127.0.0.1',
          port: 0,
          rpId: 'localhost',
          origin: 'https://localhost:8443',
          tls: { cert: 'web.crt', key: 'web.key' },
        },
      },
      dir,
    );
    const e = await refusal(
      startNodeWebTerminal({
        config,
        routes: [],
        access: undefined as never,
        operators: undefined as never,
        credentials: undefined as never,
        log,
      }),
    );
    expect([e.code, e.reason]).toEqual(['forbidden', 'pki.insecure-permissions']);
    expect(e.message).toContain(f.keyPath);
    expect(e.message).toContain('chmod 600');
    expect(e.message).not.toContain(f.keyPem.split('\n')[1]!);
    expect(events('web-terminal.tls-refused')).toContainEqual(
      expect.objectContaining({ reason: 'pki.insecure-permissions', file: f.keyPath }),
    );
  });

  it('refuses a certificate of another host and a key that is not the certificate’s', async () => {
    const dir = mkdtempSync(join(work, 'other-'));
    const other = await writeWebTlsFixture(dir, 'other.example.lg.jp', 'other');
    const files = { cert: other.certPath, key: other.keyPath };
    expect((await refusal(loadWebTls(files, 'localhost', log))).reason).toBe(
      'web-terminal.tls-cert-host',
    );
    const mismatched = { cert: fixture.certPath, key: other.keyPath };
    expect((await refusal(loadWebTls(mismatched, 'localhost', log))).reason).toBe(
      'web-terminal.tls-key-mismatch',
    );
    expect(readFileSync(fixture.certPath, 'utf8')).toContain('BEGIN CERTIFICATE');
    expect(
      (await refusal(loadWebTls({ cert: fixture.keyPath, key: fixture.keyPath }, 'localhost', log)))
        .reason,
    ).toBe('web-terminal.tls-cert-invalid');
  });
});

const hasChromium = chromiumAvailable('the web terminal over HTTPS in Chromium');

describe.skipIf(!hasChromium)('the web terminal over HTTPS in Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        // Trust this one server key, as a terminal whose store holds the organisation's CA would.
        `--ignore-certificate-errors-spki-list=${fixture.spkiSha256}`,
      ],
      timeout: 60_000,
    });
  }, 90_000);
  afterAll(async () => {
    await browser?.close().catch(() => undefined);
  });

  it('loads the login page over https, enrolls a card and logs in (rpId localhost)', async () => {
    const t = await openTerminal(browser, origin);
    expect(t.page.url()).toBe(`${origin}/`);
    expect(await t.page.evaluate('window.isSecureContext')).toBe(true);
    const { token } = await issueEnrollmentToken(credentials, operators, {
      operatorId: 'clerk-1',
      issuedBy: 'admin-1',
    });
    expect(await enroll(t.page, 'clerk-1', token)).toMatchObject({
      kind: 'ok',
      reason: 'enrolled',
    });
    expect(await login(t.page, 'clerk-1')).toMatchObject({ kind: 'ok' });
    expect((await me(t.page)).body).toMatchObject({ operator: { id: 'clerk-1' } });
    const cookies = await t.page.context().cookies(origin);
    expect(cookies.find((c) => c.name === 'jk_session')).toMatchObject({
      secure: true,
      httpOnly: true,
      sameSite: 'Strict',
    });
  }, 60_000);
});

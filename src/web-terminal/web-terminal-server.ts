import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { RegistryError } from '../domain/errors.ts';
import { CARD_TYPE_INFO, isCardType } from '../domain/operator/card-types.ts';
import { errorText, type Logger } from '../nodes/json-log.ts';
import type { CredentialStore } from '../storage/ports.ts';
import { LOGIN_CSS, LOGIN_PAGE, LOGIN_SCRIPT } from './login-page.ts';
import { AUDIT_SCRIPT } from './audit-screen.ts';
import { COUNTER_SCRIPT } from './counter-screen.ts';
import { MAINTENANCE_SCRIPT } from './maintenance-screen.ts';
import { MEDIA_SCRIPT } from './media-screen.ts';
import { WIDE_AREA_SCRIPT } from './wide-area-screen.ts';
import { OPERATORS_SCRIPT } from './operators-screen.ts';
import { WORK_SCRIPT } from './work-script.ts';
import { DEFAULT_LOCK_POLICY, type LockPolicy } from './login-lock.ts';
import type { OperatorDirectory, OperatorInfo } from './operator-directory.ts';
import {
  DEFAULT_SESSION_POLICY,
  SessionTable,
  type Session,
  type SessionPolicy,
} from './sessions.ts';
import { TerminalSessions, type TerminalSessionResolver } from './terminal-sessions.ts';
import {
  enrollOptions,
  enrollVerify,
  loginOptions,
  loginVerify,
  type FlowContext,
} from './webauthn-flows.ts';
import { HSTS, webOriginProblem, webTlsOptions, type WebTlsPem } from './web-tls.ts';

/**
 * The web terminal (端末側 web listener; docs/WEB-TERMINAL.md): operators log in with WebAuthn
 * (the modern 操作者識別カード), then reach the terminal's routes with a short session. It sits
 * beside the loopback terminal server of the CLI, on the LAN side, never the network side.
 * Plain node:http: a handful of JSON endpoints and three static files need no framework.
 */
export type WebTerminalRoute = {
  readonly method: 'GET' | 'POST';
  /** Under `/api/`. Reached only with a live session of a non-revoked operator. */
  readonly path: string;
  readonly run: (request: {
    readonly operator: OperatorInfo;
    readonly body: Record<string, unknown>;
  }) => Promise<unknown>;
  /**
   * Whether the operator's card holds the route, for the page (`/api/me` lists the routes it may
   * call, so it shows only those screens). `run` checks again: this only shapes the page.
   */
  readonly permits?: (operator: OperatorInfo) => boolean;
};

export type WebTerminalOptions = {
  /** Default 127.0.0.1. */
  readonly host?: string;
  readonly port: number;
  /** The WebAuthn relying party id: the host name in the origin (`localhost` over http). */
  readonly rpId: string;
  /** The exact origin the browser shows, e.g. `https://cs-131016.example.lg.jp:8443`. */
  readonly origin: string;
  /** HTTPS (TLS 1.3) with this certificate and key (web-tls.ts `loadWebTls`); plain http without. */
  readonly tls?: WebTlsPem;
  readonly rpName?: string;
  readonly operators: OperatorDirectory;
  readonly credentials: CredentialStore;
  readonly log: Logger;
  readonly routes?: readonly WebTerminalRoute[];
  readonly lockPolicy?: LockPolicy;
  readonly sessionPolicy?: SessionPolicy;
  /** The clock (tests). */
  readonly now?: () => Date;
};

export type WebTerminal = {
  readonly server: Server;
  readonly address: { readonly host: string; readonly port: number };
  /** Live sessions (they are in memory only). */
  sessionCount(): number;
  /** Resolves a terminal session (端末コマンド用セッション) for the loopback terminal side. */
  readonly resolveTerminalSession: TerminalSessionResolver;
  close(): Promise<void>;
};

const SESSION_COOKIE = 'jk_session';
const CHALLENGE_COOKIE = 'jk_challenge';
const MAX_BODY = 64 * 1024;

const STATUS: Record<string, number> = {
  invalid: 400,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'rate-limited': 429,
  unavailable: 503,
};

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

function browserBundle(): string {
  const main = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
  return readFileSync(join(dirname(main), '..', 'dist', 'bundle', 'index.umd.min.js'), 'utf8');
}

const STATIC: Record<string, { type: string; body: () => string }> = {
  '/': { type: 'text/html; charset=utf-8', body: () => LOGIN_PAGE },
  '/app.js': { type: 'text/javascript; charset=utf-8', body: () => LOGIN_SCRIPT },
  '/app.css': { type: 'text/css; charset=utf-8', body: () => LOGIN_CSS },
  '/work.js': { type: 'text/javascript; charset=utf-8', body: () => WORK_SCRIPT },
  '/counter.js': { type: 'text/javascript; charset=utf-8', body: () => COUNTER_SCRIPT },
  '/audit.js': { type: 'text/javascript; charset=utf-8', body: () => AUDIT_SCRIPT },
  '/operators.js': { type: 'text/javascript; charset=utf-8', body: () => OPERATORS_SCRIPT },
  '/maintenance.js': { type: 'text/javascript; charset=utf-8', body: () => MAINTENANCE_SCRIPT },
  '/media.js': { type: 'text/javascript; charset=utf-8', body: () => MEDIA_SCRIPT },
  '/wide-area.js': { type: 'text/javascript; charset=utf-8', body: () => WIDE_AREA_SCRIPT },
};

function cookies(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  return out;
}

const session401 = (reason: string, message: string): RegistryError =>
  new RegistryError('forbidden', message, reason);

const SESSION_MESSAGES: Record<string, string> = {
  'session.none': 'ログインしていません / not logged in',
  'session.idle': '操作がなかったためログアウトしました / logged out after 10 minutes idle',
  'session.expired': 'セッションの有効期間が過ぎました / the session reached its 8-hour limit',
  'session.operator-revoked':
    '操作者の資格が取り消されたためログアウトしました / logged out: the operator has been revoked',
  'session.credential-revoked':
    '操作者識別カードが失効したためログアウトしました / logged out: the card you logged in with has been revoked',
};

export async function startWebTerminal(options: WebTerminalOptions): Promise<WebTerminal> {
  const now = options.now ?? (() => new Date());
  const originProblem = webOriginProblem(options.rpId, options.origin, options.tls !== undefined);
  if (originProblem !== undefined) {
    options.log.error('web-terminal.refused-start', { reason: 'web-terminal.origin' });
    throw new RegistryError('invalid', originProblem, 'web-terminal.origin');
  }
  const secure = options.tls !== undefined;
  const headers: Record<string, string> = secure
    ? { ...SECURITY_HEADERS, 'strict-transport-security': HSTS }
    : SECURITY_HEADERS;
  const sessionPolicy = options.sessionPolicy ?? DEFAULT_SESSION_POLICY;
  const sessions = new SessionTable(sessionPolicy);
  const terminalSessions = new TerminalSessions(
    sessionPolicy,
    options.operators,
    now,
    options.credentials,
  );
  const bundle = browserBundle();
  const ctx: FlowContext = {
    rpId: options.rpId,
    rpName: options.rpName ?? '住基ネット 端末 / Juki-net terminal',
    origin: options.origin,
    operators: options.operators,
    credentials: options.credentials,
    lockPolicy: options.lockPolicy ?? DEFAULT_LOCK_POLICY,
    log: options.log,
  };
  const log = options.log;

  const cookie = (name: string, value: string, maxAgeMs: number): string =>
    `${name}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(maxAgeMs / 1000)}${secure ? '; Secure' : ''}`;

  /** The operator of the request's session, checked against the directory on every request. */
  async function operatorOf(req: IncomingMessage): Promise<OperatorInfo> {
    return (await sessionOf(req)).operator;
  }

  /**
   * The request's session and its operator, checked against the directory and the session's card
   * against the credentials on every request.
   */
  async function sessionOf(
    req: IncomingMessage,
  ): Promise<{ readonly operator: OperatorInfo; readonly session: Session }> {
    const id = cookies(req).get(SESSION_COOKIE);
    const found = sessions.use(id, now().getTime());
    if (found.status === 'ok') claimed.set(req, found.session.operatorId);
    if (found.status !== 'ok') {
      const reason = `session.${found.status}`;
      throw session401(reason, SESSION_MESSAGES[reason]!);
    }
    const op = await options.operators.find(found.session.operatorId);
    if (op === undefined || op.revoked) {
      const ended =
        sessions.endAllOf(found.session.operatorId) +
        terminalSessions.endAllOf(found.session.operatorId);
      log.warn('web-terminal.sessions-ended', {
        operator: found.session.operatorId,
        sessions: ended,
        reason: 'operator-revoked',
      });
      throw session401('session.operator-revoked', SESSION_MESSAGES['session.operator-revoked']!);
    }
    // The card this session logged in with, revoked (lost or stolen): its sessions end at once.
    const card = found.session.credentialId;
    if (card !== undefined) {
      const c = await options.credentials.credential(card);
      if (c === undefined || c.revoked) {
        const ended = sessions.endAllWith(card) + terminalSessions.endAllWith(card);
        log.warn('web-terminal.sessions-ended', {
          operator: found.session.operatorId,
          sessions: ended,
          reason: 'credential-revoked',
        });
        throw session401(
          'session.credential-revoked',
          SESSION_MESSAGES['session.credential-revoked']!,
        );
      }
    }
    return { operator: op, session: found.session };
  }

  /** Who is logged in, and the routes under /api/ their card holds (the page's screens). */
  const whoIs = (op: OperatorInfo) => ({
    operator: publicOperator(op),
    routes: (options.routes ?? [])
      .filter((r) => r.permits?.(op) ?? true)
      .map((r) => `${r.method} ${r.path}`),
  });

  type Answer = { body: unknown; setCookie?: string[] };
  const api: Record<
    string,
    (req: IncomingMessage, body: Record<string, unknown>) => Promise<Answer>
  > = {
    'POST /api/enroll/options': async (_req, body) => {
      const r = await enrollOptions(ctx, text(body, 'operatorId'), text(body, 'token'), now());
      const id = sessions.addChallenge(r.pending, now().getTime());
      return {
        body: r.options,
        setCookie: [cookie(CHALLENGE_COOKIE, id, sessionPolicy.challengeMs)],
      };
    },
    'POST /api/enroll/verify': async (req, body) => {
      const pending = sessions.takeChallenge(cookies(req).get(CHALLENGE_COOKIE), now().getTime());
      if (pending) claimed.set(req, pending.operatorId);
      const op = await enrollVerify(ctx, pending, body['response'], now());
      log.info('web-terminal.enrolled', { operator: op.id });
      return { body: { enrolled: true }, setCookie: [cookie(CHALLENGE_COOKIE, '', 0)] };
    },
    'POST /api/login/options': async (_req, body) => {
      const r = await loginOptions(ctx, text(body, 'operatorId'), now());
      const id = sessions.addChallenge(r.pending, now().getTime());
      return {
        body: r.options,
        setCookie: [cookie(CHALLENGE_COOKIE, id, sessionPolicy.challengeMs)],
      };
    },
    'POST /api/login/verify': async (req, body) => {
      const jar = cookies(req);
      const pending = sessions.takeChallenge(jar.get(CHALLENGE_COOKIE), now().getTime());
      if (pending) claimed.set(req, pending.operatorId);
      const { operator: op, credentialId } = await loginVerify(
        ctx,
        pending,
        body['response'],
        now(),
      );
      sessions.end(jar.get(SESSION_COOKIE));
      const s = sessions.open(op.id, now().getTime(), credentialId);
      log.info('web-terminal.login', { operator: op.id, cardType: op.cardType });
      return {
        body: whoIs(op),
        setCookie: [
          cookie(CHALLENGE_COOKIE, '', 0),
          cookie(SESSION_COOKIE, s.id, sessionPolicy.absoluteMs),
        ],
      };
    },
    'GET /api/me': async (req) => ({ body: whoIs(await operatorOf(req)) }),
    'POST /api/terminal-session': async (req) => {
      const { operator: op, session } = await sessionOf(req);
      const issued = terminalSessions.issue(op.id, session.credentialId);
      // Never the token itself: who and until when.
      log.info('web-terminal.terminal-session', { operator: op.id, expiresAt: issued.expiresAt });
      return { body: issued };
    },
    'POST /api/logout': async (req) => {
      const op = await operatorOf(req).catch(() => undefined);
      sessions.end(cookies(req).get(SESSION_COOKIE));
      if (op) terminalSessions.endAllOf(op.id);
      if (op) log.info('web-terminal.logout', { operator: op.id });
      return { body: { loggedOut: true }, setCookie: [cookie(SESSION_COOKIE, '', 0)] };
    },
  };
  for (const r of options.routes ?? []) {
    if (!r.path.startsWith('/api/') || api[`${r.method} ${r.path}`])
      throw new Error(`web terminal route ${r.method} ${r.path}: must be new and under /api/`);
    api[`${r.method} ${r.path}`] = async (req, body) => ({
      body: await r.run({ operator: await operatorOf(req), body }),
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!;
    const started = STATIC[path];
    if (req.method === 'GET' && (started || path === '/webauthn.js')) {
      res.writeHead(200, {
        ...headers,
        'content-type': started?.type ?? 'text/javascript; charset=utf-8',
      });
      res.end(started ? started.body() : bundle);
      return;
    }
    const handler = api[`${req.method} ${path}`];
    try {
      if (!handler)
        throw new RegistryError(
          'not-found',
          `no such endpoint ${path}`,
          'web-terminal.unknown-path',
        );
      let body: Record<string, unknown> = {};
      if (req.method === 'POST') {
        checkSameOrigin(req, options.origin);
        body = await readJson(req);
      }
      const answer = await handler(req, body);
      res.writeHead(200, {
        ...headers,
        'content-type': 'application/json; charset=utf-8',
        ...(answer.setCookie ? { 'set-cookie': answer.setCookie } : {}),
      });
      res.end(JSON.stringify(answer.body));
    } catch (e) {
      const reason = e instanceof RegistryError ? (e.reason ?? e.code) : 'internal';
      const status = reason.startsWith('session.')
        ? 401
        : reason === 'login.locked'
          ? 423
          : e instanceof RegistryError
            ? (STATUS[e.code] ?? 500)
            : 500;
      // Never the body, the challenge, the token or any credential material: path and reason.
      log.warn('web-terminal.refused', {
        path,
        reason,
        operator: claimedOperator(req),
        remote: req.socket.remoteAddress,
        ...(status === 500 ? { error: errorText(e) } : {}),
      });
      res.writeHead(status, {
        ...headers,
        'content-type': 'application/json; charset=utf-8',
      });
      const message = e instanceof RegistryError ? e.message : '内部エラー / internal error';
      res.end(JSON.stringify({ error: { reason, message } }));
    }
  }

  const listener = (req: IncomingMessage, res: ServerResponse): void => void handle(req, res);
  const server: Server = options.tls
    ? createHttpsServer(webTlsOptions(options.tls), listener)
    : createServer(listener);
  // A client that cannot speak TLS 1.3 with our suites, or plain http on the TLS port.
  server.on('tlsClientError', (e: NodeJS.ErrnoException, socket: { remoteAddress?: string }) =>
    log.warn('web-terminal.tls-refused', { remote: socket.remoteAddress, error: e.code ?? 'tls' }),
  );
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : options.port;
  log.info('web-terminal.listening', {
    host,
    port,
    rpId: options.rpId,
    origin: options.origin,
    tls: secure,
  });
  return {
    server,
    address: { host, port },
    sessionCount: () => sessions.size,
    resolveTerminalSession: (token) => terminalSessions.resolve(token),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const publicOperator = (op: OperatorInfo) => ({
  id: op.id,
  name: op.name,
  cardType: op.cardType,
  /** The card type's Japanese name (操作者識別カードの種別), for the page. */
  cardTypeName: isCardType(op.cardType) ? CARD_TYPE_INFO[op.cardType].ja : op.cardType,
  node: op.node,
});

/** The operator id a refused request named (kept on the request by readJson), for the log. */
const claimed = new WeakMap<IncomingMessage, string>();
const claimedOperator = (req: IncomingMessage): string | undefined => claimed.get(req);

function text(body: Record<string, unknown>, key: string): string {
  const v = body[key];
  if (typeof v !== 'string' || v === '' || v.length > 256)
    throw new RegistryError(
      'invalid',
      `${key} がありません / ${key} is missing or not a string`,
      'web-terminal.bad-request',
    );
  return v;
}

function checkSameOrigin(req: IncomingMessage, origin: string): void {
  const type = req.headers['content-type'] ?? '';
  if (req.headers.origin !== origin || !type.startsWith('application/json'))
    throw new RegistryError(
      'forbidden',
      '別のオリジンからの要求は受け付けません / cross-origin or non-JSON request refused',
      'web-terminal.cross-origin',
    );
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY)
      throw new RegistryError('invalid', 'request body too large', 'web-terminal.body-too-large');
    chunks.push(chunk);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    throw new RegistryError(
      'invalid',
      'JSON を読めません / body is not JSON',
      'web-terminal.bad-json',
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new RegistryError('invalid', 'JSON object expected', 'web-terminal.bad-json');
  const body = parsed as Record<string, unknown>;
  if (typeof body['operatorId'] === 'string') claimed.set(req, body['operatorId'].slice(0, 64));
  return body;
}

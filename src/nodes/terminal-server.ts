import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { RegistryError } from '../domain/errors.ts';
import { errorText, type Logger } from './json-log.ts';
import { bearerOf, tokenMatches, type TerminalTarget } from './terminal-token.ts';

/**
 * The terminal side of a node (端末側): plain HTTP bound to loopback (or a management LAN), never
 * on the network side. It serves the health view and the operator actions of `juki node …`.
 * Every request must carry the node's machine token (`authorization: Bearer …`, the file
 * `<bundleDir>/terminal.token` of mode 0600 that the node writes at start: terminal-token.ts), so
 * only the OS user that runs the node (and root) can call it; a wrong or missing token is 401
 * `terminal.unauthenticated`, recorded. A POST must be `content-type: application/json` (415
 * `terminal.content-type`): a web page cannot send that cross-origin without a preflight, so the
 * side is safe from CSRF even before the token. What the caller may then do — the console
 * (`local-terminal`) or an operator's terminal session (`x-juki-operator-session`) — is decided
 * by the routes (loopback-guard.ts; docs/OPERATIONS.md, docs/OPERATORS.md).
 */
export type TerminalRoute = {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly run: (body: Record<string, unknown>, caller?: TerminalCaller) => Promise<unknown>;
  /**
   * The access log's target when the answer names it better than the body (an identifier only):
   * the resident code a counter operation gave a new person. Default: from the body.
   */
  readonly answerTarget?: (answer: unknown) => string | undefined;
};

/** Who the request acts for, beyond the machine token. */
export type TerminalCaller = {
  /** The `x-juki-operator-session` header: an operator's terminal session, when given. */
  readonly operatorSession?: string | undefined;
  /**
   * The operator a guard authenticated (a web-terminal login or a terminal session), set by the
   * guard for the route it runs; absent on the console. Records that name who acted take it from
   * here, never from the body (acting-operator.ts).
   */
  readonly operator?: string | undefined;
  /**
   * Set by the web terminal's guard: the request comes from a browser on another machine, which
   * never names a path on this node's machine (node-media.ts).
   */
  readonly web?: true;
};

/** A request refused before any route ran (no token, not JSON), for the access log. */
export type TerminalRefusal = {
  readonly method: string;
  readonly path: string;
  readonly reason: string;
  /** Whether the caller showed the right machine token. */
  readonly authenticated: boolean;
};

export const OPERATOR_SESSION_HEADER = 'x-juki-operator-session';

const STATUS: Record<string, number> = {
  invalid: 400,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  unavailable: 503,
};
/** By reason first: an unauthenticated caller or a bad operator session is 401, not JSON 415. */
const statusOf = (e: unknown): number => {
  if (!(e instanceof RegistryError)) return 500;
  if (e.reason === 'terminal.unauthenticated' || e.reason?.startsWith('session.')) return 401;
  if (e.reason === 'terminal.content-type') return 415;
  return STATUS[e.code] ?? 500;
};
const MAX_BODY = 64 * 1024;

export async function startTerminalServer(options: {
  readonly host: string;
  readonly port: number;
  readonly routes: readonly TerminalRoute[];
  readonly log: Logger;
  /** The machine token every request must show. */
  readonly token: string;
  /** Records a request refused before its route ran (the access log). */
  readonly onRefused?: (refusal: TerminalRefusal) => Promise<unknown>;
}): Promise<{ server: Server; address: { host: string; port: number } }> {
  const server = createServer((req, res) => void handle(req, res));
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = options.routes.find((r) => r.path === path && r.method === req.method);
    let authenticated = false;
    try {
      if (!tokenMatches(bearerOf(req.headers.authorization), options.token))
        throw new RegistryError(
          'forbidden',
          '端末トークンがないか違います / missing or wrong terminal token: run juki as the OS user that runs the node',
          'terminal.unauthenticated',
        );
      authenticated = true;
      if (!route) {
        const known = options.routes.some((r) => r.path === path);
        throw new RegistryError(
          known ? 'invalid' : 'not-found',
          known ? `method ${req.method} not allowed on ${path}` : `no such endpoint ${path}`,
          known ? 'terminal.method' : 'terminal.unknown-path',
        );
      }
      if (req.method === 'POST' && !isJson(req.headers['content-type']))
        throw new RegistryError(
          'invalid',
          'POST は application/json だけを受け付けます / a POST must be content-type application/json',
          'terminal.content-type',
        );
      const body = req.method === 'POST' ? await readJson(req) : {};
      const session = req.headers[OPERATOR_SESSION_HEADER];
      const caller = { operatorSession: typeof session === 'string' ? session : undefined };
      send(res, 200, await route.run(body, caller));
    } catch (e) {
      const status = statusOf(e);
      const reason = e instanceof RegistryError ? e.reason : undefined;
      // Never a header's value (the token, a session): the request and why it was refused.
      options.log.warn('terminal.refused', {
        path,
        method: req.method,
        status,
        reason,
        remote: req.socket.remoteAddress,
        error: errorText(e),
      });
      // The routes record their own refusals; these two happen before any route runs.
      if (reason === 'terminal.unauthenticated' || reason === 'terminal.content-type')
        await options
          .onRefused?.({ method: req.method ?? '', path, reason, authenticated })
          .catch((err: unknown) =>
            options.log.error('terminal.refusal-unrecorded', { path, error: errorText(err) }),
          );
      send(res, status, {
        error: e instanceof RegistryError ? e.code : 'internal',
        reason,
        message: status === 500 ? 'internal error (see the node log)' : (e as Error).message,
      });
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address();
  const port = typeof a === 'object' && a ? a.port : options.port;
  return { server, address: { host: options.host, port } };
}

const isJson = (type: string | undefined): boolean =>
  (type ?? '').split(';')[0]!.trim().toLowerCase() === 'application/json';

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body ?? null);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY)
      throw new RegistryError('invalid', 'request body too large', 'terminal.body-too-large');
    chunks.push(chunk);
  }
  if (size === 0) return {};
  try {
    const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new RegistryError('invalid', 'the body must be a JSON object', 'terminal.body-not-json');
}

/**
 * Calls a node's terminal side (`juki node …` commands, tests) with its machine token and, when
 * the target has one, an operator's terminal session. The CLI gets its target from the node's
 * config with `terminalTargetOf` (terminal-token.ts). A POST always sends a JSON body.
 */
export async function callTerminal(
  target: TerminalTarget,
  method: 'GET' | 'POST',
  path: string,
  body?: Record<string, unknown>,
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(new URL(path, target.base), {
      method,
      headers: {
        authorization: `Bearer ${target.token}`,
        ...(target.operatorSession ? { [OPERATOR_SESSION_HEADER]: target.operatorSession } : {}),
        ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
    });
  } catch (e) {
    throw new RegistryError(
      'unavailable',
      `ノードに接続できません / cannot reach the node's terminal side at ${target.base}: ${errorText(e)} — is the node running (juki node start)?`,
      'terminal.unreachable',
    );
  }
  const json: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const j = (json ?? {}) as { error?: string; reason?: string; message?: string };
    throw new RegistryError(
      (j.error as RegistryError['code'] | undefined) ?? 'unavailable',
      j.message ?? `HTTP ${res.status}`,
      j.reason,
    );
  }
  return json;
}

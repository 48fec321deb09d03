import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { RegistryError } from '../domain/errors.ts';
import { errorText, type Logger } from './json-log.ts';

/**
 * The terminal side of a node (端末側): plain HTTP on the management LAN, never on the network
 * side. It serves the health view and the operator actions of `juki node …`. Bound to loopback by
 * default; operator authentication with the operator ID card is issue 6 — until then, bind it only
 * where the operators' terminals are (docs/OPERATIONS.md).
 */
export type TerminalRoute = {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly run: (body: Record<string, unknown>) => Promise<unknown>;
};

const STATUS: Record<string, number> = {
  invalid: 400,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  unavailable: 503,
};
const MAX_BODY = 64 * 1024;

export async function startTerminalServer(options: {
  readonly host: string;
  readonly port: number;
  readonly routes: readonly TerminalRoute[];
  readonly log: Logger;
}): Promise<{ server: Server; address: { host: string; port: number } }> {
  const server = createServer((req, res) => void handle(req, res));
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const route = options.routes.find((r) => r.path === path && r.method === req.method);
    try {
      if (!route) {
        const known = options.routes.some((r) => r.path === path);
        throw new RegistryError(
          known ? 'invalid' : 'not-found',
          known ? `method ${req.method} not allowed on ${path}` : `no such endpoint ${path}`,
          known ? 'terminal.method' : 'terminal.unknown-path',
        );
      }
      const body = req.method === 'POST' ? await readJson(req) : {};
      send(res, 200, await route.run(body));
    } catch (e) {
      const status = e instanceof RegistryError ? (STATUS[e.code] ?? 500) : 500;
      options.log.warn('terminal.refused', {
        path,
        method: req.method,
        status,
        error: errorText(e),
      });
      send(res, status, {
        error: e instanceof RegistryError ? e.code : 'internal',
        reason: e instanceof RegistryError ? e.reason : undefined,
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

/** Calls a node's terminal side (`juki node …` commands, tests). */
export async function callTerminal(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  body?: Record<string, unknown>,
): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(new URL(path, base), {
      method,
      ...(body
        ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }
        : {}),
    });
  } catch (e) {
    throw new RegistryError(
      'unavailable',
      `ノードに接続できません / cannot reach the node's terminal side at ${base}: ${errorText(e)} — is the node running (juki node start)?`,
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

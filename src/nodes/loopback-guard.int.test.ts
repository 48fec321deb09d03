import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AccessLog } from '../audit/index.ts';
import type { NodeRef } from '../domain/network/NodeRef.ts';
import { openAccessLogStore } from '../storage/open-store.ts';
import type { AccessLogStore } from '../storage/ports.ts';
import { InMemoryOperatorDirectory } from '../web-terminal/operator-directory.ts';
import { TerminalSessions } from '../web-terminal/terminal-sessions.ts';
import { jsonLogger } from './json-log.ts';
import { startLoopbackTerminal } from './loopback-guard.ts';
import { callTerminal, type TerminalRoute } from './terminal-server.ts';
import { terminalTargetOf, terminalTokenPath, type TerminalTarget } from './terminal-token.ts';

/*
 * The loopback terminal side's guard (R15, R23; docs/OPERATIONS.md "The terminal side"): the
 * machine token, JSON-only POSTs, the console's rights with and without a web terminal, and
 * operators' terminal sessions — each refusal with its HTTP status, reason and access-log record.
 */
const TOKYO: NodeRef = { role: 'prefecture', code: '13' };
const IDLE = 60_000;
const ABSOLUTE = 3_600_000;

let dir: string;
let store: AccessLogStore;
const logLines: string[] = [];
const log = jsonLogger({ write: (l) => logLines.push(l), minLevel: 'debug' });
const ran: string[] = [];
let clock = Date.parse('2026-11-24T01:00:00.000Z');
const directory = new InMemoryOperatorDirectory(
  [
    ['prov-1', 'provision-operator'],
    ['sec-1', 'security-officer'],
  ].map(([id, cardType]) => ({
    id: id!,
    name: '住基 一郎',
    cardType: cardType!,
    node: 'prefecture:13',
    revoked: false,
  })),
);
const sessions = new TerminalSessions(
  { idleMs: IDLE, absoluteMs: ABSOLUTE, challengeMs: 60_000 },
  directory,
  () => new Date(clock),
);

const route = (method: 'GET' | 'POST', path: string): TerminalRoute => ({
  method,
  path,
  run: () => {
    ran.push(`${method} ${path}`);
    return Promise.resolve({ done: path });
  },
});
const ROUTES = [
  route('GET', '/health'),
  route('GET', '/monitor'),
  route('POST', '/retention/run'),
  route('POST', '/provision/query'),
  route('POST', '/integrity/check'),
  route('POST', '/isolate'),
];

type Node = { target: TerminalTarget; bundleDir: string; close(): Promise<void> };
const open: Node[] = [];
async function node(webTerminal: boolean): Promise<Node> {
  const bundleDir = await mkdtemp(join(dir, 'bundle-'));
  await chmod(bundleDir, 0o700);
  const t = await startLoopbackTerminal({
    self: TOKYO,
    host: '127.0.0.1',
    port: 0,
    bundleDir,
    routes: ROUTES,
    access: new AccessLog(store),
    log,
    resolveSession: webTerminal ? (token) => sessions.resolve(token) : undefined,
  });
  const target = await terminalTargetOf({ node: TOKYO, bundleDir, terminal: t.address });
  const n = { target, bundleDir, close: () => t.close() };
  open.push(n);
  return n;
}

const newest = async () => (await store.list({ limit: 1 }))[0]!;
const record = async () => {
  const r = await newest();
  return { operator: r.operator, operation: r.operation, result: r.result, reason: r.reason };
};
/** The refusal of a call, as { status, reason } (the status from the raw HTTP answer). */
async function raw(
  target: TerminalTarget,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; reason: string | undefined }> {
  const res = await fetch(new URL(path, target.base), init);
  const body = (await res.json()) as { reason?: string };
  return { status: res.status, reason: body.reason };
}
const withSession = (target: TerminalTarget, operatorSession: string): TerminalTarget => ({
  ...target,
  operatorSession,
});
const bearer = (t: TerminalTarget) => ({ authorization: `Bearer ${t.token}` });
const json = { 'content-type': 'application/json' };
const post = (t: TerminalTarget, path: string, session?: string) =>
  raw(t, path, {
    method: 'POST',
    headers: {
      ...bearer(t),
      ...json,
      ...(session ? { 'x-juki-operator-session': session } : {}),
    },
    body: '{}',
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jukinet-loopback-guard-'));
  store = await openAccessLogStore('sqlite::memory:');
});
afterEach(() => {
  ran.length = 0;
});
afterAll(async () => {
  for (const n of open) await n.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the machine token of the loopback terminal side', () => {
  it('is written 0600 at start (32 random bytes, base64url) and removed at a graceful stop', async () => {
    const n = await node(false);
    const bundleDir = n.bundleDir;
    const file = terminalTokenPath(bundleDir);
    expect(file).toBe(join(bundleDir, 'terminal.token'));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(n.target.token);
    expect(n.target.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await n.close();
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
    await expect(
      terminalTargetOf({ node: TOKYO, bundleDir, terminal: { host: '127.0.0.1', port: 1 } }),
    ).rejects.toMatchObject({ reason: 'terminal.token-unreadable' });
    const missing = (await terminalTargetOf({
      node: TOKYO,
      bundleDir,
      terminal: { host: '127.0.0.1', port: 1 },
    }).catch((e: unknown) => e)) as Error;
    expect(missing.message).toContain(file);
    expect(missing.message).toContain('is the node running');
    expect(missing.message).toContain('OS user that runs the node');
  });

  it('refuses a request without the token or with a wrong one: 401, recorded as unauthenticated, logged without the token', async () => {
    const n = await node(false);
    expect(await raw(n.target, '/health')).toEqual({
      status: 401,
      reason: 'terminal.unauthenticated',
    });
    expect(await record()).toEqual({
      operator: 'unauthenticated',
      operation: 'health',
      result: 'refused',
      reason: 'terminal.unauthenticated',
    });
    const wrong = 'A'.repeat(43);
    const answer = await raw(n.target, '/provision/query', {
      method: 'POST',
      headers: { authorization: `Bearer ${wrong}`, ...json },
      body: '{}',
    });
    expect(answer).toEqual({ status: 401, reason: 'terminal.unauthenticated' });
    expect(await record()).toMatchObject({
      operator: 'unauthenticated',
      operation: 'provision.query',
      reason: 'terminal.unauthenticated',
    });
    expect(await raw(n.target, '/no-such', { headers: { authorization: 'Basic x' } })).toEqual({
      status: 401,
      reason: 'terminal.unauthenticated',
    });
    expect(await record()).toMatchObject({
      operator: 'unauthenticated',
      operation: 'terminal.request',
    });
    expect(ran).toEqual([]);
    const warned = logLines.filter((l) => l.includes('"terminal.refused"'));
    expect(warned.some((l) => l.includes('"reason":"terminal.unauthenticated"'))).toBe(true);
    expect(logLines.join('')).not.toContain(n.target.token);
    expect(logLines.join('')).not.toContain(wrong);
    // The right token: answered, and health (a poll) unrecorded.
    const before = (await newest()).seq;
    expect(await callTerminal(n.target, 'GET', '/health')).toEqual({ done: '/health' });
    expect((await newest()).seq).toBe(before);
  });

  it('refuses a POST that is not application/json (CSRF from a web page): 415, recorded', async () => {
    const n = await node(false);
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
      const answer = await raw(n.target, '/retention/run', {
        method: 'POST',
        headers: { ...bearer(n.target), ...(type ? { 'content-type': type } : {}) },
        body: '{}',
      });
      expect(answer).toEqual({ status: 415, reason: 'terminal.content-type' });
      expect(await record()).toEqual({
        operator: 'local-terminal',
        operation: 'retention.run',
        result: 'refused',
        reason: 'terminal.content-type',
      });
    }
    // A page's form post carries no token either: 401 comes first.
    expect(
      await raw(n.target, '/isolate', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: '{"peer":"cs:131016"}',
      }),
    ).toEqual({ status: 401, reason: 'terminal.unauthenticated' });
    expect(ran).toEqual([]);
  });
});

describe('the console (no operator session)', () => {
  it('keeps every operation on a node without a web terminal, each recorded as local-terminal', async () => {
    const n = await node(false);
    for (const path of ['/provision/query', '/isolate', '/integrity/check'])
      expect(await post(n.target, path)).toMatchObject({ status: 200 });
    expect(ran).toEqual(['POST /provision/query', 'POST /isolate', 'POST /integrity/check']);
    expect(await record()).toEqual({
      operator: 'local-terminal',
      operation: 'integrity.check',
      result: 'ok',
      reason: undefined,
    });
  });

  it('on a node with a web terminal runs only CONSOLE_OPERATIONS; the rest is 403 operator.session-required, recorded', async () => {
    const n = await node(true);
    expect(await callTerminal(n.target, 'POST', '/retention/run')).toEqual({
      done: '/retention/run',
    });
    expect(await record()).toMatchObject({ operator: 'local-terminal', result: 'ok' });
    expect(await callTerminal(n.target, 'GET', '/monitor')).toEqual({ done: '/monitor' });
    for (const [path, operation] of [
      ['/provision/query', 'provision.query'],
      ['/isolate', 'node.isolate'],
      ['/integrity/check', 'integrity.check'],
    ] as const) {
      expect(await post(n.target, path)).toEqual({
        status: 403,
        reason: 'operator.session-required',
      });
      expect(await record()).toEqual({
        operator: 'local-terminal',
        operation,
        result: 'refused',
        reason: 'operator.session-required',
      });
    }
    const refused = await callTerminal(n.target, 'POST', '/provision/query', {}).catch(
      (e: Error) => e,
    );
    expect((refused as Error).message).toContain('JUKI_OPERATOR_SESSION');
    expect(ran).toEqual(['POST /retention/run', 'GET /monitor']);
  });
});

describe('an operator’s terminal session on the loopback side', () => {
  it('acts within the card’s rights, recorded under the operator; refuses the rest with 403', async () => {
    const n = await node(true);
    const s = sessions.issue('prov-1').token;
    expect(await callTerminal(withSession(n.target, s), 'POST', '/provision/query', {})).toEqual({
      done: '/provision/query',
    });
    expect(await record()).toEqual({
      operator: 'prov-1',
      operation: 'provision.query',
      result: 'ok',
      reason: undefined,
    });
    expect(await post(n.target, '/isolate', s)).toEqual({
      status: 403,
      reason: 'operator.not-permitted',
    });
    expect(await record()).toEqual({
      operator: 'prov-1',
      operation: 'node.isolate',
      result: 'refused',
      reason: 'operator.not-permitted',
    });
    // A console operation is judged by the card too: no downgrade, no upgrade.
    expect(await post(n.target, '/retention/run', s)).toMatchObject({
      status: 403,
      reason: 'operator.not-permitted',
    });
    const officer = sessions.issue('sec-1').token;
    expect(await post(n.target, '/isolate', officer)).toMatchObject({ status: 200 });
    expect(await record()).toMatchObject({ operator: 'sec-1', operation: 'node.isolate' });
    expect(ran).toEqual(['POST /provision/query', 'POST /isolate']);
  });

  it('refuses an unknown, idle, expired or revoked session with 401 and its reason, never as the console', async () => {
    const n = await node(true);
    expect(await post(n.target, '/retention/run', 'no-such-session')).toEqual({
      status: 401,
      reason: 'session.none',
    });
    expect(await record()).toEqual({
      operator: 'local-terminal',
      operation: 'retention.run',
      result: 'refused',
      reason: 'session.none',
    });

    const idle = sessions.issue('prov-1').token;
    clock += IDLE;
    expect(await post(n.target, '/provision/query', idle)).toEqual({
      status: 401,
      reason: 'session.idle',
    });
    expect(await record()).toMatchObject({ operator: 'prov-1', reason: 'session.idle' });

    const old = sessions.issue('prov-1').token;
    const ends = clock + ABSOLUTE;
    while (clock + IDLE / 2 < ends) {
      clock += IDLE / 2; // used within the idle limit all along
      expect(await post(n.target, '/provision/query', old)).toMatchObject({ status: 200 });
    }
    clock = ends;
    expect(await post(n.target, '/provision/query', old)).toEqual({
      status: 401,
      reason: 'session.expired',
    });
    expect(await record()).toMatchObject({ operator: 'prov-1', reason: 'session.expired' });

    const live = sessions.issue('sec-1').token;
    expect(await post(n.target, '/isolate', live)).toMatchObject({ status: 200 });
    directory.revoke('sec-1');
    expect(await post(n.target, '/isolate', live)).toEqual({
      status: 401,
      reason: 'session.operator-revoked',
    });
    expect(await record()).toEqual({
      operator: 'sec-1',
      operation: 'node.isolate',
      result: 'refused',
      reason: 'session.operator-revoked',
    });
    expect(await post(n.target, '/isolate', live)).toMatchObject({ reason: 'session.none' });
  });

  it('refuses a session on a node that has no web terminal', async () => {
    const n = await node(false);
    expect(await post(n.target, '/retention/run', 'whatever')).toEqual({
      status: 401,
      reason: 'session.no-web-terminal',
    });
    expect(await record()).toMatchObject({
      operator: 'local-terminal',
      reason: 'session.no-web-terminal',
    });
    expect(ran).toEqual([]);
  });
});

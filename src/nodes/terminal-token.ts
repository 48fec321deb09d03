import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import { PRIVATE_FILE_MODE } from '../pki/disk/private-directory.ts';
import { writeFileAtomic } from '../pki/disk/write-file-atomic.ts';
import { errorText } from './json-log.ts';

/**
 * The machine token of a node's loopback terminal side (docs/OPERATIONS.md "The terminal side"):
 * 32 random bytes, base64url, made afresh each time the node starts its terminal side and written
 * to `<bundleDir>/terminal.token` (mode 0600, in the 0700 bundle directory beside node.key), so
 * only the OS user that runs the node (and root) can read it; removed when the node stops. Every
 * request to the terminal side carries it as `authorization: Bearer <token>`.
 */
export const TERMINAL_TOKEN_FILE = 'terminal.token';

export const terminalTokenPath = (bundleDir: string): string =>
  join(bundleDir, TERMINAL_TOKEN_FILE);

export const newTerminalToken = (): string => randomBytes(32).toString('base64url');

/** Writes a fresh token atomically (temporary file of mode 0600, then rename); returns it. */
export async function writeTerminalToken(bundleDir: string): Promise<string> {
  const token = newTerminalToken();
  await writeFileAtomic(terminalTokenPath(bundleDir), `${token}\n`, PRIVATE_FILE_MODE);
  return token;
}

/**
 * Removes the token file (graceful stop) when it still holds `token` (a node started again in the
 * meantime keeps its own); a missing file is fine.
 */
export async function removeTerminalToken(bundleDir: string, token: string): Promise<void> {
  const path = terminalTokenPath(bundleDir);
  const held = await readFile(path, 'utf8').catch(() => undefined);
  if (held !== undefined && held.trim() === token) await rm(path, { force: true });
}

/** Whether `presented` is the token, in constant time (both hashed first: equal lengths). */
export function tokenMatches(presented: string | undefined, token: string): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented, 'utf8').digest();
  const b = createHash('sha256').update(token, 'utf8').digest();
  return timingSafeEqual(a, b);
}

/** The token of an `authorization: Bearer <token>` header, or undefined. */
export function bearerOf(header: string | undefined): string | undefined {
  const m = /^Bearer[ ]+(\S{1,512})\s*$/i.exec(header ?? '');
  return m ? m[1] : undefined;
}

/** Where `callTerminal` goes and what it shows: the base URL, the machine token, a session. */
export type TerminalTarget = {
  /** e.g. `http://127.0.0.1:28100/`. */
  readonly base: string;
  readonly token: string;
  /** A terminal session of a logged-in operator (`JUKI_OPERATOR_SESSION`), when given. */
  readonly operatorSession?: string | undefined;
};

/**
 * The terminal target of a node from its config: the terminal side's URL and the token file the
 * running node wrote. Refused with a clear reason when the config has no terminal side or the
 * token cannot be read (the node is not running, or this is not the OS user that runs it).
 */
export async function terminalTargetOf(
  config: {
    readonly node: NodeRef;
    readonly bundleDir: string;
    readonly terminal: { readonly host: string; readonly port: number } | undefined;
  },
  options: { readonly operatorSession?: string | undefined } = {},
): Promise<TerminalTarget> {
  if (!config.terminal)
    throw new RegistryError(
      'invalid',
      `設定に端末側がありません / the config of ${nodeName(config.node)} has no terminal side ("terminal": {host, port})`,
      'config.no-terminal',
    );
  const path = terminalTokenPath(config.bundleDir);
  let token: string;
  try {
    token = (await readFile(path, 'utf8')).trim();
  } catch (e) {
    throw new RegistryError(
      'unavailable',
      `端末トークンを読めません / cannot read the terminal token ${path} (${errorText(e)}) — is the node running (juki node start writes it at start and removes it at stop)? Run this command as the OS user that runs the node: the file is mode 0600`,
      'terminal.token-unreadable',
    );
  }
  if (token === '')
    throw new RegistryError(
      'unavailable',
      `端末トークンが空です / the terminal token ${path} is empty — restart the node`,
      'terminal.token-unreadable',
    );
  return {
    base: `http://${config.terminal.host}:${config.terminal.port}/`,
    token,
    ...(options.operatorSession ? { operatorSession: options.operatorSession } : {}),
  };
}

/** The target of a node running in this process (tests, the demo): its bound address, its token. */
export async function runningTerminalTarget(node: {
  readonly config: { readonly node: NodeRef; readonly bundleDir: string };
  readonly terminal: { readonly host: string; readonly port: number } | undefined;
}): Promise<TerminalTarget> {
  return terminalTargetOf({ ...node.config, terminal: node.terminal });
}

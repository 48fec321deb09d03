import type { AccessLog } from '../audit/index.ts';
import type { AccessResult } from '../domain/audit/access-log.ts';
import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import type { TerminalOperation } from '../domain/operator/operations.ts';
import { LOCAL_TERMINAL, UNAUTHENTICATED } from '../domain/operator/operator.ts';
import { consolePermits, permits } from '../domain/operator/permissions.ts';
import type {
  TerminalSessionLookup,
  TerminalSessionResolver,
} from '../web-terminal/terminal-sessions.ts';
import { errorText, type Logger } from './json-log.ts';
import { ROUTE_OPERATIONS, recordAct, runRecorded } from './node-web-terminal.ts';
import {
  startTerminalServer,
  type TerminalCaller,
  type TerminalRefusal,
  type TerminalRoute,
} from './terminal-server.ts';
import { removeTerminalToken, writeTerminalToken } from './terminal-token.ts';

/**
 * Who may do what on the loopback terminal side (docs/OPERATIONS.md "The terminal side", R15):
 *
 * - with an operator's terminal session (`x-juki-operator-session`, issued by the node's web
 *   terminal): the operator's card type decides, `permits(cardType, role, operation)` exactly as
 *   on the web terminal, and the act is recorded under the operator's id. A session that is
 *   unknown, idle, expired or whose operator was revoked is 401 with that reason — never run as
 *   the console instead;
 * - without one, the console (`local-terminal`, the holder of the machine token): on a node WITH a
 *   web terminal only CONSOLE_OPERATIONS (src/domain/operator/permissions.ts), anything else 403
 *   `operator.session-required`; on a node WITHOUT one, every operation (nobody can log in there
 *   to act as an operator, so the machine administrator keeps the node's duties).
 *
 * Every act is recorded (R23) except the polls `health` and `monitor.view` that succeed.
 */
export const UNRECORDED_POLLS: readonly TerminalOperation[] = ['health', 'monitor.view'];

const SESSION_MESSAGES: Record<Exclude<TerminalSessionLookup['status'], 'ok'>, string> = {
  none: '端末コマンド用セッションが無効です / no such terminal session: issue a new one on the web terminal',
  idle: '端末コマンド用セッションは操作がなかったため終了しました / the terminal session ended after being unused too long',
  expired:
    '端末コマンド用セッションの有効期間が過ぎました / the terminal session reached its time limit',
  'operator-revoked':
    '操作者の資格が取り消されたためセッションは終了しました / the terminal session ended: the operator has been revoked',
  'credential-revoked':
    '操作者識別カードが失効したためセッションは終了しました / the terminal session ended: the card it was issued under has been revoked',
};

export function guardedLoopbackRoutes(
  self: NodeRef,
  routes: readonly TerminalRoute[],
  log: AccessLog,
  options: {
    /** The node's web terminal's terminal sessions; absent: the node has no web terminal. */
    readonly resolveSession?: TerminalSessionResolver | undefined;
    readonly now?: () => Date;
  } = {},
): TerminalRoute[] {
  const node = nodeName(self);
  const now = options.now ?? (() => new Date());
  const resolve = options.resolveSession;
  return routes.map((route) => {
    const operation = ROUTE_OPERATIONS[`${route.method} ${route.path}`];
    const run = async (body: Record<string, unknown>, caller?: TerminalCaller) => {
      const token = caller?.operatorSession;
      const act = (operator: string) => ({
        node,
        operator,
        operation: operation!,
        body,
        at: now(),
      });
      const refuse = async (operator: string, error: RegistryError): Promise<never> => {
        if (operation !== undefined) await recordAct(log, act(operator), 'refused', error.reason);
        throw error;
      };
      // `authenticated`: an operator's session, not the console; the route learns who acts.
      const runAs = (operator: string, authenticated: boolean): Promise<unknown> => {
        const acting = authenticated ? { operator } : undefined;
        return operation === undefined
          ? route.run(body, acting)
          : runRecorded(
              route,
              body,
              acting,
              (result: AccessResult, reason?: string, target?: string) =>
                UNRECORDED_POLLS.includes(operation) && result === 'ok'
                  ? Promise.resolve()
                  : recordAct(log, act(operator), result, reason, target),
            );
      };

      if (token !== undefined) {
        if (resolve === undefined)
          return refuse(
            LOCAL_TERMINAL,
            new RegistryError(
              'forbidden',
              `${node} には Web 端末がなく、操作者セッションはありません / ${node} has no web terminal, so no operator session exists here: unset JUKI_OPERATOR_SESSION`,
              'session.no-web-terminal',
            ),
          );
        const found = await resolve(token);
        if (found.status !== 'ok')
          return refuse(
            found.operatorId ?? LOCAL_TERMINAL,
            new RegistryError(
              'forbidden',
              SESSION_MESSAGES[found.status],
              `session.${found.status}`,
            ),
          );
        const op = found.operator;
        if (operation === undefined || !permits(op.cardType, self.role, operation))
          return refuse(
            op.id,
            new RegistryError(
              'forbidden',
              `この操作は許可されていません / ${op.cardType} may not ${operation ?? route.path} at ${node}`,
              'operator.not-permitted',
            ),
          );
        return runAs(op.id, true);
      }
      if (resolve !== undefined && (operation === undefined || !consolePermits(operation)))
        return refuse(
          LOCAL_TERMINAL,
          new RegistryError(
            'forbidden',
            `この操作には操作者のセッションが必要です / ${operation ?? route.path} at ${node} needs an operator session: log in on the web terminal, issue a 端末コマンド用セッション (terminal command session) and set JUKI_OPERATOR_SESSION`,
            'operator.session-required',
          ),
        );
      return runAs(LOCAL_TERMINAL, false);
    };
    return { ...route, run };
  });
}

/** Records a request refused before its route ran: no machine token, or a POST not in JSON. */
export function recordRefusal(
  self: NodeRef,
  log: AccessLog,
  refusal: TerminalRefusal,
  now: () => Date = () => new Date(),
): Promise<unknown> {
  return log.append({
    at: now().toISOString(),
    node: nodeName(self),
    operator: refusal.authenticated ? LOCAL_TERMINAL : UNAUTHENTICATED,
    operation: ROUTE_OPERATIONS[`${refusal.method} ${refusal.path}`] ?? 'terminal.request',
    target: '',
    result: 'refused',
    reason: refusal.reason,
  });
}

/**
 * Starts the loopback terminal side: writes a fresh machine token to `<bundleDir>/terminal.token`
 * (mode 0600, atomically), serves the guarded routes, and at close stops the server and removes
 * the token file.
 */
export async function startLoopbackTerminal(options: {
  readonly self: NodeRef;
  readonly host: string;
  readonly port: number;
  readonly bundleDir: string;
  readonly routes: readonly TerminalRoute[];
  readonly access: AccessLog;
  readonly log: Logger;
  readonly resolveSession?: TerminalSessionResolver | undefined;
}): Promise<{ readonly address: { host: string; port: number }; close(): Promise<void> }> {
  const { self, access, log } = options;
  const token = await writeTerminalToken(options.bundleDir);
  try {
    const { server, address } = await startTerminalServer({
      host: options.host,
      port: options.port,
      routes: guardedLoopbackRoutes(self, options.routes, access, {
        resolveSession: options.resolveSession,
      }),
      log,
      token,
      onRefused: (refusal) => recordRefusal(self, access, refusal),
    });
    return {
      address,
      close: async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await removeTerminalToken(options.bundleDir, token).catch((e: unknown) =>
          log.warn('terminal.token-not-removed', { error: errorText(e) }),
        );
      },
    };
  } catch (e) {
    await removeTerminalToken(options.bundleDir, token);
    throw e;
  }
}

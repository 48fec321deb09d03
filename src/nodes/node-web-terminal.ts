import { AccessLog, sealKeyFromBundle } from '../audit/index.ts';
import type { AccessLogSeal, AccessResult } from '../domain/audit/access-log.ts';
import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef, type NodeRole } from '../domain/network/NodeRef.ts';
import { TERMINAL_OPERATIONS, type TerminalOperation } from '../domain/operator/operations.ts';
import { permits } from '../domain/operator/permissions.ts';
import { openCredentialStore } from '../storage/open-credential-store.ts';
import { openAccessLogStore, openOperatorStore } from '../storage/open-store.ts';
import type { AccessLogStore, CredentialStore } from '../storage/ports.ts';
import type { OperatorStore } from '../storage/ports.ts';
import type { OperatorDirectory, OperatorInfo } from '../web-terminal/operator-directory.ts';
import type { TerminalSessionResolver } from '../web-terminal/terminal-sessions.ts';
import { startWebTerminal, type WebTerminalRoute } from '../web-terminal/web-terminal-server.ts';
import { loadWebTls } from '../web-terminal/web-tls.ts';
import { errorText, type Logger } from './json-log.ts';
import type { NodeConfig } from './node-config.ts';
import type { TerminalCaller, TerminalRoute } from './terminal-server.ts';

/**
 * The operation (docs/OPERATORS.md) of each route of the terminal side, by `METHOD path`. A route
 * without one is not offered on the web terminal (a test keeps this table complete).
 */
export const ROUTE_OPERATIONS: Readonly<Record<string, TerminalOperation>> = {
  'GET /health': 'health',
  'GET /alerts': 'alerts.list',
  'GET /monitor': 'monitor.view',
  'POST /retention/run': 'retention.run',
  'GET /retention': 'retention.list',
  'POST /integrity/check': 'integrity.check',
  'GET /integrity': 'integrity.list',
  'GET /rejections': 'register.rejections',
  'POST /register/operation': 'register.counter',
  'POST /register/record': 'register.counter',
  'POST /provision/query': 'provision.query',
  'POST /provision/batch': 'provision.batch',
  'POST /provision/media': 'provision.media',
  'GET /provision/media/files': 'provision.media',
  'POST /provision/media/disposal': 'provision.media',
  'POST /provision/media/outputs': 'provision.media-log',
  'POST /provision/refusals': 'provision.refusals',
  'GET /provision/register': 'provision.register',
  'GET /provision/ordinance': 'provision.register',
  'POST /provision/register': 'provision.register',
  'POST /provision/suspension': 'provision.register',
  'POST /provision/reload': 'provision.reload',
  'POST /disclosure/report': 'disclosure.report',
  'POST /disclosure/sync': 'disclosure.sync',
  'POST /reports/request': 'reports.request',
  'POST /reports/answer': 'reports.answer',
  'GET /reports': 'reports.list',
  'POST /reports/poll': 'reports.poll',
  'POST /audit/analyse': 'audit.analyse',
  'POST /audit/list': 'audit.read',
  'POST /audit/report': 'audit.read',
  'GET /operators': 'operator.list',
  'POST /operators/grant': 'operator.grant',
  'POST /operators/revoke': 'operator.revoke',
  'POST /operators/enroll': 'operator.grant',
  'POST /operators/credentials': 'operator.list',
  'POST /operators/history': 'operator.list',
  'POST /operators/credentials/revoke': 'operator.revoke',
  'POST /audit/verify': 'audit.verify',
  'POST /route/check': 'route.check',
  'POST /wide-area/copy': 'wide-area.issue',
  'GET /wide-area/suspensions': 'wide-area.suspensions',
  'POST /wide-area/release': 'wide-area.release',
  'POST /register/move-in-special': 'register.counter',
  'GET /routes': 'route.records',
  'POST /isolate': 'node.isolate',
  'POST /readmit': 'node.readmit',
};

/** On what an operation acted, for the access log: an identifier only (never a name). */
export function targetOf(body: Record<string, unknown>): string {
  const query = body.query as Record<string, unknown> | undefined;
  const form = body.form as Record<string, unknown> | undefined;
  const requester = body.requester as Record<string, unknown> | undefined;
  for (const v of [
    body.peer,
    query?.residentCode,
    body.residentCode,
    form?.residentCode,
    form?.parentCode,
    requester?.residentCode,
    body.recipientId,
    body.mediaId,
    body.id,
    body.to,
    body.card,
  ])
    if (typeof v === 'string' && /^[\x21-\x7e]{1,64}$/.test(v)) return v;
  return '';
}

/** Why, for the access log: the statutory affair of a provision, when there is one. */
const purposeOf = (body: Record<string, unknown>): string | undefined => {
  const query = body.query as Record<string, unknown> | undefined;
  const affair = body.affairId ?? query?.affairId;
  return typeof affair === 'string' ? affair.slice(0, 64) : undefined;
};

/** Appends one act to the access log (R23): who, what, on what, why, with what result. */
export function recordAct(
  log: AccessLog,
  act: {
    readonly node: string;
    readonly operator: string;
    readonly operation: TerminalOperation;
    readonly body: Record<string, unknown>;
    readonly at: Date;
  },
  result: AccessResult,
  reason?: string,
  /** On what it acted when only the answer tells (a person given a new code at the counter). */
  target?: string,
): Promise<unknown> {
  return log.append({
    at: act.at.toISOString(),
    node: act.node,
    operator: act.operator,
    operation: act.operation,
    target: target ?? targetOf(act.body),
    purpose: purposeOf(act.body),
    result,
    reason,
  });
}

/**
 * Runs a route for `caller` (the authenticated operator, or none on the console) and records its
 * outcome: ok, refused (a domain refusal, with its reason) or failed.
 */
export async function runRecorded(
  route: TerminalRoute,
  body: Record<string, unknown>,
  caller: TerminalCaller | undefined,
  record: (result: AccessResult, reason?: string, target?: string) => Promise<unknown>,
): Promise<unknown> {
  let answer: unknown;
  try {
    answer = await route.run(body, caller);
  } catch (e) {
    const refused = e instanceof RegistryError && e.code !== 'unavailable';
    await record(refused ? 'refused' : 'failed', e instanceof RegistryError ? e.reason : undefined);
    throw e;
  }
  await record('ok', undefined, route.answerTarget?.(answer));
  return answer;
}

/**
 * The routes of the terminal side as the web terminal offers them, under `/api/node/…`: each
 * checks the operator's card type against the rights table for this node's role (R15, R31) and
 * appends one access-log record — refusals included — before it answers (R23).
 */
export function guardedRoutes(
  self: NodeRef,
  routes: readonly TerminalRoute[],
  log: AccessLog,
  now: () => Date = () => new Date(),
): WebTerminalRoute[] {
  const node = nodeName(self);
  const out: WebTerminalRoute[] = [];
  for (const route of routes) {
    const operation = ROUTE_OPERATIONS[`${route.method} ${route.path}`];
    if (operation === undefined || !operationExistsOn(operation, self.role)) continue;
    out.push({
      method: route.method,
      path: `/api/node${route.path}`,
      permits: (operator) => permits(operator.cardType, self.role, operation),
      run: async ({ operator, body }) => {
        const act = { node, operator: operator.id, operation, body, at: now() };
        const record = (result: AccessResult, reason?: string, target?: string) =>
          recordAct(log, act, result, reason, target);
        if (!permits(operator.cardType, self.role, operation)) {
          await record('refused', 'operator.not-permitted');
          throw new RegistryError(
            'forbidden',
            `この操作は許可されていません / ${operator.cardType} may not ${operation} at ${node}`,
            'operator.not-permitted',
          );
        }
        return runRecorded(route, body, { operator: operator.id, web: true }, record);
      },
    });
  }
  return out;
}

const operationExistsOn = (operation: TerminalOperation, role: NodeRole): boolean =>
  (TERMINAL_OPERATIONS[operation].roles as readonly NodeRole[]).includes(role);

/** The node's operators as the web terminal sees them: only those registered at `node`. */
export function directoryOf(operators: OperatorStore, node: string): OperatorDirectory {
  return {
    async find(id): Promise<OperatorInfo | undefined> {
      const o = await operators.find(id);
      if (o === undefined || o.node !== node) return undefined;
      return { id: o.id, name: o.name, cardType: o.cardType, node: o.node, revoked: !!o.revoked };
    },
  };
}

/** Starts the node's web terminal (config `webTerminal`): login, rights, the node's access log. */
export async function startNodeWebTerminal(options: {
  readonly config: NodeConfig;
  readonly routes: readonly TerminalRoute[];
  readonly access: AccessLog;
  /** The node's operator register and WebAuthn credentials (the caller opens and closes them). */
  readonly operators: OperatorStore;
  readonly credentials: CredentialStore;
  readonly log: Logger;
}): Promise<{
  readonly address: { host: string; port: number };
  /** Terminal sessions of its operators, for the loopback terminal side (same process). */
  readonly resolveTerminalSession: TerminalSessionResolver;
  close(): Promise<void>;
}> {
  const { config, log } = options;
  const web = config.webTerminal!;
  const tls = web.tls === undefined ? undefined : await loadWebTls(web.tls, web.rpId, log);
  const { operators, credentials } = options;
  const terminal = await startWebTerminal({
    host: web.host,
    port: web.port,
    rpId: web.rpId,
    origin: web.origin,
    ...(tls === undefined ? {} : { tls }),
    operators: directoryOf(operators, nodeName(config.node)),
    credentials,
    log,
    routes: guardedRoutes(config.node, options.routes, options.access),
  });
  log.info('web-terminal.started', {
    address: `${terminal.address.host}:${terminal.address.port}`,
  });
  return {
    address: terminal.address,
    resolveTerminalSession: terminal.resolveTerminalSession,
    close: () => terminal.close(),
  };
}

/** The node's operator register and credentials, for its terminal sides. */
export async function openOperatorRegister(
  config: NodeConfig,
): Promise<{ operators: OperatorStore; credentials: CredentialStore; close(): Promise<void> }> {
  const schema = config.storeSchema === undefined ? {} : { schema: config.storeSchema };
  const operators = await openOperatorStore(config.store, schema);
  try {
    const credentials = await openCredentialStore(config.store, schema);
    return {
      operators,
      credentials,
      close: async () => {
        await Promise.all([operators.close(), credentials.close()]);
      },
    };
  } catch (e) {
    await operators.close();
    throw e;
  }
}

/** The node's access log (R23), sealed with its key; the runtime owns it. */
/** A node's access log (R23): appended to through `access`, read through `store`. */
export type NodeAccessLog = {
  readonly access: AccessLog;
  readonly store: AccessLogStore;
  close(): Promise<void>;
};

export async function openNodeAccessLog(
  config: NodeConfig,
  log: Logger,
  onSealed?: (seal: AccessLogSeal) => void,
): Promise<NodeAccessLog> {
  const store = await openAccessLogStore(
    config.store,
    config.storeSchema === undefined ? {} : { schema: config.storeSchema },
  );
  try {
    const access = new AccessLog(store, {
      key: await sealKeyFromBundle(config.bundleDir),
      ...(onSealed === undefined ? {} : { onSealed }),
    });
    return {
      access,
      store,
      close: async () => {
        await access
          .seal()
          .catch((e: unknown) => log.error('audit.seal-failed', { error: errorText(e) }));
        await store.close();
      },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}

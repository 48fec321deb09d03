import { AccessLog, sealKeyFromBundle } from '../audit/index.ts';
import type { AccessResult } from '../domain/audit/access-log.ts';
import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef, type NodeRole } from '../domain/network/NodeRef.ts';
import { TERMINAL_OPERATIONS, type TerminalOperation } from '../domain/operator/operations.ts';
import { permits } from '../domain/operator/permissions.ts';
import { openCredentialStore } from '../storage/open-credential-store.ts';
import { openAccessLogStore, openOperatorStore } from '../storage/open-store.ts';
import type { OperatorStore } from '../storage/ports.ts';
import type { OperatorDirectory, OperatorInfo } from '../web-terminal/operator-directory.ts';
import { startWebTerminal, type WebTerminalRoute } from '../web-terminal/web-terminal-server.ts';
import { errorText, type Logger } from './json-log.ts';
import type { NodeConfig } from './node-config.ts';
import type { TerminalRoute } from './terminal-server.ts';

/**
 * The operation (docs/OPERATORS.md) of each route of the terminal side, by `METHOD path`. A route
 * without one is not offered on the web terminal (a test keeps this table complete).
 */
export const ROUTE_OPERATIONS: Readonly<Record<string, TerminalOperation>> = {
  'GET /health': 'health',
  'POST /retention/run': 'retention.run',
  'POST /integrity/check': 'integrity.check',
  'GET /integrity': 'integrity.list',
  'POST /provision/query': 'provision.query',
  'POST /provision/batch': 'provision.batch',
  'POST /provision/media': 'provision.media',
  'POST /provision/reload': 'provision.reload',
  'POST /disclosure/sync': 'disclosure.sync',
  'POST /reports/request': 'reports.request',
  'POST /reports/answer': 'reports.answer',
  'GET /reports': 'reports.list',
  'POST /reports/poll': 'reports.poll',
  'POST /isolate': 'node.isolate',
  'POST /readmit': 'node.readmit',
};

/** On what an operation acted, for the access log: an identifier only (never a name). */
export function targetOf(body: Record<string, unknown>): string {
  const query = body.query as Record<string, unknown> | undefined;
  for (const v of [body.peer, query?.residentCode, body.recipientId, body.id, body.to])
    if (typeof v === 'string' && /^[\x21-\x7e]{1,64}$/.test(v)) return v;
  return '';
}

/** Why, for the access log: the statutory affair of a provision, when there is one. */
const purposeOf = (body: Record<string, unknown>): string | undefined => {
  const query = body.query as Record<string, unknown> | undefined;
  const affair = body.affairId ?? query?.affairId;
  return typeof affair === 'string' ? affair.slice(0, 64) : undefined;
};

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
      run: async ({ operator, body }) => {
        const record = (result: AccessResult, reason?: string) =>
          log.append({
            at: now().toISOString(),
            node,
            operator: operator.id,
            operation,
            target: targetOf(body),
            purpose: purposeOf(body),
            result,
            reason,
          });
        if (!permits(operator.cardType, self.role, operation)) {
          await record('refused', 'operator.not-permitted');
          throw new RegistryError(
            'forbidden',
            `この操作は許可されていません / ${operator.cardType} may not ${operation} at ${node}`,
            'operator.not-permitted',
          );
        }
        let answer: unknown;
        try {
          answer = await route.run(body);
        } catch (e) {
          const refused = e instanceof RegistryError && e.code !== 'unavailable';
          await record(
            refused ? 'refused' : 'failed',
            e instanceof RegistryError ? e.reason : undefined,
          );
          throw e;
        }
        await record('ok');
        return answer;
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

/** Starts the node's web terminal (config `webTerminal`): login, rights, access log. */
export async function startNodeWebTerminal(options: {
  readonly config: NodeConfig;
  readonly routes: readonly TerminalRoute[];
  readonly log: Logger;
}): Promise<{ readonly address: { host: string; port: number }; close(): Promise<void> }> {
  const { config, log } = options;
  const web = config.webTerminal!;
  const schema = config.storeSchema === undefined ? {} : { schema: config.storeSchema };
  const operators = await openOperatorStore(config.store, schema);
  const credentials = await openCredentialStore(config.store, schema);
  const accessStore = await openAccessLogStore(config.store, schema);
  try {
    const access = new AccessLog(accessStore, { key: await sealKeyFromBundle(config.bundleDir) });
    const terminal = await startWebTerminal({
      host: web.host,
      port: web.port,
      rpId: web.rpId,
      origin: web.origin,
      operators: directoryOf(operators, nodeName(config.node)),
      credentials,
      log,
      routes: guardedRoutes(config.node, options.routes, access),
    });
    log.info('web-terminal.started', {
      address: `${terminal.address.host}:${terminal.address.port}`,
    });
    return {
      address: terminal.address,
      close: async () => {
        await terminal.close();
        await access
          .seal()
          .catch((e: unknown) => log.error('audit.seal-failed', { error: errorText(e) }));
        await Promise.all([operators.close(), credentials.close(), accessStore.close()]);
      },
    };
  } catch (e) {
    await Promise.all([operators.close(), credentials.close(), accessStore.close()]);
    throw e;
  }
}

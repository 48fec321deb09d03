import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import type { SelfCheckSources } from '../audit/self-check.ts';
import type { TerminalSessionResolver } from '../web-terminal/terminal-sessions.ts';
import { errorText, type Logger } from './json-log.ts';
import { startLoopbackTerminal } from './loopback-guard.ts';
import { auditReportRoute, auditRoutes, auditVerify } from './node-audit-log.ts';
import type { NodeConfig } from './node-config.ts';
import { operatorRoutes } from './node-operators.ts';
import {
  openOperatorRegister,
  startNodeWebTerminal,
  type NodeAccessLog,
} from './node-web-terminal.ts';
import type { TerminalRoute } from './terminal-server.ts';

type Address = { host: string; port: number };
/** What a node closes when it stops, in reverse order of opening (node-runtime.ts). */
export type Closers = (() => Promise<void>)[];

/**
 * A node's terminal sides (R15, R23): its access log (anchored upstream through `onSealed`, read
 * and verified by the auditor through `/audit/list` and `/audit/verify`), its operator register
 * (`/operators…`), the
 * web terminal where operators log in when the config has one, and the loopback terminal side
 * guarded by the machine token and operator sessions. What they open is pushed on `closers`.
 */
export async function startTerminalSides(o: {
  readonly config: NodeConfig;
  readonly self: NodeRef;
  readonly routes: readonly TerminalRoute[];
  readonly log: Logger;
  /** The node's access log, opened by the runtime (its network side records in it too). */
  readonly accessLog: NodeAccessLog;
  readonly closers: Closers;
  /** What the self-check report (R34) counts besides the access log and operators. */
  readonly reportSources?: Pick<
    SelfCheckSources,
    'alerts' | 'provision' | 'integrityChecks' | 'erasures'
  >;
}): Promise<{ terminal: Address | undefined; webTerminal: Address | undefined }> {
  const { config, log, closers, accessLog } = o;
  const { access } = accessLog;
  const register = await openOperatorRegister(config);
  closers.push(() => register.close());
  const { operators, credentials } = register;
  const routes: TerminalRoute[] = [
    ...o.routes,
    ...auditRoutes(accessLog.store, config.bundleDir),
    ...operatorRoutes({ self: o.self, operators, credentials }),
    auditReportRoute({
      node: nodeName(o.self),
      access: accessLog.store,
      operators,
      credentials,
      ...o.reportSources,
      verify: () => auditVerify(accessLog.store, config.bundleDir),
    }),
  ];
  let webTerminal: Address | undefined;
  let resolveSession: TerminalSessionResolver | undefined;
  if (config.webTerminal) {
    const w = await startNodeWebTerminal({ config, routes, access, operators, credentials, log });
    webTerminal = w.address;
    resolveSession = w.resolveTerminalSession;
    closers.push(() => w.close());
  }
  let terminal: Address | undefined;
  if (config.terminal) {
    const t = await startLoopbackTerminal({
      ...config.terminal,
      self: o.self,
      bundleDir: config.bundleDir,
      routes,
      access,
      log,
      resolveSession,
    });
    terminal = t.address;
    closers.push(() => t.close());
  }
  return { terminal, webTerminal };
}

/**
 * Runs `task` every `minutes` (0: never) until the node closes; a failure is logged as `event`
 * and the next run comes at its time.
 */
export function everyMinutes(
  minutes: number,
  task: () => Promise<unknown>,
  o: { readonly log: Logger; readonly event: string; readonly closers: Closers },
): void {
  if (minutes <= 0) return;
  const timer = setInterval(
    () => void task().catch((e: unknown) => o.log.error(o.event, { error: errorText(e) })),
    minutes * 60_000,
  );
  timer.unref();
  o.closers.push(() => Promise.resolve(clearInterval(timer)));
}

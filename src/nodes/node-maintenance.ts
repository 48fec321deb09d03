import { randomBytes } from 'node:crypto';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import { RegistryError } from '../domain/errors.ts';
import type { IntegrityScope } from '../domain/integrity/IntegrityScope.ts';
import { nodeName } from '../domain/network/NodeRef.ts';
import { DEFAULT_RETENTION_POLICY } from '../domain/retention/retention.ts';
import { runIntegrityCheck, type IntegrityReport } from '../integrity/index.ts';
import type { Session } from '../protocol/session/session.ts';
import type {
  ErasureReport,
  ErasureRun,
  IdentityStore,
  IntegrityCheckRecord,
} from '../storage/ports.ts';
import type { Logger } from './json-log.ts';
import type { NodeConfig } from './node-config.ts';
import { everyMinutes, type Closers } from './node-terminal-sides.ts';

/** A node's upkeep of its own file: retention (R1, R33) and 本人確認情報整合 (R20). */
export type NodeMaintenance = {
  /** Retention (R1, R33): erases what is due today and records what it erased. */
  runRetention(): Promise<ErasureReport>;
  /** The recorded retention runs, newest first: counts and periods, never content (R33). */
  erasures(limit: number): Promise<ErasureRun[]>;
  /**
   * 本人確認情報整合 (R20) against the upstream node (a CS with its prefecture server, a
   * prefecture server with the national server); with `repair`, the upstream node's differing
   * records are re-sent. Both ends record the result.
   */
  runIntegrityCheck(options: { repair: boolean }): Promise<IntegrityReport>;
  /** The integrity checks this node took part in, newest first. */
  integrityChecks(limit: number): Promise<IntegrityCheckRecord[]>;
};

/**
 * Retention and the integrity check of a node, by hand (the terminal's operator actions) and on
 * the config's schedule (`schedule.retentionMinutes`, `schedule.integrityMinutes`; each failure
 * logged). A node without a store (the switch, an agency server) keeps no history: asking it is
 * refused `node.no-store`; only a CS and a prefecture server have a file to check upstream.
 */
export function startMaintenance(o: {
  readonly config: NodeConfig;
  readonly store: IdentityStore | undefined;
  /** A new session to the upstream node (node-upstream.ts), if the node has one. */
  readonly connectUpstream: (() => Promise<Session>) | undefined;
  readonly today: () => CalendarDate;
  readonly log: Logger;
  readonly closers: Closers;
}): NodeMaintenance {
  const { config, store, log } = o;
  const self = config.node;
  const selfName = nodeName(self);

  const historyStore = (): IdentityStore => {
    if (store) return store;
    throw new RegistryError('invalid', `${selfName} keeps no history`, 'node.no-store');
  };

  const runRetention = async (): Promise<ErasureReport> => {
    const report = await historyStore().eraseExpired(DEFAULT_RETENTION_POLICY, o.today());
    log.info('retention.erased', {
      historyEntries: report.erasedHistoryEntries,
      records: report.erasedRecords,
      oldest: report.oldestErased,
      newest: report.newestErased,
    });
    return report;
  };

  const integrityCheck = async ({ repair }: { repair: boolean }): Promise<IntegrityReport> => {
    const up = config.upstream;
    const connect = o.connectUpstream;
    if (!store || !up || !connect || (self.role !== 'cs' && self.role !== 'prefecture'))
      throw new RegistryError(
        'invalid',
        `${selfName} has no upstream node to check its file against (a CS and a prefecture server have)`,
        'node.no-integrity-peer',
      );
    const scope: IntegrityScope =
      self.role === 'cs'
        ? { kind: 'municipality', code: self.code }
        : { kind: 'prefecture', code: self.code };
    const checkId = `${self.role}-${self.code}-${Date.now()}-${randomBytes(4).toString('hex')}`;
    const session = await connect();
    try {
      const report = await runIntegrityCheck({
        session,
        store,
        scope,
        checkId,
        repair,
        self,
        peer: up.node,
      });
      log.info('integrity.checked', {
        checkId,
        peer: report.peer,
        matching: report.matching,
        missingAtReceiver: report.differenceCounts.missingAtReceiver,
        extraAtReceiver: report.differenceCounts.extraAtReceiver,
        differingValues: report.differenceCounts.differingValues,
        bytesSent: report.bytes.sent,
        bytesReceived: report.bytes.received,
        repaired: report.repaired !== undefined,
      });
      return report;
    } finally {
      await session.goaway().catch(() => undefined);
    }
  };

  if (store) {
    const every = { log, closers: o.closers };
    everyMinutes(config.schedule.retentionMinutes, runRetention, {
      ...every,
      event: 'retention.failed',
    });
    if (config.upstream)
      everyMinutes(config.schedule.integrityMinutes, () => integrityCheck({ repair: false }), {
        ...every,
        event: 'integrity.failed',
      });
  }

  return {
    runRetention,
    erasures: (limit) => Promise.resolve().then(() => historyStore().listErasures(limit)),
    runIntegrityCheck: integrityCheck,
    integrityChecks: async (limit) => (store ? store.listIntegrityChecks(limit) : []),
  };
}

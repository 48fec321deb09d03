import { nodeName } from '../domain/network/NodeRef.ts';
import type { NodeTlsCredentials } from '../pki/tls-profile.ts';
import type { Rejection } from '../domain/change/validate-change.ts';
import type { Session } from '../protocol/session/session.ts';
import type { AlertStore, IdentityStore, OutboxEntry } from '../storage/ports.ts';
import { connectNetwork } from '../transport/connect.ts';
import type { Logger } from './json-log.ts';
import type { NodeConfig } from './node-config.ts';
import type { Closers } from './node-terminal-sides.ts';
import { UpstreamSender } from './upstream-sender.ts';
import { UpstreamSession } from './upstream-session.ts';

/**
 * A node's two links to its upstream node (a CS's prefecture server, a prefecture server's
 * national server; an agency server's national server), both mutual TLS with the node's
 * credentials of the moment:
 * - `sender`: delivers the store's outbox of changes (R19), for a node with a store;
 * - `session`: the shared session that provision (R21), reports (R5, R6), refusals (R19) and
 *   audit anchors (R23) send their requests on; not for the switch.
 * - `connect`: a new session of one's own (the integrity check's).
 * None exists without `config.upstream`. The sender is not started here: startNode starts it once
 * the node is up.
 */
export function startUpstream(o: {
  readonly config: NodeConfig;
  readonly store: IdentityStore | undefined;
  readonly credentials: () => NodeTlsCredentials;
  readonly alerts: AlertStore;
  readonly log: Logger;
  /** The upstream node refused a change (R19): after the log line, the node records it. */
  readonly onRejected: (
    entry: OutboxEntry,
    upstream: string,
    rejection: Rejection,
  ) => Promise<void>;
  readonly closers: Closers;
}): {
  readonly sender: UpstreamSender | undefined;
  readonly session: UpstreamSession | undefined;
  /** A new session to the upstream node of its own (the integrity check's). */
  readonly connect: (() => Promise<Session>) | undefined;
} {
  const { config, log } = o;
  const up = config.upstream;
  if (!up) return { sender: undefined, session: undefined, connect: undefined };
  const self = config.node;
  const connect = () =>
    connectNetwork({
      self,
      credentials: o.credentials(),
      expectedPeer: up.node,
      host: up.host,
      port: up.port,
      alerts: o.alerts,
    });
  const upstream = nodeName(up.node);

  let sender: UpstreamSender | undefined;
  if (o.store) {
    const s = new UpstreamSender({
      store: o.store,
      upstream: up.node,
      connect,
      onRejected: async (entry, rejection) => {
        log.warn('change.rejected-upstream', {
          upstream,
          transactionId: entry.event.transactionId,
          reason: entry.event.reason,
          rule: rejection.rule,
        });
        await o.onRejected(entry, upstream, rejection);
      },
      delivery: config.delivery,
      log,
    });
    o.closers.push(() => s.stop());
    sender = s;
  }

  let session: UpstreamSession | undefined;
  if (self.role !== 'switch') {
    const s = new UpstreamSession(connect);
    o.closers.push(() => s.close());
    session = s;
  }
  return { sender, session, connect };
}

import { randomUUID } from 'node:crypto';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import type { SearchQuery } from '../domain/provision/search-rules.ts';
import type { ProvisionQuery } from '../protocol/messages/ProvisionQuery.ts';
import type { Session } from '../protocol/session/session.ts';
import { ProvisionService, type Requester } from '../provision/provision-service.ts';
import { loadPseudonymSecretFile } from '../provision/pseudonym.ts';
import { loadLocalGovernmentTable } from '../reference-data/local-governments.ts';
import { loadStatutoryAffairs } from '../reference-data/statutory-affairs.ts';
import { openProvisionStore, type OpenStoreOptions } from '../storage/open-store.ts';
import type { IdentityStore } from '../storage/ports.ts';
import type { Logger } from './json-log.ts';
import type { NodeConfig } from './node-config.ts';
import type { UpstreamSession } from './upstream-session.ts';

/** Provision at a providing node (national or prefecture server): docs/PROVISION.md. */
export type NodeProvision = {
  readonly service: ProvisionService;
  /** The national server: answers the `provision-query` of an agency or a prefecture server. */
  attach(session: Session, peer: NodeRef): void;
  close(): Promise<void>;
};

export async function startProvision(options: {
  config: NodeConfig;
  store: IdentityStore;
  storeOptions: Pick<OpenStoreOptions, 'schema'>;
  today: () => CalendarDate;
  /** A prefecture server's session to the national server (R21). */
  upstream: UpstreamSession | undefined;
  log: Logger;
}): Promise<NodeProvision> {
  const { config, log } = options;
  const self = config.node;
  const selfName = nodeName(self);
  const provisionStore = await openProvisionStore(config.store, options.storeOptions);
  const upstream = self.role === 'prefecture' ? options.upstream : undefined;
  const service = new ProvisionService({
    self,
    identities: options.store,
    provision: provisionStore,
    affairs: loadStatutoryAffairs(),
    table: loadLocalGovernmentTable(),
    pseudonyms: await loadPseudonymSecretFile(config.pseudonymSecret!),
    today: options.today,
    ...(upstream
      ? {
          forward: async (query: SearchQuery, c) => {
            const session = await upstream.get();
            const answer = await session.request({
              kind: 'provision-query',
              idempotencyKey: `${selfName}:${c.queryId}`,
              onBehalfOf: {
                recipientId: c.recipientId,
                recipientName: c.recipientName,
                legalBasis: c.legalBasis,
              },
              ...(c.searcher ? { searcher: c.searcher } : {}),
              query,
            });
            return answer.identities;
          },
        }
      : {}),
  });
  return {
    service,
    attach(session, peer) {
      if (self.role !== 'national') return;
      session.handle('provision-query', async (q: ProvisionQuery) => {
        const requester = requesterOf(peer, q);
        const result = await service.answer(q.idempotencyKey, q.query, requester);
        log.info('provision.answered', {
          recipient: requester.recipientId,
          affair: q.query.affairId,
          via: nodeName(peer),
          persons: result.identities.length,
        });
        return {
          kind: 'provision-answer',
          idempotencyKey: q.idempotencyKey,
          identities: result.identities,
        };
      });
    },
    close: () => provisionStore.close(),
  };
}

/** Who asks, as the national server sees a `provision-query` from `peer` (R13, R21). */
export function requesterOf(peer: NodeRef, q: ProvisionQuery): Requester {
  if (peer.role === 'agency') {
    if (q.onBehalfOf)
      throw new RegistryError(
        'forbidden',
        'an agency server asks for itself only (onBehalfOf is for prefecture servers, R21)',
        'provision.on-behalf-of',
      );
    return { kind: 'own', recipientId: peer.code, searcher: q.searcher };
  }
  if (peer.role === 'prefecture' && q.onBehalfOf)
    return {
      kind: 'forwarded',
      prefecture: peer,
      recipientId: q.onBehalfOf.recipientId,
      recipientName: q.onBehalfOf.recipientName,
      legalBasis: q.onBehalfOf.legalBasis,
      searcher: q.searcher,
    };
  throw new RegistryError(
    'forbidden',
    `${nodeName(peer)} may not ask for provision (a prefecture server names the recipient it asks for)`,
    'provision.requester',
  );
}

/**
 * A query typed at an operator's terminal: an agency server passes it to the national server
 * (the recipient is the agency itself); a prefecture server answers it for one of its own
 * recipients, asking the national server about non-residents (R21).
 */
export async function provisionFromTerminal(
  node: {
    self: NodeRef;
    provision: NodeProvision | undefined;
    upstream: UpstreamSession | undefined;
  },
  b: Record<string, unknown>,
): Promise<unknown> {
  const { self } = node;
  const query = b.query;
  if (typeof query !== 'object' || query === null || Array.isArray(query))
    throw new RegistryError(
      'invalid',
      'query must be an object (docs/PROVISION.md)',
      'terminal.query',
    );
  const searcher = typeof b.searcher === 'string' ? b.searcher.slice(0, 64) : undefined;
  const queryId = `${nodeName(self)}:${randomUUID()}`;
  if (self.role === 'agency' && node.upstream) {
    const session = await node.upstream.get();
    const answer = await session.request({
      kind: 'provision-query',
      idempotencyKey: queryId,
      ...(searcher ? { searcher } : {}),
      query: query as SearchQuery,
    });
    return { queryId, identities: answer.identities };
  }
  if (node.provision && self.role === 'prefecture') {
    if (typeof b.recipientId !== 'string')
      throw new RegistryError(
        'invalid',
        'recipientId is required at a prefecture server',
        'terminal.recipient',
      );
    const result = await node.provision.service.answer(queryId, query as SearchQuery, {
      kind: 'own',
      recipientId: b.recipientId,
      searcher,
    });
    return { queryId, ...result };
  }
  throw new RegistryError(
    'invalid',
    `${nodeName(self)} takes no provision queries from its terminal (an agency or a prefecture server does)`,
    'node.no-provision',
  );
}

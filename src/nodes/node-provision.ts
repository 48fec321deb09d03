import { randomUUID } from 'node:crypto';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import type { ProvidedIdentity } from '../domain/provision/answer.ts';
import { batchRowQuery } from '../domain/provision/batch-row.ts';
import type { SearchQuery } from '../domain/provision/search-rules.ts';
import { ProtocolError } from '../protocol/errors.ts';
import {
  MAX_BATCH_ROWS,
  type BatchRowAnswer,
  type BatchRowQuery,
  type ProvisionBatch,
} from '../protocol/messages/ProvisionBatch.ts';
import type { ProvisionQuery } from '../protocol/messages/ProvisionQuery.ts';
import type { Session } from '../protocol/session/session.ts';
import { ProvisionService, type Requester } from '../provision/provision-service.ts';
import { loadPseudonymSecretFile } from '../provision/pseudonym.ts';
import { loadLocalGovernmentTable } from '../reference-data/local-governments.ts';
import { loadStatutoryAffairs } from '../reference-data/statutory-affairs.ts';
import { openProvisionStore, type OpenStoreOptions } from '../storage/open-store.ts';
import type { IdentityStore, ProvisionStore } from '../storage/ports.ts';
import { actingOperator } from './acting-operator.ts';
import type { Logger } from './json-log.ts';
import type { NodeConfig } from './node-config.ts';
import type { TerminalCaller } from './terminal-server.ts';
import type { UpstreamSession } from './upstream-session.ts';
import {
  DisclosureSyncer,
  noDisclosureSync,
  serveDisclosureSync,
  type DisclosureSyncReport,
} from './node-disclosure-sync.ts';

/** Provision at a providing node (national or prefecture server): docs/PROVISION.md. */
export type NodeProvision = {
  readonly service: ProvisionService;
  /** The node's register and records (the media output record, R22). */
  readonly store: ProvisionStore;
  /** The identities it answers from (the node's store): the disclosure report's resident (R17). */
  readonly identities: IdentityStore;
  /** The national server: answers the `provision-query` of an agency or a prefecture server. */
  attach(session: Session, peer: NodeRef): void;
  /** A prefecture server: fetches the national server's disclosure records now (R17). */
  syncDisclosures(): Promise<DisclosureSyncReport>;
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
                ...(c.alreadyFound === undefined ? {} : { alreadyFound: c.alreadyFound }),
              },
              ...(c.searcher ? { searcher: c.searcher } : {}),
              query,
            });
            return answer.identities;
          },
        }
      : {}),
  });
  // R17: a prefecture server fetches the national server's records about its residents.
  const syncer =
    upstream && config.upstream
      ? new DisclosureSyncer({
          self,
          source: config.upstream.node,
          upstream,
          store: provisionStore,
          log,
        })
      : undefined;
  syncer?.start(config.schedule.disclosureSyncMinutes ?? 0);
  return {
    service,
    store: provisionStore,
    identities: options.store,
    attach(session, peer) {
      if (self.role !== 'national') return;
      session.handle('provision-batch', async (b: ProvisionBatch) => {
        if (peer.role !== 'agency')
          throw new RegistryError(
            'forbidden',
            `${nodeName(peer)} may not send 一括提供 (an agency server does, for itself)`,
            'provision.requester',
          );
        const requester = { kind: 'own', recipientId: peer.code, searcher: b.searcher } as const;
        const results = await service.answerBatch(b.idempotencyKey, b.affairId, b.rows, requester);
        log.info('provision.batch-answered', {
          recipient: requester.recipientId,
          affair: b.affairId,
          rows: results.length,
          persons: results.reduce((n, r) => n + ('identities' in r ? r.identities.length : 0), 0),
        });
        return { kind: 'provision-batch-answer', idempotencyKey: b.idempotencyKey, results };
      });
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
      serveDisclosureSync(session, { peer, store: provisionStore, log });
    },
    syncDisclosures: () => syncer?.run() ?? Promise.reject(noDisclosureSync(self)),
    close: async () => {
      await syncer?.stop();
      await provisionStore.close();
    },
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
      // The prefecture whose residents `alreadyFound` counts: the certificate's, never the body's.
      prefecture: peer,
      recipientId: q.onBehalfOf.recipientId,
      recipientName: q.onBehalfOf.recipientName,
      legalBasis: q.onBehalfOf.legalBasis,
      alreadyFound: q.onBehalfOf.alreadyFound,
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
  caller?: TerminalCaller,
): Promise<unknown> {
  const { self } = node;
  const query = b.query;
  if (typeof query !== 'object' || query === null || Array.isArray(query))
    throw new RegistryError(
      'invalid',
      'query must be an object (docs/PROVISION.md)',
      'terminal.query',
    );
  const searcher = actingOperator(b, 'searcher', caller)?.slice(0, 64);
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

/** One row of a 一括提供 file (R14) as the agency's terminal receives it. */
type BatchRowInput = Readonly<Record<string, unknown>>;

/** The row's result: 本人確認情報 of the person found, or a status with the reason. */
export type BatchRowResult =
  | { readonly ref: unknown; readonly status: 'found'; readonly identity: ProvidedIdentity }
  | { readonly ref: unknown; readonly status: 'not-found' }
  | {
      readonly ref: unknown;
      readonly status: 'refused';
      readonly code: string;
      readonly reason: string | undefined;
    };

/**
 * 一括提供 (R14) at an agency server: the rows of a terminal chunk (≤ 1000) go to the national
 * server as `provision-batch` messages of up to 256 rows, pipelined on the agency's session; each
 * row gets its own outcome, and each person provided its own disclosure record at the national
 * server (R17). Columns are the batch columns of docs/PROVISION.md (`batchRowQuery`); a row that
 * is not an object (a line of the file that is not a JSON object: `batch.malformed-line`), has
 * another column (`batch.unknown-column`), none (`batch.empty-row`) or a cell that is not a string
 * (`search.malformed`) is refused here with that reason and sent as a malformed row all the same,
 * so that the national server records the refusal (R23). A refusal of the whole chunk (no
 * agreement, suspended, affair not permitted) is every other row's status; a connection that failed
 * fails the call, which the caller resends (the idempotency keys make that safe).
 */
export async function batchFromTerminal(
  node: { self: NodeRef; upstream: UpstreamSession | undefined },
  b: Record<string, unknown>,
): Promise<{ results: BatchRowResult[] }> {
  if (node.self.role !== 'agency' || !node.upstream)
    throw new RegistryError(
      'invalid',
      'batch provision is asked at an agency server',
      'node.no-provision',
    );
  const affairId = b.affairId;
  const batchId = b.batchId;
  const rows = b.rows;
  if (
    typeof affairId !== 'string' ||
    typeof batchId !== 'string' ||
    !/^[A-Za-z0-9._:-]{1,64}$/.test(batchId)
  )
    throw new RegistryError(
      'invalid',
      'affairId and batchId (1–64 of A–Z a–z 0–9 . _ : -) are required',
      'terminal.batch',
    );
  if (!Array.isArray(rows) || rows.length > 1000)
    throw new RegistryError(
      'invalid',
      'rows must be a list of at most 1000 rows',
      'terminal.batch',
    );
  const firstLine = typeof b.firstLine === 'number' ? b.firstLine : 1;
  const results: BatchRowResult[] = [];
  // Every row is sent: one that is refused here (no JSON object, an unknown column, no
  // condition, a cell that is not a string) as a malformed row, so that the national server
  // records its refusal too (R23); its status is its own reason whatever the chunk's answer.
  const sent: { index: number; ref: unknown; row: BatchRowQuery }[] = [];
  (rows as unknown[]).forEach((row, i) => {
    const isObject = typeof row === 'object' && row !== null && !Array.isArray(row);
    const ref = (isObject ? (row as BatchRowInput).ref : undefined) ?? firstLine + i;
    const problem = (reason: string, message: string): void => {
      results[i] = { ref, status: 'refused', code: 'invalid', reason };
      sent.push({ index: i, ref, row: { malformed: { reason, message: message.slice(0, 500) } } });
    };
    if (!isObject)
      return problem(
        'batch.malformed-line',
        '行が JSON オブジェクトではありません (the line is not a JSON object)',
      );
    const fields: Record<string, string> = {};
    for (const [column, value] of Object.entries(row as BatchRowInput)) {
      if (value === null || value === undefined) continue;
      if (typeof value !== 'string' && column !== 'ref')
        return problem(
          'search.malformed',
          `${JSON.stringify(column.slice(0, 64))}: 文字列ではありません (not a string)`,
        );
      if (column !== 'ref') fields[column] = value as string;
    }
    const query = batchRowQuery(fields, affairId);
    if ('ok' in query) return problem(query.reason, query.message);
    const { affairId: _affair, ...conditions } = query;
    sent.push({ index: i, ref, row: { query: conditions as SearchQuery } });
  });
  const session = await node.upstream.get();
  const chunks: (typeof sent)[] = [];
  for (let k = 0; k < sent.length; k += MAX_BATCH_ROWS)
    chunks.push(sent.slice(k, k + MAX_BATCH_ROWS));
  await Promise.all(
    chunks.map(async (chunk) => {
      const first = firstLine + chunk[0]!.index;
      let answers: readonly BatchRowAnswer[];
      try {
        const answer = await session.request({
          kind: 'provision-batch',
          idempotencyKey: `${nodeName(node.self)}:${batchId}:${first}`,
          affairId,
          rows: chunk.map(({ row }) => row),
        });
        answers = answer.results;
      } catch (e) {
        // The chunk was refused as a whole (a domain refusal, or a message the national server's
        // schema refused): every row's status. Anything else fails the call.
        const refusal =
          e instanceof RegistryError && e.code !== 'unavailable'
            ? { code: e.code, reason: e.reason }
            : e instanceof ProtocolError && e.registryCode === 'invalid'
              ? { code: 'invalid', reason: e.reason }
              : undefined;
        if (refusal === undefined) throw e;
        for (const row of chunk)
          if (!('malformed' in row.row))
            results[row.index] = { ref: row.ref, status: 'refused', ...refusal };
        return;
      }
      chunk.forEach((row, k) => {
        if ('malformed' in row.row) return; // its status is its own reason (above)
        const a = answers[k];
        const { ref } = row;
        if (a === undefined || 'refused' in a)
          results[row.index] = {
            ref,
            status: 'refused',
            code: a?.refused.code ?? 'unavailable',
            reason: a?.refused.reason ?? 'batch.no-answer',
          };
        else if (a.identities.length === 0) results[row.index] = { ref, status: 'not-found' };
        else if (a.identities.length > 1)
          results[row.index] = {
            ref,
            status: 'refused',
            code: 'conflict',
            reason: 'batch.ambiguous',
          };
        else results[row.index] = { ref, status: 'found', identity: a.identities[0]! };
      });
    }),
  );
  return { results };
}

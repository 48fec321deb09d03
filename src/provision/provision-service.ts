import { setImmediate as nextTurn } from 'node:timers/promises';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import { RegistryError } from '../domain/errors.ts';
import type { LocalGovernmentTable } from '../domain/local-government/local-government-table.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import { providedIdentityOf, type ProvidedIdentity } from '../domain/provision/answer.ts';
import {
  authorizeProvision,
  ProvisionRegistry,
  type Authorization,
} from '../domain/provision/authorize.ts';
import { batchRowOutcome } from '../domain/provision/batch-row.ts';
import type { NewDisclosure } from '../domain/provision/disclosure.ts';
import type { IdentifierKind } from '../domain/provision/recipient.ts';
import type { Refusal } from '../domain/provision/refusal.ts';
import {
  decideMatches,
  planSearch,
  SEARCH_FETCH_LIMIT,
  type ProvisionChannel,
  type SearchQuery,
} from '../domain/provision/search-rules.ts';
import type { AffairCatalog } from '../domain/provision/statutory-affair.ts';
import type { IdentityRecord } from '../domain/resident/IdentityInfo.ts';
import type { BatchRowAnswer, BatchRowQuery } from '../protocol/messages/ProvisionBatch.ts';
import type { MalformedQuery } from '../protocol/messages/ProvisionQuery.ts';
import type { IdentityStore, ProvisionStore } from '../storage/ports.ts';
import { GroupWriter } from '../storage/group-writer.ts';
import type { PseudonymDeriver } from './pseudonym.ts';

/**
 * The disclosure record (R17) of one person provided, with the prefecture the national server
 * sends it to (the person's municipality at the time of provision).
 */
const disclosureOf = (
  r: IdentityRecord,
  d: Omit<NewDisclosure, 'residentCode' | 'prefectureCode'>,
): NewDisclosure => ({
  ...d,
  residentCode: r.residentCode,
  prefectureCode: r.localGovernmentCode.slice(0, 2),
});

/**
 * A disclosure write waits one turn of the event loop for company (GroupWriter `gatherMs: 0`):
 * the queries read in the same batch from the sessions then share one commit. Measured on the
 * provision benchmark's server (prefix queries, 300 k residents): closed loop 3,951 → 5,924
 * queries/s; a 1 ms wait was worse at high rates (p99 261 ms at 2,900/s against 19 ms).
 */
const DISCLOSURE_GATHER_MS = 0;

/**
 * 一括提供 rows searched between two turns of the event loop: ~3 ms of work at the benchmark's
 * 10 M-resident store, so an immediate query on another session waits that long, not the chunk.
 */
export const BATCH_ROWS_PER_TURN = 32;

/** Who asks: a recipient of this node's register, or one a prefecture server vouches for (R21). */
export type Requester =
  | { readonly kind: 'own'; readonly recipientId: string; readonly searcher?: string | undefined }
  | {
      /** A prefecture server asking the national server for one of its own recipients. */
      readonly kind: 'forwarded';
      readonly prefecture: NodeRef;
      readonly recipientId: string;
      readonly recipientName: string;
      readonly legalBasis: string;
      readonly searcher?: string | undefined;
      /**
       * Set: the prefecture searched its own residents first and found this many; this node
       * leaves the residents of `prefecture` out and applies the limit of 50 to both together.
       */
      readonly alreadyFound?: number | undefined;
    };

export type ProvisionServiceOptions = {
  readonly self: NodeRef;
  readonly identities: IdentityStore;
  readonly provision: ProvisionStore;
  readonly affairs: AffairCatalog;
  readonly table: LocalGovernmentTable;
  readonly pseudonyms: PseudonymDeriver;
  readonly today: () => CalendarDate;
  readonly now?: () => Date;
  /**
   * A prefecture server: asks the national server about people who are not its residents (R21).
   * Gets the query, the recipient's name and the legal basis, and `alreadyFound` (the matches
   * among its own residents: the national server leaves them out and applies the limit of 50 to
   * both together; absent for a resident-code query not found here); answers with resident codes.
   * A refusal there is a RegistryError with its code and reason.
   */
  readonly forward?: (
    query: SearchQuery,
    context: {
      queryId: string;
      recipientId: string;
      recipientName: string;
      legalBasis: string;
      searcher?: string | undefined;
      alreadyFound?: number | undefined;
    },
  ) => Promise<readonly ProvidedIdentity[]>;
  /** How long the in-memory register is trusted before it is read again (ms, default 1000). */
  readonly registryTtlMs?: number;
};

export type ProvisionResult = {
  readonly identities: readonly ProvidedIdentity[];
  /**
   * `here`: this node's own residents only; `national`: asked the national server, nobody found
   * here (R21); `both`: this prefecture's residents and others the national server provided.
   */
  readonly source: 'here' | 'national' | 'both';
};

/**
 * Immediate provision at a providing node (national server, prefecture server; R3–R5, R13, R17,
 * R21; docs/PROVISION.md). Per query:
 * 1. authorize the recipient for the affair (register, agreement, suspension: R3, R5);
 * 2. plan the search with the rules table (minimum conditions: R13, R4);
 * 3. search this node's residents; more than 50: nothing (`too-many-matches`);
 * 4. a prefecture server asks the national server for the people who are not its residents
 *    (R21) — for a resident-code query only when the code is not found here — telling it how
 *    many it found, so that the limit of 50 applies to both together;
 * 5. record one disclosure per person provided (R17) — or the refusal, which names nobody;
 * 6. answer only 本人確認情報, with the recipient's pseudonym unless its affair needs the code (R7).
 * Every refusal is recorded and thrown as a RegistryError with its stable reason.
 */
export class ProvisionService {
  readonly #o: ProvisionServiceOptions;
  #registry: { value: ProvisionRegistry; at: number } | undefined;
  /** Disclosure records of queries answered at the same time go into one transaction. */
  readonly #disclosures: GroupWriter<NewDisclosure>;

  constructor(options: ProvisionServiceOptions) {
    this.#o = options;
    this.#disclosures = new GroupWriter((items) => options.provision.recordDisclosures(items), {
      gatherMs: DISCLOSURE_GATHER_MS,
    });
  }

  /** Reads the register again at the next query (after an operator changed it). */
  invalidate(): void {
    this.#registry = undefined;
  }

  /** Whether `recipientId` may receive `affairId` today (R3, R5): a whole media output asks once. */
  async authorize(recipientId: string, affairId: string): Promise<Authorization | Refusal> {
    return authorizeProvision(await this.#loadRegistry(), {
      recipientId,
      affairId,
      on: this.#o.today(),
    });
  }

  /**
   * `input` may be a `MalformedQuery` (conditions a `provision-query` carried that failed the
   * schema): refused `invalid` with its reason and recorded, after the authorization, as
   * `planSearch` refuses malformed conditions.
   */
  async answer(
    queryId: string,
    input: SearchQuery | MalformedQuery,
    requester: Requester,
    channel: ProvisionChannel = 'immediate',
  ): Promise<ProvisionResult> {
    const o = this.#o;
    const refuse = async (r: Refusal, affairId?: string): Promise<never> => {
      await this.#recordRefusal(requester, { queryId, channel, affairId, at: this.#now() }, r);
      throw new RegistryError(r.code, r.message, r.reason);
    };
    const affairId = typeof input.affairId === 'string' ? input.affairId : undefined;

    let identifier: IdentifierKind;
    let recipientName: string;
    let legalBasis: string;
    if (requester.kind === 'own') {
      const auth: Authorization | Refusal = authorizeProvision(await this.#loadRegistry(), {
        recipientId: requester.recipientId,
        affairId: affairId ?? '',
        on: o.today(),
      });
      if (!auth.ok) return refuse(auth, affairId);
      identifier = auth.identifier;
      recipientName = auth.recipient.name;
      legalBasis = auth.legalBasis;
    } else {
      // The prefecture server authorized its own recipient against its own register (and its
      // ordinance affairs, which this node does not hold); it answers to the recipient with its
      // own identifiers, so this node gives it resident codes.
      identifier = 'resident-code';
      recipientName = requester.recipientName;
      legalBasis = requester.legalBasis;
    }

    if ('malformed' in input)
      return refuse({ ok: false, code: 'invalid', ...input.malformed }, affairId);
    const query: SearchQuery = input;
    const plan = planSearch(query, { channel, table: o.table });
    if (!('form' in plan)) return refuse(plan, affairId);
    // R21: a query a prefecture server forwards after searching its own residents: the others
    // only (left out in the store's statement, so that the fetch limit counts only them), and
    // the limit of 50 on the two together.
    const after =
      requester.kind === 'forwarded' && requester.alreadyFound !== undefined
        ? { prefecture: requester.prefecture.code, found: requester.alreadyFound }
        : undefined;
    const found = decideMatches(
      await o.identities.searchIdentities(
        after ? { ...plan, excludePrefecture: after.prefecture } : plan,
        SEARCH_FETCH_LIMIT,
      ),
      after?.found,
    );
    if (!found.ok) return refuse(found, affairId);
    if (channel === 'media') {
      // R22: a media row is matched, not searched: more than one person is `batch.ambiguous`.
      const outcome = batchRowOutcome(plan, found.records);
      if (outcome.status === 'refused') return refuse(outcome.refusal, affairId);
    }

    // A media file at a prefecture server holds its own residents (R32: its data leaves to its
    // other systems by media); the provision-query message has no media channel to forward.
    // A resident code names one person: found here, there is nobody else to ask about.
    let remote: readonly ProvidedIdentity[] | undefined;
    if (
      o.forward &&
      requester.kind === 'own' &&
      channel !== 'media' &&
      (plan.form !== 'resident-code' || found.records.length === 0)
    ) {
      const alreadyFound = plan.form === 'resident-code' ? undefined : found.records.length;
      try {
        remote = await o.forward(query, {
          queryId,
          recipientId: requester.recipientId,
          recipientName,
          legalBasis,
          searcher: requester.searcher,
          ...(alreadyFound === undefined ? {} : { alreadyFound }),
        });
      } catch (e) {
        // The national server refused (and recorded its refusal; more than 50 together, say):
        // nothing is provided here either, and no local disclosure is written.
        if (e instanceof RegistryError && e.code !== 'unavailable' && e.code !== 'rate-limited')
          return refuse(
            { ok: false, code: e.code, reason: e.reason ?? e.code, message: e.message },
            affairId,
          );
        throw e;
      }
    }

    // A person the national server provided is not provided again from this node's copy (one
    // who moved to another prefecture, not yet removed here).
    const remoteCodes = new Set(remote?.map((p) => p.identifier.value));
    const records: readonly IdentityRecord[] = found.records.filter(
      (r) => !remoteCodes.has(r.residentCode),
    );
    const at = this.#now();
    const disclosures: NewDisclosure[] = records.map((r) =>
      disclosureOf(r, {
        at,
        node: nodeName(o.self),
        recipientId: requester.recipientId,
        recipientName,
        searcher: requester.searcher,
        affairId: plan.affairId,
        legalBasis,
        queryId,
        channel,
      }),
    );
    // Recorded before the answer leaves: a provision without its disclosure record never happens.
    await this.#disclosures.add(disclosures);
    const here = records.map((r) => ({
      code: r.residentCode,
      p: this.#provided(r, identifier, requester),
    }));
    if (remote === undefined) return { identities: here.map((x) => x.p), source: 'here' };
    // The national server gives a prefecture resident codes; this node's recipient gets its own
    // identifier. Both sets in one order, by resident code.
    const there = remote.map((p) => ({
      code: p.identifier.value,
      p:
        identifier === 'resident-code' || p.identifier.kind !== 'resident-code'
          ? p
          : {
              ...p,
              identifier: {
                kind: 'pseudonym' as const,
                value: o.pseudonyms.derive(requester.recipientId, p.identifier.value),
              },
            },
    }));
    const identities = [...here, ...there]
      .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
      .map((x) => x.p);
    return {
      identities,
      source: here.length === 0 ? 'national' : there.length === 0 ? 'here' : 'both',
    };
  }

  /**
   * 一括提供 (R14): one chunk of a batch file from a recipient of this node. The recipient is
   * authorized for the affair once (a refusal refuses the chunk, recorded once); each row is
   * planned with the batch rules and must name one person (`batchRowOutcome`); a refused row gets
   * its refusal record and nothing is provided for it. The disclosures of every person provided in
   * the chunk are written in one transaction before the answer leaves (R17). Row `i`'s query id
   * is `chunkId#i`, so a chunk sent again is answered again and recorded once.
   */
  async answerBatch(
    chunkId: string,
    affairId: string,
    rows: readonly BatchRowQuery[],
    requester: Requester & { readonly kind: 'own' },
  ): Promise<BatchRowAnswer[]> {
    const o = this.#o;
    const at = this.#now();
    const node = nodeName(o.self);
    const refusal = (queryId: string, r: Refusal, affair?: string) =>
      this.#recordRefusal(requester, { queryId, channel: 'batch', affairId: affair, at }, r);
    const auth = authorizeProvision(await this.#loadRegistry(), {
      recipientId: requester.recipientId,
      affairId,
      on: o.today(),
    });
    if (!auth.ok) {
      await refusal(chunkId, auth, affairId);
      throw new RegistryError(auth.code, auth.message, auth.reason);
    }
    const disclosures: NewDisclosure[] = [];
    const answers: BatchRowAnswer[] = [];
    for (let i = 0; i < rows.length; i++) {
      // SQLite answers synchronously: without a turn of the event loop now and then, a chunk of
      // 256 rows would hold every other session's queries for its whole run (~27 ms at 10 M).
      if (i > 0 && i % BATCH_ROWS_PER_TURN === 0) await nextTurn();
      const row = rows[i]!;
      const queryId = `${chunkId}#${i}`;
      let refused: Refusal | undefined;
      if ('malformed' in row) {
        refused = { ok: false, code: 'invalid', ...row.malformed };
      } else {
        const plan = planSearch(row.query, { channel: 'batch', table: o.table });
        if (!('form' in plan)) refused = plan;
        else {
          const outcome = batchRowOutcome(
            plan,
            await o.identities.searchIdentities(plan, SEARCH_FETCH_LIMIT),
          );
          if (outcome.status === 'refused') refused = outcome.refusal;
          else {
            const records = outcome.status === 'found' ? outcome.records : [];
            for (const r of records)
              disclosures.push(
                disclosureOf(r, {
                  at,
                  node,
                  recipientId: requester.recipientId,
                  recipientName: auth.recipient.name,
                  searcher: requester.searcher,
                  affairId: plan.affairId,
                  legalBasis: auth.legalBasis,
                  queryId,
                  channel: 'batch',
                }),
              );
            answers.push({
              identities: records.map((r) => this.#provided(r, auth.identifier, requester)),
            });
            continue;
          }
        }
      }
      await refusal(queryId, refused, affairId);
      answers.push({ refused: { code: refused.code, reason: refused.reason } });
    }
    // Recorded before the answer leaves: a provision without its disclosure record never happens.
    await this.#disclosures.add(disclosures);
    return answers;
  }

  /** A refused attempt (R23): kept apart from disclosures, naming nobody. */
  #recordRefusal(
    requester: Requester,
    q: {
      readonly queryId: string;
      readonly channel: ProvisionChannel;
      readonly affairId: string | undefined;
      readonly at: string;
    },
    r: Refusal,
  ): Promise<unknown> {
    return this.#o.provision.recordRefusal({
      at: q.at,
      node: nodeName(this.#o.self),
      recipientId: requester.recipientId,
      searcher: requester.searcher,
      affairId: q.affairId,
      queryId: q.queryId,
      channel: q.channel,
      code: r.code,
      reason: r.reason,
      message: r.message,
    });
  }

  #provided(r: IdentityRecord, identifier: IdentifierKind, requester: Requester): ProvidedIdentity {
    return providedIdentityOf(
      r,
      identifier === 'resident-code'
        ? { kind: 'resident-code', value: r.residentCode }
        : {
            kind: 'pseudonym',
            value: this.#o.pseudonyms.derive(requester.recipientId, r.residentCode),
          },
    );
  }

  async #loadRegistry(): Promise<ProvisionRegistry> {
    const ttl = this.#o.registryTtlMs ?? 1000;
    const now = performance.now();
    if (this.#registry === undefined || now - this.#registry.at > ttl) {
      const snapshot = await this.#o.provision.loadRegistry();
      this.#registry = {
        value: ProvisionRegistry.of(this.#o.self, this.#o.affairs, snapshot),
        at: now,
      };
    }
    return this.#registry.value;
  }

  #now(): string {
    return (this.#o.now?.() ?? new Date()).toISOString();
  }
}

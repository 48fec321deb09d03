/**
 * What the processes of the provision benchmark share: the two nodes (the national server and
 * one agency server) and their test certificates, the one recipient the national register holds
 * (with its permitted affair and its agreement), the queries the clients send, and the JSON
 * shape of an answer (the Fastify reference's response schema).
 */
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { date } from '../src/domain/change/change-builders.ts';
import type { RecipientId } from '../src/domain/provision/recipient.ts';
import type { SearchQuery } from '../src/domain/provision/search-rules.ts';
import { MAX_BATCH_ROWS, type ProvisionBatch } from '../src/protocol/messages/ProvisionBatch.ts';
import type { ProvisionQuery } from '../src/protocol/messages/ProvisionQuery.ts';
import { createTestPki, parseNodeName, type NodeTlsCredentials } from '../src/pki/index.ts';
import { loadStatutoryAffairs } from '../src/reference-data/statutory-affairs.ts';
import { jsonLogger, type Logger } from '../src/nodes/json-log.ts';
import { todayInJapan } from '../src/nodes/japan-date.ts';
import type { NodeConfig } from '../src/nodes/node-config.ts';
import { startProvision, type NodeProvision } from '../src/nodes/node-provision.ts';
import { DEFAULT_DELIVERY } from '../src/nodes/upstream-sender.ts';
import { openIdentityStore } from '../src/storage/open-store.ts';
import type { ProvisionStore } from '../src/storage/ports.ts';
import type { BenchNode } from './protocol-network.ts';

export const PROVISION_NODES = {
  national: 'national:jlis',
  agency: 'agency:mhlw-pension',
} as const;
export type ProvisionNodeRole = keyof typeof PROVISION_NODES;
export type ProvisionPki = Record<ProvisionNodeRole, BenchNode>;

/** The recipient: the pension service, under its own pseudonyms (R7), as in the e2e test. */
export const RECIPIENT = 'mhlw-pension' as RecipientId;
/** 厚生労働省及び日本年金機構: 国民年金法等… (別表第一). */
export const AFFAIR = '別表第一:七十三の六';

export async function writeProvisionPki(path: string): Promise<void> {
  const pki = await createTestPki();
  const nodes: Partial<Record<ProvisionNodeRole, NodeTlsCredentials>> = {};
  for (const [role, name] of Object.entries(PROVISION_NODES))
    nodes[role as ProvisionNodeRole] = pki.credentials(await pki.issue(name));
  writeFileSync(path, JSON.stringify(nodes), { mode: 0o600 });
}

export function readProvisionPki(path: string): ProvisionPki {
  const creds = JSON.parse(readFileSync(path, 'utf8')) as Record<
    ProvisionNodeRole,
    NodeTlsCredentials
  >;
  const node = (role: ProvisionNodeRole): BenchNode => ({
    node: parseNodeName(PROVISION_NODES[role]),
    credentials: creds[role],
  });
  return { national: node('national'), agency: node('agency') };
}

/** The national register: one agency, its affair permitted (pseudonyms), an agreement in force. */
export async function seedRegistry(store: ProvisionStore): Promise<void> {
  const affair = loadStatutoryAffairs().byId(AFFAIR);
  if (!affair) throw new Error(`affair ${AFFAIR} is not in the catalog`);
  await store.registerRecipient({
    id: RECIPIENT,
    name: '厚生労働省及び日本年金機構',
    kind: 'national-agency',
    servedBy: parseNodeName(PROVISION_NODES.national),
    node: parseNodeName(PROVISION_NODES.agency),
  });
  await store.permitAffair(
    { recipientId: RECIPIENT, affairId: affair.id, identifier: 'pseudonym' },
    affair,
  );
  await store.addAgreement({
    id: 'agreement-mhlw-bench',
    recipientId: RECIPIENT,
    signedOn: date('2020-04-01'),
    validFrom: date('2020-04-01'),
    protectionMeasures: '安全確保措置: 照会端末の限定、操作者の認証、記録の保存',
  });
}

/**
 * The queries the clients send, chosen once from the loaded store (provision-prepare): resident
 * codes drawn at random, and name + date-of-birth prefix searches (the first character of a
 * resident's name + their whole date of birth) that match few people.
 */
export type QuerySet = {
  readonly codes: readonly string[];
  readonly prefix: readonly { readonly name: string; readonly birthDate: string }[];
};

export type QueryKind = 'code' | 'prefix';

/** The i-th query of a kind (cycling through the set). */
export function searchQuery(set: QuerySet, kind: QueryKind, i: number): SearchQuery {
  if (kind === 'code') return { affairId: AFFAIR, residentCode: set.codes[i % set.codes.length]! };
  const p = set.prefix[i % set.prefix.length]!;
  return { affairId: AFFAIR, name: p.name, nameMatch: 'prefix', birthDate: p.birthDate };
}

/** Rows per `provision-batch` message in the batch case (the protocol's maximum). */
export const BATCH_ROWS = MAX_BATCH_ROWS;

/**
 * The i-th chunk of a 一括提供 file as the agency server sends it: BATCH_ROWS resident codes from
 * the set (one person each), under a new chunk id (one disclosure per person).
 */
export function provisionBatch(set: QuerySet, i: number, chunkId: string): ProvisionBatch {
  const rows = Array.from({ length: BATCH_ROWS }, (_, k) => ({
    query: { residentCode: set.codes[(i * BATCH_ROWS + k) % set.codes.length]! } as SearchQuery,
  }));
  return {
    kind: 'provision-batch',
    idempotencyKey: chunkId,
    searcher: 'pension-operator-7',
    affairId: AFFAIR,
    rows,
  };
}

/** A query as the agency server sends it; every query id is new (one disclosure per person). */
export function provisionQuery(query: SearchQuery, queryId: string): ProvisionQuery {
  return {
    kind: 'provision-query',
    idempotencyKey: queryId,
    searcher: 'pension-operator-7',
    query,
  };
}

/** The answer as JSON (Fastify's response schema: its fast serializer, as a tuned server has). */
const IDENTITY_SCHEMA = {
  type: 'object',
  properties: {
    identifier: {
      type: 'object',
      properties: { kind: { type: 'string' }, value: { type: 'string' } },
      required: ['kind', 'value'],
    },
    name: {
      type: 'object',
      properties: { kanji: { type: 'string' }, kana: { type: 'string' } },
      required: ['kanji', 'kana'],
    },
    sex: { type: 'string' },
    birthDate: { type: 'string' },
    address: { type: 'string' },
    localGovernmentCode: { type: 'string' },
    status: { type: 'string' },
    lastChange: {
      type: 'object',
      properties: { reason: { type: 'string' }, date: { type: 'string' } },
      required: ['reason', 'date'],
    },
  },
  required: [
    'identifier',
    'name',
    'sex',
    'birthDate',
    'address',
    'localGovernmentCode',
    'status',
    'lastChange',
  ],
} as const;

export const ANSWER_SCHEMA = {
  type: 'object',
  properties: {
    kind: { type: 'string' },
    idempotencyKey: { type: 'string' },
    identities: { type: 'array', items: IDENTITY_SCHEMA },
  },
  required: ['kind', 'idempotencyKey', 'identities'],
} as const;

/**
 * The national server's provision side as `juki node start` builds it (startProvision: the
 * ProvisionService on the node's SQLite store, its pseudonym secret, the statutory affairs, the
 * node's JSON log written to a file as `juki network start` does), for the protocol server and
 * the Fastify reference alike.
 */
export async function startNationalProvision(a: {
  pki: string;
  target: string;
  secret: string;
  logFile: string;
}): Promise<{
  pki: ProvisionPki;
  provision: NodeProvision;
  /** The node's log (the Fastify reference writes the same line per answer as `attach`). */
  log: Logger;
  close(): Promise<void>;
}> {
  const pki = readProvisionPki(a.pki);
  const config: NodeConfig = {
    node: pki.national.node,
    store: `sqlite:${a.target}`,
    storeSchema: undefined,
    bundleDir: '.',
    listen: { host: '127.0.0.1', port: 0 },
    terminal: undefined,
    upstream: undefined,
    register: undefined,
    registerSchema: undefined,
    directory: new Map(),
    pseudonymSecret: a.secret,
    delivery: DEFAULT_DELIVERY,
    schedule: { integrityMinutes: 0, retentionMinutes: 0 },
    logLevel: 'info',
  };
  const stream = createWriteStream(a.logFile, { flags: 'a' });
  const log = jsonLogger({
    write: (line) => void stream.write(line),
    base: { node: PROVISION_NODES.national },
  });
  const store = await openIdentityStore(config.store, { backgroundCheckpoint: true }); // as node-runtime.ts
  const provision = await startProvision({
    config,
    store,
    storeOptions: {},
    today: () => todayInJapan(), // as node-runtime.ts gives it
    upstream: undefined,
    log,
  });
  return {
    pki,
    provision,
    log,
    close: async () => {
      await provision.close();
      await store.close();
      await new Promise<void>((resolve) => stream.end(resolve));
    },
  };
}

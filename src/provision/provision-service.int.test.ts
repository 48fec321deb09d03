import { encode } from '@msgpack/msgpack';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import { RegistryError } from '../domain/errors.ts';
import type { NodeRef } from '../domain/network/NodeRef.ts';
import type { RecipientId } from '../domain/provision/recipient.ts';
import type { SearchQuery } from '../domain/provision/search-rules.ts';
import type { IdentityInfo } from '../domain/resident/IdentityInfo.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import { requesterOf } from '../nodes/node-provision.ts';
import { InvalidMessageError } from '../protocol/errors.ts';
import { MessageCodec } from '../protocol/messages/codec.ts';
import type { ProvisionQuery } from '../protocol/messages/ProvisionQuery.ts';
import { loadLocalGovernmentTable } from '../reference-data/local-governments.ts';
import { loadStatutoryAffairs } from '../reference-data/statutory-affairs.ts';
import { loadedRecord } from '../storage/contract-fixtures.ts';
import { openIdentityStore, openProvisionStore } from '../storage/open-store.ts';
import type { IdentityStore, ProvisionStore } from '../storage/ports.ts';
import {
  BATCH_ROWS_PER_TURN,
  ProvisionService,
  type ProvisionServiceOptions,
} from './provision-service.ts';
import { PseudonymDeriver } from './pseudonym.ts';

/**
 * R21 at the service level, on real SQLite stores: a prefecture server (東京都, 13) answers its
 * own recipient from its own residents and asks the national server for everybody else; the
 * forwarded query goes through the wire schema (`provision-query`) and `requesterOf`, as between
 * two nodes. The limit of 50 (R13) is on the prefecture's and the national server's matches
 * together; a refusal at either end provides nothing and records no disclosure anywhere.
 */
const GOVERNOR_PASSPORT = '別表第五:六'; // 都道府県知事: 旅券法…
const TOKYO: NodeRef = { role: 'prefecture', code: '13' };
const NATIONAL: NodeRef = { role: 'national', code: 'jlis' };
const DOB = '1980-04-02';
const affairs = loadStatutoryAffairs();
const table = loadLocalGovernmentTable();
const codec = new MessageCodec();
const today = () => '2026-11-24' as CalendarDate;

const tokyoResident = (n: number, name: string) =>
  loadedRecord(n, { name: { kanji: name, kana: 'タスウ' }, birthDate: DOB as CalendarDate });
const kanagawaResident = (n: number, name: string, more: Partial<IdentityInfo> = {}) =>
  loadedRecord(n, {
    name: { kanji: name, kana: 'タスウ' },
    birthDate: DOB as CalendarDate,
    address: `神奈川県横浜市鶴見区鶴見中央${n}番地`,
    localGovernmentCode: '141011',
    ...more,
  });

describe('R21: a prefecture server answers for its residents and asks the national server for the others', () => {
  let national: { identities: IdentityStore; provision: ProvisionStore; service: ProvisionService };
  let tokyo: { identities: IdentityStore; provision: ProvisionStore; service: ProvisionService };
  let forwarded: ProvisionQuery[];
  const pseudonyms = new PseudonymDeriver(Buffer.alloc(32, 7));

  const node = async (
    self: NodeRef,
    forward?: ProvisionServiceOptions['forward'],
  ): Promise<typeof national> => {
    const identities = await openIdentityStore('sqlite::memory:');
    const provision = await openProvisionStore('sqlite::memory:');
    const service = new ProvisionService({
      self,
      identities,
      provision,
      affairs,
      table,
      pseudonyms,
      today,
      ...(forward ? { forward } : {}),
    });
    return { identities, provision, service };
  };

  beforeEach(async () => {
    forwarded = [];
    national = await node(NATIONAL);
    // The prefecture's `forward`, as the node wiring sends it: the message through the wire
    // schema, the requester as the national server reads it from the prefecture's certificate.
    tokyo = await node(TOKYO, async (query, c) => {
      const message = codec.decode(
        encode({
          kind: 'provision-query',
          idempotencyKey: `prefecture:13:${c.queryId}`,
          onBehalfOf: {
            recipientId: c.recipientId,
            recipientName: c.recipientName,
            legalBasis: c.legalBasis,
            ...(c.alreadyFound === undefined ? {} : { alreadyFound: c.alreadyFound }),
          },
          query,
        }),
        'request',
      ) as ProvisionQuery;
      forwarded.push(message);
      const answer = await national.service.answer(
        message.idempotencyKey,
        message.query,
        requesterOf(TOKYO, message),
      );
      return answer.identities;
    });
    await tokyo.provision.registerRecipient({
      id: 'tokyo-governor' as RecipientId,
      name: '東京都知事',
      kind: 'prefecture-body',
      servedBy: TOKYO,
    });
    await tokyo.provision.permitAffair(
      {
        recipientId: 'tokyo-governor' as RecipientId,
        affairId: affairs.byId(GOVERNOR_PASSPORT)!.id,
        identifier: 'pseudonym',
      },
      affairs.byId(GOVERNOR_PASSPORT)!,
    );
  });

  afterEach(async () => {
    for (const n of [national, tokyo]) {
      await n.identities.close();
      await n.provision.close();
    }
  });

  /** Tokyo's residents are at both servers (the national server holds everybody); the others at the national server only. */
  const load = async (
    tokyoPeople: ReturnType<typeof loadedRecord>[],
    others: ReturnType<typeof loadedRecord>[],
  ) => {
    const lines = (rs: ReturnType<typeof loadedRecord>[]) =>
      rs.map((record, i) => ({ line: i + 1, record }));
    expect((await tokyo.identities.loadBatch(lines(tokyoPeople))).refused).toEqual([]);
    expect(
      (await national.identities.loadBatch(lines([...tokyoPeople, ...others]))).refused,
    ).toEqual([]);
  };
  const ask = (queryId: string, query: Omit<SearchQuery, 'affairId'>) =>
    tokyo.service.answer(
      queryId,
      { affairId: GOVERNOR_PASSPORT, ...query },
      {
        kind: 'own',
        recipientId: 'tokyo-governor',
        searcher: 'tokyo-operator-1',
      },
    );
  const disclosed = async (store: ProvisionStore, codes: readonly ResidentCode[]) =>
    (await store.disclosuresOf(codes)).map((d) => d.residentCode).sort();

  it('R21, R17: a name + date of birth matching one resident here and one of another prefecture gives both; each disclosure is recorded where it was provided', async () => {
    const here = tokyoResident(1, '両県 花子');
    const there = kanagawaResident(2, '両県 花子');
    await load([here], [there]);

    const answer = await ask('q-both', { name: '両県 花子', birthDate: DOB });

    expect(answer.source).toBe('both');
    expect(answer.identities.map((p) => p.localGovernmentCode).sort()).toEqual([
      '131016',
      '141011',
    ]);
    // The recipient gets its pseudonyms for both, never a resident code (R7).
    expect(
      answer.identities.map((p) => p.identifier).sort((a, b) => (a.value < b.value ? -1 : 1)),
    ).toEqual(
      [
        { kind: 'pseudonym', value: pseudonyms.derive('tokyo-governor', here.residentCode) },
        { kind: 'pseudonym', value: pseudonyms.derive('tokyo-governor', there.residentCode) },
      ].sort((a, b) => (a.value < b.value ? -1 : 1)),
    );
    // Asked with the count found here; the national server left Tokyo's residents out, so Tokyo's
    // resident is disclosed at the prefecture only, the other at the national server only.
    expect(forwarded.map((m) => m.onBehalfOf?.alreadyFound)).toEqual([1]);
    const codes = [here.residentCode, there.residentCode];
    expect(await disclosed(tokyo.provision, codes)).toEqual([here.residentCode]);
    expect(await disclosed(national.provision, codes)).toEqual([there.residentCode]);
    const [atNational] = await national.provision.disclosuresOf(there.residentCode);
    expect(atNational).toMatchObject({
      node: 'national:jlis',
      recipientId: 'tokyo-governor',
      recipientName: '東京都知事',
      prefectureCode: '14',
    });
  });

  it('R21, R13: more than 50 here and at the national server together is refused too-many-matches at both; nothing is provided and no disclosure is recorded anywhere', async () => {
    const tokyoPeople = Array.from({ length: 30 }, (_, i) => tokyoResident(100 + i, `多数 ${i}`));
    const others = [
      ...Array.from({ length: 20 }, (_, i) => kanagawaResident(200 + i, `多数 ${i}`)),
      kanagawaResident(300, '多様 一'),
    ];
    await load(tokyoPeople, others);
    const codes = [...tokyoPeople, ...others].map((r) => r.residentCode);

    // 30 here + 21 elsewhere = 51: each end alone is within the limit, together they are not.
    const refused = await ask('q-many', { name: '多', nameMatch: 'prefix', birthDate: DOB }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(RegistryError);
    expect(refused).toMatchObject({ code: 'too-many-matches', reason: 'search.too-many-matches' });
    expect(forwarded.map((m) => m.onBehalfOf?.alreadyFound)).toEqual([30]);
    expect(await disclosed(tokyo.provision, codes)).toEqual([]);
    expect(await disclosed(national.provision, codes)).toEqual([]);
    for (const [store, node] of [
      [tokyo.provision, 'prefecture:13'],
      [national.provision, 'national:jlis'],
    ] as const)
      expect(await store.listRefusals({ limit: 10 })).toEqual([
        expect.objectContaining({
          node,
          recipientId: 'tokyo-governor',
          code: 'too-many-matches',
          reason: 'search.too-many-matches',
        }),
      ]);

    // 30 here + 20 elsewhere = 50: all provided (the national server counted only the others,
    // though it holds Tokyo's 30 as well).
    const fifty = await ask('q-fifty', { name: '多数', nameMatch: 'prefix', birthDate: DOB });
    expect(fifty.identities).toHaveLength(50);
    expect(fifty.source).toBe('both');
    expect((await disclosed(tokyo.provision, codes)).length).toBe(30);
    expect((await disclosed(national.provision, codes)).length).toBe(20);
  });

  it('R21: more than 50 here is refused here, without asking the national server', async () => {
    const tokyoPeople = Array.from({ length: 51 }, (_, i) => tokyoResident(100 + i, `多数 ${i}`));
    await load(tokyoPeople, []);
    await expect(
      ask('q-local-many', { name: '多', nameMatch: 'prefix', birthDate: DOB }),
    ).rejects.toMatchObject({ code: 'too-many-matches' });
    expect(forwarded).toEqual([]);
    expect(await national.provision.listRefusals({ limit: 10 })).toEqual([]);
  });

  it('R21: a resident code found here is answered here; one not found here is asked for as before, leaving nobody out', async () => {
    const here = tokyoResident(1, '住基 花子');
    const there = kanagawaResident(2, '鶴見 太郎');
    await load([here], [there]);
    const own = await ask('q-code-here', { residentCode: here.residentCode });
    expect(own.source).toBe('here');
    expect(forwarded).toEqual([]);
    const other = await ask('q-code-there', { residentCode: there.residentCode });
    expect(other.source).toBe('national');
    expect(other.identities).toHaveLength(1);
    expect(forwarded).toHaveLength(1);
    expect(forwarded[0]!.onBehalfOf).not.toHaveProperty('alreadyFound');
  });

  it('R14: a batch chunk gives the event loop a turn every BATCH_ROWS_PER_TURN rows, so other sessions are not held for the whole chunk', async () => {
    const people = Array.from({ length: 256 }, (_, i) => tokyoResident(i + 1, `一括${i}`));
    await load(people, []);
    // The real store, counting its searches (SQLite answers them synchronously).
    const store = tokyo.identities;
    const search = store.searchIdentities.bind(store);
    let searches = 0;
    store.searchIdentities = (...args) => {
      searches++;
      return search(...args);
    };
    const chunk = tokyo.service.answerBatch(
      'chunk-1',
      GOVERNOR_PASSPORT,
      people.map((p) => ({ query: { affairId: GOVERNOR_PASSPORT, residentCode: p.residentCode } })),
      { kind: 'own', recipientId: 'tokyo-governor', searcher: 'op' },
    );
    // What a socket's data would wait for: the next turn of the event loop.
    const searchedBeforeTheTurn = new Promise<number>((r) => setImmediate(() => r(searches)));
    const answers = await chunk;
    expect(await searchedBeforeTheTurn).toBe(BATCH_ROWS_PER_TURN); // not all 256 first
    expect(answers).toHaveLength(256);
    expect(answers.every((a) => 'identities' in a && a.identities.length === 1)).toBe(true);
  });

  it('R21: the wire schema takes alreadyFound 0–50 only (a prefecture with more refuses by itself)', () => {
    const decode = (alreadyFound: unknown) =>
      codec.decode(
        encode({
          kind: 'provision-query',
          idempotencyKey: 'prefecture:13:q',
          onBehalfOf: {
            recipientId: 'tokyo-governor',
            recipientName: '東京都知事',
            legalBasis: '旅券法',
            alreadyFound,
          },
          query: { affairId: GOVERNOR_PASSPORT, name: '住', nameMatch: 'prefix', birthDate: DOB },
        }),
        'request',
      ) as ProvisionQuery;
    expect(decode(50).onBehalfOf?.alreadyFound).toBe(50);
    expect(() => decode(51)).toThrow(InvalidMessageError);
    expect(() => decode(-1)).toThrow(InvalidMessageError);
    expect(() => decode('3')).toThrow(/alreadyFound/);
  });
});

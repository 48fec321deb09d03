import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { residentCodeOf } from '../domain/change/change-builders.ts';
import {
  SEARCH_FETCH_LIMIT,
  matchesPlan,
  planSearch,
  type ProvisionChannel,
  type SearchPlan,
  type SearchQuery,
} from '../domain/provision/search-rules.ts';
import { AFFAIR, populationWithQueriesArb } from '../domain/provision/search.fixtures.ts';
import type { IdentityRecord } from '../domain/resident/IdentityInfo.ts';
import { loadLocalGovernmentTable } from '../reference-data/local-governments.ts';
import {
  date,
  individualNumber,
  loadedRecord,
  moveIn,
  moveWithin,
  person,
  residentCode,
  type StoreUnderTest,
} from './contract-fixtures.ts';
import type { IdentityStore } from './ports.ts';

const table = loadLocalGovernmentTable();
const TODAY = { today: date('2024-04-01') };

const planOf = (query: SearchQuery, channel: ProvisionChannel = 'immediate'): SearchPlan => {
  const p = planSearch(query, { channel, table });
  if ('ok' in p) throw new Error(`test query refused: ${p.reason}`);
  return p;
};
const codesOf = (records: readonly IdentityRecord[]): string[] =>
  records.map((r) => r.residentCode).sort();
const q = (conditions: Partial<SearchQuery>): SearchQuery => ({ affairId: AFFAIR, ...conditions });

/**
 * R13: `searchIdentities` agrees with the domain's oracle `matchesPlan` on every write path, for
 * every form of the rules table (part of describeIdentityStoreContract).
 */
export function describeSearchContract(
  name: string,
  makeStore: () => Promise<StoreUnderTest>,
): void {
  describe(`${name}: provision search (R13)`, () => {
    let sut: StoreUnderTest;
    let store: IdentityStore;
    beforeEach(async () => {
      sut = await makeStore();
      store = sut.store;
    });
    afterEach(async () => {
      await sut.cleanup();
    });

    it('property R13: for every query the rules allow, the store returns exactly the records matchesPlan accepts', async () => {
      const loaded: IdentityRecord[] = [];
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          populationWithQueriesArb(6),
          fc.constantFrom<ProvisionChannel>('immediate', 'batch', 'media'),
          async ({ population, queries }, channel) => {
            // Each run adds its population under codes of its own; the oracle sees them all.
            const offset = ++run * 1000;
            const renumber = (r: IdentityRecord, i: number): IdentityRecord => ({
              ...r,
              residentCode: residentCode(offset + i),
              ...(r.individualNumber === undefined
                ? {}
                : { individualNumber: individualNumber(offset + i) }),
            });
            const batch = population.map(renumber);
            const report = await store.loadBatch(
              batch.map((record, i) => ({ line: i + 1, record })),
            );
            expect(report.refused).toEqual([]);
            loaded.push(...batch);
            for (const query of queries) {
              const mapped: SearchQuery = {
                ...query,
                ...(query.residentCode === undefined
                  ? {}
                  : {
                      residentCode:
                        batch[population.findIndex((r) => r.residentCode === query.residentCode)]!
                          .residentCode,
                    }),
                ...(query.individualNumber === undefined
                  ? {}
                  : {
                      individualNumber:
                        batch[
                          population.findIndex((r) => r.individualNumber === query.individualNumber)
                        ]!.individualNumber,
                    }),
              };
              const plan = planSearch(mapped, { channel, table });
              if ('ok' in plan) continue;
              const expected = codesOf(loaded.filter((r) => matchesPlan(r, plan)));
              const found = await store.searchIdentities(plan, 10_000);
              expect(codesOf(found), JSON.stringify(mapped)).toEqual(expected);
              // The records come back whole and as stored.
              for (const r of found)
                expect(r).toEqual(loaded.find((l) => l.residentCode === r.residentCode));
            }
          },
        ),
        { numRuns: 12 },
      );
    });

    it('R13: the keys follow every write: 転入 and 転居 through applyChange, a row loaded, a repair', async () => {
      const moved = person(1, { address: '東京都千代田区丸の内1丁目1番' });
      await store.applyChange(moveIn(person(1), date('2020-04-01')), TODAY);
      const byAddress = (address: string) =>
        store.searchIdentities(planOf(q({ name: person(1).name.kanji, address })), 10);
      expect(codesOf(await byAddress(person(1).address))).toEqual([residentCode(1)]);
      await store.applyChange(moveWithin(person(1), moved.address, date('2021-04-01')), TODAY);
      expect(await byAddress(person(1).address)).toEqual([]);
      expect(codesOf(await byAddress('東京都 千代田区 丸の内１丁目１番'))).toEqual([
        residentCode(1),
      ]);

      // A refused row sends the load down the planned path: the keys are written there too.
      const report = await store.loadBatch([
        { line: 1, record: loadedRecord(2, { address: '北海道札幌市中央区北一条西2丁目' }) },
        { line: 2, record: loadedRecord(1) },
      ]);
      expect(report.refused).toHaveLength(1);
      const prefix = planOf(
        q({ name: person(2).name.kanji, address: '北海道札幌市中央区北', addressMatch: 'prefix' }),
      );
      expect(codesOf(await store.searchIdentities(prefix, 10))).toEqual([residentCode(2)]);

      const nagatachoAddress = '東京都千代田区永田町1丁目7番1号';
      await store.repairIdentities('check-search-1', {
        scope: { kind: 'municipality', code: '131016' },
        upsert: [2, 3].map((n) => ({
          ...person(n, { address: nagatachoAddress }),
          lastChange: { reason: 'move-in' as const, date: date('2015-04-01') },
        })),
        notResident: [],
      });
      // The repaired row (2) and the inserted row (3) are found by their new address.
      const nagatacho = planOf(q({ name: person(2).name.kanji, address: nagatachoAddress }));
      expect(codesOf(await store.searchIdentities(nagatacho, 10))).toEqual([residentCode(2)]);
      const three = planOf(q({ name: person(3).name.kanji, address: nagatachoAddress }));
      expect(codesOf(await store.searchIdentities(three, 10))).toEqual([residentCode(3)]);
      expect(await store.searchIdentities(prefix, 10)).toEqual([]);
    });

    it('R13: a prefix continuing with a character beyond U+FFFF (𠮷, 𩸽) is found: the range bound is not prefix + U+FFFF', async () => {
      await store.loadBatch([
        {
          line: 1,
          record: loadedRecord(10, { name: { kanji: '山𠮷 太郎', kana: 'ヤマヨシ タロウ' } }),
        },
        {
          line: 2,
          record: loadedRecord(11, { name: { kanji: '山\uFFEE 太郎', kana: 'ヤマ タロウ' } }),
        },
        {
          line: 3,
          record: loadedRecord(12, { name: { kanji: '山田 𩸽', kana: 'ヤマダ ホッケ' } }),
        },
        { line: 4, record: loadedRecord(13, { name: { kanji: '岳 太郎', kana: 'ガク タロウ' } }) },
      ]);
      const plan = planOf(q({ name: '山', nameMatch: 'prefix', birthDate: '1980-04-02' }));
      expect(codesOf(await store.searchIdentities(plan, 10))).toEqual(
        [residentCode(10), residentCode(11), residentCode(12)].sort(),
      );
    });

    it('R13: removed records are found by resident code, and by a search only when the plan includes them', async () => {
      await store.loadBatch([
        {
          line: 1,
          record: {
            ...loadedRecord(20),
            status: 'removed',
            lastChange: { reason: 'death', date: date('2023-01-01') },
          },
        },
        { line: 2, record: loadedRecord(21, { name: loadedRecord(20).name }) },
      ]);
      const name = loadedRecord(20).name.kanji;
      expect(
        codesOf(await store.searchIdentities(planOf(q({ residentCode: residentCode(20) })), 10)),
      ).toEqual([residentCode(20)]);
      expect(
        codesOf(await store.searchIdentities(planOf(q({ name, birthDate: '1980-04-02' })), 10)),
      ).toEqual([residentCode(21)]);
      expect(
        codesOf(
          await store.searchIdentities(
            planOf(q({ name, birthDate: '1980-04-02', includeRemoved: true })),
            10,
          ),
        ),
      ).toEqual([residentCode(20), residentCode(21)].sort());
    });

    it('R13: at most `limit` records come back (the caller asks for 51 to tell more than 50)', async () => {
      await store.loadBatch(
        Array.from({ length: 60 }, (_, i) => ({
          line: i + 1,
          record: loadedRecord(100 + i, { name: { kanji: `佐藤 ${i}`, kana: 'サトウ' } }),
        })),
      );
      const plan = planOf(q({ name: '佐', nameMatch: 'prefix', birthDate: '1980-04-02' }));
      expect(await store.searchIdentities(plan, SEARCH_FETCH_LIMIT)).toHaveLength(
        SEARCH_FETCH_LIMIT,
      );
      expect(await store.searchIdentities(plan, 1000)).toHaveLength(60);
      expect(residentCodeOf('100')).toBe(residentCode(100));
    });

    it('R21: a plan that leaves one prefecture out returns the others only, and `limit` counts only them', async () => {
      const kanagawa = (n: number) =>
        loadedRecord(n, {
          name: { kanji: `佐藤 ${n}`, kana: 'サトウ' },
          address: `神奈川県横浜市鶴見区鶴見中央${n}番地`,
          localGovernmentCode: '141011',
        });
      const loaded = [
        ...Array.from({ length: 60 }, (_, i) =>
          loadedRecord(100 + i, { name: { kanji: `佐藤 ${i}`, kana: 'サトウ' } }),
        ),
        kanagawa(200),
        kanagawa(201),
      ];
      await store.loadBatch(loaded.map((record, i) => ({ line: i + 1, record })));
      const plan: SearchPlan = {
        ...planOf(q({ name: '佐', nameMatch: 'prefix', birthDate: '1980-04-02' })),
        excludePrefecture: '13',
      };
      // 60 of 東京都 match first in any order the store likes; LIMIT 51 must still reach the two.
      const found = await store.searchIdentities(plan, SEARCH_FETCH_LIMIT);
      expect(codesOf(found)).toEqual([residentCode(200), residentCode(201)]);
      expect(codesOf(found)).toEqual(codesOf(loaded.filter((r) => matchesPlan(r, plan))));
      // Without the exclusion the same query is more than 50.
      expect(
        await store.searchIdentities({ ...plan, excludePrefecture: undefined }, SEARCH_FETCH_LIMIT),
      ).toHaveLength(SEARCH_FETCH_LIMIT);
    });
  });
}

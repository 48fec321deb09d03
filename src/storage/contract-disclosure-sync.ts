import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewDisclosure } from '../domain/provision/disclosure.ts';
import { residentCode } from './contract-fixtures.ts';
import type { ProvisionStore } from './ports.ts';

const NATIONAL = 'national:jlis';

const record = (n: number, over: Partial<NewDisclosure> = {}): NewDisclosure => ({
  at: `2026-11-24T0${n % 10}:00:00.${String(n % 1000).padStart(3, '0')}Z`,
  node: NATIONAL,
  recipientId: 'mhlw-pension',
  recipientName: '厚生労働省及び日本年金機構',
  searcher: 'nenkin-operator-1',
  affairId: '別表第一:七十七',
  legalBasis: '住民基本台帳法第三十条の九・別表第一の七十七の項',
  queryId: `q-${n}`,
  residentCode: residentCode(n),
  channel: 'immediate',
  prefectureCode: '13',
  ...over,
});

/** What a driver hands the contract: a fresh store, and the same store opened again. */
export type SyncStoreUnderTest = {
  readonly store: ProvisionStore;
  /** Closes `store` and opens the same database again (a node restarting). */
  reopen(): Promise<ProvisionStore>;
  cleanup(): Promise<void>;
};

/**
 * The distribution of disclosure records (R17) every ProvisionStore passes: the national server's
 * pages of one prefecture's records, a prefecture server's copies and its cursor.
 */
export function describeDisclosureSyncContract(
  name: string,
  open: () => Promise<SyncStoreUnderTest>,
): void {
  describe(`${name}: disclosure distribution (R17)`, () => {
    let t: SyncStoreUnderTest;
    let store: ProvisionStore;
    beforeEach(async () => {
      t = await open();
      store = t.store;
    });
    afterEach(async () => {
      await t.cleanup();
    });

    it('R17: the national server pages one prefecture’s records in id order after a cursor; records without a prefecture go to none', async () => {
      await store.recordDisclosures([
        record(1),
        record(2, { prefectureCode: '27' }),
        record(3),
        record(4, { prefectureCode: undefined }), // written before schema version 8
        record(5),
        record(6),
      ]);
      const all = await store.disclosuresForPrefecture('13', 0, 100);
      expect(all.map((d) => d.queryId)).toEqual(['q-1', 'q-3', 'q-5', 'q-6']);
      expect(all.every((d) => d.prefectureCode === '13')).toBe(true);
      const ids = all.map((d) => d.id);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      expect(all[0]).toEqual({ ...record(1), id: all[0]!.id });

      const page = await store.disclosuresForPrefecture('13', all[0]!.id, 2);
      expect(page.map((d) => d.queryId)).toEqual(['q-3', 'q-5']);
      expect(await store.disclosuresForPrefecture('13', all[3]!.id, 10)).toEqual([]);
      expect((await store.disclosuresForPrefecture('27', 0, 10)).map((d) => d.queryId)).toEqual([
        'q-2',
      ]);
      expect(await store.disclosuresForPrefecture('01', 0, 10)).toEqual([]);
      // The record without a prefecture is still the resident's own.
      const old = await store.disclosuresOf(residentCode(4));
      expect(old).toHaveLength(1);
      expect(old[0]!.prefectureCode).toBeUndefined();
    });

    it('R17: a prefecture keeps the national server’s copies with its name and time, next to its own; a page stored twice adds nothing; the cursor survives a restart', async () => {
      const own = record(7, { node: 'prefecture:13', queryId: 'q-7' });
      await store.recordDisclosure(own);
      const copies = [record(7), record(8, { channel: 'batch', searcher: undefined })];
      expect(await store.disclosureSyncCursor(NATIONAL)).toBe(0);
      expect(await store.recordSyncedDisclosures(NATIONAL, copies, 41)).toBe(2);
      expect(await store.disclosureSyncCursor(NATIONAL)).toBe(41);
      expect(await store.recordSyncedDisclosures(NATIONAL, copies, 41)).toBe(0);
      // Same query id and person as the prefecture's own record, another node: both are kept.
      const seven = await store.disclosuresOf(residentCode(7));
      expect(seven.map((d) => d.node).sort()).toEqual([NATIONAL, 'prefecture:13']);
      const copy = seven.find((d) => d.node === NATIONAL)!;
      expect(copy).toEqual({ ...record(7), id: copy.id });
      const eight = await store.disclosuresOf(residentCode(8));
      expect(eight[0]).toEqual({ ...copies[1], id: eight[0]!.id });

      // Never backwards (a stale page stored late), per source.
      expect(await store.recordSyncedDisclosures(NATIONAL, [], 12)).toBe(0);
      expect(await store.disclosureSyncCursor(NATIONAL)).toBe(41);
      expect(await store.disclosureSyncCursor('national:other')).toBe(0);

      store = await t.reopen();
      expect(await store.disclosureSyncCursor(NATIONAL)).toBe(41);
      expect(await store.disclosuresOf(residentCode(8))).toHaveLength(1);
    });

    it('R17: a copy naming another node, or a malformed one, is refused, and nothing of its page is stored nor the cursor moved', async () => {
      await expect(
        store.recordSyncedDisclosures(
          NATIONAL,
          [record(1), record(2, { node: 'prefecture:27' })],
          9,
        ),
      ).rejects.toMatchObject({ code: 'invalid', reason: 'disclosure.sync-source' });
      await expect(
        store.recordSyncedDisclosures(NATIONAL, [record(1, { prefectureCode: '48' })], 9),
      ).rejects.toMatchObject({ code: 'invalid', reason: 'disclosure.prefecture' });
      await expect(
        store.recordSyncedDisclosures(NATIONAL, [record(1, { at: '2026-11-24' })], 9),
      ).rejects.toMatchObject({ code: 'invalid', reason: 'disclosure.at' });
      await expect(store.recordSyncedDisclosures(NATIONAL, [], -1)).rejects.toMatchObject({
        code: 'invalid',
        reason: 'disclosure.page',
      });
      expect(await store.disclosuresOf([residentCode(1), residentCode(2)])).toEqual([]);
      expect(await store.disclosureSyncCursor(NATIONAL)).toBe(0);
    });

    it('R17: a page asked for with a bad prefecture, cursor or size is refused', async () => {
      await expect(store.disclosuresForPrefecture('13; --', 0, 10)).rejects.toMatchObject({
        code: 'invalid',
        reason: 'disclosure.prefecture',
      });
      await expect(store.disclosuresForPrefecture('13', -1, 10)).rejects.toMatchObject({
        reason: 'disclosure.page',
      });
      await expect(store.disclosuresForPrefecture('13', 0, 0)).rejects.toMatchObject({
        reason: 'disclosure.page',
      });
      await expect(
        store.recordDisclosure(record(1, { prefectureCode: '1' })),
      ).rejects.toMatchObject({ code: 'invalid', reason: 'disclosure.prefecture' });
    });

    it('R17: a reader paging by id while writers write at once never skips a record', async () => {
      const writers = 12;
      const each = 25;
      const seen = new Set<string>();
      let cursor = 0;
      const readPage = async () => {
        const page = await store.disclosuresForPrefecture('13', cursor, 50);
        for (const d of page) seen.add(d.queryId);
        if (page.length > 0) cursor = page.at(-1)!.id;
        return page.length;
      };
      let writing = true;
      const reader = (async () => {
        while (writing) await readPage();
      })();
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          for (let i = 0; i < each; i++)
            await store.recordDisclosures([record(1000 + w * each + i, { queryId: `w${w}-${i}` })]);
        }),
      );
      writing = false;
      await reader;
      while ((await readPage()) > 0);
      expect(seen.size).toBe(writers * each);
    });
  });
}

/** A SyncStoreUnderTest from a function that opens the same database each time it is called. */
export async function reopenable(
  openSame: () => Promise<ProvisionStore>,
): Promise<SyncStoreUnderTest> {
  let current = await openSame();
  return {
    store: current,
    async reopen() {
      await current.close();
      current = await openSame();
      return current;
    },
    cleanup: () => current.close(),
  };
}

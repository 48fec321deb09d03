import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import { createTestDatabaseOrSkip, storeSelected } from './postgres/test-database.ts';
import {
  openRejectionStore,
  type NewForwardedRejection,
  type RejectionStore,
} from './rejection-store.ts';

const refusal = (tx: string, municipality: string): NewForwardedRejection => ({
  transactionId: tx,
  municipality,
  residentCode: '24727059608' as ResidentCode,
  reason: 'move-in',
  changeDate: '2024-06-01' as CalendarDate,
  rejectedBy: 'national:jlis',
  rejection: { rule: 'removed.not-allowed', message: '消除された住民に転入はできません' },
  at: '2026-11-24T01:02:03.456Z',
});

function describeRejectionStore(name: string, open: () => Promise<RejectionStore>): void {
  describe(name, () => {
    it('R19: keeps a refusal once per transaction id and pages one municipality’s in id order', async () => {
      const store = await open();
      try {
        expect(await store.recordForwardedRejection(refusal('a', '141011'))).toBe(true);
        expect(await store.recordForwardedRejection(refusal('b', '141020'))).toBe(true);
        expect(await store.recordForwardedRejection(refusal('c', '141011'))).toBe(true);
        expect(await store.recordForwardedRejection(refusal('a', '141011'))).toBe(false);
        const mine = await store.forwardedRejections('141011', 0, 10);
        expect(mine.map((r) => r.transactionId)).toEqual(['a', 'c']);
        expect(mine[0]).toEqual({ id: mine[0]!.id, ...refusal('a', '141011') });
        expect(await store.forwardedRejections('141011', mine[0]!.id, 10)).toEqual([mine[1]]);
        expect(await store.forwardedRejections('141011', 0, 1)).toEqual([mine[0]]);
        expect(await store.forwardedRejections('131016', 0, 10)).toEqual([]);
        expect((await store.listForwardedRejections(10)).map((r) => r.transactionId)).toEqual([
          'c',
          'b',
          'a',
        ]);
      } finally {
        await store.close();
      }
    });

    it('R19: a CS’s cursor starts at 0 and never moves back', async () => {
      const store = await open();
      try {
        expect(await store.rejectionCursor('prefecture:13')).toBe(0);
        await store.setRejectionCursor('prefecture:13', 7);
        await store.setRejectionCursor('prefecture:13', 3);
        expect(await store.rejectionCursor('prefecture:13')).toBe(7);
      } finally {
        await store.close();
      }
    });
  });
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!storeSelected('sqlite'))('SQLite', () => {
  describeRejectionStore('SqliteRejectionStore', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jukinet-rejections-'));
    dirs.push(dir);
    return openRejectionStore(`sqlite:${join(dir, 'node.sqlite')}`);
  });
});

const database = storeSelected('postgres')
  ? await createTestDatabaseOrSkip('jukinet_rejections')
  : undefined;
afterAll(async () => database?.drop());
let schemas = 0;
describe.skipIf(database === undefined)('PostgreSQL', () => {
  describeRejectionStore('PostgresRejectionStore', () =>
    openRejectionStore(database!.url, { schema: `rejections${++schemas}` }),
  );
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessLog } from '../audit/index.ts';
import { openAccessLogStore } from '../storage/open-store.ts';
import type { AccessLogStore } from '../storage/ports.ts';
import { auditList, AUDIT_LIST_MAX } from './node-audit-log.ts';

/*
 * `POST /audit/list` on a real access-log store (SQLite): newest first, one operator's records,
 * page by page back with `beforeSeq` and `more`; at most AUDIT_LIST_MAX a call. Refused, each
 * with its reason: a limit or cursor that is not a positive integer, an operator id with spaces.
 */
describe('auditList', () => {
  let store: AccessLogStore;
  beforeEach(async () => {
    store = await openAccessLogStore('sqlite::memory:');
    const log = new AccessLog(store);
    for (let i = 1; i <= 5; i++)
      await log.append({
        at: `2026-11-25T00:00:0${i}.000Z`,
        node: 'cs:131016',
        operator: i % 2 === 0 ? 'clerk-2' : 'clerk-1',
        operation: 'register.counter',
        target: '',
        result: 'ok',
      });
  });
  afterEach(() => store.close());

  it('pages back through one operator’s records, newest first', async () => {
    const first = await auditList(store, { operator: 'clerk-1', limit: 2 });
    expect(first.records.map((r) => r.seq)).toEqual([5, 3]);
    expect(first.more).toBe(true);
    const next = await auditList(store, { operator: 'clerk-1', limit: 2, beforeSeq: 3 });
    expect(next.records.map((r) => r.seq)).toEqual([1]);
    expect(next.more).toBe(false);
    expect((await auditList(store, {})).records.map((r) => r.seq)).toEqual([5, 4, 3, 2, 1]);
  });

  it('answers at most AUDIT_LIST_MAX records a call, whatever the limit asked', async () => {
    const entry = { at: '2026-11-25T00:01:00.000Z', node: 'cs:131016', operator: 'clerk-3' };
    await new AccessLog(store).append(
      Array.from({ length: AUDIT_LIST_MAX }, () => ({
        ...entry,
        operation: 'register.counter',
        target: '',
        result: 'ok' as const,
      })),
    );
    const answer = await auditList(store, { limit: 10_000 });
    expect(answer.records).toHaveLength(AUDIT_LIST_MAX);
    expect(answer.more).toBe(true);
  });

  it('refuses a bad limit, cursor or operator id with its reason', async () => {
    for (const [body, reason] of [
      [{ limit: 0 }, 'audit.limit'],
      [{ limit: '10' }, 'audit.limit'],
      [{ beforeSeq: -1 }, 'audit.before-seq'],
      [{ operator: 'clerk 1' }, 'audit.operator'],
    ] as const)
      await expect(auditList(store, body), reason).rejects.toMatchObject({ reason });
  });
});

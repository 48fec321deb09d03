import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ReportAnswer, ReportRequest } from '../domain/report/report.ts';
import type { ReportStore } from './ports.ts';

const T = (n: number) => `2026-11-24T0${n}:00:00.000Z`;
const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const contractRequest = (n: number, over: Partial<ReportRequest> = {}): ReportRequest => ({
  id: uuid(n),
  origin: 'cs:131016',
  target: 'agency:mhlw-pension',
  subject: `保護措置の実施状況 ${n}`,
  body: '協定書に定める保護措置の実施状況を報告してください。\n期限: 2026年12月1日',
  operator: '千代田区 住民課 住基 一郎',
  requestedAt: T(1),
  ...over,
});

const answerTo = (r: ReportRequest, over: Partial<ReportAnswer> = {}): ReportAnswer => ({
  requestId: r.id,
  answeredBy: r.target,
  body: '別紙のとおり報告します。',
  operator: '日本年金機構 情報管理課',
  answeredAt: T(5),
  ...over,
});

const kinds = async (store: ReportStore, id: string) =>
  (await store.report(id))!.events.map((e) => [e.kind, e.peer ?? null]);

/**
 * The contract every ReportStore passes (SQLite and PostgreSQL): 報告要求 records (R5, R6),
 * append-only events, idempotency by the request id, the per-peer queue (docs/REPORTS.md).
 */
export function describeReportStoreContract(
  name: string,
  open: () => Promise<{ store: ReportStore; cleanup: () => Promise<void> }>,
): void {
  describe(`ReportStore contract: ${name}`, () => {
    let store: ReportStore;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await open());
    });
    afterEach(async () => {
      await cleanup();
    });

    it('R6: a request made here is recorded and queued up; it is forwarded when acknowledged', async () => {
      const r = contractRequest(1);
      const up = { peer: 'prefecture:13', via: 'push' } as const;
      expect(await store.recordRequest(r, { at: T(1), via: 'origin', from: undefined }, up)).toBe(
        'recorded',
      );
      const queued = await store.queued('prefecture:13', 'push', 10);
      expect(queued).toEqual([
        { peer: 'prefecture:13', via: 'push', queuedAt: T(1), item: 'request', request: r },
      ]);
      expect(await store.queued('prefecture:13', 'poll', 10)).toEqual([]);
      expect(await kinds(store, r.id)).toEqual([['requested', null]]);
      const key = { item: 'request', requestId: r.id } as const;
      expect(await store.dequeue('prefecture:13', [key], T(2), { outcome: 'done' })).toBe(1);
      expect(await store.dequeue('prefecture:13', [key], T(3), { outcome: 'done' })).toBe(0);
      expect(await store.queued('prefecture:13', 'push', 10)).toEqual([]);
      const record = (await store.report(r.id))!;
      expect(record).toMatchObject({ request: r, arrivedVia: 'origin', answer: undefined });
      expect(record.events).toEqual([
        { kind: 'requested', at: T(1), peer: undefined, operator: r.operator, detail: undefined },
        {
          kind: 'forwarded',
          at: T(2),
          peer: 'prefecture:13',
          operator: r.operator,
          detail: undefined,
        },
      ]);
    });

    it('R6: a repeated request changes nothing; the same id with other content is refused', async () => {
      const r = contractRequest(2);
      const arrival = { at: T(1), via: 'request', from: 'cs:131016' } as const;
      const next = { peer: 'national:jlis', via: 'push' } as const;
      expect(await store.recordRequest(r, arrival, next)).toBe('recorded');
      expect(await store.recordRequest(r, { ...arrival, at: T(4) }, next)).toBe('duplicate');
      expect(await kinds(store, r.id)).toEqual([['received', 'cs:131016']]);
      expect(await store.queued('national:jlis', 'push', 10)).toHaveLength(1);
      await expect(
        store.recordRequest({ ...r, body: '別の本文' }, arrival, next),
      ).rejects.toMatchObject({ code: 'conflict', reason: 'report.id-reused' });
    });

    it('R5: a request for an agency waits in its mailbox (forwarded) until fetched (delivered)', async () => {
      const r = contractRequest(3);
      const box = { peer: 'agency:mhlw-pension', via: 'poll' } as const;
      await store.recordRequest(r, { at: T(1), via: 'request', from: 'prefecture:13' }, box);
      expect(await store.queued('agency:mofa-passport', 'poll', 10)).toEqual([]);
      expect((await store.queued('agency:mhlw-pension', 'poll', 10)).map((q) => q.item)).toEqual([
        'request',
      ]);
      const key = { item: 'request', requestId: r.id } as const;
      // another node's acknowledgement takes nothing out of this mailbox
      expect(await store.dequeue('agency:mofa-passport', [key], T(2), { outcome: 'done' })).toBe(0);
      expect(await store.dequeue('agency:mhlw-pension', [key], T(3), { outcome: 'done' })).toBe(1);
      expect(await kinds(store, r.id)).toEqual([
        ['received', 'prefecture:13'],
        ['forwarded', 'agency:mhlw-pension'],
        ['delivered', 'agency:mhlw-pension'],
      ]);
    });

    it('R5, R6: the answer is recorded once and goes back by the mailbox of the node the request came from', async () => {
      const r = contractRequest(4);
      await store.recordRequest(
        r,
        { at: T(1), via: 'request', from: 'prefecture:13' },
        {
          peer: 'agency:mhlw-pension',
          via: 'poll',
        },
      );
      const a = answerTo(r);
      const back = { peer: 'prefecture:13', via: 'poll' } as const;
      expect(await store.recordAnswer(a, { at: T(5), from: 'agency:mhlw-pension' }, back)).toBe(
        'recorded',
      );
      expect(await store.recordAnswer(a, { at: T(6), from: 'agency:mhlw-pension' }, back)).toBe(
        'duplicate',
      );
      await expect(
        store.recordAnswer({ ...a, body: '別の回答' }, { at: T(6), from: undefined }, back),
      ).rejects.toMatchObject({ code: 'conflict', reason: 'report.answer-differs' });
      const mail = await store.queued('prefecture:13', 'poll', 10);
      expect(mail).toEqual([
        {
          peer: 'prefecture:13',
          via: 'poll',
          queuedAt: T(5),
          item: 'answer',
          request: r,
          answer: a,
        },
      ]);
      const key = { item: 'answer', requestId: r.id } as const;
      expect(await store.dequeue('prefecture:13', [key], T(7), { outcome: 'done' })).toBe(1);
      const record = (await store.report(r.id))!;
      expect(record.answer).toEqual(a);
      expect(record.events.map((e) => [e.kind, e.peer ?? null, e.operator])).toEqual([
        ['received', 'prefecture:13', r.operator],
        ['forwarded', 'agency:mhlw-pension', r.operator],
        ['answer-received', 'agency:mhlw-pension', a.operator],
        ['answer-forwarded', 'prefecture:13', a.operator],
        ['answer-delivered', 'prefecture:13', a.operator],
      ]);
    });

    it('R5: an answer made here is `answered`; an answer to an unknown request is refused', async () => {
      const r = contractRequest(5, { origin: 'national:jlis' });
      await store.recordRequest(r, { at: T(1), via: 'mail', from: 'national:jlis' }, undefined);
      const up = { peer: 'national:jlis', via: 'push' } as const;
      await store.recordAnswer(answerTo(r), { at: T(5), from: undefined }, up);
      expect(await kinds(store, r.id)).toEqual([
        ['received', 'national:jlis'],
        ['answered', null],
      ]);
      expect(await store.queued('national:jlis', 'push', 10)).toHaveLength(1);
      await expect(
        store.recordAnswer(answerTo(contractRequest(99)), { at: T(5), from: undefined }, up),
      ).rejects.toMatchObject({ code: 'not-found', reason: 'report.unknown-request' });
    });

    it('a push the next node refuses leaves the queue, recorded with its reason', async () => {
      const r = contractRequest(6);
      await store.recordRequest(
        r,
        { at: T(1), via: 'origin', from: undefined },
        {
          peer: 'prefecture:13',
          via: 'push',
        },
      );
      const detail = 'forbidden report.target-out-of-scope: 報告を求められません';
      const key = { item: 'request', requestId: r.id } as const;
      expect(
        await store.dequeue('prefecture:13', [key], T(2), { outcome: 'refused', detail }),
      ).toBe(1);
      expect(await store.queued('prefecture:13', 'push', 10)).toEqual([]);
      const refused = (await store.report(r.id))!.events[1]!;
      expect(refused).toMatchObject({ kind: 'refused', peer: 'prefecture:13', detail });
    });

    it('lists newest first, honours the limit, and refuses a malformed request', async () => {
      for (const n of [7, 8, 9])
        await store.recordRequest(
          contractRequest(n),
          { at: T(n), via: 'origin', from: undefined },
          undefined,
        );
      expect((await store.listReports(2)).map((x) => x.request.id)).toEqual([uuid(9), uuid(8)]);
      expect(await store.report(uuid(10))).toBeUndefined();
      await expect(
        store.recordRequest(
          contractRequest(11, { body: 'あ'.repeat(4001) }),
          { at: T(1), via: 'origin', from: undefined },
          undefined,
        ),
      ).rejects.toMatchObject({ code: 'invalid', reason: 'report.body' });
      expect(await store.listReports(10)).toHaveLength(3);
    });
  });
}

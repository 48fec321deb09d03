import { buildIdentity, residentCodeOf } from '../domain/change/change-builders.ts';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import type { Message } from './messages/registry.ts';

/** One valid message of each integrity-check kind (R20), for protocol-fixtures' sampleMessages. */
export function integritySampleMessages(): Message[] {
  const checkId = 'chk-131016-20240601-1';
  const a = residentCodeOf('2472705960');
  const b = residentCodeOf('3000000000');
  const hashes = (n: number, size = 32) =>
    Uint8Array.from({ length: size * n }, (_, i) => (i * 7) & 0xff);
  const counts = { missingAtReceiver: 1, extraAtReceiver: 0, differingValues: 1 };
  return [
    {
      kind: 'integrity-offer',
      checkId,
      scope: { kind: 'municipality', code: '131016' },
      count: 58_000,
    },
    { kind: 'integrity-accept', checkId, count: 57_999, depth: 8 },
    { kind: 'integrity-descend', checkId, depth: 4, indices: [0, 3, 15], hashes: hashes(3) },
    { kind: 'integrity-nodes', checkId, depth: 4, differing: [3] },
    {
      kind: 'integrity-entries',
      checkId,
      ranges: [
        { from: '18750000000', to: '25000000000', codes: [a], digests: hashes(1, 16) },
        { from: '29000000000', codes: [b], digests: hashes(1, 16) },
      ],
    },
    {
      kind: 'integrity-differences',
      checkId,
      missingAtReceiver: [a],
      extraAtReceiver: [],
      differingValues: [b],
      counts,
      truncated: false,
    },
    { kind: 'integrity-conclude', idempotencyKey: checkId, checkId },
    {
      kind: 'integrity-result',
      checkId,
      matching: false,
      senderCount: 58_000,
      receiverCount: 57_999,
      counts,
      truncated: false,
    },
    {
      kind: 'integrity-repair',
      idempotencyKey: `${checkId}:repair:0`,
      checkId,
      upsert: [
        {
          ...buildIdentity(),
          lastChange: { reason: 'move-in', date: '2020-04-01' as CalendarDate },
        },
      ],
      notResident: [b],
    },
    {
      kind: 'integrity-repaired',
      idempotencyKey: `${checkId}:repair:0`,
      checkId,
      inserted: 1,
      updated: 0,
      removed: 1,
      unchanged: 0,
      conflicts: [],
    },
  ];
}

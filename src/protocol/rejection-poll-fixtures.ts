import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import type { Message } from './messages/registry.ts';

/** One valid `rejection-poll` and `rejection-records` (R19), for protocol-fixtures.ts. */
export function rejectionPollSampleMessages(): Message[] {
  return [
    { kind: 'rejection-poll', afterId: 0, limit: 200 },
    {
      kind: 'rejection-records',
      records: [
        {
          id: 7,
          transactionId: 'cs-141011-000042',
          municipality: '141011',
          residentCode: '24727059608' as ResidentCode,
          reason: 'move-in',
          changeDate: '2024-04-01' as CalendarDate,
          rejectedBy: 'national:jlis',
          rejection: {
            rule: 'create.already-resident',
            message: '現存する住民に対する転入です (already a resident)',
          },
          at: '2026-11-24T01:02:03.456Z',
        },
      ],
      nextAfterId: 7,
      more: false,
    },
  ];
}

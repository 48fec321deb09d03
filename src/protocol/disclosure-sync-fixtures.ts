import type { Message } from './messages/registry.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';

/** One valid `disclosure-sync` and `disclosure-records` (R17), for protocol-fixtures.ts. */
export function disclosureSyncSampleMessages(): Message[] {
  return [
    { kind: 'disclosure-sync', afterId: 0, limit: 200 },
    {
      kind: 'disclosure-records',
      records: [
        {
          at: '2026-11-24T01:02:03.456Z',
          node: 'national:jlis',
          recipientId: 'mhlw-pension',
          recipientName: '厚生労働省及び日本年金機構',
          searcher: 'pension-operator-7',
          affairId: '別表第一:七十三の六',
          legalBasis: '住民基本台帳法第三十条の九・別表第一の七十三の六の項',
          queryId: 'agency:mhlw-pension:3f2a',
          residentCode: '24727059608' as ResidentCode,
          channel: 'immediate',
          prefectureCode: '13',
        },
      ],
      nextAfterId: 42,
      more: false,
    },
  ];
}

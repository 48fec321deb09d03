import type { Message } from './messages/registry.ts';

/** One valid `audit-seal-anchor` and `audit-anchor-ack` (R23), for protocol-fixtures.ts. */
export function auditAnchorSampleMessages(): Message[] {
  return [
    {
      kind: 'audit-seal-anchor',
      seals: [
        {
          seq: 3,
          uptoSeq: 3000,
          at: '2026-11-24T01:02:03.456Z',
          node: 'cs:131016',
          hash: 'ab'.repeat(32),
          certFingerprint: 'cd'.repeat(32),
          signature: 'MEUCIQDxMEUCIQDxMEUCIQDx',
        },
      ],
    },
    { kind: 'audit-anchor-ack', anchored: 1, duplicates: 0, uptoSeal: 3 },
  ];
}

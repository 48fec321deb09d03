import { buildEvent, buildIdentity, date } from '../domain/change/change-builders.ts';
import { changeNotice } from './messages/ChangeNotice.ts';
import { integritySampleMessages } from './integrity-fixtures.ts';
import { reportSampleMessages } from './report-fixtures.ts';
import { disclosureSyncSampleMessages } from './disclosure-sync-fixtures.ts';
import { rejectionPollSampleMessages } from './rejection-poll-fixtures.ts';
import { auditAnchorSampleMessages } from './audit-anchor-fixtures.ts';
import type { Message } from './messages/registry.ts';
import type { MemoryTransportOptions } from './memory-transport.ts';
import { createMemoryTransportPair } from './memory-transport.ts';
import type { Session } from './session/session.ts';
import { createSession } from './session/session.ts';
import type { SessionOptions } from './session/session-options.ts';

/**
 * Well-formed messages of every kind and a connected pair of sessions, for tests (this module's
 * and other engineers': the TLS transport, the nodes) and the benchmarks.
 */
export const sampleChangeNotice = () =>
  changeNotice(
    buildEvent('move-within', buildIdentity({ address: '東京都千代田区永田町1丁目7番1号' })),
  );

/** One valid message of each kind (keep in step with MESSAGE_DEFINITIONS; a test checks). */
export function sampleMessages(): Message[] {
  const notice = sampleChangeNotice();
  return [
    {
      kind: 'hello',
      minVersion: 1,
      maxVersion: 1,
      node: 'cs:131016',
      capabilities: ['route'],
      maxFrameSize: 1 << 20,
      initialCredit: 256 * 1024,
    },
    notice,
    {
      kind: 'change-ack',
      idempotencyKey: notice.idempotencyKey,
      outcome: 'applied',
      sequence: 42,
    },
    {
      kind: 'change-ack',
      idempotencyKey: notice.idempotencyKey,
      outcome: 'rejected',
      rejection: {
        rule: 'move-within.changes-other-items',
        message: '転居で住所以外は変更できません',
      },
    },
    { kind: 'route-request', target: 'cs:011002' },
    { kind: 'route-accepted', target: 'cs:011002' },
    { kind: 'route-echo', nonce: '0123456789abcdef0123456789abcdef' },
    {
      kind: 'route-echo-reply',
      nonce: '0123456789abcdef0123456789abcdef',
      node: 'cs:011002',
      at: '2025-04-01T09:30:00.000Z',
    },
    {
      kind: 'wide-area-copy',
      requestId: 'wa-131016-0001',
      issuedBy: 'clerk-1',
      identification: 'photo-id',
      requester: {
        name: '住基 太郎',
        address: '北海道札幌市中央区北一条西二丁目1番地',
        birthDate: date('1980-04-01'),
        sex: 'male',
      },
      persons: ['住基 太郎', '住基 花子'],
      wholeHousehold: false,
      withRelationship: true,
      withResidentCode: false,
    },
    {
      kind: 'wide-area-copy-answer',
      requestId: 'wa-131016-0001',
      node: 'cs:011002',
      at: '2025-04-01T09:30:00.000Z',
      persons: [
        {
          name: { kanji: '住基 太郎', kana: 'ジュウキ タロウ' },
          birthDate: date('1980-04-01'),
          sex: 'male',
          relationship: '世帯主',
          becameResidentOn: date('2010-04-01'),
          address: '北海道札幌市中央区北一条西二丁目1番地',
          notifiedOn: date('2010-04-05'),
          previousAddress: '東京都千代田区千代田1番1号',
        },
      ],
    },
    {
      kind: 'error',
      code: 'not-found',
      message: '該当する住民がいません',
      reason: 'identity.not-found',
    },
    { kind: 'goaway', code: 'goaway', message: 'maintenance' },
    {
      kind: 'move-out-certificate',
      requestId: 'mo-271276-0001',
      issuedBy: 'clerk-2',
      residentCode: '12345678903',
      name: '住基 太郎',
      birthDate: date('1980-04-01'),
    },
    {
      kind: 'move-out-certificate-answer',
      requestId: 'mo-271276-0001',
      node: 'cs:142042',
      certificate: {
        residentCode: '12345678903',
        name: { kanji: '住基 太郎', kana: 'ジュウキ タロウ' },
        sex: 'male',
        birthDate: date('1980-04-01'),
        registeredDomicile: { address: '神奈川県鎌倉市御成町18番', headOfFamily: '住基 太郎' },
        headOfHousehold: '住基 太郎',
        relationship: '世帯主',
        address: '神奈川県鎌倉市御成町18番10号',
        moveOutDate: date('2026-11-30'),
        destination: '大阪府大阪市北区梅田1丁目1番1号',
      },
    },
    ...integritySampleMessages(),
    ...reportSampleMessages(),
    ...disclosureSyncSampleMessages(),
    ...rejectionPollSampleMessages(),
    ...auditAnchorSampleMessages(),
    {
      kind: 'provision-query',
      idempotencyKey: 'q-mhlw-pension-0001',
      searcher: 'operator-17',
      query: {
        affairId: '別表第一:九十一',
        name: '住基',
        nameMatch: 'prefix',
        birthDate: '1990-04-01',
      },
    },
    {
      kind: 'provision-batch',
      idempotencyKey: 'agency:mhlw-pension:batch-1:1',
      affairId: '別表第一:七十七',
      rows: [
        { query: { affairId: '別表第一:七十七', residentCode: '12345678901' } },
        {
          query: {
            affairId: '別表第一:七十七',
            name: '住基 花子',
            birthDate: '1990-04-01',
          },
        },
      ],
    },
    {
      kind: 'provision-batch-answer',
      idempotencyKey: 'agency:mhlw-pension:batch-1:1',
      results: [{ identities: [] }, { refused: { code: 'conflict', reason: 'batch.ambiguous' } }],
    },
    {
      kind: 'provision-answer',
      idempotencyKey: 'q-mhlw-pension-0001',
      identities: [
        {
          identifier: { kind: 'pseudonym', value: 'K7M2Q9XW4RT8B3ZP5NHD' },
          name: { kanji: '住基 花子', kana: 'ジュウキ ハナコ' },
          sex: 'female',
          birthDate: date('1990-04-01'),
          address: '東京都千代田区千代田1番1号',
          localGovernmentCode: '131016',
          status: 'resident',
          lastChange: { reason: 'move-in', date: date('2020-04-01') },
        },
      ],
    },
  ];
}

export type SessionPair = {
  readonly a: Session;
  readonly b: Session;
  readonly close: () => void;
};

/**
 * Two sessions over an in-memory pair: `a` is `cs:131016`, `b` is `prefecture:13` (unless
 * `names` says otherwise). Heartbeats are off unless the options turn them on.
 */
export function connectSessions(
  options: {
    readonly transport?: MemoryTransportOptions;
    readonly a?: Partial<SessionOptions>;
    readonly b?: Partial<SessionOptions>;
  } = {},
): SessionPair {
  const names = options.transport?.names ?? (['cs:131016', 'prefecture:13'] as const);
  const [ta, tb] = createMemoryTransportPair({ ...options.transport, names });
  const a = createSession({
    transport: ta,
    localNode: names[0],
    heartbeatIntervalMs: 0,
    ...options.a,
  });
  const b = createSession({
    transport: tb,
    localNode: names[1],
    heartbeatIntervalMs: 0,
    ...options.b,
  });
  return {
    a,
    b,
    close: () => {
      a.close();
      b.close();
    },
  };
}

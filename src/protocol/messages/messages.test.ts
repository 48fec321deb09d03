import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { InvalidMessageError, UnknownMessageKindError } from '../errors.ts';
import { sampleChangeNotice, sampleMessages } from '../protocol-fixtures.ts';
import { MessageCodec } from './codec.ts';
import type { MessageRole } from './define-message.ts';
import type { Message } from './registry.ts';
import { findMessageDefinition, MESSAGE_DEFINITIONS } from './registry.ts';

const codec = new MessageCodec();
/** Where a sample goes: its definition's first role (hello: request). */
const roleOf = (m: Message): MessageRole => findMessageDefinition(m.kind)!.roles[0]!;

/** Decodes a hand-made body (a plain object encoded as MessagePack). */
const decodeRaw = (body: unknown, role: MessageRole = 'request') =>
  codec.decode(encode(body), role);

function invalid(body: unknown, role: MessageRole = 'request'): InvalidMessageError {
  try {
    decodeRaw(body, role);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidMessageError);
    return e as InvalidMessageError;
  }
  throw new Error('the body was accepted');
}

type RawNotice = {
  idempotencyKey: string;
  event: {
    reason: unknown;
    changeDate: unknown;
    residentCode: unknown;
    movedOverseas?: unknown;
    values: Record<string, unknown> & { name: unknown };
  };
};

/** The notice as a plain mutable object, to break one field at a time. */
const rawNotice = () => JSON.parse(JSON.stringify(sampleChangeNotice())) as RawNotice;

describe('messages (R10: message kinds validated at the edge)', () => {
  it('R10: the samples cover every message kind of the registry', () => {
    const kinds = new Set(sampleMessages().map((m) => m.kind));
    expect([...kinds].sort()).toEqual(MESSAGE_DEFINITIONS.map((d) => d.kind).sort());
  });

  it.each(sampleMessages().map((m) => [m.kind, m] as const))(
    'R10: %s survives encode → decode unchanged',
    (_, message) => {
      const body = codec.encode(message).slice();
      expect(codec.decode(body, roleOf(message))).toEqual(message);
    },
  );

  it('R10: every write message carries an idempotency key and is refused without one', () => {
    const writes = MESSAGE_DEFINITIONS.filter((d) => d.effect === 'write');
    expect(writes.map((d) => d.kind)).toContain('change-notice');
    for (const d of writes) {
      const sample = sampleMessages().find((m) => m.kind === d.kind) as Record<string, unknown>;
      expect(typeof sample.idempotencyKey).toBe('string');
      const { idempotencyKey: _, ...withoutKey } = sample;
      expect(invalid(withoutKey)).toMatchObject({ field: 'idempotencyKey', messageKind: d.kind });
    }
  });

  it('R10: exactly these kinds change state without an idempotency key, each saying why', () => {
    // A kind that changes state at the receiver is either a write (idempotency key) or listed
    // here, reviewed: applying the same content twice must be the same as applying it once.
    const byContent = MESSAGE_DEFINITIONS.flatMap((d) =>
      typeof d.effect === 'object' ? [[d.kind, d.effect.idempotentByContent] as const] : [],
    );
    expect(byContent.map(([kind]) => kind).sort()).toEqual(['audit-seal-anchor', 'report-poll']);
    for (const [, why] of byContent) expect(why.length).toBeGreaterThan(20);
    // The known writes are marked so (a write labelled as a read would lose its key check).
    const writes = MESSAGE_DEFINITIONS.filter((d) => d.effect === 'write').map((d) => d.kind);
    expect(writes.sort()).toEqual([
      'change-notice',
      'integrity-conclude',
      'integrity-repair',
      'provision-batch',
      'provision-query',
      'report-answer',
      'report-request',
    ]);
    // Only requests change state; replies, errors and goaway are reads.
    for (const d of MESSAGE_DEFINITIONS) {
      if (!d.roles.includes('request')) expect([d.kind, d.effect]).toEqual([d.kind, 'read']);
    }
    // Without a key, such a message is accepted as it is.
    const anchor = sampleMessages().find((m) => m.kind === 'audit-seal-anchor')!;
    expect(codec.decode(codec.encode(anchor).slice(), 'request')).toEqual(anchor);
  });

  it('R19: a change notice whose idempotency key is not its transaction id is refused', () => {
    const n = rawNotice();
    n.idempotencyKey = 'another-transaction';
    expect(invalid(n)).toMatchObject({
      field: 'idempotencyKey',
      reason: 'message.idempotency-key-mismatch',
    });
  });

  it.each([
    ['event.reason', (n: RawNotice) => (n.event.reason = 'moved-to-mars'), 'message.invalid'],
    ['event.changeDate', (n: RawNotice) => (n.event.changeDate = '2024-02-30'), 'date.malformed'],
    [
      'event.residentCode',
      (n: RawNotice) => (n.event.residentCode = '12345678901'),
      'resident-code.check-digit',
    ],
    [
      'event.values.residentCode',
      (n: RawNotice) => delete n.event.values.residentCode,
      'message.missing-field',
    ],
    [
      'event.values.name.kana',
      (n: RawNotice) => (n.event.values.name = { kanji: '住基 花子', kana: 'Juki' }),
      'name.kana-invalid',
    ],
    [
      'event.values.name',
      (n: RawNotice) => (n.event.values.name = 'Juki Hanako'),
      'message.invalid',
    ],
    ['event.values.sex', (n: RawNotice) => (n.event.values.sex = 'x'), 'message.invalid'],
    [
      'event.values.address',
      (n: RawNotice) => (n.event.values.address = 'あ'.repeat(501)),
      'message.invalid',
    ],
    [
      'event.values.localGovernmentCode',
      (n: RawNotice) => (n.event.values.localGovernmentCode = '131017'),
      'local-government-code.check-digit',
    ],
    ['event.movedOverseas', (n: RawNotice) => (n.event.movedOverseas = 'yes'), 'message.invalid'],
  ])(
    'R19: a change notice with a bad %s is refused, naming the field',
    (field, breakIt, reason) => {
      const n = rawNotice();
      breakIt(n);
      expect(invalid(n)).toMatchObject({ messageKind: 'change-notice', field, reason });
    },
  );

  it('R1: fields beyond 本人確認情報 on the wire are dropped, not passed on', () => {
    const n = rawNotice();
    n.event.values.relationship = '世帯主'; // 続柄: never held outside the municipality (R2)
    n.event.values.registeredDomicile = '東京都千代田区千代田1番';
    const decoded = decodeRaw(n);
    expect(decoded).toEqual(sampleChangeNotice());
  });

  it('R19: a change-ack names one of the rules of the R19 table', () => {
    const ack = {
      kind: 'change-ack',
      idempotencyKey: 'tx-1',
      outcome: 'rejected',
      rejection: { rule: 'no-such-rule', message: 'x' },
    };
    expect(invalid(ack, 'reply')).toMatchObject({ field: 'rejection.rule' });
    expect(invalid({ ...ack, outcome: 'applied' }, 'reply')).toMatchObject({ field: 'sequence' });
  });

  it('R10: hello refuses a version range upside down, a bad node name and a frame limit out of range', () => {
    const hello = sampleMessages()[0] as Record<string, unknown>;
    expect(invalid({ ...hello, minVersion: 2, maxVersion: 1 })).toMatchObject({
      field: 'maxVersion',
    });
    expect(invalid({ ...hello, node: 'CS 131016' })).toMatchObject({ field: 'node' });
    expect(invalid({ ...hello, maxFrameSize: 2 ** 31 })).toMatchObject({ field: 'maxFrameSize' });
    expect(invalid({ ...hello, capabilities: ['ok', 7] })).toMatchObject({
      field: 'capabilities[1]',
    });
  });

  it('R2: a route request names a node, nothing else', () => {
    expect(invalid({ kind: 'route-request', target: '../../etc' })).toMatchObject({
      field: 'target',
    });
  });

  it('R2: a route echo (the connectivity check inside a route) carries a hex nonce and a node name, nothing else', () => {
    expect(
      invalid({ kind: 'route-echo', nonce: 'not hex, and a resident name 花子' }),
    ).toMatchObject({
      field: 'nonce',
    });
    expect(invalid({ kind: 'route-echo', nonce: 'abc' })).toMatchObject({ field: 'nonce' });
    const reply = {
      kind: 'route-echo-reply',
      nonce: '0123456789abcdef',
      node: 'cs:011011',
      at: '2025-04-01T09:30:00.000Z',
    };
    expect(decodeRaw(reply, 'reply')).toEqual(reply);
    expect(invalid({ ...reply, node: '../cs' }, 'reply')).toMatchObject({ field: 'node' });
    expect(invalid({ ...reply, at: 'yesterday' }, 'reply')).toMatchObject({ field: 'at' });
    // The echo is a request only; its reply is a reply only.
    expect(invalid(reply, 'request')).toMatchObject({ reason: 'message.wrong-place' });
  });

  it('R10: an unknown kind is an UnknownMessageKindError; a kind in the wrong place is invalid', () => {
    expect(() => decodeRaw({ kind: 'identity-query-v9' })).toThrow(UnknownMessageKindError);
    expect(invalid(sampleMessages()[2], 'request')).toMatchObject({
      field: 'kind',
      reason: 'message.wrong-place',
    });
    expect(invalid({ nokind: 1 })).toMatchObject({ field: 'kind' });
    expect(invalid([1, 2, 3])).toMatchObject({ reason: 'message.malformed-body' });
  });

  it('R10: an error message with a wire code this node does not know reads as internal', () => {
    const m = decodeRaw({ kind: 'error', code: 9999, message: 'from the future' }, 'error');
    expect(m).toEqual({ kind: 'error', code: 'internal', message: 'from the future' });
  });

  it('R10: an error message too long for the wire is cut, not refused', () => {
    const body = codec
      .encode({ kind: 'error', code: 'invalid', message: 'x'.repeat(5000) })
      .slice();
    const m = codec.decode(body, 'error');
    expect(m.kind === 'error' && m.message.length).toBe(2000);
  });
});

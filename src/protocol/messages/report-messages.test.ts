import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { InvalidMessageError } from '../errors.ts';
import { sampleReportAnswer, sampleReportRequest } from '../report-fixtures.ts';
import { MessageCodec } from './codec.ts';
import type { MessageRole } from './define-message.ts';

const codec = new MessageCodec();

function invalid(body: unknown, role: MessageRole = 'request'): InvalidMessageError {
  try {
    codec.decode(encode(body), role);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidMessageError);
    return e as InvalidMessageError;
  }
  throw new Error('the body was accepted');
}

const request = () => ({
  kind: 'report-request',
  idempotencyKey: sampleReportRequest().id,
  request: { ...sampleReportRequest() } as Record<string, unknown>,
});

describe('報告要求 messages (R5, R6) at the edge', () => {
  it('R6: a report-request whose idempotency key is not its request id is refused', () => {
    expect(invalid({ ...request(), idempotencyKey: 'other' })).toMatchObject({
      field: 'idempotencyKey',
      reason: 'message.idempotency-key-mismatch',
    });
  });

  it.each([
    ['id', 'not-a-uuid'],
    ['target', 'not a node'],
    ['subject', '件名\n二行目'],
    ['subject', 'あ'.repeat(201)],
    ['body', 'あ'.repeat(4001)],
    ['body', 'escape \u001b[31m'],
    ['operator', ''],
    ['requestedAt', '2026-11-24'],
  ])('R6: a report-request with a bad %s is refused, naming the field', (field, value) => {
    const m = request();
    m.request[field] = value;
    expect(invalid(m)).toMatchObject({ messageKind: 'report-request', field: `request.${field}` });
  });

  it('R6: a body keeps its line breaks and tabs', () => {
    const m = request();
    m.request.body = '一行目\r\n\t二行目';
    const decoded = codec.decode(encode(m), 'request');
    expect(decoded).toMatchObject({ request: { body: '一行目\r\n\t二行目' } });
  });

  it('R5: a report-answer is keyed by answer:<request id>', () => {
    const answer = sampleReportAnswer();
    expect(
      invalid({ kind: 'report-answer', idempotencyKey: answer.requestId, answer }),
    ).toMatchObject({ field: 'idempotencyKey', reason: 'message.idempotency-key-mismatch' });
  });

  it('a report-mail holds at most 16 items, and a poll acknowledges known kinds only', () => {
    const items = Array.from({ length: 17 }, () => ({
      item: 'request',
      request: sampleReportRequest(),
    }));
    expect(invalid({ kind: 'report-mail', items, more: false }, 'reply')).toMatchObject({
      field: 'items',
    });
    expect(
      invalid({
        kind: 'report-poll',
        acknowledge: [{ item: 'notice', requestId: sampleReportRequest().id }],
      }),
    ).toMatchObject({ field: 'acknowledge[0].item' });
  });
});

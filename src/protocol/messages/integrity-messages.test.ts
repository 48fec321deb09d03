import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { InvalidMessageError } from '../errors.ts';
import { integritySampleMessages } from '../integrity-fixtures.ts';
import { MessageCodec } from './codec.ts';
import type { MessageRole } from './define-message.ts';

const codec = new MessageCodec();
const sample = (kind: string) =>
  JSON.parse(
    JSON.stringify(
      integritySampleMessages().find((m) => m.kind === kind),
      (_, v: unknown) => (v instanceof Uint8Array ? { bin: [...v] } : v),
    ),
    (_, v: unknown) =>
      typeof v === 'object' && v !== null && 'bin' in v
        ? Uint8Array.from((v as { bin: number[] }).bin)
        : v,
  ) as Record<string, unknown> & { ranges?: Record<string, unknown>[] };

function refusal(body: unknown, role: MessageRole = 'request'): InvalidMessageError {
  try {
    codec.decode(encode(body), role);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidMessageError);
    return e as InvalidMessageError;
  }
  throw new Error('the body was accepted');
}

describe('integrity-check messages at the edge (R10, R20)', () => {
  it('R20: a scope must be a real municipality (check digit) or prefecture', () => {
    const m = sample('integrity-offer');
    expect(refusal({ ...m, scope: { kind: 'municipality', code: '131017' } })).toMatchObject({
      field: 'scope.code',
      reason: 'local-government-code.check-digit',
    });
    expect(refusal({ ...m, scope: { kind: 'prefecture', code: '48' } })).toMatchObject({
      field: 'scope.code',
    });
    expect(refusal({ ...m, scope: { kind: 'country', code: 'jp' } })).toMatchObject({
      field: 'scope.kind',
    });
    expect(refusal({ ...m, checkId: 'bad id with spaces' })).toMatchObject({ field: 'checkId' });
  });

  it('R20: node indices ascend inside their level, one 32-byte hash each', () => {
    const m = sample('integrity-descend');
    expect(refusal({ ...m, indices: [3, 0, 15] })).toMatchObject({ field: 'indices[1]' });
    expect(refusal({ ...m, indices: [0, 3, 16] })).toMatchObject({ field: 'indices[2]' });
    expect(refusal({ ...m, hashes: new Uint8Array(95) })).toMatchObject({ field: 'hashes' });
    expect(refusal({ ...m, depth: 19 })).toMatchObject({ field: 'depth' });
  });

  it('R20: ranges ascend without overlap; codes lie in their range with one 16-byte digest each', () => {
    const m = sample('integrity-entries');
    const [a, b] = m.ranges!;
    expect(refusal({ ...m, ranges: [b, a] })).toMatchObject({ field: 'ranges[1].from' });
    expect(refusal({ ...m, ranges: [{ ...a, to: a!.from }] })).toMatchObject({
      field: 'ranges[0].to',
    });
    expect(refusal({ ...m, ranges: [{ ...a, from: '30000000000', to: undefined }] })).toMatchObject(
      {
        field: 'ranges[0].codes',
      },
    );
    expect(refusal({ ...m, ranges: [{ ...a, digests: new Uint8Array(32) }] })).toMatchObject({
      field: 'ranges[0].digests',
    });
    expect(refusal({ ...m, ranges: [{ ...a, codes: ['12345678901'] }] })).toMatchObject({
      field: 'ranges[0].codes[0]',
      reason: 'resident-code.check-digit',
    });
  });

  it('R20: the writes are keyed by the check id', () => {
    expect(refusal({ ...sample('integrity-conclude'), idempotencyKey: 'other' })).toMatchObject({
      field: 'idempotencyKey',
      reason: 'message.idempotency-key-mismatch',
    });
    const repair = sample('integrity-repair');
    expect(
      refusal({ ...repair, idempotencyKey: `${String(repair.checkId)}:repair:x` }),
    ).toMatchObject({
      reason: 'message.idempotency-key-mismatch',
    });
  });

  it('R1: a repaired record carries 本人確認情報 and its change information only', () => {
    const repair = sample('integrity-repair');
    const [record] = repair.upsert as Record<string, unknown>[];
    const decoded = codec.decode(
      encode({ ...repair, upsert: [{ ...record, relationship: '世帯主', domicile: '東京都' }] }),
      'request',
    );
    expect(JSON.stringify(decoded)).not.toMatch(/世帯主|domicile/);
    expect(
      refusal({
        ...repair,
        upsert: [{ ...record, lastChange: { reason: 'moved-to-mars', date: '2020-01-01' } }],
      }),
    ).toMatchObject({
      field: 'upsert[0].lastChange.reason',
    });
  });
});

import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { InvalidMessageError } from '../errors.ts';
import { MessageCodec } from './codec.ts';
import type { ProvisionQuery } from './ProvisionQuery.ts';

const codec = new MessageCodec();
const decode = (body: unknown) => codec.decode(encode(body), 'request') as ProvisionQuery;
const PENSION = '別表第一:七十三の六';
const message = (query: unknown, extra: Record<string, unknown> = {}) => ({
  kind: 'provision-query',
  idempotencyKey: 'agency:mhlw-pension:q1',
  query,
  ...extra,
});
/** The query's refusal as the receiver reads it, or `undefined` when the query is well-formed. */
const malformed = (query: unknown) => {
  const q = decode(message(query)).query;
  return 'malformed' in q ? q : undefined;
};

describe('provision-query: the conditions are read leniently, the envelope strictly', () => {
  it('a well-formed query decodes to its conditions', () => {
    expect(
      decode(message({ affairId: PENSION, name: '住', nameMatch: 'prefix', sex: 'female' })).query,
    ).toEqual({ affairId: PENSION, name: '住', nameMatch: 'prefix', sex: 'female' });
  });

  it('a sex other than male/female is the query’s refusal search.sex, not a decode error', () => {
    expect(malformed({ affairId: PENSION, residentCode: '12345678901', sex: '男' })).toEqual({
      affairId: PENSION,
      malformed: { reason: 'search.sex', message: expect.stringMatching(/query\.sex/) as string },
    });
  });

  it('a match mode other than exact/prefix is search.match-mode', () => {
    expect(
      malformed({ affairId: PENSION, name: '住基', nameMatch: 'fuzzy', birthDate: '1990-05-05' }),
    ).toMatchObject({ affairId: PENSION, malformed: { reason: 'search.match-mode' } });
    expect(
      malformed({ affairId: PENSION, address: '東京都', addressMatch: 'suffix' })?.malformed.reason,
    ).toBe('search.match-mode');
  });

  it('an unknown field is refused search.malformed, not dropped (a typo is not ignored)', () => {
    const q = malformed({
      affairId: PENSION,
      residentCode: '12345678901',
      birthdate: '1990-05-05',
    });
    expect(q?.malformed.reason).toBe('search.malformed');
    expect(q?.malformed.message).toMatch(/unknown query field "birthdate"/);
  });

  it('a wrong type, a text too long or with control characters, a query not a map: search.malformed', () => {
    for (const query of [
      { affairId: PENSION, residentCode: 12345678901 },
      { affairId: PENSION, sex: 1 },
      { affairId: PENSION, nameMatch: ['prefix'], name: '住' },
      { affairId: PENSION, name: 'x'.repeat(501), birthDate: '1990-05-05' },
      { affairId: PENSION, name: '住\u0000基', birthDate: '1990-05-05' },
      { affairId: PENSION, residentCode: '12345678901', includeRemoved: 'yes' },
    ])
      expect(malformed(query)?.malformed.reason, JSON.stringify(query)).toBe('search.malformed');
    expect(malformed('residentCode=12345678901')).toEqual({
      malformed: { reason: 'search.malformed', message: expect.any(String) as string },
    });
    expect(malformed(['a'])?.malformed.reason).toBe('search.malformed');
  });

  it('keeps the affair only when it is readable; no affair is search.affair-missing', () => {
    expect(malformed({ residentCode: '12345678901' })).toEqual({
      malformed: { reason: 'search.affair-missing', message: expect.any(String) as string },
    });
    const long = malformed({ affairId: 'x'.repeat(65), residentCode: '12345678901' });
    expect(long).not.toHaveProperty('affairId');
    expect(long?.malformed.reason).toBe('search.malformed');
  });

  it('the envelope stays strict: a bad idempotency key, onBehalfOf or searcher fails the message', () => {
    const query = { affairId: PENSION, residentCode: '12345678901' };
    expect(() => decode({ ...message(query), idempotencyKey: '' })).toThrow(InvalidMessageError);
    expect(() => decode(message(query, { onBehalfOf: { recipientId: 'X!' } }))).toThrow(
      InvalidMessageError,
    );
    expect(() => decode(message(query, { searcher: 'a'.repeat(65) }))).toThrow(/searcher/);
  });
});

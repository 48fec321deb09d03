import { encode } from '@msgpack/msgpack';
import { describe, expect, it } from 'vitest';
import { InvalidMessageError } from '../errors.ts';
import { MessageCodec } from './codec.ts';
import { MAX_BATCH_ROWS, type ProvisionBatch } from './ProvisionBatch.ts';

const codec = new MessageCodec();
const decode = (body: unknown) => codec.decode(encode(body), 'request') as ProvisionBatch;
const batch = (rows: unknown[]) => ({
  kind: 'provision-batch',
  idempotencyKey: 'agency:mhlw-pension:b1:1',
  affairId: '別表第一:七十七',
  rows,
});

describe('provision-batch (一括提供, R14)', () => {
  it('gives every row the message’s affair', () => {
    const m = decode(batch([{ query: { residentCode: '12345678901' } }]));
    expect(m.rows).toEqual([
      { query: { affairId: '別表第一:七十七', residentCode: '12345678901' } },
    ]);
  });

  it('a row that fails the schema is that row’s refusal, not the message’s; the others stand', () => {
    const m = decode(
      batch([
        { query: { name: '住基', nameMatch: 'fuzzy', birthDate: '1990-04-01' } },
        { query: { name: 'x'.repeat(501), birthDate: '1990-04-01' } },
        { notQuery: 1 },
        { query: { residentCode: '12345678901' } },
      ]),
    );
    expect(m.rows.map((r) => ('malformed' in r ? 'malformed' : 'query'))).toEqual([
      'malformed',
      'malformed',
      'malformed',
      'query',
    ]);
    const first = m.rows[0]!;
    expect('malformed' in first && first.malformed.message).toMatch(/nameMatch/);
  });

  it('refuses the whole message beyond 256 rows, or without its affair', () => {
    const rows = Array.from({ length: MAX_BATCH_ROWS + 1 }, () => ({
      query: { residentCode: '12345678901' },
    }));
    expect(() => decode(batch(rows))).toThrow(InvalidMessageError);
    const { affairId: _a, ...noAffair } = batch([]);
    expect(() => decode(noAffair)).toThrow(/affairId/);
  });
});

describe('provision-batch rows refused by the sender or by the schema (R23: recorded at the receiver)', () => {
  it('a row the sender marked malformed keeps its reason and message', () => {
    const m = decode(
      batch([
        { malformed: { reason: 'batch.unknown-column', message: '不明な列です (unknown column)' } },
        { malformed: { reason: 'batch.malformed-line', message: 'not a JSON object' } },
        { query: { residentCode: '12345678901' } },
      ]),
    );
    expect(m.rows).toEqual([
      { malformed: { reason: 'batch.unknown-column', message: '不明な列です (unknown column)' } },
      { malformed: { reason: 'batch.malformed-line', message: 'not a JSON object' } },
      { query: { affairId: '別表第一:七十七', residentCode: '12345678901' } },
    ]);
  });

  it('a sent malformed row whose reason is not a code is search.malformed, not the message’s failure', () => {
    const m = decode(batch([{ malformed: { reason: 'Not A Code!', message: 'x' } }]));
    expect(m.rows).toEqual([
      {
        malformed: {
          reason: 'search.malformed',
          message: expect.stringMatching(/reason/) as string,
        },
      },
    ]);
  });

  it('row conditions that fail the schema get the reasons planSearch gives the same mistakes', () => {
    const m = decode(
      batch([
        { query: { name: '住基', birthDate: '1990-04-01', sex: 'x' } },
        { query: { name: '住基', nameMatch: 'fuzzy', birthDate: '1990-04-01' } },
        { query: { residentCode: '12345678901', typo: '1' } },
        // The affair is the message's: a row naming another is refused, not silently overridden.
        { query: { affairId: '別表第一:一', residentCode: '12345678901' } },
        { query: { affairId: '別表第一:七十七', residentCode: '12345678901' } },
      ]),
    );
    expect(m.rows.map((r) => ('malformed' in r ? r.malformed.reason : 'query'))).toEqual([
      'search.sex',
      'search.match-mode',
      'search.malformed',
      'search.malformed',
      'query',
    ]);
  });
});

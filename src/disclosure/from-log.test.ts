import { describe, expect, it } from 'vitest';
import type { NewDisclosure } from '../domain/provision/disclosure.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import type { DisclosureRecord } from './from-log.ts';
import { disclosureLineOf, nodeLabel } from './from-log.ts';
import { PENSION } from './test-fixtures.ts';

const record = {
  at: '2026-03-14T01:23:45.678Z',
  node: 'national:jlis',
  recipientId: PENSION.recipientId,
  recipientName: PENSION.recipientName,
  affairId: PENSION.affairId,
  legalBasis: PENSION.legalBasis,
  queryId: 'q-1',
  residentCode: '24727059608' as ResidentCode,
  channel: 'batch',
} satisfies NewDisclosure;

describe('R17: report lines from the disclosure log', () => {
  it("the log's record still fits what the report reads (compile-time check)", () => {
    const fits: DisclosureRecord = record satisfies NewDisclosure;
    expect(fits.queryId).toBe('q-1');
  });

  it('R17: adds the purpose from the affairs table and the providing node by name', () => {
    const line = disclosureLineOf(record, {
      affairDescription: (id) => (id === PENSION.affairId ? PENSION.affairDescription : undefined),
    });
    expect(line).toEqual({
      at: record.at,
      recipientId: PENSION.recipientId,
      recipientName: PENSION.recipientName,
      affairId: PENSION.affairId,
      affairDescription: PENSION.affairDescription,
      legalBasis: PENSION.legalBasis,
      channel: 'batch',
      providedBy: '全国サーバ（地方公共団体情報システム機構）',
      queryId: 'q-1',
    });
    // The resident code is the report's subject, not a field of each line.
    expect(Object.keys(line)).not.toContain('residentCode');
  });

  it('keeps the searcher, and leaves an unknown affair empty (the report marks it) rather than guessing', () => {
    const line = disclosureLineOf(
      { ...record, searcher: 'op-7', node: 'prefecture:13' },
      { affairDescription: () => undefined },
    );
    expect([line.searcher, line.affairDescription, line.providedBy]).toEqual([
      'op-7',
      '',
      '東京都サーバ',
    ]);
  });

  it('names the prefecture servers by JIS X 0401 code, any other node as written', () => {
    expect(nodeLabel('prefecture:01')).toBe('北海道サーバ');
    expect(nodeLabel('prefecture:47')).toBe('沖縄県サーバ');
    expect(nodeLabel('prefecture:48')).toBe('prefecture:48');
    expect(nodeLabel('cs:131016')).toBe('cs:131016');
  });
});

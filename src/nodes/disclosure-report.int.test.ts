import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { completeWithCheckDigit } from '../domain/check-digit.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import { disclosureReportFromTerminal } from './disclosure-report.ts';
import { todayInJapan } from './japan-date.ts';
import { GOVERNOR, GOVERNOR_PASSPORT, openTokyoProvision, TOKYO } from './provision-fixtures.ts';

/*
 * The terminal side's disclosure report (`POST /disclosure/report`, R17) on real SQLite stores:
 * every provision about the resident, with its purpose and legal basis, issued by this node; and
 * what it refuses, each with its reason.
 */
describe('POST /disclosure/report at a prefecture server', () => {
  let tokyo: Awaited<ReturnType<typeof openTokyoProvision>>;
  // The provisions are recorded at the real time, so the report is made at the real time too: a
  // fixed clock excluded them whenever the test ran after 15:00 UTC (the next day in Japan).
  const now = () => new Date();
  const report = (b: Record<string, unknown>) =>
    disclosureReportFromTerminal(
      { self: TOKYO, stores: { identities: tokyo.identities, provision: tokyo.provision }, now },
      b,
    );
  const refusal = (b: Record<string, unknown>) =>
    report(b).then(
      () => 'answered',
      (e: { code: string; reason: string }) => `${e.code} ${e.reason}`,
    );

  beforeEach(async () => {
    tokyo = await openTokyoProvision();
  });
  afterEach(() => tokyo.close());

  it('lists each provision with its recipient, purpose and legal basis; a refused query is not in it', async () => {
    const code = tokyo.resident.residentCode;
    const ask = (queryId: string, affairId: string) =>
      tokyo.service.answer(
        queryId,
        { affairId, residentCode: code },
        { kind: 'own', recipientId: GOVERNOR, searcher: 'prov-1' },
      );
    await ask('q-1', GOVERNOR_PASSPORT);
    await ask('q-2', GOVERNOR_PASSPORT);
    await expect(ask('q-refused', '別表第一:一')).rejects.toMatchObject({ code: 'forbidden' });

    const model = await report({ residentCode: code });
    expect(model.resident).toMatchObject({ residentCode: code, nameKanji: '検索 花子' });
    expect(model.issuer).toBe('東京都サーバ');
    expect(model.period.to.date).toBe(todayInJapan());
    expect(model.lines.map((l) => [l.queryId, l.recipientName, l.affairId, l.channel])).toEqual([
      ['q-2', '東京都知事', GOVERNOR_PASSPORT, 'immediate'],
      ['q-1', '東京都知事', GOVERNOR_PASSPORT, 'immediate'],
    ]);
    for (const line of model.lines) {
      expect(line.affairDescription).toContain('旅券');
      expect(line.legalBasis).not.toBe('');
      expect(line.providedBy).toBe('東京都サーバ');
    }
    // A period before the provisions: the report says so and lists none.
    const before = await report({ residentCode: code, from: '2025-01-01', to: '2025-12-31' });
    expect(before.lines).toEqual([]);
    expect(before.period.from?.date).toBe('2025-01-01');
  });

  it('refuses a malformed or unknown resident code, a bad period, and a node without a register', async () => {
    expect(await refusal({})).toBe('invalid resident-code.malformed');
    expect(await refusal({ residentCode: '1234567890' })).toBe('invalid resident-code.malformed');
    const code = tokyo.resident.residentCode;
    const wrongDigit = `${code.slice(0, 10)}${(Number(code[10]) + 1) % 10}` as ResidentCode;
    expect(await refusal({ residentCode: wrongDigit })).toBe('invalid resident-code.check-digit');
    // Well-formed, but nobody here holds it.
    const other = completeWithCheckDigit('resident-code', '1111111111');
    expect(await refusal({ residentCode: other })).toBe('not-found identity.not-found');
    expect(await refusal({ residentCode: code, from: '2026-13-01' })).toBe(
      'invalid disclosure.period',
    );
    expect(await refusal({ residentCode: code, from: '2026-11-25', to: '2026-01-01' })).toBe(
      'invalid disclosure.period',
    );
    expect(await refusal({ residentCode: code, to: 20261125 })).toBe('invalid disclosure.period');
    await expect(
      disclosureReportFromTerminal(
        { self: { role: 'cs', code: '131016' }, stores: undefined },
        { residentCode: code },
      ),
    ).rejects.toMatchObject({ reason: 'node.no-disclosure' });
  });
});

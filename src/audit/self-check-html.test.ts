import { describe, expect, it } from 'vitest';
import { renderSelfCheckHtml } from './self-check-html.ts';
import type { SelfCheckReport } from './self-check.ts';

const report = (over: Partial<SelfCheckReport> = {}): SelfCheckReport => ({
  node: 'prefecture:13',
  period: {
    from: '2026-04-01' as never,
    to: '2027-03-31' as never,
    fromAt: '2026-03-31T15:00:00.000Z',
    toAt: '2027-03-31T15:00:00.000Z',
  },
  generatedAt: '2027-04-02T01:00:00.000Z',
  accessLog: {
    records: 3,
    operations: [{ operation: 'provision.query', ok: 2, refused: 1, failed: 0 }],
    refusals: [{ reason: '<script>alert(1)</script>', count: 1 }],
    operators: [{ operator: 'prov-1', acts: 3, refused: 1 }],
    verification: { ok: true, records: 40, seals: 2, unsealed: 3 },
  },
  operators: { active: [{ cardType: 'auditor', count: 1 }], events: [], cardRevocations: [] },
  ...over,
});

describe('the self-check report as a document (R34)', () => {
  it('prints every part as a table, escapes every value and says "none" for an empty part', () => {
    const html = renderSelfCheckHtml(
      report({
        provision: {
          total: 2,
          provisions: [
            {
              recipientId: 'tokyo-governor',
              affairId: '別表第五:六',
              channel: 'immediate',
              count: 2,
            },
          ],
          refusedTotal: 0,
          refusals: [],
          media: { outputs: 1, rows: 4, disposed: 0 },
        },
      }),
    );
    expect(html).toContain('<title>点検報告 prefecture:13（2026-04-01 ～ 2027-03-31）</title>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('改ざんは見つかりません（記録 40 件・封印 2 件、未封印 3 件）');
    expect(html).toContain(
      '<td>tokyo-governor</td><td>別表第五:六</td><td>即時提供</td><td>2</td>',
    );
    // No refusal and no register change in the period: said, not left blank.
    expect(html).toMatch(/<h2>拒否された照会（0 件）<\/h2><p class="none">なし<\/p>/);
    expect(html).toMatch(/<h2>操作者登録簿の変更<\/h2><p class="none">なし<\/p>/);
    // One media output, not yet disposed of.
    expect(html).toContain('<td>1</td><td>4</td><td>0</td><td>1</td>');
    // Created 10:00 in Japan.
    expect(html).toContain('作成 2027-04-02 10:00（JST）');
  });

  it('leaves out the parts a node does not have (no provision at a CS) and shows tampering', () => {
    const html = renderSelfCheckHtml(
      report({
        node: 'cs:131016',
        accessLog: {
          ...report().accessLog,
          verification: {
            ok: false,
            records: 40,
            seals: 2,
            problem: 'changed at record 7',
            unsealed: 0,
          },
        },
      }),
    );
    expect(html).not.toContain('本人確認情報の提供');
    expect(html).toContain('改ざんを検出しました（changed at record 7）');
  });
});

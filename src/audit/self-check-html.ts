import { escapeHtml } from '../disclosure/html.ts';
import { CHANNEL_LABEL, japanTime, type DisclosureChannel } from '../disclosure/model.ts';
import type { SelfCheckReport } from './self-check.ts';

/*
 * 点検報告 as a printable document (R34): the report of self-check.ts as one self-contained HTML
 * page (no script, nothing loaded), a table per part, which `juki audit report --html` writes and
 * `--pdf` prints through Chromium (src/disclosure/pdf.ts). Counts and identifiers only, as the
 * report holds; every value is escaped.
 */

const EVENT = { granted: '付与', revoked: '失効' } as const;

/** `2027-04-02 10:00`: the instant's date and time in Japan. */
const jst = (iso: string): string => {
  const t = japanTime(iso);
  return `${t.date} ${t.time}`;
};

function table(
  title: string,
  head: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const h = `<h2>${escapeHtml(title)}</h2>`;
  if (rows.length === 0) return `${h}<p class="none">なし</p>`;
  const th = head.map((x) => `<th>${escapeHtml(x)}</th>`).join('');
  const trs = rows
    .map((r) => `<tr>${r.map((x) => `<td>${escapeHtml(String(x))}</td>`).join('')}</tr>`)
    .join('\n');
  return `${h}\n<table><thead><tr>${th}</tr></thead><tbody>\n${trs}\n</tbody></table>`;
}

export function renderSelfCheckHtml(r: SelfCheckReport): string {
  const a = r.accessLog;
  const v = a.verification;
  const parts = [
    table(
      `アクセスログ（${a.records} 件）`,
      ['操作', '正常', '拒否', '失敗'],
      a.operations.map((o) => [o.operation, o.ok, o.refused, o.failed]),
    ),
    v === undefined
      ? ''
      : `<p class="verify">アクセスログの検証：${
          v.ok
            ? `改ざんは見つかりません（記録 ${v.records} 件・封印 ${v.seals} 件${v.unsealed ? `、未封印 ${v.unsealed} 件` : ''}）`
            : `改ざんを検出しました（${escapeHtml(v.problem ?? '')}）`
        }</p>`,
    table(
      '拒否の理由',
      ['理由', '件数'],
      a.refusals.map((x) => [x.reason, x.count]),
    ),
    table(
      '操作者ごとの操作',
      ['操作者', '操作', 'うち拒否'],
      a.operators.map((o) => [o.operator, o.acts, o.refused]),
    ),
    table(
      '有効な操作者（作成時）',
      ['カード種別', '人数'],
      r.operators.active.map((x) => [x.cardType, x.count]),
    ),
    table(
      '操作者登録簿の変更',
      ['日時 (JST)', '内容', '操作者', '実施者', '詳細'],
      [
        ...r.operators.events.map((e) => [jst(e.at), EVENT[e.kind], e.operatorId, e.by, e.detail]),
        ...r.operators.cardRevocations.map((c) => [
          jst(c.at),
          'カード失効',
          c.operatorId,
          c.by,
          c.reason,
        ]),
      ],
    ),
    r.alerts === undefined
      ? ''
      : table(
          `侵入検知（${r.alerts.total} 件）`,
          ['種別', '件数'],
          r.alerts.kinds.map((k) => [k.kind, k.count]),
        ),
    r.integrity === undefined
      ? ''
      : table(
          '本人確認情報整合',
          ['実行', '一致', '不一致', '修復した記録', '相手'],
          [
            [
              r.integrity.checks,
              r.integrity.matching,
              r.integrity.differing,
              r.integrity.repaired,
              r.integrity.peers.join('、') || '—',
            ],
          ],
        ),
    r.retention === undefined
      ? ''
      : table(
          '保存期間を過ぎた情報の消去',
          ['実行', '消去した履歴', '消去した記録'],
          [[r.retention.runs, r.retention.erasedHistoryEntries, r.retention.erasedRecords]],
        ),
    ...(r.provision === undefined
      ? []
      : [
          table(
            `本人確認情報の提供（${r.provision.total} 件）`,
            ['提供先', '事務', '方法', '件数'],
            r.provision.provisions.map((x) => [
              x.recipientId,
              x.affairId,
              CHANNEL_LABEL[x.channel as DisclosureChannel]?.ja ?? x.channel,
              x.count,
            ]),
          ),
          table(
            `拒否された照会（${r.provision.refusedTotal} 件）`,
            ['提供先', '理由', '件数'],
            r.provision.refusals.map((x) => [x.recipientId, x.reason, x.count]),
          ),
          table(
            '媒体出力',
            ['出力', '行数', '廃棄済み', '未廃棄'],
            [
              [
                r.provision.media.outputs,
                r.provision.media.rows,
                r.provision.media.disposed,
                r.provision.media.outputs - r.provision.media.disposed,
              ],
            ],
          ),
        ]),
  ];
  const title = `点検報告 ${r.node}（${r.period.from} ～ ${r.period.to}）`;
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:"Noto Sans CJK JP",sans-serif;font-size:10.5pt;margin:2em}
h1{font-size:15pt}h2{font-size:12pt;margin-top:1.2em}
table{border-collapse:collapse;margin:.3em 0}th,td{border:1px solid #999;padding:.15em .5em;text-align:left}
td:not(:first-child){font-variant-numeric:tabular-nums}.none{color:#555}
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>対象期間 ${escapeHtml(r.period.from)} ～ ${escapeHtml(r.period.to)}（日本時間、両端を含む）・作成 ${escapeHtml(jst(r.generatedAt))}（JST）</p>
<p>この報告は住民基本台帳ネットワークシステムの自己点検・監査のため、ノードの記録を件数と識別子で集計したものです。住民の氏名・住民票コード等は含みません。</p>
${parts.filter((x) => x !== '').join('\n')}
</body>
</html>
`;
}

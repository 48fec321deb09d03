import { OPERATIONS, TERMINAL_OPERATIONS } from '../domain/operator/operations.ts';

/**
 * アクセスログ (the access log, R23) at a node's web terminal, for its auditor (docs/WEB-TERMINAL.md
 * "Work screens"): the newest records, one operator's if asked, page by page back, and the
 * verification of the whole chain and its seals. Reading is itself recorded by the node.
 */

/** Each operation's Japanese name (the part before " / " of its description). */
const LABELS: Readonly<Record<string, string>> = Object.fromEntries(
  OPERATIONS.map((o) => [o, TERMINAL_OPERATIONS[o].what.split(' / ')[0]!]),
);

export const AUDIT_SECTION = `<section id="audit-section" class="work" data-route="POST /api/node/audit/list" hidden>
  <h2>アクセスログ <small>the access log (R23)</small></h2>
  <form id="audit-list" data-labels='${JSON.stringify(LABELS)}'>
    <label>操作者ID / operator <input id="audit-operator" autocomplete="off" placeholder="空欄は全員 / everyone"></label>
    <button type="submit">表示 / show</button>
    <button id="audit-verify" type="button" data-route="POST /api/node/audit/verify">検証 / verify the chain and seals</button>
    <button id="audit-analyse" type="button" data-route="POST /api/node/audit/analyse">解析 / analyse now (R16)</button>
  </form>
  <p id="audit-verify-out" role="status" hidden></p>
  <form id="self-check" data-route="POST /api/node/audit/report">
    <h3>点検報告 <small>the self-check report of a period (R34): counts only, never a resident</small></h3>
    <label>期間 / period <input id="self-check-from" type="date" required> ～ <input id="self-check-to" type="date" required></label>
    <button type="submit">作成 / make</button>
  </form>
  <div id="self-check-out" hidden>
    <p id="self-check-title"></p>
    <div id="self-check-tables"></div>
    <button id="self-check-print" type="button">印刷 / print</button>
  </div>
  <div id="audit-out" hidden>
    <table id="audit-table"><thead><tr><th>番号</th><th>日時</th><th>操作者</th><th>操作</th><th>対象</th><th>目的</th><th>結果</th><th>理由</th></tr></thead><tbody></tbody></table>
    <button id="audit-older" type="button" hidden>さらに古い記録 / older records</button>
  </div>
</section>`;

/** `audit.js`: the access-log screen's script. Escapes are doubled: this is a template string. */
export const AUDIT_SCRIPT = `'use strict';
(function () {
  var T = window.JukiTerminal;
  var $ = function (id) { return document.getElementById(id); };
  var LABELS = JSON.parse($('audit-list').dataset.labels);
  var RESULT = { ok: '正常', refused: '拒否', failed: '失敗' };
  var oldest;
  function jst(iso) { return new Date(iso).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo', hour12: false }); }
  function append(records) {
    var body = $('audit-table').tBodies[0];
    records.forEach(function (r) {
      var tr = document.createElement('tr');
      [String(r.seq), jst(r.at), r.operator, (LABELS[r.operation] ? LABELS[r.operation] + ' ' : '') + '(' + r.operation + ')',
        r.target || '—', r.purpose || '—', RESULT[r.result] || r.result, r.reason || '—'].forEach(function (text) {
        var td = document.createElement('td'); td.textContent = text; tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }
  async function load(more) {
    var body = {}, operator = $('audit-operator').value.trim();
    if (operator) body.operator = operator;
    if (more) body.beforeSeq = oldest;
    try {
      var a = await T.call('POST', '/api/node/audit/list', body);
      if (!more) $('audit-table').tBodies[0].textContent = '';
      append(a.records);
      if (a.records.length > 0) oldest = a.records[a.records.length - 1].seq;
      $('audit-older').hidden = !a.more;
      $('audit-out').hidden = false;
      T.status('アクセスログ ' + $('audit-table').tBodies[0].rows.length + ' 件を表示 / ' + a.records.length + ' record(s) shown', 'ok', 'audit.listed');
    } catch (e) { T.fail(e); }
  }
  $('audit-list').addEventListener('submit', function (ev) { ev.preventDefault(); load(false); });

  // 点検報告: each part of the report as a small table (textContent only).
  var CHANNEL = { immediate: '即時', batch: '一括', media: '媒体' };
  function table(title, head, rows) {
    var box = $('self-check-tables');
    var h = document.createElement('h4'); h.textContent = title; box.appendChild(h);
    if (rows.length === 0) { var p = document.createElement('p'); p.textContent = '（なし / none）'; box.appendChild(p); return; }
    var t = document.createElement('table'), tr = document.createElement('tr');
    head.forEach(function (text) { var th = document.createElement('th'); th.textContent = text; tr.appendChild(th); });
    t.appendChild(document.createElement('thead')).appendChild(tr);
    var body = t.appendChild(document.createElement('tbody'));
    rows.forEach(function (row) {
      var r = document.createElement('tr');
      row.forEach(function (text) { var td = document.createElement('td'); td.textContent = String(text); r.appendChild(td); });
      body.appendChild(r);
    });
    box.appendChild(t);
  }
  $('self-check').addEventListener('submit', async function (ev) {
    ev.preventDefault(); $('self-check-out').hidden = true;
    try {
      var r = await T.call('POST', '/api/node/audit/report', { from: $('self-check-from').value, to: $('self-check-to').value });
      $('self-check-tables').textContent = '';
      $('self-check-title').textContent = '点検報告 ' + r.node + '（' + r.period.from + ' ～ ' + r.period.to + '）作成 ' + jst(r.generatedAt);
      var a = r.accessLog, v = a.verification;
      table('アクセスログ ' + a.records + ' 件' + (v ? (v.ok ? '（検証：改ざんなし）' : '（検証：改ざんを検出 ' + v.problem + '）') : ''),
        ['操作', '正常', '拒否', '失敗'], a.operations.map(function (o) { return [(LABELS[o.operation] ? LABELS[o.operation] + ' ' : '') + '(' + o.operation + ')', o.ok, o.refused, o.failed]; }));
      table('拒否の理由', ['理由', '件数'], a.refusals.map(function (x) { return [x.reason, x.count]; }));
      table('操作者ごとの操作', ['操作者', '操作', 'うち拒否'], a.operators.map(function (o) { return [o.operator, o.acts, o.refused]; }));
      table('操作者登録簿の変更', ['日時', '内容', '操作者', '実施者', '詳細'],
        r.operators.events.map(function (e) { return [jst(e.at), e.kind === 'granted' ? '付与' : '失効', e.operatorId, e.by, e.detail]; })
          .concat(r.operators.cardRevocations.map(function (c) { return [jst(c.at), 'カード失効', c.operatorId, c.by, c.reason]; })));
      if (r.alerts) table('侵入検知 ' + r.alerts.total + ' 件', ['種別', '件数'], r.alerts.kinds.map(function (k) { return [k.kind, k.count]; }));
      if (r.integrity) table('本人確認情報整合', ['実行', '一致', '不一致', '修復した記録', '相手'],
        [[r.integrity.checks, r.integrity.matching, r.integrity.differing, r.integrity.repaired, r.integrity.peers.join('、') || '—']]);
      if (r.retention) table('保存期間の消去', ['実行', '消去した履歴', '消去した記録'],
        [[r.retention.runs, r.retention.erasedHistoryEntries, r.retention.erasedRecords]]);
      if (r.provision) {
        var p = r.provision;
        table('本人確認情報の提供 ' + p.total + ' 件', ['提供先', '事務', '方法', '件数'], p.provisions.map(function (x) { return [x.recipientId, x.affairId, CHANNEL[x.channel] || x.channel, x.count]; }));
        table('拒否された照会 ' + p.refusedTotal + ' 件', ['提供先', '理由', '件数'], p.refusals.map(function (x) { return [x.recipientId, x.reason, x.count]; }));
        table('媒体出力', ['出力', '行数', '廃棄済み', '未廃棄'], [[p.media.outputs, p.media.rows, p.media.disposed, p.media.outputs - p.media.disposed]]);
      }
      $('self-check-out').hidden = false;
      T.status('点検報告を作成しました / self-check report made', 'ok', 'audit.report');
    } catch (e) { T.fail(e); }
  });
  // Printed, only the report is on the paper (work-screens.ts's print style, body.print-self-check).
  $('self-check-print').addEventListener('click', function () {
    document.body.classList.add('print-self-check');
    try { window.print(); } finally { document.body.classList.remove('print-self-check'); }
  });
  document.addEventListener('juki:me', function (ev) { if (!ev.detail) $('self-check-tables').textContent = ''; });
  $('audit-older').addEventListener('click', function () { load(true); });
  $('audit-analyse').addEventListener('click', async function () {
    try {
      var r = await T.call('POST', '/api/node/audit/analyse', {});
      T.status('解析しました：記録 ' + r.records + ' 件・所見 ' + r.findings + ' 件（新規 ' + r.newFindings.length + ' 件、監視の警報に）/ analysed ' +
        r.records + ' records: ' + r.findings + ' finding(s), ' + r.newFindings.length + ' new (raised as alerts)', 'ok', 'audit.analysed');
    } catch (e) { T.fail(e); }
  });
  $('audit-verify').addEventListener('click', async function () {
    var out = $('audit-verify-out');
    out.hidden = true;
    try {
      var r = await T.call('POST', '/api/node/audit/verify', {});
      if (r.problem) {
        out.textContent = '改ざんを検出しました / TAMPERING DETECTED: ' + r.problem.kind + '（記録 ' + r.problem.seq + '）' + r.problem.detail;
        out.className = 'error';
        T.status('アクセスログに改ざんがあります / the access log was tampered with', 'error', 'audit.tampered');
      } else {
        out.textContent = '改ざんは見つかりません：記録 ' + r.records + ' 件・封印 ' + r.seals + ' 件を検証 / ' + r.records + ' records, ' + r.seals + ' seals verified' +
          (r.unsealedTail ? '。記録 ' + r.unsealedTail.fromSeq + ' 以降の ' + r.unsealedTail.count + ' 件は未封印 / ' + r.unsealedTail.count + ' not sealed yet' : '');
        out.className = 'ok';
        T.status('アクセスログを検証しました / access log verified', 'ok', 'audit.verified');
      }
      out.hidden = false;
    } catch (e) { T.fail(e); }
  });
})();
`;

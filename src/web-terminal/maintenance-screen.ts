/**
 * 運用管理 (node maintenance) at a node's web terminal, for its administrator (docs/WEB-TERMINAL.md
 * "Work screens"): 本人確認情報整合 (the integrity check against the upstream node, R20) and its
 * record, the retention run (R1, R33) and its record, at a prefecture server the fetch of the
 * national server's disclosure records (R17), at a CS the connectivity check through the switch
 * (R2). Each part shows only where the card and the node's role have its route; the jobs also
 * run on their schedules, this runs them now. At the switch: its route records (経路記録).
 */
export const MAINTENANCE_SECTION = `<section id="maintenance-section" class="work" data-route="GET /api/node/retention" hidden>
  <h2>運用管理 <small>node maintenance</small></h2>
  <div data-route="GET /api/node/integrity">
    <h3>本人確認情報整合 <small>the integrity check against the upstream node (R20)</small></h3>
    <label data-route="POST /api/node/integrity/check"><input type="checkbox" id="integrity-repair"> 相違を修復する / repair what differs</label>
    <button id="integrity-run" type="button" data-route="POST /api/node/integrity/check">実行 / run now</button>
    <button id="integrity-list" type="button">記録 / records</button>
    <div id="integrity-out" hidden><table id="integrity-table"><thead><tr><th>開始</th><th>相手</th><th>件数（当方・相手）</th><th>結果</th><th>修復</th></tr></thead><tbody></tbody></table></div>
  </div>
  <div>
    <h3>保存期間 <small>erase what is past its retention period (R1, R33)</small></h3>
    <button id="retention-run" type="button" data-route="POST /api/node/retention/run">実行 / run now</button>
    <button id="retention-list" type="button">記録 / records</button>
    <div id="retention-out" hidden><table id="retention-table"><thead><tr><th>実行日時</th><th>基準日</th><th>消去した履歴</th><th>消去した記録</th><th>異動日の範囲</th></tr></thead><tbody></tbody></table></div>
  </div>
  <div data-route="POST /api/node/disclosure/sync">
    <h3>開示記録の取得 <small>fetch the national server's disclosure records now (R17)</small></h3>
    <button id="disclosure-sync" type="button">取得 / fetch</button>
  </div>
  <form id="route-check" data-route="POST /api/node/route/check">
    <h3>疎通確認 <small>a connectivity check with another CS through the switch (R2)</small></h3>
    <label>相手の CS / CS <input id="route-check-to" placeholder="cs:271276" autocomplete="off" required></label>
    <button type="submit">確認 / check</button>
  </form>
</section>
<section id="routes-section" class="work" data-route="GET /api/node/routes" hidden>
  <h2>経路記録 <small>the switch's route records: who, when, bytes, never content (R2)</small></h2>
  <button id="routes-refresh" type="button">一覧 / list</button>
  <div id="routes-out" hidden><table id="routes-table"><thead><tr><th>日時</th><th>要求元</th><th>宛先</th><th>結果</th><th>理由</th><th>バイト（上り・下り）</th><th>所要 (ms)</th></tr></thead><tbody></tbody></table></div>
</section>`;

/** `maintenance.js`: the screen's script. Escapes are doubled: this is a template string. */
export const MAINTENANCE_SCRIPT = `'use strict';
(function () {
  var T = window.JukiTerminal;
  var $ = function (id) { return document.getElementById(id); };
  function jst(iso) { return new Date(iso).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo', hour12: false }); }
  function rows(table, list, of) {
    var body = $(table).tBodies[0]; body.textContent = '';
    list.forEach(function (item) {
      var tr = document.createElement('tr');
      of(item).forEach(function (text) { var td = document.createElement('td'); td.textContent = text; tr.appendChild(td); });
      body.appendChild(tr);
    });
  }
  function differences(c) {
    return '不足 ' + c.missingAtReceiver + '・余分 ' + c.extraAtReceiver + '・相違 ' + c.differingValues;
  }
  async function listIntegrity(quiet) {
    try {
      var list = await T.call('GET', '/api/node/integrity');
      rows('integrity-table', list, function (r) {
        var repaired = r.repaired.inserted + r.repaired.updated + r.repaired.removed;
        return [jst(r.startedAt), r.peer + '（' + (r.role === 'sender' ? '送信側' : '受信側') + '）', r.localCount + '・' + r.peerCount,
          r.matching ? '一致' : '不一致（' + differences(r.differenceCounts) + '）', repaired > 0 ? repaired + ' 件' : '—'];
      });
      $('integrity-out').hidden = false;
      if (!quiet) T.status('整合の記録 ' + list.length + ' 件 / ' + list.length + ' check(s)', 'ok', 'integrity.listed');
    } catch (e) { T.fail(e); }
  }
  $('integrity-list').addEventListener('click', function () { listIntegrity(false); });
  $('integrity-run').addEventListener('click', async function () {
    T.status('整合を確認しています… / checking…', '');
    try {
      var r = await T.call('POST', '/api/node/integrity/check', { repair: $('integrity-repair').checked });
      await listIntegrity(true);
      T.status(r.peer + ' と' + (r.matching ? '一致しました / matching' : '相違があります（' + differences(r.differenceCounts) + '）/ differences found') +
        (r.repaired ? '。修復 ' + (r.repaired.inserted + r.repaired.updated + r.repaired.removed) + ' 件 / repaired' : ''),
        r.matching ? 'ok' : 'error', r.matching ? 'integrity.matching' : 'integrity.differences');
    } catch (e) { T.fail(e); }
  });

  async function listRetention(quiet) {
    try {
      var list = await T.call('GET', '/api/node/retention');
      rows('retention-table', list, function (r) {
        return [jst(r.ranAt), r.asOf, String(r.erasedHistoryEntries), String(r.erasedRecords),
          r.oldestErased ? r.oldestErased + ' ～ ' + r.newestErased : '—'];
      });
      $('retention-out').hidden = false;
      if (!quiet) T.status('保存期間の記録 ' + list.length + ' 件 / ' + list.length + ' run(s)', 'ok', 'retention.listed');
    } catch (e) { T.fail(e); }
  }
  $('retention-list').addEventListener('click', function () { listRetention(false); });
  $('retention-run').addEventListener('click', async function () {
    try {
      var r = await T.call('POST', '/api/node/retention/run', {});
      await listRetention(true);
      T.status('履歴 ' + r.erasedHistoryEntries + ' 件・記録 ' + r.erasedRecords + ' 件を消去しました / erased', 'ok', 'retention.ran');
    } catch (e) { T.fail(e); }
  });

  $('disclosure-sync').addEventListener('click', async function () {
    try {
      var r = await T.call('POST', '/api/node/disclosure/sync', {});
      T.status(r.source + ' から ' + r.fetched + ' 件を取得（新規 ' + r.added + ' 件）/ fetched ' + r.fetched + ', ' + r.added + ' new', 'ok', 'disclosure.synced');
    } catch (e) { T.fail(e); }
  });

  var OUTCOME = { relayed: '中継', refused: '拒否', failed: '中断' };
  $('routes-refresh').addEventListener('click', async function () {
    try {
      var list = await T.call('GET', '/api/node/routes');
      rows('routes-table', list, function (r) {
        return [jst(r.at), r.caller, r.target, OUTCOME[r.outcome] || r.outcome, r.reason || '—',
          r.bytesUp + '・' + r.bytesDown, String(r.durationMs)];
      });
      $('routes-out').hidden = false;
      T.status('経路記録 ' + list.length + ' 件 / ' + list.length + ' route record(s)', 'ok', 'routes.listed');
    } catch (e) { T.fail(e); }
  });

  $('route-check').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    try {
      var r = await T.call('POST', '/api/node/route/check', { to: $('route-check-to').value.trim() });
      T.status(r.answeredBy + ' が ' + r.via + ' 経由で応答しました（' + r.totalMs + ' ms）/ answered through the switch', 'ok', 'route.checked');
    } catch (e) { T.fail(e); }
  });
})();
`;

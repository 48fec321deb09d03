/**
 * `work.js`, the script of the web terminal's work screens (work-screens.ts has their HTML): it
 * shows the screens whose route the card holds (`juki:me` from app.js), calls the routes with
 * `window.JukiTerminal.call`, writes answers with `textContent` only, and empties every screen at
 * log out. Escapes are doubled (`\\n`): this is a template string (page-scripts.test.ts).
 */
export const WORK_SCRIPT = `'use strict';
(function () {
  var T = window.JukiTerminal;
  var $ = function (id) { return document.getElementById(id); };
  var NONE = '（記録なし）';
  function cell(row, text) { var td = document.createElement('td'); td.textContent = text; row.appendChild(td); }
  function rows(table, list, cells) {
    var body = table.tBodies[0]; body.textContent = '';
    list.forEach(function (item) { var tr = document.createElement('tr'); cells(item).forEach(function (t) { cell(tr, t); }); body.appendChild(tr); });
  }
  function value(id) { return $(id).value.trim(); }

  // Only the screens whose route the card holds; the provision form asks for a recipient at a
  // prefecture server only (an agency server queries as itself).
  // At log out nothing of what the screens showed stays on the page for the next operator.
  function clear(section) {
    section.querySelectorAll('[id$="-out"]').forEach(function (o) { o.hidden = true; });
    section.querySelectorAll('tbody').forEach(function (b) { b.textContent = ''; });
    section.querySelectorAll('form').forEach(function (f) { f.reset(); });
    section.querySelectorAll('p[role=status]').forEach(function (p) { p.textContent = ''; });
    section.querySelectorAll('a[download]').forEach(function (a) {
      if (a.href.indexOf('blob:') === 0) URL.revokeObjectURL(a.href);
      a.removeAttribute('href');
    });
  }
  document.addEventListener('juki:me', function (ev) {
    var me = ev.detail;
    document.querySelectorAll('section.work').forEach(function (s) {
      s.hidden = !me || me.routes.indexOf(s.dataset.route) < 0;
      if (!me || s.hidden) clear(s);
    });
    if (me) $('provision-recipient-label').hidden = me.operator.node.indexOf('prefecture:') !== 0;
    // Parts of a screen that need a route of their own.
    if (me) document.querySelectorAll('section.work [data-route]').forEach(function (e) {
      e.hidden = me.routes.indexOf(e.dataset.route) < 0;
    });
  });

  function form() { return document.querySelector('#provision input[name=form]:checked').value; }
  function showConditions() {
    var f = form();
    document.querySelectorAll('#provision .by-code').forEach(function (e) { e.hidden = f !== 'code'; });
    document.querySelectorAll('#provision .by-name').forEach(function (e) { e.hidden = f === 'code'; });
    document.querySelectorAll('#provision .by-address').forEach(function (e) { e.hidden = f !== 'address'; });
    document.querySelectorAll('#provision .by-birth').forEach(function (e) { e.hidden = f !== 'birth'; });
  }
  document.querySelectorAll('#provision input[name=form]').forEach(function (r) { r.addEventListener('change', showConditions); });
  showConditions();

  function query() {
    var q = { affairId: value('provision-affair') }, f = form();
    if (f === 'code') { q.residentCode = value('provision-code'); return q; }
    q.name = value('provision-name'); q.nameMatch = $('provision-name-prefix').checked ? 'prefix' : 'exact';
    if (f === 'address') { q.address = value('provision-address'); q.addressMatch = $('provision-address-prefix').checked ? 'prefix' : 'exact'; }
    else q.birthDate = $('provision-birth').value;
    if ($('provision-sex').value) q.sex = $('provision-sex').value;
    return q;
  }
  var IDENTIFIER = { 'resident-code': '住民票コード', pseudonym: '仮名識別子' };
  var SEX = { male: '男', female: '女' };
  var STATUS = { resident: '住民', removed: '消除' };
  $('provision').addEventListener('submit', async function (ev) {
    ev.preventDefault(); $('provision-out').hidden = true; T.status('照会しています… / querying…', '');
    var body = { query: query() };
    if (!$('provision-recipient-label').hidden) body.recipientId = value('provision-recipient');
    try {
      var a = await T.call('POST', '/api/node/provision/query', body);
      $('provision-query-id').textContent = a.queryId;
      $('provision-count').textContent = String(a.identities.length);
      rows($('provision-table'), a.identities, function (p) {
        return [(IDENTIFIER[p.identifier.kind] || p.identifier.kind) + ' ' + p.identifier.value, p.name.kanji, p.name.kana,
          SEX[p.sex] || p.sex, p.birthDate, p.address, STATUS[p.status] || p.status];
      });
      $('provision-out').hidden = false;
      T.status(a.identities.length === 0 ? '該当する住民はいません / nobody matched' : '照会しました / answered', 'ok', 'provision.answered');
    } catch (e) { T.fail(e); }
  });

  // 一括提供: the rows go in runs of consecutive lines (blank lines skipped), each call under the
  // terminal's body limit; a line that is not a JSON object is sent as null, so that the national
  // server records its refusal too (R23). The result is the CLI's: {line, input, ...answer}.
  var BATCH_ROWS = 256, BATCH_BYTES = 48000, ECHOED = 200;
  function batchId() {
    var b = new Uint8Array(3); crypto.getRandomValues(b);
    return 'web-' + Date.now() + '-' + Array.from(b, function (x) { return (x + 256).toString(16).slice(1); }).join('');
  }
  function parseRow(raw) {
    try { var v = JSON.parse(raw); return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : null; }
    catch (e) { return null; }
  }
  $('batch').addEventListener('submit', async function (ev) {
    ev.preventDefault(); $('batch-out').hidden = true;
    var file = $('batch-file').files[0], affairId = value('batch-affair'), id = batchId();
    var items = [];
    (await file.text()).split(/\\r?\\n/).forEach(function (raw, i) {
      if (raw.trim() !== '') items.push({ line: i + 1, row: parseRow(raw), raw: raw });
    });
    var out = [], counts = { found: 0, 'not-found': 0, refused: 0, malformed: 0 };
    try {
      for (var i = 0; i < items.length;) {
        var run = [items[i]], bytes = JSON.stringify(items[i].row).length;
        while (i + run.length < items.length && run.length < BATCH_ROWS) {
          var next = items[i + run.length];
          bytes += JSON.stringify(next.row).length + 1;
          if (next.line !== run[run.length - 1].line + 1 || bytes > BATCH_BYTES) break;
          run.push(next);
        }
        T.status('一括照会中 ' + i + ' / ' + items.length + ' 行 / running: ' + i + ' of ' + items.length + ' rows', '');
        var a = await T.call('POST', '/api/node/provision/batch',
          { affairId: affairId, batchId: id, firstLine: run[0].line, rows: run.map(function (r) { return r.row; }) });
        a.results.forEach(function (r, k) {
          var c = run[k];
          counts[c.row === null ? 'malformed' : r.status] += 1;
          out.push(JSON.stringify(Object.assign({ line: c.line, input: c.row === null ? c.raw.slice(0, ECHOED) : c.row }, r)));
        });
        i += run.length;
      }
    } catch (e) {
      T.fail(e);
      $('batch-progress').textContent = items.length === 0 ? '' : out.length + ' / ' + items.length +
        ' 行まで照会済み（記録済み）。残りは失敗しました / ' + out.length + ' rows answered and recorded before the failure';
      return;
    }
    if ($('batch-download').href) URL.revokeObjectURL($('batch-download').href);
    var batchUrl = URL.createObjectURL(new Blob([out.join('\\n') + (out.length ? '\\n' : '')], { type: 'application/x-ndjson' }));
    $('batch-download').href = batchUrl;
    $('batch-download').download = file.name.replace(/\\.(jsonl|json|txt)$/, '') + '-result.jsonl';
    $('batch-summary').textContent = '一括提供 ' + id + '：' + items.length + ' 行 — 該当 ' + counts.found + '・該当なし ' +
      counts['not-found'] + '・拒否 ' + counts.refused + '・不正な行 ' + counts.malformed + ' / ' + counts.found + ' found, ' +
      counts['not-found'] + ' not found, ' + counts.refused + ' refused, ' + counts.malformed + ' malformed';
    $('batch-progress').textContent = '';
    $('batch-out').hidden = false;
    T.status('一括照会が終わりました / batch done', 'ok', 'batch.done');
  });

  $('disclosure').addEventListener('submit', async function (ev) {
    ev.preventDefault(); $('disclosure-out').hidden = true; T.status('作成しています… / making the report…', '');
    var body = { residentCode: value('disclosure-code') };
    if ($('disclosure-from').value) body.from = $('disclosure-from').value;
    if ($('disclosure-to').value) body.to = $('disclosure-to').value;
    try {
      var r = await T.call('POST', '/api/node/disclosure/report', body);
      $('disclosure-name').textContent = r.resident.nameKanji;
      $('disclosure-kana').textContent = r.resident.nameKana;
      $('disclosure-resident').textContent = r.resident.residentCode;
      $('disclosure-period').textContent = (r.period.from ? r.period.from.eraDate : '記録の始め') + ' ～ ' + r.period.to.eraDate;
      $('disclosure-issuer').textContent = r.issuer;
      $('disclosure-generated').textContent = r.generatedAt.eraDate + ' ' + r.generatedAt.time;
      $('disclosure-total').textContent = r.totals.lines === 0
        ? 'この期間に提供の記録はありません / no provision in this period'
        : '提供 ' + r.totals.lines + ' 件・提供先 ' + r.totals.recipients + ' / ' + r.totals.lines + ' provision(s) to ' + r.totals.recipients + ' recipient(s)';
      rows($('disclosure-table'), r.lines, function (l) {
        return [String(l.number), l.when.eraDate + ' ' + l.when.time, l.recipientName, l.affairDescription || NONE,
          l.legalBasis, l.channelLabel, l.providedBy, l.queryId];
      });
      $('disclosure-out').hidden = false;
      T.status('開示報告を作成しました / disclosure report made', 'ok', 'disclosure.made');
    } catch (e) { T.fail(e); }
  });
  $('disclosure-print').addEventListener('click', function () { window.print(); });

  var ALERT = {
    'not-our-protocol': '当システム以外の通信', 'tls-handshake-failed': 'TLS 接続の失敗',
    'certificate-revoked': '失効した証明書', 'certificate-expired': '有効期間外の証明書',
    'unexpected-peer': '想定外の相手', 'handshake-timeout': '接続確立の停滞',
    'forbidden-operation': '許可されていない操作', 'rate-limited': '接続・要求の過多',
    'bad-frame': '不正なフレーム', 'unknown-kinds': '未知の要求の反復', 'idle-timeout': '無応答',
    'peer-not-reading': '受信しない相手', 'node-isolated': '緊急遮断', 'crl-refused': '失効リストの拒否',
    'crl-expiring': '失効リストの期限', 'audit-finding': 'アクセスログ解析の所見',
    'audit-anchor-conflict': '封印の不一致'
  };
  function jst(iso) {
    return new Date(iso).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo', hour12: false });
  }
  $('monitor-refresh').addEventListener('click', async function () {
    try {
      var m = await T.call('GET', '/api/node/monitor'), h = m.health;
      $('monitor-node').textContent = m.node;
      $('monitor-status').textContent = h.status === 'ok' ? '正常 / ok' : '縮退 / degraded';
      $('monitor-sessions').textContent = String(h.sessions);
      $('monitor-outbox').textContent = h.outbox === undefined || h.outbox === null ? '—' : String(h.outbox);
      $('monitor-crl').textContent = !h.crl ? '—' : ({ ok: '有効', expiring: '期限間近', expired: '期限切れ' }[h.crl.state] || h.crl.state) +
        (h.crl.hoursLeft === undefined || h.crl.hoursLeft === null ? '' : '（残り ' + h.crl.hoursLeft + ' 時間）');
      $('monitor-at').textContent = jst(m.at);
      $('monitor-summary').textContent = '警報 ' + m.alerts.length + ' 件（24 時間以内 ' + m.counts.alertsLastDay + ' 件）/ ' +
        m.alerts.length + ' alert(s), ' + m.counts.alertsLastDay + ' in the last 24 h';
      rows($('monitor-table'), m.alerts, function (a) {
        return [jst(a.at), (ALERT[a.kind] || a.kind) + ' (' + a.kind + ')', a.peerName || a.peerAddress, a.detail];
      });
      $('monitor-out').hidden = false;
      T.status('監視情報を更新しました / monitoring view refreshed', 'ok', 'monitor.refreshed');
    } catch (e) { T.fail(e); }
  });

  var KIND = { 'national-agency': '国の機関等', 'prefecture-body': '都道府県の執行機関', municipality: '市町村' };
  async function listRegister(quiet) {
    try {
      var list = await T.call('GET', '/api/node/provision/register');
      rows($('register-table'), list, function (r) {
        return [r.id, r.name, KIND[r.kind] || r.kind, r.affairs.join('、') || '—',
          r.agreements.map(function (a) { return a.id + '（' + a.validFrom + ' ～ ' + (a.validTo || '') + '）'; }).join('、') || '—',
          r.suspended ? '停止中（' + jst(r.suspended.at) + '、' + r.suspended.by + '：' + r.suspended.reason + '）' : '提供中'];
      });
      $('register-out').hidden = false;
      if (!quiet) T.status('提供先 ' + list.length + ' 件 / ' + list.length + ' recipient(s)', 'ok', 'register.listed');
    } catch (e) { T.fail(e); }
  }
  $('register-refresh').addEventListener('click', function () { listRegister(false); });
  $('suspension').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    var action = ev.submitter && ev.submitter.value === 'reinstate' ? 'reinstate' : 'suspend';
    try {
      var e = await T.call('POST', '/api/node/provision/suspension',
        { recipientId: value('suspension-recipient'), action: action, reason: value('suspension-reason') });
      $('suspension-reason').value = '';
      await listRegister(true);
      T.status(e.recipientId + (action === 'suspend' ? ' への提供を停止しました / provision suspended' : ' への提供を再開しました / provision reinstated'),
        'ok', 'provision.' + action);
    } catch (err) { T.fail(err); }
  });

  // The register's other changes (POST /provision/register), each in force at once.
  document.addEventListener('juki:me', function (ev) {
    if (ev.detail && !value('recipient-served-by')) $('recipient-served-by').value = ev.detail.operator.node;
  });
  async function changeRegister(body, clear) {
    try {
      var a = await T.call('POST', '/api/node/provision/register', body);
      clear.forEach(function (id) { $(id).value = ''; });
      await listRegister(true);
      T.status(a.done, 'ok', 'register.' + a.change);
    } catch (e) { T.fail(e); }
  }
  $('recipient-add').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var body = { change: 'recipient', id: value('recipient-id'), name: value('recipient-name'),
      kind: $('recipient-kind').value, servedBy: value('recipient-served-by') };
    if (value('recipient-node')) body.node = value('recipient-node');
    changeRegister(body, ['recipient-id', 'recipient-name', 'recipient-node']);
  });
  $('permit').addEventListener('submit', function (ev) {
    ev.preventDefault();
    changeRegister({ change: 'permit', recipientId: value('permit-recipient'), affairId: value('permit-affair'),
      identifier: $('permit-resident-code').checked ? 'resident-code' : 'pseudonym' }, ['permit-affair']);
  });
  $('agreement').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var body = { change: 'agreement', recipientId: value('agreement-recipient'), id: value('agreement-id'),
      signedOn: $('agreement-signed').value, validFrom: $('agreement-from').value, protectionMeasures: value('agreement-measures') };
    if ($('agreement-to').value) body.validTo = $('agreement-to').value;
    changeRegister(body, ['agreement-id', 'agreement-measures']);
  });

  // 条例事務 exist at a prefecture server only: the national server's page does not show the form.
  document.addEventListener('juki:me', function (ev) {
    if (ev.detail && ev.detail.operator.node.indexOf('prefecture:') !== 0) $('ordinance').hidden = true;
  });
  async function listOrdinance(quiet) {
    try {
      var list = await T.call('GET', '/api/node/provision/ordinance');
      rows($('ordinance-table'), list, function (a) { return [a.id, a.recipient, a.affair, a.legalBasis]; });
      $('ordinance-out').hidden = false;
      if (!quiet) T.status('条例事務 ' + list.length + ' 件 / ' + list.length + ' ordinance affair(s)', 'ok', 'ordinance.listed');
    } catch (e) { T.fail(e); }
  }
  $('ordinance-refresh').addEventListener('click', function () { listOrdinance(false); });
  $('ordinance').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    try {
      var a = await T.call('POST', '/api/node/provision/register', { change: 'ordinance', item: value('ordinance-item'),
        recipientText: value('ordinance-recipient'), affairText: value('ordinance-affair'), legalBasis: value('ordinance-basis') });
      ['ordinance-item', 'ordinance-recipient', 'ordinance-affair', 'ordinance-basis'].forEach(function (id) { $(id).value = ''; });
      $('permit-affair').value = a.id;
      await listOrdinance(true);
      T.status(a.done + '（事務の許可へ / permit it above）', 'ok', 'register.ordinance');
    } catch (e) { T.fail(e); }
  });

  var ROLE = { origin: '要求元', target: '宛先', relay: '中継' };
  var STATE = { waiting: '回答待ち', answered: '回答済み', refused: '拒否' };
  async function listReports(quiet) {
    try {
      var list = await T.call('GET', '/api/node/reports');
      rows($('reports-table'), list, function (r) {
        return [jst(r.request.requestedAt), r.request.subject, r.request.origin + ' → ' + r.request.target,
          ROLE[r.role] || r.role, STATE[r.status] || r.status, r.answer ? r.answer.body : '', r.request.id];
      });
      $('reports-out').hidden = false;
      if (!quiet) T.status('報告要求 ' + list.length + ' 件 / ' + list.length + ' request(s)', 'ok', 'reports.listed');
    } catch (e) { T.fail(e); }
  }
  $('reports-refresh').addEventListener('click', function () { listReports(false); });
  $('reports-poll').addEventListener('click', async function () {
    try {
      var r = await T.call('POST', '/api/node/reports/poll', {});
      await listReports(true);
      T.status('送信 ' + r.sent + ' 件・受信 ' + r.received + ' 件 / sent ' + r.sent + ', fetched ' + r.received, 'ok', 'reports.polled');
    } catch (e) { T.fail(e); }
  });
  $('report-request').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    try {
      var r = await T.call('POST', '/api/node/reports/request',
        { to: value('report-to'), subject: value('report-subject'), body: $('report-body').value });
      $('report-subject').value = ''; $('report-body').value = '';
      await listReports(true);
      T.status('報告を求めました（' + (STATE[r.status] || r.status) + '）/ requested: ' + r.request.id, 'ok', 'report.requested');
    } catch (e) { T.fail(e); }
  });
  $('report-answer').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    try {
      var r = await T.call('POST', '/api/node/reports/answer', { id: value('answer-id'), body: $('answer-body').value });
      $('answer-id').value = ''; $('answer-body').value = '';
      await listReports(true);
      T.status('回答しました / answered: ' + r.request.id, 'ok', 'report.answered');
    } catch (e) { T.fail(e); }
  });

  async function cut(path, body, done, reason) {
    try { var r = await T.call('POST', path, body); T.status(done(r), 'ok', reason); }
    catch (e) { T.fail(e); }
  }
  $('isolate').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var body = { peer: value('isolate-peer') };
    if (value('isolate-reason')) body.reason = value('isolate-reason');
    cut('/api/node/isolate', body, function (r) {
      return body.peer + ' を遮断しました（切断した接続 ' + r.sessionsCut + '）/ cut off, ' + r.sessionsCut + ' session(s) closed';
    }, 'node.isolated');
  });
  $('readmit').addEventListener('click', function () {
    var peer = value('isolate-peer');
    cut('/api/node/readmit', { peer: peer }, function (r) {
      return r.readmitted ? peer + ' の遮断を解除しました / readmitted' : peer + ' は遮断されていません / was not cut off';
    }, 'node.readmitted');
  });
})();
`;

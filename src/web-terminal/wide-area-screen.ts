/**
 * 住民票の写しの広域交付 (R24) at a CS's web terminal (docs/WEB-TERMINAL.md "Work screens"): the
 * counter clerk enters what the requester shows and states — the Juki card's resident code, or a
 * photo ID with the code or date of birth and sex; name and address; the persons to include or
 * the whole household; whether 続柄 and 住民票コード are wanted — and the CS asks the residence
 * municipality's CS through the switch. The copy comes back formatted by the node (copy-html.ts's
 * view, the same as the PDF), is shown with its certification and printed alone (印刷). It is
 * emptied at log out like every other answer. A security officer lists the other municipalities'
 * operator cards suspended here (R18) and lifts a suspension.
 */
export const WIDE_AREA_SECTION = `<section id="wide-area-section" class="work" data-route="POST /api/node/wide-area/copy" hidden>
  <h2>広域交付 <small>a copy of another municipality’s resident’s 住民票 (R24)</small></h2>
  <form id="wide-area">
    <fieldset>
      <legend>本人確認書類 / shown at the counter</legend>
      <label><input type="radio" name="wide-area-id" value="juki-card" checked> 住民基本台帳カード / Juki card</label>
      <label><input type="radio" name="wide-area-id" value="photo-id"> 官公署発行の写真付き証明書 / a photo ID of a public office</label>
    </fieldset>
    <fieldset>
      <legend>請求者 / the requester</legend>
      <label>氏名 / name <input id="wide-area-name" autocomplete="off" required></label>
      <label>住所 / address <input id="wide-area-address" autocomplete="off" required></label>
      <label>住民票コード / resident code <input id="wide-area-code" inputmode="numeric" maxlength="11" autocomplete="off"></label>
      <label>生年月日 / date of birth <input id="wide-area-birth" type="date"></label>
      <label>性別 / sex <select id="wide-area-sex"><option value=""></option><option value="female">女</option><option value="male">男</option></select></label>
    </fieldset>
    <fieldset>
      <legend>写しに記載する者 / persons on the copy <small>（本人または同一世帯の者 / oneself or one’s household）</small></legend>
      <label>氏名（1 行に 1 名）/ names, one a line <textarea id="wide-area-persons" rows="3" autocomplete="off"></textarea></label>
      <label><input type="checkbox" id="wide-area-household"> 世帯全員 / the whole household</label>
      <label><input type="checkbox" id="wide-area-relationship"> 続柄を記載 / with 続柄</label>
      <label><input type="checkbox" id="wide-area-with-code"> 住民票コードを記載 / with 住民票コード</label>
    </fieldset>
    <button type="submit">請求 / request</button>
  </form>
  <div id="wide-area-out" hidden>
    <h3 id="wide-area-title"></h3>
    <p class="wide-area-meta">住所地 <span id="wide-area-residence"></span> ・ 請求番号 <span id="wide-area-request"></span></p>
    <div id="wide-area-copy-persons"></div>
    <p id="wide-area-closing"></p>
    <p id="wide-area-certification"></p>
    <p id="wide-area-issued" class="wide-area-right"></p>
    <p id="wide-area-mayor" class="wide-area-right"></p>
    <button id="wide-area-print" type="button">印刷 / print</button>
  </div>
</section>
<section id="wide-area-suspensions-section" class="work" data-route="GET /api/node/wide-area/suspensions" hidden>
  <h2>広域交付の停止 <small>other municipalities’ operator cards over the limit here (R18)</small></h2>
  <button id="wide-area-suspensions-refresh" type="button">一覧 / list</button>
  <div id="wide-area-suspensions-out" hidden>
    <table id="wide-area-suspensions-table"><thead><tr><th>操作者カード（CS/操作者）</th><th>停止の終了</th></tr></thead><tbody></tbody></table>
  </div>
  <form id="wide-area-release" data-route="POST /api/node/wide-area/release">
    <label>操作者カード / card <input id="wide-area-release-card" placeholder="cs:131016/clerk-1" autocomplete="off" required></label>
    <button type="submit">停止を解除 / lift the suspension</button>
  </form>
</section>`;

/** `wide-area.js`: the screen's script. Every value is written with textContent. */
export const WIDE_AREA_SCRIPT = `'use strict';
(function () {
  var T = window.JukiTerminal;
  var $ = function (id) { return document.getElementById(id); };
  function empty() {
    $('wide-area-out').hidden = true;
    $('wide-area-copy-persons').textContent = '';
    ['wide-area-title', 'wide-area-residence', 'wide-area-request', 'wide-area-closing',
     'wide-area-certification', 'wide-area-issued', 'wide-area-mayor'].forEach(function (id) { $(id).textContent = ''; });
    document.body.classList.remove('print-wide-area');
  }
  document.addEventListener('juki:me', function (ev) { if (!ev.detail) empty(); });

  $('wide-area').addEventListener('submit', async function (ev) {
    ev.preventDefault(); empty();
    var requester = { name: $('wide-area-name').value.trim(), address: $('wide-area-address').value.trim() };
    if ($('wide-area-code').value.trim()) requester.residentCode = $('wide-area-code').value.trim();
    if ($('wide-area-birth').value) requester.birthDate = $('wide-area-birth').value;
    if ($('wide-area-sex').value) requester.sex = $('wide-area-sex').value;
    var body = {
      identification: document.querySelector('#wide-area input[name=wide-area-id]:checked').value,
      requester: requester,
      persons: $('wide-area-persons').value.split('\\n').map(function (s) { return s.trim(); }).filter(Boolean),
      wholeHousehold: $('wide-area-household').checked,
      withRelationship: $('wide-area-relationship').checked,
      withResidentCode: $('wide-area-with-code').checked
    };
    T.status('住所地の CS に照会しています… / asking the residence municipality’s CS…', '');
    try {
      var c = await T.call('POST', '/api/node/wide-area/copy', body);
      var v = c.view;
      $('wide-area-title').textContent = v.title;
      $('wide-area-residence').textContent = v.residence;
      $('wide-area-request').textContent = v.requestId;
      v.persons.forEach(function (rows) {
        var table = document.createElement('table'); table.className = 'wide-area-person';
        var tbody = document.createElement('tbody');
        rows.forEach(function (kv) {
          var tr = document.createElement('tr');
          var th = document.createElement('th'); th.textContent = kv[0];
          var td = document.createElement('td'); td.textContent = kv[1];
          tr.appendChild(th); tr.appendChild(td); tbody.appendChild(tr);
        });
        table.appendChild(tbody); $('wide-area-copy-persons').appendChild(table);
      });
      $('wide-area-closing').textContent = v.closing;
      $('wide-area-certification').textContent = v.certification;
      $('wide-area-issued').textContent = v.issuedOn;
      $('wide-area-mayor').textContent = v.mayor;
      $('wide-area-out').hidden = false;
      T.status('広域交付：' + c.persons.length + ' 名の写しを作成しました / the copy is ready (' + c.residence.node + ')', 'ok', 'wide-area.issued');
    } catch (e) { T.fail(e); }
  });
  async function listSuspensions() {
    try {
      var list = await T.call('GET', '/api/node/wide-area/suspensions');
      var body = $('wide-area-suspensions-table').tBodies[0]; body.textContent = '';
      list.forEach(function (x) {
        var tr = document.createElement('tr');
        [x.card, new Date(x.until).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo', hour12: false })].forEach(function (t) {
          var td = document.createElement('td'); td.textContent = t; tr.appendChild(td);
        });
        body.appendChild(tr);
      });
      $('wide-area-suspensions-out').hidden = false;
      T.status('停止中のカード ' + list.length + ' 枚 / ' + list.length + ' card(s) suspended', 'ok', 'wide-area.suspensions');
    } catch (e) { T.fail(e); }
  }
  $('wide-area-suspensions-refresh').addEventListener('click', listSuspensions);
  $('wide-area-release').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    try {
      var r = await T.call('POST', '/api/node/wide-area/release', { card: $('wide-area-release-card').value.trim() });
      $('wide-area-release-card').value = '';
      T.status(r.card + ' の停止を解除しました / suspension lifted', 'ok', 'wide-area.released');
    } catch (e) { T.fail(e); }
  });
  $('wide-area-print').addEventListener('click', function () {
    document.body.classList.add('print-wide-area');
    window.print();
    document.body.classList.remove('print-wide-area');
  });
})();
`;

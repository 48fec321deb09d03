import { CARD_TYPES, CARD_TYPE_INFO } from '../domain/operator/card-types.ts';

/**
 * 操作者の管理 (the operator register, R15, R31) at a node's web terminal (docs/WEB-TERMINAL.md
 * "Work screens"): the node's operators for its administrator and security officer; a grant and
 * an enrollment token for the administrator, a revocation for both. The node decides who may and
 * names the logged-in operator as granter, issuer or revoker; the token is shown once.
 */

const CARD_OPTIONS = CARD_TYPES.map(
  (c) => `<option value="${c}">${CARD_TYPE_INFO[c].ja}</option>`,
).join('');

const CARD_LABELS = Object.fromEntries(CARD_TYPES.map((c) => [c, CARD_TYPE_INFO[c].ja]));

export const OPERATORS_SECTION = `<section id="operators-section" class="work" data-route="GET /api/node/operators" hidden>
  <h2>操作者の管理 <small>the operator register (R15, R31)</small></h2>
  <button id="operators-refresh" type="button" data-cards='${JSON.stringify(CARD_LABELS)}'>一覧 / list</button>
  <div id="operators-out" hidden><table id="operators-table"><thead><tr><th>操作者ID</th><th>氏名</th><th>カード種別</th><th>付与</th><th>状態</th></tr></thead><tbody></tbody></table></div>
  <form id="operator-grant" data-route="POST /api/node/operators/grant">
    <h3>操作者の登録 <small>grant</small></h3>
    <label>操作者ID / operator id <input id="grant-id" autocomplete="off" required></label>
    <label>氏名 / name <input id="grant-name" autocomplete="off" required></label>
    <label>カード種別 / card type <select id="grant-card">${CARD_OPTIONS}</select></label>
    <button type="submit">登録 / grant</button>
  </form>
  <form id="operator-enroll" data-route="POST /api/node/operators/enroll">
    <h3>操作者識別カード登録用トークン <small>an enrollment token (valid 15 minutes, once)</small></h3>
    <label>操作者ID / operator id <input id="issue-token-id" autocomplete="off" required></label>
    <button type="submit">発行 / issue</button>
    <div id="issue-token-out" hidden>
      <p>一度だけ表示します。本人に渡してください / shown once: hand it to the operator</p>
      <pre><code id="issue-token-value"></code></pre>
      <p>有効期限 / valid until <span id="issue-token-expires"></span></p>
    </div>
  </form>
  <form id="operator-revoke" data-route="POST /api/node/operators/revoke">
    <h3>操作者の失効 <small>revoke at once</small></h3>
    <label>操作者ID / operator id <input id="revoke-id" autocomplete="off" required></label>
    <label>理由 / reason <input id="revoke-reason" maxlength="500" autocomplete="off" required></label>
    <button type="submit">失効 / revoke</button>
  </form>
</section>`;

/** `operators.js`: the screen's script. Escapes are doubled: this is a template string. */
export const OPERATORS_SCRIPT = `'use strict';
(function () {
  var T = window.JukiTerminal;
  var $ = function (id) { return document.getElementById(id); };
  var CARDS = JSON.parse($('operators-refresh').dataset.cards);
  function jst(iso) { return new Date(iso).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo', hour12: false }); }
  async function list(quiet) {
    try {
      var all = await T.call('GET', '/api/node/operators');
      var body = $('operators-table').tBodies[0]; body.textContent = '';
      all.forEach(function (o) {
        var tr = document.createElement('tr');
        [o.id, o.name, (CARDS[o.cardType] || o.cardType) + ' (' + o.cardType + ')', jst(o.grantedAt) + '、' + o.grantedBy,
          o.revoked ? '失効（' + jst(o.revoked.at) + '、' + o.revoked.by + '：' + o.revoked.reason + '）' : '有効'].forEach(function (text) {
          var td = document.createElement('td'); td.textContent = text; tr.appendChild(td);
        });
        body.appendChild(tr);
      });
      $('operators-out').hidden = false;
      if (!quiet) T.status('操作者 ' + all.length + ' 名 / ' + all.length + ' operator(s)', 'ok', 'operators.listed');
    } catch (e) { T.fail(e); }
  }
  $('operators-refresh').addEventListener('click', function () { list(false); });
  $('operator-grant').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    try {
      var o = await T.call('POST', '/api/node/operators/grant',
        { id: $('grant-id').value.trim(), name: $('grant-name').value.trim(), cardType: $('grant-card').value });
      $('grant-id').value = ''; $('grant-name').value = '';
      if (!$('operators-out').hidden) await list(true);
      T.status(o.id + ' を ' + (CARDS[o.cardType] || o.cardType) + ' として登録しました / granted', 'ok', 'operator.granted');
    } catch (e) { T.fail(e); }
  });
  $('operator-enroll').addEventListener('submit', async function (ev) {
    ev.preventDefault(); $('issue-token-out').hidden = true;
    try {
      var t = await T.call('POST', '/api/node/operators/enroll', { id: $('issue-token-id').value.trim() });
      $('issue-token-value').textContent = t.token;
      $('issue-token-expires').textContent = jst(t.expiresAt);
      $('issue-token-out').hidden = false;
      T.status(t.operatorId + ' の登録用トークンを発行しました / enrollment token issued', 'ok', 'operator.enrollment-issued');
    } catch (e) { T.fail(e); }
  });
  $('operator-revoke').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    try {
      var o = await T.call('POST', '/api/node/operators/revoke', { id: $('revoke-id').value.trim(), reason: $('revoke-reason').value.trim() });
      $('revoke-id').value = ''; $('revoke-reason').value = '';
      if (!$('operators-out').hidden) await list(true);
      T.status(o.id + ' を失効させました / revoked', 'ok', 'operator.revoked');
    } catch (e) { T.fail(e); }
  });
  // The token leaves the page at log out like every answer; it is also cleared here when the
  // section is hidden, since the token's element is not a table.
  document.addEventListener('juki:me', function () { $('issue-token-value').textContent = ''; $('issue-token-expires').textContent = ''; });
})();
`;

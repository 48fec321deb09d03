import { CARD_TYPES, CARD_TYPE_INFO } from '../domain/operator/card-types.ts';

/**
 * 操作者の管理 (the operator register, R15, R31) at a node's web terminal (docs/WEB-TERMINAL.md
 * "Work screens"): the node's operators for its administrator and security officer; a grant and
 * an enrollment token for the administrator, a revocation for both, of an operator or of one of
 * their cards (a lost or stolen authenticator). The node decides who may and
 * names the logged-in operator as granter, issuer or revoker; the token is shown once.
 */

const CARD_OPTIONS = CARD_TYPES.map(
  (c) => `<option value="${c}">${CARD_TYPE_INFO[c].ja}</option>`,
).join('');

const CARD_LABELS = Object.fromEntries(CARD_TYPES.map((c) => [c, CARD_TYPE_INFO[c].ja]));

export const OPERATORS_SECTION = `<section id="operators-section" class="work" data-route="GET /api/node/operators" hidden>
  <h2>操作者の管理 <small>the operator register (R15, R31)</small></h2>
  <button id="operators-refresh" type="button" data-cards='${JSON.stringify(CARD_LABELS)}'>一覧 / list</button>
  <button id="operators-history" type="button" data-route="POST /api/node/operators/history">履歴 / the register's history</button>
  <div id="operators-history-out" hidden><table id="operators-history-table"><thead><tr><th>番号</th><th>日時</th><th>操作者ID</th><th>内容</th><th>実施者</th></tr></thead><tbody></tbody></table></div>
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
  <form id="operator-credentials" data-route="POST /api/node/operators/credentials">
    <h3>操作者識別カード <small>an operator's cards: revoke a lost or stolen one, then issue a new token</small></h3>
    <label>操作者ID / operator id <input id="credentials-id" autocomplete="off" required></label>
    <button type="submit">表示 / show</button>
    <div id="credentials-out" hidden>
      <table id="credentials-table"><thead><tr><th>カード (credential id)</th><th>登録</th><th>最終使用</th><th>状態</th><th></th></tr></thead><tbody></tbody></table>
      <label id="credential-revoke-label" data-route="POST /api/node/operators/credentials/revoke">失効の理由 / reason to revoke <input id="credential-revoke-reason" maxlength="500" autocomplete="off" placeholder="紛失・盗難など / lost, stolen…"></label>
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
  $('operators-history').addEventListener('click', async function () {
    try {
      var events = await T.call('POST', '/api/node/operators/history', {});
      var body = $('operators-history-table').tBodies[0]; body.textContent = '';
      events.slice().reverse().forEach(function (e) {
        var tr = document.createElement('tr');
        [String(e.seq), jst(e.at), e.operatorId,
          e.kind === 'granted' ? '付与：' + (CARDS[e.detail] || e.detail) : '失効：' + e.detail, e.by].forEach(function (text) {
          var td = document.createElement('td'); td.textContent = text; tr.appendChild(td);
        });
        body.appendChild(tr);
      });
      $('operators-history-out').hidden = false;
      T.status('操作者登録簿の履歴 ' + events.length + ' 件 / ' + events.length + ' event(s), newest first', 'ok', 'operators.history');
    } catch (e) { T.fail(e); }
  });
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
  var shownFor;
  async function credentials(id, quiet) {
    try {
      var cards = await T.call('POST', '/api/node/operators/credentials', { id: id });
      shownFor = id;
      var body = $('credentials-table').tBodies[0]; body.textContent = '';
      var mayRevoke = !$('credential-revoke-label').hidden;
      cards.forEach(function (c) {
        var tr = document.createElement('tr');
        [c.credentialId, jst(c.createdAt), c.lastUsedAt ? jst(c.lastUsedAt) : '—',
          c.revoked ? '失効（' + jst(c.revoked.at) + '、' + c.revoked.by + '：' + c.revoked.reason + '）' : '有効'].forEach(function (text) {
          var td = document.createElement('td'); td.textContent = text; tr.appendChild(td);
        });
        var last = document.createElement('td');
        if (mayRevoke && !c.revoked) {
          var b = document.createElement('button'); b.type = 'button'; b.className = 'credential-revoke';
          b.textContent = '失効 / revoke'; b.dataset.credential = c.credentialId; last.appendChild(b);
        }
        tr.appendChild(last); body.appendChild(tr);
      });
      $('credentials-out').hidden = false;
      if (!quiet) T.status(id + ' の操作者識別カード ' + cards.length + ' 枚 / ' + cards.length + ' card(s)', 'ok', 'credentials.listed');
    } catch (e) { T.fail(e); }
  }
  $('operator-credentials').addEventListener('submit', function (ev) { ev.preventDefault(); credentials($('credentials-id').value.trim(), false); });
  $('credentials-table').addEventListener('click', async function (ev) {
    var b = ev.target.closest('button.credential-revoke');
    if (!b) return;
    try {
      await T.call('POST', '/api/node/operators/credentials/revoke',
        { id: shownFor, credentialId: b.dataset.credential, reason: $('credential-revoke-reason').value.trim() });
      $('credential-revoke-reason').value = '';
      await credentials(shownFor, true);
      T.status(shownFor + ' のカードを失効させました。新しいカードは登録用トークンで / card revoked: issue a new enrollment token for a new card', 'ok', 'credential.revoked');
    } catch (e) { T.fail(e); }
  });
  // The token leaves the page at log out like every answer; it is also cleared here when the
  // section is hidden, since the token's element is not a table.
  document.addEventListener('juki:me', function () { $('issue-token-value').textContent = ''; $('issue-token-expires').textContent = ''; });
})();
`;

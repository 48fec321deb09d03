import { AUDIT_SECTION } from './audit-screen.ts';
import { COUNTER_SECTION } from './counter-screen.ts';
import { MAINTENANCE_SECTION } from './maintenance-screen.ts';
import { MEDIA_SECTION } from './media-screen.ts';
import { OPERATORS_SECTION } from './operators-screen.ts';
import { WIDE_AREA_SECTION } from './wide-area-screen.ts';
import { WORK_CSS, WORK_SECTIONS } from './work-screens.ts';

/**
 * The web terminal's page (docs/WEB-TERMINAL.md): Japanese first, no inline script (the
 * Content-Security-Policy allows only this origin's scripts), no external resource. `app.js` uses
 * the @simplewebauthn/browser UMD bundle served as `/webauthn.js`; the work screens after login
 * are work-screens.ts and work-script.ts (`/work.js`), the counter's counter-screen.ts
 * (`/counter.js`), the access log's audit-screen.ts (`/audit.js`), the operator register's
 * operators-screen.ts (`/operators.js`), node maintenance's maintenance-screen.ts
 * (`/maintenance.js`), media provision's media-screen.ts (`/media.js`) and 広域交付's
 * wide-area-screen.ts (`/wide-area.js`).
 */
export const LOGIN_PAGE = `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>住基ネット 端末 / Juki-net terminal</title>
<link rel="stylesheet" href="/app.css">
<script src="/webauthn.js" defer></script>
<script src="/app.js" defer></script>
<script src="/work.js" defer></script>
<script src="/counter.js" defer></script>
<script src="/audit.js" defer></script>
<script src="/operators.js" defer></script>
<script src="/maintenance.js" defer></script>
<script src="/media.js" defer></script>
<script src="/wide-area.js" defer></script>
</head>
<body>
<h1>住基ネット 端末 <small>Juki-net terminal</small></h1>
<p id="status" role="status" aria-live="polite"></p>
<section id="me" hidden>
  <h2>ログイン中 <small>logged in</small></h2>
  <p>操作者 <span id="me-name"></span>（<span id="me-id"></span>）<br>
     カード種別 <span id="me-card"></span> ・ ノード <span id="me-node"></span></p>
  <button id="check" type="button">状態確認 / check</button>
  <button id="logout" type="button">ログアウト / log out</button>
  <h3>端末コマンド用セッション <small>terminal command session</small></h3>
  <p>このノードの機械で juki コマンドをあなたの権限で実行するためのセッションです。/ lets juki on
     this node's machine act as you, within your card's rights.</p>
  <button id="terminal-session" type="button">端末コマンド用セッションを発行 / issue a terminal command session</button>
  <div id="terminal-session-out" hidden>
    <p>一度だけ表示します。コピーしてください / shown once only: copy it now</p>
    <pre><code id="terminal-session-command"></code></pre>
    <p>有効期限 / valid until <span id="terminal-session-expires"></span>（<span id="terminal-session-idle"></span> 秒操作がなければ終了 / ends after that many seconds unused; ログアウトで終了 / ends at log out）</p>
  </div>
${COUNTER_SECTION}
${WIDE_AREA_SECTION}
${WORK_SECTIONS}
${MEDIA_SECTION}
${AUDIT_SECTION}
${OPERATORS_SECTION}
${MAINTENANCE_SECTION}
</section>
<section id="login-section">
  <h2>ログイン <small>log in</small></h2>
  <form id="login">
    <label>操作者ID / operator ID <input id="login-operator" name="operator" autocomplete="username webauthn" required></label>
    <button type="submit">ログイン / log in</button>
  </form>
</section>
<section id="enroll-section">
  <h2>操作者識別カード登録 <small>register an operator ID card</small></h2>
  <form id="enroll">
    <label>操作者ID / operator ID <input id="enroll-operator" name="operator" required></label>
    <label>登録用トークン / enrollment token <input id="enroll-token" name="token" autocomplete="off" required></label>
    <button type="submit">登録 / register</button>
  </form>
</section>
</body>
</html>
`;

export const LOGIN_CSS = `body{font-family:"Noto Sans CJK JP",sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
label{display:block;margin:.5rem 0}input{margin-left:.5rem}small{color:#555;font-weight:normal}
#status{min-height:1.5em;font-weight:bold}#status.error,#audit-verify-out.error{color:#a00}#status.ok,#audit-verify-out.ok{color:#060}
pre{background:#f4f4f4;padding:.5rem;overflow-x:auto;user-select:all}
${WORK_CSS}`;

export const LOGIN_SCRIPT = `'use strict';
(function () {
  var W = window.SimpleWebAuthnBrowser;
  var $ = function (id) { return document.getElementById(id); };
  function status(text, kind, reason) {
    var s = $('status'); s.textContent = text; s.className = kind;
    if (reason) s.dataset.reason = reason; else delete s.dataset.reason;
  }
  async function call(method, path, body) {
    var res = await fetch(path, {
      method: method, credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body)
    });
    var data = await res.json().catch(function () { return {}; });
    if (!res.ok) { var e = new Error((data.error && data.error.message) || res.statusText);
      e.reason = data.error && data.error.reason; e.status = res.status; throw e; }
    return data;
  }
  function fail(e) {
    var reason = e.reason || (e.name === 'NotAllowedError' ? 'browser.not-allowed' : 'browser.error');
    var text = e.reason ? e.message : '操作者識別カードの操作が取り消されたか失敗しました / the authenticator was cancelled or failed (' + e.name + ')';
    status(text, 'error', reason);
  }
  function hideTerminalSession() {
    $('terminal-session-out').hidden = true; $('terminal-session-command').textContent = '';
  }
  // answer: { operator, routes } (/api/me, /api/login/verify), or undefined when logged out.
  function show(answer) {
    var me = answer && answer.operator;
    if (!me) hideTerminalSession();
    $('me').hidden = !me; $('login-section').hidden = !!me; $('enroll-section').hidden = !!me;
    if (me) { $('me-name').textContent = me.name; $('me-id').textContent = me.id;
      $('me-card').textContent = me.cardTypeName + ' (' + me.cardType + ')'; $('me-node').textContent = me.node; }
    document.dispatchEvent(new CustomEvent('juki:me', { detail: me ? answer : null }));
  }
  window.JukiTerminal = { call: call, status: status, fail: fail };
  async function refresh(quiet) {
    try { show(await call('GET', '/api/me'));
      if (!quiet) status('ログイン中です / logged in', 'ok'); }
    catch (e) { show(undefined); if (!quiet || e.reason !== 'session.none') fail(e); }
  }
  $('login').addEventListener('submit', async function (ev) {
    ev.preventDefault(); status('操作者識別カードで確認しています… / verifying…', '');
    try {
      var opts = await call('POST', '/api/login/options', { operatorId: $('login-operator').value });
      var answer = await W.startAuthentication({ optionsJSON: opts });
      show(await call('POST', '/api/login/verify', { response: answer }));
      status('ログインしました / logged in', 'ok');
    } catch (e) { fail(e); }
  });
  $('enroll').addEventListener('submit', async function (ev) {
    ev.preventDefault(); status('操作者識別カードを登録しています… / registering…', '');
    try {
      var opts = await call('POST', '/api/enroll/options', { operatorId: $('enroll-operator').value, token: $('enroll-token').value });
      var answer = await W.startRegistration({ optionsJSON: opts });
      await call('POST', '/api/enroll/verify', { response: answer });
      $('enroll-token').value = '';
      status('操作者識別カードを登録しました。ログインしてください / card registered: log in now', 'ok', 'enrolled');
    } catch (e) { fail(e); }
  });
  $('logout').addEventListener('click', async function () {
    try { await call('POST', '/api/logout', {}); } catch (e) { /* ended already */ }
    show(undefined); status('ログアウトしました / logged out', 'ok', 'logged-out');
  });
  $('terminal-session').addEventListener('click', async function () {
    try {
      var t = await call('POST', '/api/terminal-session', {});
      $('terminal-session-command').textContent = 'export JUKI_OPERATOR_SESSION=' + t.token;
      $('terminal-session-expires').textContent = t.expiresAt;
      $('terminal-session-idle').textContent = String(t.idleSeconds);
      $('terminal-session-out').hidden = false;
      status('端末コマンド用セッションを発行しました / terminal command session issued', 'ok', 'terminal-session');
    } catch (e) { hideTerminalSession(); fail(e); }
  });
  $('check').addEventListener('click', function () { refresh(false); });
  refresh(true);
})();
`;

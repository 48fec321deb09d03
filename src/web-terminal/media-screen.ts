import { MEDIA_DISPOSAL_LABELS, MEDIA_DISPOSAL_METHODS } from '../domain/provision/media-output.ts';

/**
 * 媒体による提供 (media provision, R22) and the provision records (R22, R23) at a national or
 * prefecture server's web terminal (docs/WEB-TERMINAL.md "Work screens"):
 * - the provision operator picks a file of rows in the node's media directory (config
 *   `mediaDir`, where the medium is mounted on the server), names the result file, and seals it
 *   with a password or the recipient's certificate; the file is written to the medium, never to
 *   the browser (R15: data stays on the servers and the media they write);
 * - the provision operator records a medium's disposal (媒体の廃棄, R33: given back and erased,
 *   erased, or destroyed), once;
 * - the provision operator and the auditor read the media output record (who wrote which file
 *   when, for whom, how many rows, and its disposal) and the refused provision attempts (who asked, for which
 *   affair, why refused; never whom).
 * The browser sends file names only: the node refuses a path from the web terminal.
 */
const DISPOSAL_OPTIONS = MEDIA_DISPOSAL_METHODS.map(
  (m) => `<option value="${m}">${MEDIA_DISPOSAL_LABELS[m]} (${m})</option>`,
).join('');

export const MEDIA_SECTION = `<section id="media-section" class="work" data-route="POST /api/node/provision/media" hidden>
  <h2>媒体による提供 <small>media provision (R22)</small></h2>
  <p>媒体ディレクトリ（サーバに接続した媒体）にある照会条件のファイル（JSON Lines: 個人番号、または住所・氏名・生年月日・性別の完全一致）から、暗号化した結果ファイルを同じ媒体に作ります。結果は端末には保存されません。/ a file of rows on the medium mounted at the server in, an encrypted result file on the same medium out; nothing is stored on this terminal.</p>
  <button id="media-files-refresh" type="button" data-route="GET /api/node/provision/media/files">媒体のファイル / files on the medium</button>
  <div id="media-files-out" hidden>
    <p>媒体ディレクトリ / media directory <code id="media-dir"></code></p>
    <table id="media-files-table"><thead><tr><th>ファイル名</th><th>大きさ (バイト)</th><th>更新日時</th></tr></thead><tbody></tbody></table>
  </div>
  <form id="media">
    <label>提供先 ID / recipient <input id="media-recipient" autocomplete="off" required></label>
    <label>事務 / statutory affair <input id="media-affair" placeholder="別表第一:七十七" autocomplete="off" required></label>
    <label>入力ファイル / rows file <select id="media-in" required><option value="">媒体のファイルを表示してください / list the files first</option></select></label>
    <label>出力ファイル名 / result file name <input id="media-out-name" placeholder="pension-20261125.jkm" autocomplete="off" required></label>
    <fieldset>
      <legend>暗号化 / sealed with</legend>
      <label><input type="radio" name="media-key" value="password" checked> パスワード / a password</label>
      <label><input type="radio" name="media-key" value="certificate"> 受領者の証明書 / the recipient's certificate</label>
      <label class="media-password">パスワード（12 文字以上）/ password (12 characters or more) <input id="media-password" type="password" minlength="12" maxlength="4096" autocomplete="new-password"></label>
      <label class="media-password">パスワード（確認）/ again <input id="media-password-again" type="password" minlength="12" maxlength="4096" autocomplete="new-password"></label>
      <label class="media-certificate">証明書ファイル (PEM) / certificate file <input id="media-certificate" type="file" accept=".crt,.pem,application/x-pem-file"></label>
    </fieldset>
    <button type="submit">作成 / write the file</button>
  </form>
  <div id="media-out" hidden>
    <p id="media-summary"></p>
    <table id="media-result"><tbody></tbody></table>
  </div>
  <form id="media-dispose" data-route="POST /api/node/provision/media/disposal" data-methods='${JSON.stringify(MEDIA_DISPOSAL_LABELS)}'>
    <h3>媒体の廃棄 <small>record that a medium is gone (R33): given back and erased, erased, or destroyed</small></h3>
    <label>媒体出力 ID / media output id <input id="dispose-media" placeholder="media-…" autocomplete="off" required></label>
    <label>方法 / how <select id="dispose-method">${DISPOSAL_OPTIONS}</select></label>
    <label>備考 / note <textarea id="dispose-note" maxlength="500" rows="2" placeholder="受領書の番号、立会者など / receipt number, witness…"></textarea></label>
    <button type="submit">記録 / record</button>
  </form>
</section>
<section id="provision-records-section" class="work" data-route="POST /api/node/provision/refusals" hidden>
  <h2>提供の記録 <small>provision records (R22, R23)</small></h2>
  <form id="provision-records">
    <label>提供先 ID / recipient <input id="records-recipient" autocomplete="off" placeholder="空欄はすべて / every recipient"></label>
    <button type="submit">拒否された照会 / refused attempts</button>
    <button id="media-log-refresh" type="button" data-route="POST /api/node/provision/media/outputs">媒体出力の記録 / media outputs</button>
  </form>
  <div id="refusals-out" hidden>
    <h3>拒否された照会 <small>refused provision attempts: who asked and why, never whom</small></h3>
    <table id="refusals-table"><thead><tr><th>番号</th><th>日時</th><th>提供先</th><th>検索者</th><th>事務</th><th>方法</th><th>理由</th><th>内容</th><th>照会番号</th></tr></thead><tbody></tbody></table>
  </div>
  <div id="media-log-out" hidden>
    <h3>媒体出力の記録 <small>the media output record</small></h3>
    <table id="media-log-table"><thead><tr><th>日時</th><th>操作者</th><th>提供先</th><th>事務</th><th>ファイル</th><th>件数（提供・該当なし・拒否）</th><th>暗号化</th><th>SHA-256</th><th>廃棄</th><th>媒体出力 ID</th></tr></thead><tbody></tbody></table>
  </div>
</section>`;

/** `media.js`: the screens' script. Escapes are doubled: this is a template string. */
export const MEDIA_SCRIPT = `'use strict';
(function () {
  var T = window.JukiTerminal;
  var $ = function (id) { return document.getElementById(id); };
  var CHANNEL = { immediate: '即時', batch: '一括', media: '媒体' };
  var KEY = { password: 'パスワード', 'public-key': '証明書' };
  var DISPOSAL = JSON.parse($('media-dispose').dataset.methods);
  function jst(iso) { return new Date(iso).toLocaleString('ja-JP', { timeZone: 'Asia/Tokyo', hour12: false }); }
  function rows(table, list, of) {
    var body = $(table).tBodies[0]; body.textContent = '';
    list.forEach(function (item) {
      var tr = document.createElement('tr');
      of(item).forEach(function (text) { var td = document.createElement('td'); td.textContent = text; tr.appendChild(td); });
      body.appendChild(tr);
    });
  }
  function emptyFiles() {
    var select = $('media-in');
    while (select.options.length > 1) select.remove(1);
  }
  // At log out the file list goes with the rest (work.js empties tables and forms).
  document.addEventListener('juki:me', function (ev) { if (!ev.detail) emptyFiles(); });

  function keyKind() { return document.querySelector('#media input[name=media-key]:checked').value; }
  function showKey() {
    var k = keyKind();
    document.querySelectorAll('#media .media-password').forEach(function (e) { e.hidden = k !== 'password'; });
    document.querySelectorAll('#media .media-certificate').forEach(function (e) { e.hidden = k !== 'certificate'; });
  }
  document.querySelectorAll('#media input[name=media-key]').forEach(function (r) { r.addEventListener('change', showKey); });
  showKey();

  async function listFiles(quiet) {
    try {
      var a = await T.call('GET', '/api/node/provision/media/files');
      $('media-dir').textContent = a.dir;
      rows('media-files-table', a.files, function (f) { return [f.name, String(f.bytes), jst(f.modified)]; });
      var select = $('media-in'), chosen = select.value;
      emptyFiles();
      select.options[0].textContent = a.files.length ? '選んでください / choose a file' : '媒体にファイルがありません / no file on the medium';
      a.files.forEach(function (f) { select.add(new Option(f.name, f.name)); });
      select.value = chosen;
      $('media-files-out').hidden = false;
      if (!quiet) T.status('媒体のファイル ' + a.files.length + ' 件 / ' + a.files.length + ' file(s)', 'ok', 'media.files');
    } catch (e) { T.fail(e); }
  }
  $('media-files-refresh').addEventListener('click', function () { listFiles(false); });

  $('media').addEventListener('submit', async function (ev) {
    ev.preventDefault(); $('media-out').hidden = true;
    var body = { recipientId: $('media-recipient').value.trim(), affairId: $('media-affair').value.trim(),
      inName: $('media-in').value, outName: $('media-out-name').value.trim() };
    if (keyKind() === 'password') {
      if ($('media-password').value !== $('media-password-again').value) {
        T.status('パスワードが一致しません / the passwords differ', 'error', 'media.password-mismatch'); return;
      }
      body.password = $('media-password').value;
    } else {
      var file = $('media-certificate').files[0];
      if (!file) { T.status('証明書ファイルを選んでください / choose the certificate file', 'error', 'media.certificate-missing'); return; }
      body.recipientCertPem = await file.text();
    }
    T.status('媒体に書き込んでいます… / writing to the medium…', '');
    try {
      var r = await T.call('POST', '/api/node/provision/media', body);
      $('media-password').value = ''; $('media-password-again').value = '';
      $('media-summary').textContent = '媒体出力 ' + r.id + '：' + r.fileName + '（' + r.byteSize + ' バイト）を作成しました / written';
      rows('media-result', [
        ['行数 / rows', String(r.rowsIn)], ['提供 / found', String(r.rowsFound)],
        ['該当なし / not found', String(r.rowsNotFound)], ['拒否 / refused', String(r.rowsRefused)],
        ['暗号化 / sealed with', KEY[r.keyKind] || r.keyKind], ['SHA-256', r.fileSha256]
      ], function (pair) { return pair; });
      $('media-out').hidden = false;
      T.status('媒体出力を記録しました（' + r.rowsIn + ' 行）/ media output written and recorded', 'ok', 'media.written');
      listFiles(true);
    } catch (e) { T.fail(e); }
  });

  $('media-dispose').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    try {
      var body = { mediaId: $('dispose-media').value.trim(), method: $('dispose-method').value };
      if ($('dispose-note').value.trim()) body.note = $('dispose-note').value.trim();
      var d = await T.call('POST', '/api/node/provision/media/disposal', body);
      $('dispose-media').value = ''; $('dispose-note').value = '';
      T.status('媒体の廃棄を記録しました：' + d.mediaId + '（' + (DISPOSAL[d.method] || d.method) + '）/ disposal recorded', 'ok', 'media.disposed');
    } catch (e) { T.fail(e); }
  });

  function filter() {
    var body = { limit: 200 }, recipient = $('records-recipient').value.trim();
    if (recipient) body.recipientId = recipient;
    return body;
  }
  $('provision-records').addEventListener('submit', async function (ev) {
    ev.preventDefault();
    try {
      var list = await T.call('POST', '/api/node/provision/refusals', filter());
      rows('refusals-table', list, function (r) {
        return [String(r.id), jst(r.at), r.recipientId, r.searcher || '—', r.affairId || '—',
          CHANNEL[r.channel] || r.channel, r.reason, r.message, r.queryId];
      });
      $('refusals-out').hidden = false;
      T.status('拒否された照会 ' + list.length + ' 件 / ' + list.length + ' refused attempt(s)', 'ok', 'provision.refusals');
    } catch (e) { T.fail(e); }
  });
  $('media-log-refresh').addEventListener('click', async function () {
    try {
      var list = await T.call('POST', '/api/node/provision/media/outputs', filter());
      rows('media-log-table', list, function (m) {
        return [jst(m.at), m.operator, m.recipientId, m.affairId, m.fileName + '（' + m.byteSize + ' バイト）',
          m.rowsIn + '（' + m.rowsFound + '・' + m.rowsNotFound + '・' + m.rowsRefused + '）', KEY[m.keyKind] || m.keyKind, m.fileSha256,
          m.disposal ? (DISPOSAL[m.disposal.method] || m.disposal.method) + '（' + jst(m.disposal.at) + '、' + m.disposal.operator + (m.disposal.note ? '：' + m.disposal.note : '') + '）' : '未廃棄',
          m.id];
      });
      $('media-log-out').hidden = false;
      T.status('媒体出力の記録 ' + list.length + ' 件 / ' + list.length + ' media output(s)', 'ok', 'media.log');
    } catch (e) { T.fail(e); }
  });
})();
`;

/**
 * The web terminal's work screens (docs/WEB-TERMINAL.md "Work screens"): their HTML and CSS; the
 * script is work-script.ts. Each section names the route that shows it (`data-route`); after
 * login the page shows those the card holds (`/api/me` lists them):
 * - 即時提供の照会 (a provision query, R13, R21) at a prefecture or agency server;
 * - 一括提供 (a file of query rows, R14) at an agency server;
 * - 提供先の管理 (the recipient register: recipients, permitted affairs, 協定書 and suspension, R3,
 *   R5) and 提供状況の開示 (a resident's
 *   disclosure report, R17, printable) at a prefecture or national server;
 * - 報告要求 (report requests and their answers, R5, R6) where the node takes part in them;
 * - 監視 (health and alerts, R11) and 緊急遮断 (the emergency cut-off, R11) at every node.
 */
export const WORK_SECTIONS = `<section id="provision-section" class="work" data-route="POST /api/node/provision/query" hidden>
  <h2>即時提供の照会 <small>provision query (R13)</small></h2>
  <form id="provision">
    <label id="provision-recipient-label">提供先 ID / recipient <input id="provision-recipient" name="recipient" autocomplete="off"></label>
    <label>事務 / statutory affair <input id="provision-affair" name="affair" placeholder="別表第五:六" autocomplete="off" required></label>
    <fieldset>
      <legend>検索条件 / conditions</legend>
      <label><input type="radio" name="form" value="code" checked> 住民票コード / resident code</label>
      <label><input type="radio" name="form" value="address"> 氏名と住所 / name and address</label>
      <label><input type="radio" name="form" value="birth"> 氏名と生年月日 / name and date of birth</label>
      <label class="by-code">住民票コード <input id="provision-code" inputmode="numeric" maxlength="11" autocomplete="off"></label>
      <label class="by-name">氏名 / name <input id="provision-name" autocomplete="off"></label>
      <label class="by-name"><input type="checkbox" id="provision-name-prefix"> 氏名は前方一致 / name is a prefix</label>
      <label class="by-address">住所 / address <input id="provision-address" autocomplete="off"></label>
      <label class="by-address"><input type="checkbox" id="provision-address-prefix"> 住所は前方一致 / address is a prefix</label>
      <label class="by-birth">生年月日 / date of birth <input id="provision-birth" type="date"></label>
      <label class="by-name">性別 / sex <select id="provision-sex"><option value="">指定なし / any</option><option value="female">女</option><option value="male">男</option></select></label>
    </fieldset>
    <button type="submit">照会 / query</button>
  </form>
  <div id="provision-out" hidden>
    <p>照会番号 / query id <code id="provision-query-id"></code>：<span id="provision-count"></span> 件</p>
    <table id="provision-table"><thead><tr><th>識別子</th><th>氏名</th><th>よみ</th><th>性別</th><th>生年月日</th><th>住所</th><th>状態</th></tr></thead><tbody></tbody></table>
  </div>
</section>
<section id="batch-section" class="work" data-route="POST /api/node/provision/batch" hidden>
  <h2>一括提供 <small>batch provision (R14)</small></h2>
  <p>照会条件のファイル（JSON Lines: 1 行に 1 件、resident_code, individual_number, name, address, birth_date, sex などの列）を選ぶと、各行に本人確認情報か理由を付けた結果ファイルを作ります。大きなファイルは juki provision batch で。/ a JSON Lines file of query rows in, each row answered with 本人確認情報 or its reason; for large files use juki provision batch.</p>
  <form id="batch">
    <label>事務 / statutory affair <input id="batch-affair" autocomplete="off" required></label>
    <label>ファイル / file <input id="batch-file" type="file" accept=".jsonl,.json,.txt,application/x-ndjson" required></label>
    <button type="submit">一括照会 / run</button>
  </form>
  <p id="batch-progress" role="status"></p>
  <div id="batch-out" hidden>
    <p id="batch-summary"></p>
    <a id="batch-download" download>結果ファイル / result file</a>
  </div>
</section>
<section id="register-section" class="work" data-route="GET /api/node/provision/register" hidden>
  <h2>提供先の管理 <small>recipients and suspension (R3, R5)</small></h2>
  <button id="register-refresh" type="button">一覧 / list</button>
  <div id="register-out" hidden><table id="register-table"><thead><tr><th>提供先 ID</th><th>名称</th><th>種別</th><th>事務</th><th>協定書</th><th>状態</th></tr></thead><tbody></tbody></table></div>
  <form id="suspension" data-route="POST /api/node/provision/suspension">
    <h3>提供の停止・再開 <small>suspend or reinstate provision</small></h3>
    <label>提供先 ID / recipient <input id="suspension-recipient" autocomplete="off" required></label>
    <label>理由 / reason <input id="suspension-reason" maxlength="500" autocomplete="off" required></label>
    <button type="submit" value="suspend">停止 / suspend</button>
    <button type="submit" value="reinstate">再開 / reinstate</button>
  </form>
  <form id="recipient-add" data-route="POST /api/node/provision/register">
    <h3>提供先の登録 <small>add a recipient (R3)</small></h3>
    <label>提供先 ID / id <input id="recipient-id" placeholder="tokyo-board-of-education" autocomplete="off" required></label>
    <label>名称 / name <input id="recipient-name" maxlength="200" autocomplete="off" required></label>
    <label>種別 / kind <select id="recipient-kind"><option value="national-agency">国の機関等</option><option value="prefecture-body">都道府県の執行機関</option><option value="municipality">市町村</option></select></label>
    <label>提供するノード / served by <input id="recipient-served-by" autocomplete="off" required></label>
    <label>提供先のノード（接続する場合）/ its node, if it connects <input id="recipient-node" placeholder="agency:mhlw-pension" autocomplete="off"></label>
    <button type="submit">登録 / add</button>
  </form>
  <form id="permit" data-route="POST /api/node/provision/register">
    <h3>事務の許可 <small>permit a statutory affair (別表 or 条例)</small></h3>
    <label>提供先 ID / recipient <input id="permit-recipient" autocomplete="off" required></label>
    <label>事務 / affair <input id="permit-affair" placeholder="別表第五:六" autocomplete="off" required></label>
    <label><input type="checkbox" id="permit-resident-code"> 住民票コードそのものを提供する（事務が必要とする場合のみ）/ the affair needs the resident code itself</label>
    <button type="submit">許可 / permit</button>
  </form>
  <form id="agreement" data-route="POST /api/node/provision/register">
    <h3>協定書の記録 <small>record an agreement (協定書, R5)</small></h3>
    <label>提供先 ID / recipient <input id="agreement-recipient" autocomplete="off" required></label>
    <label>協定書の番号 / agreement id <input id="agreement-id" autocomplete="off" required></label>
    <label>締結日 / signed on <input id="agreement-signed" type="date" required></label>
    <label>有効期間 / valid <input id="agreement-from" type="date" required> ～ <input id="agreement-to" type="date"></label>
    <label>保護措置 / protection measures <textarea id="agreement-measures" maxlength="2000" rows="3" required></textarea></label>
    <button type="submit">記録 / record</button>
  </form>
  <form id="ordinance" data-route="GET /api/node/provision/ordinance">
    <h3>条例事務 <small>the affairs this prefecture's ordinance adds (R3)</small></h3>
    <button id="ordinance-refresh" type="button">一覧 / list</button>
    <div id="ordinance-out" hidden><table id="ordinance-table"><thead><tr><th>事務 ID</th><th>提供先</th><th>事務</th><th>根拠</th></tr></thead><tbody></tbody></table></div>
    <label>項番 / item <input id="ordinance-item" placeholder="一" maxlength="32" autocomplete="off" required></label>
    <label>提供先（条例の記載）/ recipient, as the ordinance names it <input id="ordinance-recipient" maxlength="500" autocomplete="off" required></label>
    <label>事務（条例の記載）/ affair, as the ordinance names it <textarea id="ordinance-affair" maxlength="2000" rows="2" required></textarea></label>
    <label>根拠規定 / legal basis <input id="ordinance-basis" maxlength="500" placeholder="東京都住民基本台帳法施行条例第二条・別表第一の一の項" autocomplete="off" required></label>
    <button type="submit">登録 / register</button>
  </form>
</section>
<section id="disclosure-section" class="work" data-route="POST /api/node/disclosure/report" hidden>
  <h2>提供状況の開示 <small>disclosure report (R17)</small></h2>
  <form id="disclosure">
    <label>住民票コード / resident code <input id="disclosure-code" inputmode="numeric" maxlength="11" autocomplete="off" required></label>
    <label>期間 / period <input id="disclosure-from" type="date"> ～ <input id="disclosure-to" type="date"></label>
    <button type="submit">作成 / make the report</button>
  </form>
  <div id="disclosure-out" hidden>
    <h3>本人確認情報の提供状況 <small>who received this resident's identity information</small></h3>
    <p><span id="disclosure-name"></span>（<span id="disclosure-kana"></span>）様 ・ 住民票コード <span id="disclosure-resident"></span><br>
       対象期間 <span id="disclosure-period"></span> ・ 発行 <span id="disclosure-issuer"></span>（<span id="disclosure-generated"></span>）</p>
    <p id="disclosure-total"></p>
    <table id="disclosure-table"><thead><tr><th>番号</th><th>提供日時</th><th>提供先</th><th>事務（利用目的）</th><th>根拠</th><th>方法</th><th>提供元</th><th>照会番号</th></tr></thead><tbody></tbody></table>
    <button id="disclosure-print" type="button">印刷 / print</button>
  </div>
</section>
<section id="monitor-section" class="work" data-route="GET /api/node/monitor" hidden>
  <h2>監視 <small>monitoring (R11)</small></h2>
  <button id="monitor-refresh" type="button">更新 / refresh</button>
  <div id="monitor-out" hidden>
    <p>ノード <span id="monitor-node"></span> ・ 状態 <strong id="monitor-status"></strong> ・ 接続 <span id="monitor-sessions"></span> ・ 未送信 <span id="monitor-outbox"></span> ・ 失効リスト <span id="monitor-crl"></span>（<span id="monitor-at"></span> 現在）</p>
    <p id="monitor-summary"></p>
    <table id="monitor-table"><thead><tr><th>日時</th><th>種別</th><th>相手</th><th>内容</th></tr></thead><tbody></tbody></table>
  </div>
</section>
<section id="reports-section" class="work" data-route="GET /api/node/reports" hidden>
  <h2>報告要求 <small>report requests (R5, R6)</small></h2>
  <button id="reports-refresh" type="button">一覧 / list</button>
  <button id="reports-poll" type="button" data-route="POST /api/node/reports/poll">送受信 / send and fetch now</button>
  <div id="reports-out" hidden><table id="reports-table"><thead><tr><th>要求日時</th><th>件名</th><th>要求元 → 宛先</th><th>役割</th><th>状態</th><th>回答</th><th>要求 ID</th></tr></thead><tbody></tbody></table></div>
  <form id="report-request" data-route="POST /api/node/reports/request">
    <h3>報告を求める <small>demand a report</small></h3>
    <label>宛先 / to <input id="report-to" placeholder="national:jlis" autocomplete="off" required></label>
    <label>件名 / subject <input id="report-subject" maxlength="200" autocomplete="off" required></label>
    <label>本文 / body <textarea id="report-body" maxlength="4000" rows="4" required></textarea></label>
    <button type="submit">要求 / request</button>
  </form>
  <form id="report-answer" data-route="POST /api/node/reports/answer">
    <h3>報告要求に回答する <small>answer a request addressed here</small></h3>
    <label>要求 ID / request id <input id="answer-id" autocomplete="off" required></label>
    <label>回答 / answer <textarea id="answer-body" maxlength="4000" rows="4" required></textarea></label>
    <button type="submit">回答 / answer</button>
  </form>
</section>
<section id="isolate-section" class="work" data-route="POST /api/node/isolate" hidden>
  <h2>緊急遮断 <small>emergency cut-off (R11)</small></h2>
  <form id="isolate">
    <label>相手ノード / node <input id="isolate-peer" placeholder="cs:131016" autocomplete="off" required></label>
    <label>理由 / reason <input id="isolate-reason" maxlength="200" autocomplete="off"></label>
    <button type="submit">遮断 / cut off</button>
    <button id="readmit" type="button" data-route="POST /api/node/readmit">遮断の解除 / readmit</button>
  </form>
</section>`;

export const WORK_CSS = `[hidden]{display:none!important}
.work fieldset{border:1px solid #ccc;margin:.5rem 0}
.work table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}
.work th,.work td{border:1px solid #bbb;padding:.2rem .4rem;text-align:left;vertical-align:top}
.work th,#monitor-table td:first-child{white-space:nowrap}#reports-table td:nth-child(6){white-space:pre-wrap}
.work textarea{display:block;width:100%;max-width:40rem}#counter label{display:block}#counter input:not([type]){width:min(28rem,90%)}#counter-record td:first-child{white-space:nowrap}#provision-table td:first-child{word-break:break-all}
#wide-area-out{max-width:40rem}.wide-area-person{width:100%}.wide-area-person th{width:34%}.wide-area-right{text-align:right}#wide-area-certification{max-width:40rem}
@media print{body{max-width:none;margin:0}body>*:not(#me),#disclosure-print,#self-check-print,#wide-area-print,body:not(.print-self-check):not(.print-wide-area) #me>*:not(#disclosure-section),#disclosure-section>*:not(#disclosure-out),body.print-self-check #me>*:not(#audit-section),body.print-self-check #audit-section>*:not(#self-check-out),body.print-wide-area #me>*:not(#wide-area-section),body.print-wide-area #wide-area-section>*:not(#wide-area-out){display:none!important}}`;

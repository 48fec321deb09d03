import { CHANGE_REASONS, CHANGE_REASON_LIST } from '../domain/change/ChangeReason.ts';
import { CORRECTION_FIELDS, formFields } from '../domain/register/form-fields.ts';

/**
 * 窓口業務 (the counter, R1) at a CS's web terminal (docs/WEB-TERMINAL.md "Work screens"): the ten
 * operations of the municipality's register in one form whose fields follow the chosen 異動事由
 * (the domain's own field lists, below), a 住民票 looked up by its code with its household and
 * history, the 差戻し list (changes refused further up, R19), and 転入（特例）, a 転入 taken from the
 * old municipality's 転出証明書情報 (R25). The node checks every form again and answers a
 * refusal with the field or rule; the page shows it as it came.
 */

/** The fields each operation's form has; 職権修正等's items go into its `corrections`. */
const FORMS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  CHANGE_REASON_LIST.map((r) => [
    r,
    r === 'correction-by-authority'
      ? [...formFields(r).filter((f) => f !== 'corrections'), ...CORRECTION_FIELDS]
      : formFields(r),
  ]),
);

const OPTIONS = CHANGE_REASON_LIST.map(
  (r) => `<option value="${r}">${CHANGE_REASONS[r].ja}</option>`,
).join('');

/** A label shown when the chosen operation has one of `fields`. */
const field = (fields: string, inner: string) => `<label data-fields="${fields}">${inner}</label>`;

export const COUNTER_SECTION = `<section id="counter-section" class="work" data-route="POST /api/node/register/operation" hidden>
  <h2>窓口業務 <small>the counter: the register's ten operations (R1)</small></h2>
  <form id="counter" data-forms='${JSON.stringify(FORMS)}'>
    <label>異動事由 / operation <select id="counter-reason">${OPTIONS}</select></label>
    <fieldset>
      <legend>届出の内容 / the form <small>（日付の空欄は本日 / an empty date is today）</small></legend>
      ${field('residentCode', '住民票コード / resident code <input id="counter-code" inputmode="numeric" maxlength="11" autocomplete="off">')}
      ${field('parentCode', '父母の住民票コード / parent’s resident code <input id="counter-parent" inputmode="numeric" maxlength="11" autocomplete="off">')}
      ${field('name', '氏名 / name <input id="counter-kanji" autocomplete="off">')}
      ${field('name', 'よみがな（カタカナ）/ reading <input id="counter-kana" autocomplete="off">')}
      ${field('sex', '性別 / sex <select id="counter-sex"><option value=""></option><option value="female">女</option><option value="male">男</option></select>')}
      ${field('birthDate', '生年月日 / date of birth <input id="counter-birth" type="date">')}
      ${field('individualNumber', '個人番号 / individual number <input id="counter-number" inputmode="numeric" maxlength="12" autocomplete="off">')}
      ${field('address', '住所 / address <input id="counter-address" autocomplete="off">')}
      ${field('previousAddress', '前住所 / previous address <input id="counter-previous" autocomplete="off">')}
      ${field('destination', '転出先 / destination <input id="counter-destination" autocomplete="off">')}
      ${field('overseas', '<input type="checkbox" id="counter-overseas"> 国外転出 / moving abroad')}
      ${field('household', '世帯 / household <select id="counter-household"><option value="">既定 / default</option><option value="new">新しい世帯（世帯主）/ new</option><option value="join">既存の世帯に入る / join</option><option value="keep">世帯はそのまま / keep</option></select>')}
      ${field('household', '世帯番号 / household id <input id="counter-household-id" autocomplete="off">')}
      ${field('household relationship', '続柄 / relationship <input id="counter-relationship" autocomplete="off">')}
      ${field('registeredDomicile', '本籍 / registered domicile <input id="counter-domicile" autocomplete="off">')}
      ${field('registeredDomicile', '筆頭者 / head of family <input id="counter-head-of-family" autocomplete="off">')}
      ${field('nationality', '国籍・地域 / nationality <input id="counter-nationality" autocomplete="off">')}
      ${field('newHeadCode', '新しい世帯主の住民票コード / new head of household <input id="counter-new-head" inputmode="numeric" maxlength="11" autocomplete="off">')}
      ${field('changeDate', '異動年月日 / date of the change <input id="counter-date" type="date">')}
      ${field('notifiedOn', '届出年月日 / notified on <input id="counter-notified" type="date">')}
    </fieldset>
    <button type="submit">受理 / accept</button>
  </form>
  <form id="counter-special" data-route="POST /api/node/register/move-in-special">
    <h3>転入（特例） <small>転入転出の特例 (R25): a card holder who sent the 転出届 by mail; the old municipality's CS sends the rest</small></h3>
    <label>住民票コード（カード）/ resident code (card) <input id="special-code" inputmode="numeric" maxlength="11" autocomplete="off" required></label>
    <label>氏名 / name <input id="special-name" autocomplete="off" required></label>
    <label>生年月日 / date of birth <input id="special-birth" type="date" required></label>
    <label>転出元の住所 / old address <input id="special-previous" autocomplete="off" required></label>
    <label>新しい住所 / new address <input id="special-address" autocomplete="off" required></label>
    <label>世帯 / household <select id="special-household"><option value="new">新しい世帯（世帯主）/ new</option><option value="join">既存の世帯に入る / join</option></select></label>
    <label>世帯番号 / household id <input id="special-household-id" autocomplete="off"></label>
    <label>続柄 / relationship <input id="special-relationship" autocomplete="off"></label>
    <label>異動年月日 / date of the move <input id="special-date" type="date"></label>
    <button type="submit">転入を受理 / accept the 転入</button>
  </form>
  <form id="counter-lookup" data-route="POST /api/node/register/record">
    <h3>住民票の照会 <small>a 住民票 by its resident code</small></h3>
    <label>住民票コード / resident code <input id="counter-lookup-code" inputmode="numeric" maxlength="11" autocomplete="off" required></label>
    <button type="submit">表示 / show</button>
  </form>
  <div id="counter-out" hidden>
    <p id="counter-outcome" role="status"></p>
    <table id="counter-record"><tbody></tbody></table>
    <table id="counter-household-table"><thead><tr><th>続柄</th><th>住民票コード</th><th>氏名</th></tr></thead><tbody></tbody></table>
    <table id="counter-history"><thead><tr><th>番号</th><th>異動事由</th><th>記録日時</th><th>処理番号</th></tr></thead><tbody></tbody></table>
  </div>
  <div data-route="GET /api/node/rejections">
    <h3>差戻し <small>changes refused by the CS, the prefecture or the national server (R19)</small></h3>
    <button id="counter-rejections" type="button">一覧 / list</button>
    <div id="counter-rejections-out" hidden><table id="counter-rejections-table"><thead><tr><th>記録日時</th><th>差戻し元</th><th>異動</th><th>規則</th><th>理由</th></tr></thead><tbody></tbody></table></div>
  </div>
</section>`;

/**
 * `counter.js`: the counter screen's script (docs/WEB-TERMINAL.md). Answers are written with
 * `textContent` only; the work script (work-script.ts) shows the section by the card's routes and
 * empties it at log out. Escapes are doubled: this is a template string.
 */
export const COUNTER_SCRIPT = `'use strict';
(function () {
  var T = window.JukiTerminal;
  var $ = function (id) { return document.getElementById(id); };
  var FORMS = JSON.parse($('counter').dataset.forms);
  function value(id) { return $(id).value.trim(); }
  function fields() { return FORMS[$('counter-reason').value] || []; }
  function has(f) { return fields().indexOf(f) >= 0; }
  function showFields() {
    document.querySelectorAll('#counter [data-fields]').forEach(function (l) {
      l.hidden = !l.dataset.fields.split(' ').some(has);
    });
  }
  $('counter-reason').addEventListener('change', showFields);
  $('counter').addEventListener('reset', function () { setTimeout(showFields, 0); });
  showFields();

  // The form of the chosen operation from the fields it has; what is left empty stays out, so
  // that the node's defaults (today, a new household) or its refusal (a missing field) apply.
  function form() {
    var f = {};
    function put(name, id) { if (has(name) && value(id) !== '') f[name] = value(id); }
    put('residentCode', 'counter-code'); put('parentCode', 'counter-parent');
    if (has('name') && (value('counter-kanji') || value('counter-kana')))
      f.name = { kanji: value('counter-kanji'), kana: value('counter-kana') };
    put('sex', 'counter-sex'); put('birthDate', 'counter-birth'); put('individualNumber', 'counter-number');
    put('address', 'counter-address'); put('previousAddress', 'counter-previous'); put('destination', 'counter-destination');
    if (has('overseas') && $('counter-overseas').checked) f.overseas = true;
    var h = $('counter-household').value;
    if (has('household') && h === 'join')
      f.household = { kind: 'join', householdId: value('counter-household-id'), relationship: value('counter-relationship') };
    else if (has('household') && h !== '') f.household = { kind: h };
    if (has('relationship')) put('relationship', 'counter-relationship');
    if (has('registeredDomicile') && (value('counter-domicile') || value('counter-head-of-family')))
      f.registeredDomicile = { address: value('counter-domicile'), headOfFamily: value('counter-head-of-family') };
    put('nationality', 'counter-nationality'); put('newHeadCode', 'counter-new-head');
    put('changeDate', 'counter-date'); put('notifiedOn', 'counter-notified');
    if ($('counter-reason').value !== 'correction-by-authority') return f;
    var corrections = {};
    Object.keys(f).forEach(function (k) {
      if (k !== 'residentCode' && k !== 'changeDate') { corrections[k] = f[k]; delete f[k]; }
    });
    f.corrections = corrections;
    return f;
  }

  var SEX = { male: '男', female: '女' };
  var REMOVAL = { 'move-out': '転出', death: '死亡', 'deletion-by-authority': '職権消除等' };
  var REASON = {};
  Array.prototype.forEach.call($('counter-reason').options, function (o) { REASON[o.value] = o.textContent; });
  function cells(table, list, of) {
    var body = $(table).tBodies[0]; body.textContent = '';
    list.forEach(function (item) {
      var tr = document.createElement('tr');
      of(item).forEach(function (text) { var td = document.createElement('td'); td.textContent = text; tr.appendChild(td); });
      body.appendChild(tr);
    });
  }
  function show(outcome, record, household, history) {
    $('counter-outcome').textContent = outcome;
    var r = record, d = r.registeredDomicile;
    cells('counter-record', [
      ['住民票コード', r.residentCode], ['個人番号', r.individualNumber || '—'],
      ['氏名', r.name.kanji + '（' + r.name.kana + '）'], ['性別', SEX[r.sex] || r.sex], ['生年月日', r.birthDate],
      ['住所', r.address], ['団体コード', r.localGovernmentCode],
      ['世帯主', r.headOfHousehold + '（世帯番号 ' + r.householdId + '）'], ['続柄', r.relationship],
      d ? ['本籍・筆頭者', d.address + '・' + d.headOfFamily] : ['国籍・地域', r.nationality || '—'],
      ['住民となった年月日', r.becameResidentOn], ['住所を定めた年月日', r.addressSetOn],
      ['前住所', r.previousAddress || '—'], ['届出年月日', r.notifiedOn || '—'],
      ['状態', r.status === 'resident' ? '在住' : '消除（' + (REMOVAL[r.removal.reason] || r.removal.reason) + ' ' + r.removal.date +
        (r.removal.destination ? '、転出先 ' + r.removal.destination : '') + '）']
    ], function (row) { return row; });
    cells('counter-household-table', household, function (m) { return [m.relationship, m.residentCode, m.name.kanji]; });
    $('counter-household-table').hidden = household.length === 0;
    cells('counter-history', history, function (h) {
      return [String(h.sequence), (REASON[h.operation] || h.operation) + (h.subject ? '' : '（世帯の異動）'), h.recordedAt, h.transactionId];
    });
    $('counter-history').hidden = history.length === 0;
    $('counter-out').hidden = false;
  }

  $('counter').addEventListener('submit', async function (ev) {
    ev.preventDefault(); $('counter-out').hidden = true; T.status('受理しています… / performing…', '');
    try {
      var a = await T.call('POST', '/api/node/register/operation', { reason: $('counter-reason').value, form: form() });
      show(a.reasonLabel + ' を' + (a.duplicate ? '処理済みです / already performed' : '受理しました / accepted') + '（処理番号 ' + a.transactionId + '）' +
        (a.feedId === undefined || a.feedId === null ? '。CS への異動はありません / register items only' : '。CS へ送信します / sent on to the CS'),
        a.record, [], []);
      $('counter-lookup-code').value = a.record.residentCode;
      T.status(a.reasonLabel + '：' + a.record.residentCode + ' ' + a.record.name.kanji, 'ok', 'counter.performed');
    } catch (e) { T.fail(e); }
  });
  $('counter-special').addEventListener('submit', async function (ev) {
    ev.preventDefault(); $('counter-out').hidden = true;
    T.status('転出元の CS に照会しています… / asking the old municipality’s CS…', '');
    var body = { residentCode: value('special-code'), name: value('special-name'), birthDate: value('special-birth'),
      previousAddress: value('special-previous'), address: value('special-address') };
    body.household = $('special-household').value === 'join'
      ? { kind: 'join', householdId: value('special-household-id'), relationship: value('special-relationship') }
      : { kind: 'new' };
    if (value('special-date')) body.changeDate = value('special-date');
    try {
      var a = await T.call('POST', '/api/node/register/move-in-special', body);
      show('転入（特例）を' + (a.duplicate ? '処理済みです / already performed' : '受理しました / accepted') + '（処理番号 ' + a.transactionId +
        '、転出証明書情報 ' + a.from + '、転出予定 ' + a.certificate.moveOutDate + '）。CS へ送信します / sent on to the CS', a.record, [], []);
      $('counter-lookup-code').value = a.record.residentCode;
      T.status('転入（特例）：' + a.record.residentCode + ' ' + a.record.name.kanji, 'ok', 'counter.moved-in');
    } catch (e) { T.fail(e); }
  });
  $('counter-lookup').addEventListener('submit', async function (ev) {
    ev.preventDefault(); $('counter-out').hidden = true;
    try {
      var r = await T.call('POST', '/api/node/register/record', { residentCode: value('counter-lookup-code') });
      show('住民票 / resident record', r.record, r.household, r.history);
      T.status('住民票を表示しました / shown', 'ok', 'counter.shown');
    } catch (e) { T.fail(e); }
  });

  var LEVEL = { cs: 'CS', prefecture: '都道府県サーバ', national: '全国サーバ' };
  $('counter-rejections').addEventListener('click', async function () {
    try {
      var list = await T.call('GET', '/api/node/rejections');
      cells('counter-rejections-table', list, function (r) {
        return [r.recordedAt, r.rejectedBy + '（' + (LEVEL[r.level] || r.level) + '）',
          r.event ? (REASON[r.event.reason] || r.event.reason) + ' ' + r.event.changeDate + ' ' + r.event.residentCode : r.transactionId,
          r.rejection.rule, r.rejection.message];
      });
      $('counter-rejections-out').hidden = false;
      T.status('差戻し ' + list.length + ' 件 / ' + list.length + ' refused change(s)', 'ok', 'rejections.listed');
    } catch (e) { T.fail(e); }
  });
})();
`;

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeWithCheckDigit } from '../domain/check-digit.ts';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import { loadedRecord } from '../storage/contract-fixtures.ts';
import { openIdentityStore, openProvisionStore } from '../storage/open-store.ts';
import { act, chromiumAvailable, launchBrowser } from '../web-terminal/browser-fixtures.ts';
import { todayInJapan } from './japan-date.ts';
import { jsonLogger } from './json-log.ts';
import { loadNodeConfig } from './node-config.ts';
import { startNode, type RunningNode } from './node-runtime.ts';
import { PENSION, registerPensionService } from './provision-fixtures.ts';
import {
  grantOperator,
  networkWithWebTerminal,
  loggedIn,
  tableCells,
} from './web-terminal-node-fixtures.ts';

/*
 * The web terminal of an agency server (the pension service), in Chromium: its provision operator
 * queries the national server (R13) and runs a file of query rows (一括提供, R14) — each row
 * answered with 本人確認情報 or its reason, the result file downloaded — as the agency's own
 * operators would, with the national server holding the register, the agreement and the residents.
 */
const hasChromium = chromiumAvailable('the agency web terminal test');
const HANAKO = loadedRecord(1, {
  name: { kanji: '年金　花子', kana: 'ネンキン　ハナコ' },
  sex: 'female',
  birthDate: '1950-04-02' as CalendarDate,
});
const ICHIRO = loadedRecord(2, {
  name: { kanji: '年金　一郎', kana: 'ネンキン　イチロウ' },
  birthDate: '1948-10-10' as CalendarDate,
});
const NOBODY = completeWithCheckDigit('resident-code', '9999999999');

describe.skipIf(!hasChromium)('an agency server’s web terminal: query and batch file', () => {
  let dir: string;
  let national: RunningNode;
  let agency: RunningNode;
  let browser: Browser;
  let origin: string;
  let nationalStore: string;
  let agencyStore: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-web-agency-'));
    origin = await networkWithWebTerminal({
      dir,
      agencies: ['mhlw-pension'],
      webNode: 'agency-mhlw-pension.json',
      webOffset: 92,
    });
    const nationalConfig = await loadNodeConfig(join(dir, 'nodes', 'national-jlis.json'));
    const agencyConfig = await loadNodeConfig(join(dir, 'nodes', 'agency-mhlw-pension.json'));
    nationalStore = nationalConfig.store;

    // The national server: everybody, and the pension service with its affair and 協定書 (R3, R5).
    const identities = await openIdentityStore(nationalStore);
    const lines = [HANAKO, ICHIRO].map((record, i) => ({ line: i + 1, record }));
    expect((await identities.loadBatch(lines)).refused).toEqual([]);
    await identities.close();
    const register = await openProvisionStore(nationalStore);
    await registerPensionService(register, todayInJapan());
    await register.close();
    for (const o of [
      { id: 'admin-1', card: 'administrator', by: 'bootstrap' },
      { id: 'prov-1', card: 'provision-operator', by: 'admin-1' },
    ])
      await grantOperator(agencyConfig.store, 'agency:mhlw-pension', o);

    national = await startNode(nationalConfig, jsonLogger({ write: () => undefined }));
    agency = await startNode(agencyConfig, jsonLogger({ write: () => undefined }));
    browser = await launchBrowser();
    agencyStore = agencyConfig.store;
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await agency?.close();
    await national?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('queries as the agency itself (no recipient to name), and runs a file of rows', async () => {
    const t = await loggedIn(browser, origin, agencyStore, 'prov-1', 'admin-1');
    for (const shown of ['#provision-section', '#batch-section'])
      expect(await t.page.isVisible(shown), shown).toBe(true);
    expect(await t.page.isHidden('#provision-recipient')).toBe(true);
    expect(await t.page.isHidden('#disclosure-section')).toBe(true);

    await t.page.fill('#provision-affair', PENSION);
    await t.page.fill('#provision-code', HANAKO.residentCode);
    expect(await act(t.page, () => t.page.click('#provision button[type=submit]'))).toMatchObject({
      kind: 'ok',
    });
    const [row] = await tableCells(t, 'provision-table');
    expect(row!.slice(0, 2)).toEqual([expect.stringMatching(/^仮名識別子 /), '年金　花子']);

    // 一括提供: a row by code, a blank line, one by name + date of birth, a line that is not JSON,
    // a code nobody holds, a column the format does not have.
    const file = [
      JSON.stringify({ ref: 'A-1', resident_code: HANAKO.residentCode }),
      '',
      JSON.stringify({ name: '年金　一郎', birth_date: '1948-10-10' }),
      'これは JSON ではない',
      JSON.stringify({ resident_code: NOBODY }),
      JSON.stringify({ favourite_food: '寿司' }),
    ].join('\n');
    await t.page.fill('#batch-affair', PENSION);
    await t.page.setInputFiles('#batch-file', {
      name: 'pension-check.jsonl',
      mimeType: 'application/x-ndjson',
      buffer: Buffer.from(`${file}\n`),
    });
    expect(await act(t.page, () => t.page.click('#batch button[type=submit]'))).toMatchObject({
      kind: 'ok',
      reason: 'batch.done',
    });
    expect(await t.page.textContent('#batch-summary')).toContain(
      '5 行 — 該当 2・該当なし 1・拒否 1・不正な行 1',
    );
    const [download] = await Promise.all([
      t.page.waitForEvent('download'),
      t.page.click('#batch-download'),
    ]);
    expect(download.suggestedFilename()).toBe('pension-check-result.jsonl');
    const results = (await readFile(await download.path(), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(results.map((r) => [r.line, r.ref, r.status, r.reason])).toEqual([
      [1, 'A-1', 'found', undefined],
      [3, 3, 'found', undefined],
      [4, 4, 'refused', 'batch.malformed-line'],
      [5, 5, 'not-found', undefined],
      [6, 6, 'refused', 'batch.unknown-column'],
    ]);
    expect(results[0]!.input).toEqual({ ref: 'A-1', resident_code: HANAKO.residentCode });
    expect(results[2]!.input).toBe('これは JSON ではない');
    expect(results[1]).toMatchObject({
      identity: { name: { kanji: '年金　一郎' }, identifier: { kind: 'pseudonym' } },
    });

    // The national server recorded each person provided: 花子 twice (the query and row 1).
    const provision = await openProvisionStore(nationalStore);
    const hanako = await provision.disclosuresOf(HANAKO.residentCode);
    await provision.close();
    expect(hanako.map((d) => [d.channel, d.searcher])).toEqual([
      ['batch', undefined],
      ['immediate', 'prov-1'],
    ]);

    // Logged out, the result leaves the page.
    await act(t.page, () => t.page.click('#logout'));
    expect(await t.page.getAttribute('#batch-download', 'href')).toBeNull();
    expect(await t.page.isHidden('#batch-out')).toBe(true);
  });
});

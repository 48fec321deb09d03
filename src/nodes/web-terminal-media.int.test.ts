import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessRecord } from '../domain/audit/access-log.ts';
import type { IdentityRecord } from '../domain/resident/IdentityInfo.ts';
import { seedRepresentativeRegister } from '../provision/representative-register.ts';
import { loadStatutoryAffairs } from '../reference-data/statutory-affairs.ts';
import { individualNumber, loadedRecord } from '../storage/contract-fixtures.ts';
import {
  openAccessLogStore,
  openIdentityStore,
  openProvisionStore,
} from '../storage/open-store.ts';
import {
  act,
  apiCall,
  chromiumAvailable,
  launchBrowser,
  type Terminal,
} from '../web-terminal/browser-fixtures.ts';
import { jsonLogger } from './json-log.ts';
import { loadNodeConfig, type NodeConfig } from './node-config.ts';
import { startNode, type RunningNode } from './node-runtime.ts';
import {
  grantOperator,
  juki,
  loggedIn as loggedInAt,
  networkWithWebTerminal,
  tableCells,
} from './web-terminal-node-fixtures.ts';

/*
 * 媒体による提供 (R22) at the national server's web terminal, in Chromium: the provision operator
 * picks a file of rows on the medium mounted at the server (config `mediaDir`) and writes the
 * sealed result file to it, with a password or the recipient's certificate; the recipient opens
 * it with `juki provision media-open`. The browser names files of the media directory only: a
 * path, a name that leaves the directory, a link out of it and an existing result file are
 * refused with their reasons, recorded, and nothing on the medium changes. The auditor reads the
 * media output record and the refused attempts (R23) and cannot write to a medium.
 */
const hasChromium = chromiumAvailable('the web terminal media provision test');

const PENSION = '別表第一:七十七';
const PASSWORD = 'media-screen-password-ごじゅう';

const fourItems = (p: IdentityRecord) => ({
  address: p.address,
  name: p.name.kanji,
  birth_date: p.birthDate,
  sex: p.sex === 'male' ? '男' : '女',
});

type Line = { line: number; ref: unknown; status: string; reason?: string };

describe.skipIf(!hasChromium)('media provision at the national server’s web terminal (R22)', () => {
  let dir: string;
  let national: RunningNode;
  let config: NodeConfig;
  let mediaDir: string;
  let browser: Browser;
  let origin: string;
  const one = loadedRecord(1);
  const two = loadedRecord(2);

  const grant = (id: string, card: string, by: string) =>
    grantOperator(config.store, 'national:jlis', { id, card, by });
  const loggedIn = (id: string) => loggedInAt(browser, origin, config.store, id, 'admin-1');
  const onMedium = async () => (await readdir(mediaDir)).sort();
  const accessLog = async (): Promise<AccessRecord[]> => {
    const store = await openAccessLogStore(config.store);
    try {
      return await store.list({ limit: 1000 });
    } finally {
      await store.close();
    }
  };

  /** Lists the medium's files, fills the form and writes `outName` sealed with `key`: `'password'`, or a certificate file's path; the status line's outcome. */
  async function write(t: Terminal, inName: string, outName: string, key: string) {
    expect(await act(t.page, () => t.page.click('#media-files-refresh'))).toMatchObject({
      kind: 'ok',
      reason: 'media.files',
    });
    await t.page.fill('#media-recipient', 'mhlw-pension');
    await t.page.fill('#media-affair', PENSION);
    await t.page.selectOption('#media-in', inName);
    await t.page.fill('#media-out-name', outName);
    if (key === 'password') {
      await t.page.check('#media input[value=password]');
      await t.page.fill('#media-password', PASSWORD);
      await t.page.fill('#media-password-again', PASSWORD);
    } else {
      await t.page.check('#media input[value=certificate]');
      await t.page.setInputFiles('#media-certificate', key);
    }
    return act(t.page, () => t.page.click('#media button[type=submit]'));
  }

  async function opened(file: string, ...key: string[]): Promise<Line[]> {
    const out = join(dir, `${file}.jsonl`);
    const r = await juki(
      ...['provision', 'media-open', '--in', join(mediaDir, file), '--out', out, ...key],
    );
    expect(r.code, r.err).toBe(0);
    return (await readFile(out, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-web-media-'));
    origin = await networkWithWebTerminal({
      dir,
      agencies: ['mhlw-pension'],
      webNode: 'national-jlis.json',
      webOffset: 97,
    });
    config = await loadNodeConfig(join(dir, 'nodes', 'national-jlis.json'));
    // `juki network init` gives each providing node a media directory of its own.
    expect(config.mediaDir).toBe(join(dir, 'media', 'national-jlis'));
    mediaDir = config.mediaDir!;

    const identities = await openIdentityStore(config.store);
    const lines = [one, two].map((record, i) => ({ line: i + 1, record }));
    expect((await identities.loadBatch(lines)).refused).toEqual([]);
    await identities.close();
    const provision = await openProvisionStore(config.store);
    await seedRepresentativeRegister(provision, loadStatutoryAffairs(), '2026-01-01' as never);
    await provision.close();
    await grant('admin-1', 'administrator', 'bootstrap');
    await grant('prov-1', 'provision-operator', 'admin-1');
    await grant('aud-1', 'auditor', 'admin-1');

    // The other unit's medium: a row by individual number, one by the four items, one below the
    // media minimums (a name and a date of birth), one that is not JSON.
    const rows = [
      JSON.stringify({ ref: 'by-number', individual_number: individualNumber(1) }),
      JSON.stringify({ ref: 'by-four-items', ...fourItems(two) }),
      JSON.stringify({ ref: 'below', name: one.name.kanji, birth_date: one.birthDate }),
      'not json',
    ];
    await writeFile(join(mediaDir, 'rows.jsonl'), `${rows.join('\n')}\n`);
    await writeFile(join(dir, 'outside.jsonl'), `${rows[0]}\n`);
    await symlink(join(dir, 'outside.jsonl'), join(mediaDir, 'link.jsonl'));

    national = await startNode(config, jsonLogger({ write: () => undefined }));
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await national?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a password-sealed file to the medium; the recipient opens it; the output is recorded', async () => {
    const t = await loggedIn('prov-1');
    expect(await t.page.isVisible('#media-section')).toBe(true);
    expect(await t.page.isVisible('#provision-records-section')).toBe(true);
    // The national server has no ordinance: 条例事務 is a prefecture server's form.
    expect(await t.page.isVisible('#register-section')).toBe(true);
    expect(await t.page.isHidden('#ordinance')).toBe(true);

    const written = await write(t, 'rows.jsonl', 'pension.jkm', 'password');
    expect(written, written.text).toMatchObject({ kind: 'ok', reason: 'media.written' });
    expect(await t.page.textContent('#media-summary')).toContain('pension.jkm');
    // The password fields are emptied once used.
    expect(await t.page.inputValue('#media-password')).toBe('');
    // The medium's files, listed again: the new file, never a hidden temporary one, never the link.
    await t.page.waitForFunction(
      "document.querySelectorAll('#media-files-table tbody tr').length === 2",
    );
    expect((await tableCells(t, 'media-files-table')).map((r) => r[0]).sort()).toEqual([
      'pension.jkm',
      'rows.jsonl',
    ]);
    expect(await onMedium()).toEqual(['link.jsonl', 'pension.jkm', 'rows.jsonl']);

    const bytes = await readFile(join(mediaDir, 'pension.jkm'));
    expect(bytes.includes(Buffer.from(two.name.kanji))).toBe(false);
    await writeFile(join(dir, 'password'), PASSWORD, { mode: 0o600 });
    const lines = await opened('pension.jkm', '--password-file', join(dir, 'password'));
    expect(lines.map((l) => [l.line, l.ref, l.status, l.reason])).toEqual([
      [1, 'by-number', 'found', undefined],
      [2, 'by-four-items', 'found', undefined],
      [3, 'below', 'refused', 'search.below-minimum'],
      [4, 4, 'refused', 'batch.malformed-line'],
    ]);

    // The record, as the media output list shows it, names the logged-in operator.
    expect(await act(t.page, () => t.page.click('#media-log-refresh'))).toMatchObject({
      kind: 'ok',
      reason: 'media.log',
    });
    const [record] = await tableCells(t, 'media-log-table');
    expect(record!.slice(1, 7)).toEqual([
      'prov-1',
      'mhlw-pension',
      PENSION,
      `pension.jkm（${bytes.length} バイト）`,
      '4（2・0・2）',
      'パスワード',
    ]);
    expect(record![7]).toBe(createHash('sha256').update(bytes).digest('hex'));
    const acts = (await accessLog()).filter((r) => r.operator === 'prov-1');
    expect(acts.map((r) => [r.operation, r.target, r.purpose ?? '', r.result])).toEqual(
      expect.arrayContaining([
        ['provision.media', 'mhlw-pension', PENSION, 'ok'],
        ['provision.media-log', '', '', 'ok'],
      ]),
    );
  });

  it('seals a file to the recipient’s certificate, which only the recipient’s key opens', async () => {
    const t = await loggedIn('prov-1');
    const agency = join(dir, 'pki', 'nodes', 'agency-mhlw-pension');
    const written = await write(t, 'rows.jsonl', 'pension-key.jkm', join(agency, 'node.crt'));
    expect(written, written.text).toMatchObject({ kind: 'ok', reason: 'media.written' });
    expect(await tableCells(t, 'media-result')).toContainEqual(['暗号化 / sealed with', '証明書']);
    const lines = await opened('pension-key.jkm', '--key', join(agency, 'node.key'));
    expect(lines.filter((l) => l.status === 'found')).toHaveLength(2);

    // Another node's certificate is not the recipient's: refused, nothing written.
    const wrong = await write(
      t,
      'rows.jsonl',
      'pension-wrong.jkm',
      join(dir, 'pki', 'nodes', 'prefecture-13', 'node.crt'),
    );
    expect(wrong).toMatchObject({ kind: 'error', reason: 'media.certificate-recipient' });
    expect(await onMedium()).not.toContain('pension-wrong.jkm');
  });

  it('refuses a server path, a name leaving the media directory, a link out of it and an existing file; each refusal is recorded and the medium is unchanged', async () => {
    const t = await loggedIn('prov-1');
    const before = await onMedium();
    const existing = await readFile(join(mediaDir, 'pension.jkm'));
    const body = { recipientId: 'mhlw-pension', affairId: PENSION, password: PASSWORD };
    const call = (extra: Record<string, unknown>) =>
      apiCall(t.page, 'POST', '/api/node/provision/media', { ...body, ...extra });

    // A path on the server, as the console gives it: never from a browser.
    const byPath = await call({
      inPath: join(mediaDir, 'rows.jsonl'),
      outPath: join(dir, 'elsewhere.jkm'),
    });
    expect(byPath).toMatchObject({
      status: 403,
      body: { error: { reason: 'media.path-from-web' } },
    });
    // Names that are paths, or would be hidden: refused before any file is touched.
    for (const name of ['../outside.jsonl', '/etc/passwd', '.hidden', 'a/b', '..'])
      expect(await call({ inName: name, outName: 'x.jkm' }), name).toMatchObject({
        status: 400,
        body: { error: { reason: 'media.file-name' } },
      });
    expect(await call({ inName: 'rows.jsonl', outName: '../x.jkm' })).toMatchObject({
      status: 400,
      body: { error: { reason: 'media.file-name' } },
    });
    // A link on the medium is not followed out of it; a missing file is not there.
    for (const inName of ['link.jsonl', 'missing.jsonl'])
      expect(await call({ inName, outName: 'x.jkm' }), inName).toMatchObject({
        status: 404,
        body: { error: { reason: 'media.no-such-file' } },
      });
    // An existing result file is never replaced.
    expect(await call({ inName: 'rows.jsonl', outName: 'pension.jkm' })).toMatchObject({
      status: 409,
      body: { error: { reason: 'media.out-exists' } },
    });

    expect(await onMedium()).toEqual(before);
    expect(await readFile(join(mediaDir, 'pension.jkm'))).toEqual(existing);
    const refused = (await accessLog()).filter(
      (r) => r.operation === 'provision.media' && r.result === 'refused',
    );
    expect(refused.map((r) => r.reason)).toEqual(
      expect.arrayContaining([
        'media.path-from-web',
        'media.file-name',
        'media.no-such-file',
        'media.out-exists',
      ]),
    );

    // Two different passwords: the page says so and sends nothing.
    await act(t.page, () => t.page.click('#media-files-refresh'));
    await t.page.fill('#media-recipient', 'mhlw-pension');
    await t.page.fill('#media-affair', PENSION);
    await t.page.selectOption('#media-in', 'rows.jsonl');
    await t.page.check('#media input[value=password]');
    await t.page.fill('#media-password', PASSWORD);
    await t.page.fill('#media-password-again', `${PASSWORD}!`);
    await t.page.fill('#media-out-name', 'never.jkm');
    expect(await act(t.page, () => t.page.click('#media button[type=submit]'))).toMatchObject({
      kind: 'error',
      reason: 'media.password-mismatch',
    });
    expect(await onMedium()).toEqual(before);
  });

  it('records the disposal of a medium once (R33), under the logged-in operator', async () => {
    const t = await loggedIn('prov-1');
    await act(t.page, () => t.page.click('#media-log-refresh'));
    const pension = (await tableCells(t, 'media-log-table')).find((r) =>
      r[4]!.startsWith('pension.jkm'),
    )!;
    expect(pension[8]).toBe('未廃棄');
    const mediaId = pension[9]!;
    expect(mediaId).toMatch(/^media-[0-9a-f-]{36}$/);

    const dispose = async (method: string) => {
      await t.page.fill('#dispose-media', mediaId);
      await t.page.selectOption('#dispose-method', method);
      await t.page.fill('#dispose-note', '受領書 第7号');
      return act(t.page, () => t.page.click('#media-dispose button[type=submit]'));
    };
    expect(await dispose('returned-erased')).toMatchObject({
      kind: 'ok',
      reason: 'media.disposed',
    });
    // Once: a second disposal of the same medium is refused, the first stays.
    expect(await dispose('destroyed')).toMatchObject({
      kind: 'error',
      reason: 'media.already-disposed',
    });
    await act(t.page, () => t.page.click('#media-log-refresh'));
    const after = (await tableCells(t, 'media-log-table')).find((r) => r[9] === mediaId)!;
    expect(after[8]).toMatch(/^返却後消去（.+、prov-1：受領書 第7号）$/);
    const acts = (await accessLog()).filter((r) => r.operator === 'prov-1' && r.target === mediaId);
    expect(acts.map((r) => [r.operation, r.result, r.reason ?? ''])).toEqual(
      expect.arrayContaining([
        ['provision.media', 'ok', ''],
        ['provision.media', 'refused', 'media.already-disposed'],
      ]),
    );
  });

  it('the auditor reads the refused attempts and the media output record, and writes no medium', async () => {
    const t = await loggedIn('aud-1');
    expect(await t.page.isHidden('#media-section')).toBe(true);
    expect(await t.page.isVisible('#provision-records-section')).toBe(true);

    expect(
      await act(t.page, () => t.page.click('#provision-records button[type=submit]')),
    ).toMatchObject({ kind: 'ok', reason: 'provision.refusals' });
    const refusals = await tableCells(t, 'refusals-table');
    // Rows 3 and 4 of each of the two files written, newest first; a refused row names no one.
    expect(refusals).toHaveLength(4);
    for (const [, , recipient, , affair, channel, reason, , queryId] of refusals) {
      expect([recipient, affair, channel]).toEqual(['mhlw-pension', PENSION, '媒体']);
      expect(['search.below-minimum', 'batch.malformed-line']).toContain(reason);
      expect(queryId).toMatch(/^media-[0-9a-f-]+:[34]$/);
    }
    expect(refusals.flat().join(' ')).not.toContain(one.name.kanji);

    expect(await act(t.page, () => t.page.click('#media-log-refresh'))).toMatchObject({
      kind: 'ok',
    });
    expect((await tableCells(t, 'media-log-table')).map((r) => [r[4], r[8]!.slice(0, 5)])).toEqual([
      [expect.stringMatching(/^pension-key\.jkm（/), '未廃棄'],
      [expect.stringMatching(/^pension\.jkm（/), '返却後消去'],
    ]);
    expect(await t.page.isHidden('#media-dispose')).toBe(true);
    // Filtered by a recipient that received nothing: empty.
    await t.page.fill('#records-recipient', 'mofa-passport');
    await act(t.page, () => t.page.click('#media-log-refresh'));
    expect(await tableCells(t, 'media-log-table')).toEqual([]);

    // A listing's limit is 1–200.
    expect(
      await apiCall(t.page, 'POST', '/api/node/provision/refusals', { limit: 10_000 }),
    ).toMatchObject({ status: 400, body: { error: { reason: 'terminal.limit' } } });

    // The auditor's card does not hold media provision: refused 403 and recorded.
    const denied = await apiCall(t.page, 'POST', '/api/node/provision/media', {
      recipientId: 'mhlw-pension',
      affairId: PENSION,
      inName: 'rows.jsonl',
      outName: 'auditor.jkm',
      password: PASSWORD,
    });
    expect(denied).toMatchObject({
      status: 403,
      body: { error: { reason: 'operator.not-permitted' } },
    });
    expect(await onMedium()).not.toContain('auditor.jkm');

    // At log out the records leave the page.
    await act(t.page, () => t.page.click('#logout'));
    expect(await tableCells(t, 'refusals-table')).toEqual([]);
    expect(await tableCells(t, 'media-log-table')).toEqual([]);
  });
});

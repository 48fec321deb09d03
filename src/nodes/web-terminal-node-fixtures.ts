import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { expect } from 'vitest';
import { main } from '../cli/main.ts';
import { captureIO } from '../cli/test-io.ts';
import { enroll, login, openTerminal, type Terminal } from '../web-terminal/browser-fixtures.ts';
import type { RecipientId } from '../domain/provision/recipient.ts';
import type { IdentityRecord } from '../domain/resident/IdentityInfo.ts';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import { loadedRecord } from '../storage/contract-fixtures.ts';
import { loadStatutoryAffairs } from '../reference-data/statutory-affairs.ts';
import { openIdentityStore, openProvisionStore } from '../storage/open-store.ts';
import { jsonLogger } from './json-log.ts';
import { initNetwork } from './network-init.ts';
import { loadNodeConfig } from './node-config.ts';
import { startNode, type RunningNode } from './node-runtime.ts';
import { GOVERNOR, GOVERNOR_PASSPORT } from './provision-fixtures.ts';
import { reserveBasePort } from './port-range.ts';

/*
 * Test fixtures: a node of a network made by initNetwork, given a web terminal, its operators
 * registered and enrolled with `juki operator`, and logged in in Chromium (browser-fixtures.ts).
 */

/** `juki …` in process: exit code, stdout and stderr. */
export async function juki(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO();
  const code = await main(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

/** Gives `<dir>/nodes/<file>` a web terminal on 127.0.0.1:`port`; its origin. */
export async function addWebTerminal(dir: string, file: string, port: number): Promise<string> {
  const path = join(dir, 'nodes', file);
  const config = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const origin = `http://localhost:${port}`;
  config.webTerminal = { host: '127.0.0.1', port, rpId: 'localhost', origin };
  await writeFile(path, JSON.stringify(config));
  return origin;
}

/**
 * A small network in `dir` (東京都, 千代田区's CS, the national server, the switch, and `agencies`),
 * its schedules off, on a base port reserved for this test file (port-range.ts: test files running
 * at once never share ports), and the web terminal of `webNode` (a file under `nodes/`) on the base
 * port + `webOffset`. Returns the web terminal's origin.
 */
export async function networkWithWebTerminal(options: {
  readonly dir: string;
  readonly agencies?: readonly string[];
  /** Default 東京都 and 千代田区. */
  readonly prefectures?: readonly string[];
  readonly municipalities?: readonly string[];
  readonly webNode: string;
  readonly webOffset: number;
}): Promise<string> {
  const basePort = reserveBasePort();
  await initNetwork({
    prefectures: [...(options.prefectures ?? ['13'])],
    municipalities: [...(options.municipalities ?? ['131016'])],
    ...(options.agencies ? { agencies: options.agencies } : {}),
    dir: options.dir,
    host: '127.0.0.1',
    basePort,
    overrides: { schedule: { integrityMinutes: 0, retentionMinutes: 0, reportPollSeconds: 0 } },
  });
  return addWebTerminal(options.dir, options.webNode, basePort + options.webOffset);
}

/** `juki operator grant` at the node of `store`. */
export async function grantOperator(
  store: string,
  node: string,
  o: { id: string; card: string; by: string },
): Promise<void> {
  const r = await juki(
    ...['operator', 'grant', '--store', store, '--node', node, '--id', o.id],
    ...['--name', `操作者 ${o.id}`, '--card', o.card, '--granted-by', o.by],
  );
  expect(r.code, r.err).toBe(0);
}

/** A fresh browser at `origin` with operator `id`'s card enrolled (token issued by `by`) and logged in. */
export async function loggedIn(
  browser: Browser,
  origin: string,
  store: string,
  id: string,
  by: string,
): Promise<Terminal> {
  const r = await juki(
    ...['operator', 'enroll', '--store', store, '--id', id, '--by', by, '--json'],
  );
  expect(r.code, r.err).toBe(0);
  const { token } = JSON.parse(r.out) as { token: string };
  const t = await openTerminal(browser, origin);
  expect(await enroll(t.page, id, token)).toMatchObject({ kind: 'ok' });
  expect(await login(t.page, id)).toMatchObject({ kind: 'ok' });
  return t;
}

/** The cells of a table's body, row by row, as the page shows them. */
export async function tableCells(t: Terminal, table: string): Promise<string[][]> {
  const rows = await t.page.locator(`#${table} tbody tr`).all();
  return Promise.all(rows.map((row) => row.locator('td').allTextContents()));
}

/** 東京都's residents of the prefecture server's browser tests: two share a date of birth. */
export const TOKYO_PEOPLE = {
  HANAKO: loadedRecord(1, {
    name: { kanji: '開示　花子', kana: 'カイジ　ハナコ' },
    sex: 'female',
    birthDate: '1980-04-02' as CalendarDate,
  }),
  ICHIRO: loadedRecord(2, {
    name: { kanji: '開発　一郎', kana: 'カイハツ　イチロウ' },
    birthDate: '1980-04-02' as CalendarDate,
  }),
  TARO: loadedRecord(3, {
    name: { kanji: '山田　太郎', kana: 'ヤマダ　タロウ' },
    birthDate: '1975-01-01' as CalendarDate,
  }),
};

/**
 * 東京都's server (prefecture:13) with a web terminal, running with the national server and
 * 千代田区's CS of networkWithWebTerminal's network in `dir`: `people` are 東京都's residents (as
 * its CS would have sent them) and the national server holds them too (the prefecture asks it
 * about other prefectures' residents, R21); the governor (GOVERNOR) may receive them for the
 * passport affair (R3); admin-1, prov-1, aud-1 and sec-1 are granted. `nodes`: close in order.
 */
export async function tokyoWithWebTerminal(
  dir: string,
  people: readonly IdentityRecord[],
): Promise<{ origin: string; store: string; nodes: RunningNode[] }> {
  const origin = await networkWithWebTerminal({
    dir,
    webNode: 'prefecture-13.json',
    webOffset: 91,
  });
  const config = await loadNodeConfig(join(dir, 'nodes', 'prefecture-13.json'));
  const store = config.store;
  const lines = people.map((record, i) => ({ line: i + 1, record }));
  const identities = await openIdentityStore(store);
  expect((await identities.loadBatch(lines)).refused).toEqual([]);
  await identities.close();
  const provision = await openProvisionStore(store);
  await provision.registerRecipient({
    id: GOVERNOR as RecipientId,
    name: '東京都知事',
    kind: 'prefecture-body',
    servedBy: { role: 'prefecture', code: '13' },
  });
  const affair = loadStatutoryAffairs().byId(GOVERNOR_PASSPORT)!;
  await provision.permitAffair(
    { recipientId: GOVERNOR as RecipientId, affairId: affair.id, identifier: 'pseudonym' },
    affair,
  );
  await provision.close();
  for (const [id, card, by] of [
    ['admin-1', 'administrator', 'bootstrap'],
    ['prov-1', 'provision-operator', 'admin-1'],
    ['aud-1', 'auditor', 'admin-1'],
    ['sec-1', 'security-officer', 'admin-1'],
  ] as const)
    await grantOperator(store, 'prefecture:13', { id, card, by });

  const nationalConfig = await loadNodeConfig(join(dir, 'nodes', 'national-jlis.json'));
  const everybody = await openIdentityStore(nationalConfig.store);
  expect((await everybody.loadBatch(lines)).refused).toEqual([]);
  await everybody.close();
  const quiet = jsonLogger({ write: () => undefined });
  const national = await startNode(nationalConfig, quiet);
  const tokyo = await startNode(config, quiet);
  const cs = await startNode(await loadNodeConfig(join(dir, 'nodes', 'cs-131016.json')), quiet);
  return { origin, store, nodes: [cs, tokyo, national] };
}

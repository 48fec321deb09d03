import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { expect } from 'vitest';
import { main } from '../cli/main.ts';
import { captureIO } from '../cli/test-io.ts';
import { enroll, login, openTerminal, type Terminal } from '../web-terminal/browser-fixtures.ts';
import { initNetwork } from './network-init.ts';
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
  readonly webNode: string;
  readonly webOffset: number;
}): Promise<string> {
  const basePort = reserveBasePort();
  await initNetwork({
    prefectures: ['13'],
    municipalities: ['131016'],
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

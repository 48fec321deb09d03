import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AccessLog } from '../audit/index.ts';
import { openAccessLogStore } from '../storage/open-store.ts';
import type { AccessLogStore } from '../storage/ports.ts';
import { InMemoryOperatorDirectory } from '../web-terminal/operator-directory.ts';
import { TerminalSessions } from '../web-terminal/terminal-sessions.ts';
import { guardedLoopbackRoutes } from './loopback-guard.ts';
import type { NodeProvision } from './node-provision.ts';
import type { RunningNode } from './node-runtime.ts';
import { guardedRoutes } from './node-web-terminal.ts';
import { terminalRoutes } from './node-terminal.ts';
import { GOVERNOR, GOVERNOR_PASSPORT, openTokyoProvision, TOKYO } from './provision-fixtures.ts';
import type { TerminalRoute } from './terminal-server.ts';

/*
 * The searcher (検索者) of a provision at a prefecture server's terminal is the operator who
 * logged in, on the web terminal and through a terminal session alike (R17, R23): the route runs
 * a real ProvisionService on SQLite stores behind the real guards. A body naming another
 * operator is refused before anything is provided, and the refusal is in the access log.
 */
describe('the searcher recorded with a provision is the logged-in operator', () => {
  let tokyo: Awaited<ReturnType<typeof openTokyoProvision>>;
  let accessStore: AccessLogStore;
  let query: TerminalRoute;
  const directory = new InMemoryOperatorDirectory([
    {
      id: 'prov-1',
      name: '提供 一郎',
      cardType: 'provision-operator',
      node: 'prefecture:13',
      revoked: false,
    },
  ]);
  const sessions = new TerminalSessions(
    { idleMs: 60_000, absoluteMs: 3_600_000, challengeMs: 60_000 },
    directory,
    () => new Date(),
  );
  const body = (searcher?: string) => ({
    recipientId: GOVERNOR,
    query: { affairId: GOVERNOR_PASSPORT, residentCode: tokyo.resident.residentCode },
    ...(searcher === undefined ? {} : { searcher }),
  });
  const searchers = async () =>
    (await tokyo.provision.disclosuresOf(tokyo.resident.residentCode))
      .map((d) => d.searcher)
      .sort();

  beforeEach(async () => {
    tokyo = await openTokyoProvision();
    accessStore = await openAccessLogStore('sqlite::memory:');
    const routes = terminalRoutes({
      self: TOKYO,
      // Only the provision route runs here, and it reaches the node through `provision` alone.
      node: undefined as unknown as RunningNode,
      provision: { service: tokyo.service } as unknown as NodeProvision,
      upstream: undefined,
    });
    query = routes.find((r) => r.path === '/provision/query')!;
  });

  afterEach(async () => {
    await tokyo.close();
    await accessStore.close();
  });

  it('through a terminal session (juki with JUKI_OPERATOR_SESSION) and on the web terminal', async () => {
    const log = new AccessLog(accessStore);
    const [loopback] = guardedLoopbackRoutes(TOKYO, [query], log, {
      resolveSession: (token) => sessions.resolve(token),
    });
    const [web] = guardedRoutes(TOKYO, [query], log);
    const operator = (await directory.find('prov-1'))!;
    const session = { operatorSession: sessions.issue('prov-1').token };

    await loopback!.run(body(), session);
    await loopback!.run(body('prov-1'), session);
    await web!.run({ operator, body: body() });
    expect(await searchers()).toEqual(['prov-1', 'prov-1', 'prov-1']);

    // Another name is refused, by either way in, before anything is provided.
    await expect(loopback!.run(body('tokyo-operator-9'), session)).rejects.toMatchObject({
      reason: 'terminal.not-the-operator',
    });
    await expect(web!.run({ operator, body: body('tokyo-operator-9') })).rejects.toMatchObject({
      reason: 'terminal.not-the-operator',
    });
    expect(await searchers()).toHaveLength(3);
    const acts = (await accessStore.list({ limit: 10 })).reverse();
    expect(acts.map((a) => [a.operator, a.operation, a.result, a.reason])).toEqual([
      ['prov-1', 'provision.query', 'ok', undefined],
      ['prov-1', 'provision.query', 'ok', undefined],
      ['prov-1', 'provision.query', 'ok', undefined],
      ['prov-1', 'provision.query', 'refused', 'terminal.not-the-operator'],
      ['prov-1', 'provision.query', 'refused', 'terminal.not-the-operator'],
    ]);
  });

  it('on the console of a node without a web terminal: the searcher as typed', async () => {
    const [console] = guardedLoopbackRoutes(TOKYO, [query], new AccessLog(accessStore));
    await console!.run(body('住民課 一郎'), { operatorSession: undefined });
    await console!.run(body(), { operatorSession: undefined });
    expect(await searchers()).toEqual(['住民課 一郎', undefined]);
  });
});

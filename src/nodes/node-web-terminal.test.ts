import { describe, expect, it } from 'vitest';
import { AccessLog } from '../audit/index.ts';
import { RegistryError } from '../domain/errors.ts';
import { NODE_ROLES, type NodeRef } from '../domain/network/NodeRef.ts';
import { TERMINAL_OPERATIONS } from '../domain/operator/operations.ts';
import { openAccessLogStore } from '../storage/open-store.ts';
import type { OperatorInfo } from '../web-terminal/operator-directory.ts';
import { guardedLoopbackRoutes } from './loopback-guard.ts';
import { guardedRoutes, ROUTE_OPERATIONS, targetOf } from './node-web-terminal.ts';
import { terminalRoutes, type TerminalContext } from './node-terminal.ts';
import type { TerminalRoute } from './terminal-server.ts';

const TOKYO: NodeRef = { role: 'prefecture', code: '13' };
const operator = (cardType: string, id = `op-${cardType}`): OperatorInfo => ({
  id,
  name: '住基 一郎',
  cardType,
  node: 'prefecture:13',
  revoked: false,
});
const AT = new Date('2026-11-24T01:02:03.004Z');

describe('the web terminal offers the terminal side’s routes under the rights table (R15, R31, R23)', () => {
  it('every route of every role names its operation, and the operation exists on that role', () => {
    for (const role of NODE_ROLES) {
      // The routes' closures are never called here: only their method and path are read.
      const routes = terminalRoutes({ self: { role, code: 'x' } } as unknown as TerminalContext);
      for (const r of routes) {
        const operation = ROUTE_OPERATIONS[`${r.method} ${r.path}`];
        expect(operation, `${r.method} ${r.path}`).toBeDefined();
        expect(TERMINAL_OPERATIONS[operation!]).toBeDefined();
      }
    }
  });

  it('runs what the card permits, refuses the rest before the route runs, and logs every act with its result', async () => {
    const store = await openAccessLogStore('sqlite::memory:');
    const log = new AccessLog(store);
    let isolated = 0;
    const routes: TerminalRoute[] = [
      { method: 'GET', path: '/health', run: () => Promise.resolve({ status: 'ok' }) },
      {
        method: 'POST',
        path: '/isolate',
        run: () => Promise.resolve({ sessionsCut: ++isolated }),
      },
      {
        method: 'POST',
        path: '/provision/query',
        run: () =>
          Promise.reject(new RegistryError('forbidden', 'no agreement', 'provision.no-agreement')),
      },
      { method: 'POST', path: '/retention/run', run: () => Promise.reject(new Error('disk')) },
      { method: 'POST', path: '/provision/batch', run: () => Promise.resolve('agency only') },
    ];
    const web = guardedRoutes(TOKYO, routes, log, () => AT);
    // provision.batch exists on agency servers only: a prefecture's web terminal does not offer it.
    expect(web.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/node/health',
      'POST /api/node/isolate',
      'POST /api/node/provision/query',
      'POST /api/node/retention/run',
    ]);
    const route = (path: string) => web.find((r) => r.path === `/api/node${path}`)!;
    // What each card's page shows (/api/me): the routes its card holds, as `run` decides them.
    const shown = (cardType: string) =>
      web.filter((r) => r.permits!(operator(cardType))).map((r) => r.path);
    expect(shown('security-officer')).toEqual(['/api/node/health', '/api/node/isolate']);
    expect(shown('provision-operator')).toEqual(['/api/node/provision/query']);
    expect(shown('administrator')).toEqual(['/api/node/health', '/api/node/retention/run']);
    expect(shown('counter-clerk')).toEqual([]);

    await expect(
      route('/isolate').run({ operator: operator('administrator'), body: { peer: 'cs:131016' } }),
    ).rejects.toMatchObject({ code: 'forbidden', reason: 'operator.not-permitted' });
    expect(isolated).toBe(0); // refused before the route ran
    await expect(
      route('/isolate').run({
        operator: operator('security-officer'),
        body: { peer: 'cs:131016' },
      }),
    ).resolves.toEqual({ sessionsCut: 1 });
    await expect(
      route('/provision/query').run({
        operator: operator('provision-operator'),
        body: {
          recipientId: 'tokyo-governor',
          query: { affairId: '別表第五:六', name: '住基 花子' },
        },
      }),
    ).rejects.toMatchObject({ reason: 'provision.no-agreement' });
    await expect(
      route('/retention/run').run({ operator: operator('administrator'), body: {} }),
    ).rejects.toThrow('disk');

    const records = (await store.list({ limit: 10 })).reverse();
    expect(
      records.map((r) => [r.operator, r.operation, r.target, r.purpose, r.result, r.reason]),
    ).toEqual([
      [
        'op-administrator',
        'node.isolate',
        'cs:131016',
        undefined,
        'refused',
        'operator.not-permitted',
      ],
      ['op-security-officer', 'node.isolate', 'cs:131016', undefined, 'ok', undefined],
      [
        'op-provision-operator',
        'provision.query',
        'tokyo-governor',
        '別表第五:六',
        'refused',
        'provision.no-agreement',
      ],
      ['op-administrator', 'retention.run', '', undefined, 'failed', undefined],
    ]);
    expect(records.every((r) => r.at === AT.toISOString() && r.node === 'prefecture:13')).toBe(
      true,
    );
    await store.close();
  });

  it('the loopback side of a node without a web terminal records each act as local-terminal, except health', async () => {
    const store = await openAccessLogStore('sqlite::memory:');
    const log = new AccessLog(store);
    const routes = guardedLoopbackRoutes(
      TOKYO,
      [
        { method: 'GET', path: '/health', run: () => Promise.resolve({ status: 'ok' }) },
        { method: 'POST', path: '/isolate', run: () => Promise.resolve({ sessionsCut: 1 }) },
        {
          method: 'POST',
          path: '/provision/query',
          run: () => Promise.reject(new RegistryError('invalid', 'bad', 'search.below-minimum')),
        },
      ],
      log,
      { now: () => AT },
    );
    for (const r of routes)
      await r.run({ peer: 'cs:131016', query: { affairId: '別表第五:六' } }).catch(() => undefined);
    const records = (await store.list({ limit: 10 })).reverse();
    expect(records.map((r) => [r.operator, r.operation, r.result, r.reason])).toEqual([
      ['local-terminal', 'node.isolate', 'ok', undefined],
      ['local-terminal', 'provision.query', 'refused', 'search.below-minimum'],
    ]);
    await store.close();
  });

  it('writes only an identifier as the target, never a name or an address', () => {
    expect(targetOf({ query: { residentCode: '12345678901', name: '住基 花子' } })).toBe(
      '12345678901',
    );
    expect(targetOf({ query: { name: '住基 花子', address: '東京都千代田区' } })).toBe('');
    expect(targetOf({ peer: 'cs:131016' })).toBe('cs:131016');
  });
});

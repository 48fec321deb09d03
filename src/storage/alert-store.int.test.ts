import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { NewSecurityAlert } from '../domain/network/SecurityAlert.ts';
import { openAlertStore } from './open-store.ts';
import type { AlertStore } from './ports.ts';
import { createTestDatabaseOrSkip, storeSelected } from './postgres/test-database.ts';

const alert = (n: number, over: Partial<NewSecurityAlert> = {}): NewSecurityAlert => ({
  at: `2026-11-24T0${n % 10}:00:00.000Z`,
  observer: 'prefecture:13',
  kind: 'not-our-protocol',
  peerAddress: `127.0.0.1:${40000 + n}`,
  peerName: undefined,
  detail: 'GET / HTTP/1.1\\x0d\\x0a',
  ...over,
});

function describeAlertStore(name: string, open: () => Promise<AlertStore>): void {
  describe(name, () => {
    it('R11: records alerts and lists them newest first, with everything that was seen', async () => {
      const store = await open();
      const first = await store.recordAlert(alert(1));
      const second = await store.recordAlert(
        alert(2, { kind: 'certificate-revoked', peerName: 'cs:131016', detail: 'serial 0a' }),
      );
      expect(second.id).toBeGreaterThan(first.id);
      const listed = await store.listAlerts({ limit: 10 });
      expect(listed).toEqual([second, first]);
      expect(listed[0]).toMatchObject({
        kind: 'certificate-revoked',
        peerName: 'cs:131016',
        peerAddress: '127.0.0.1:40002',
        at: '2026-11-24T02:00:00.000Z',
      });
      await store.close();
    });

    it('R11: pages forward for a polling monitor and honours the limit', async () => {
      const store = await open();
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push((await store.recordAlert(alert(i))).id);
      expect((await store.listAlerts({ limit: 2 })).map((a) => a.id)).toEqual([ids[4], ids[3]]);
      expect((await store.listAlerts({ limit: 10, afterId: ids[2]! })).map((a) => a.id)).toEqual([
        ids[4],
        ids[3],
      ]);
      // Paging back from an alert: the older ones, newest first (the self-check report reads so).
      expect((await store.listAlerts({ limit: 2, beforeId: ids[3]! })).map((a) => a.id)).toEqual([
        ids[2],
        ids[1],
      ]);
      expect(await store.listAlerts({ limit: 10, beforeId: ids[0]! })).toEqual([]);
      await store.close();
    });
  });
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.skipIf(!storeSelected('sqlite'))('SQLite', () => {
  describeAlertStore('SqliteAlertStore', () => {
    const dir = mkdtempSync(join(tmpdir(), 'jukinet-alerts-'));
    dirs.push(dir);
    return openAlertStore(`sqlite:${join(dir, 'node.sqlite')}`);
  });
});

const database = storeSelected('postgres')
  ? await createTestDatabaseOrSkip('jukinet_alerts')
  : undefined;
afterAll(async () => database?.drop());
let schemas = 0;
describe.skipIf(database === undefined)('PostgreSQL', () => {
  describeAlertStore('PostgresAlertStore', () =>
    openAlertStore(database!.url, { schema: `alerts${++schemas}` }),
  );
});

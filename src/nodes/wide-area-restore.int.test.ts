import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessLog } from '../audit/access-log.ts';
import { WideAreaThrottle } from '../domain/wide-area/wide-area-copy.ts';
import { openAccessLogStore, openAlertStore } from '../storage/open-store.ts';
import type { AccessLogStore, AlertStore } from '../storage/ports.ts';
import { restoreWideAreaSuspensions } from './node-wide-area.ts';

/*
 * R18 across a restart: the throttle counts in memory, but a suspension outlives the process in
 * the residence CS's records — the `wide-area-suspended` alert, and the security officer's
 * `wide-area.release` in the access log when it was lifted. At start the CS suspends again the
 * cards whose alert is younger than the suspension and that were not released since; an old
 * alert, a released card and another kind of alert suspend nothing.
 */
describe('広域交付 suspensions read back at start (R18)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jukinet-wide-area-restore-'));
  const url = `sqlite:${join(dir, 'cs.sqlite')}`;
  let alerts: AlertStore;
  let access: AccessLogStore;
  const NOW = Date.parse('2026-11-25T03:00:00.000Z');
  const HOUR = 3_600_000;
  const ago = (ms: number) => new Date(NOW - ms).toISOString();
  const suspended = (card: string, at: string) =>
    alerts.recordAlert({
      at,
      observer: 'cs:011011',
      kind: 'wide-area-suspended',
      peerAddress: 'route',
      peerName: card.split('/')[0],
      detail: `card ${card}: more than 20 広域交付 requests within 10 min; its requests are refused for 60 min (R18)`,
    });

  beforeAll(async () => {
    alerts = await openAlertStore(url);
    access = await openAccessLogStore(url);
    await suspended('cs:131016/clerk-1', ago(20 * 60_000)); // still running
    await suspended('cs:131016/clerk-2', ago(2 * HOUR)); // over
    await suspended('cs:131041/clerk-3', ago(30 * 60_000)); // lifted below
    await alerts.recordAlert({
      at: ago(60_000),
      observer: 'cs:011011',
      kind: 'rate-limited',
      peerAddress: '127.0.0.1:1',
      peerName: 'cs:131016',
      detail: 'card cs:131016/clerk-4: not a suspension',
    });
    await new AccessLog(access).append({
      at: ago(10 * 60_000),
      node: 'cs:011011',
      operator: 'sec-1',
      operation: 'wide-area.release',
      target: 'cs:131041/clerk-3',
      result: 'ok',
    });
  });

  afterAll(async () => {
    await alerts?.close();
    await access?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('suspends again only the running, unreleased suspension, until the end its alert set', async () => {
    const throttle = new WideAreaThrottle({ maxRequests: 20, windowMs: 600_000, suspendMs: HOUR });
    expect(await restoreWideAreaSuspensions(throttle, { alerts, access }, NOW)).toBe(1);
    expect(throttle.suspended(NOW)).toEqual([
      { card: 'cs:131016/clerk-1', until: NOW - 20 * 60_000 + HOUR },
    ]);
    expect(throttle.take('cs:131016/clerk-1', NOW + 1)).toBe('still-suspended');
    expect(throttle.take('cs:131041/clerk-3', NOW + 1)).toBe('allowed');
  });
});

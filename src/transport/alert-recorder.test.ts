import { describe, expect, it } from 'vitest';
import type { NewSecurityAlert, SecurityAlert } from '../domain/network/SecurityAlert.ts';
import type { AlertStore } from '../storage/ports.ts';
import { AlertRecorder, formatAddress, hostOf } from './alert-recorder.ts';

function memoryStore(fail = false): AlertStore & { rows: SecurityAlert[] } {
  const rows: SecurityAlert[] = [];
  return {
    rows,
    recordAlert(a: NewSecurityAlert) {
      if (fail) return Promise.reject(new Error('disk full'));
      const row = { ...a, id: rows.length + 1 };
      rows.push(row);
      return Promise.resolve(row);
    },
    listAlerts: () => Promise.resolve([...rows].reverse()),
    close: () => Promise.resolve(),
  };
}

describe('recording intrusion alerts (R11)', () => {
  it('R11: stores an alert with observer and time; repeats within the interval are counted, not stored', async () => {
    const store = memoryStore();
    let now = Date.parse('2025-01-01T00:00:00Z');
    const r = new AlertRecorder({
      store,
      observer: 'prefecture:13',
      intervalMs: 1000,
      now: () => new Date(now),
      onStoreError: () => undefined,
    });
    const garbage = { kind: 'not-our-protocol', detail: 'junk' } as const;
    r.record({ ...garbage, peerAddress: '10.0.0.9:4000' });
    for (let i = 0; i < 3; i++) r.record({ ...garbage, peerAddress: `10.0.0.9:${4001 + i}` });
    r.record({ ...garbage, peerAddress: '10.0.0.8:4000' }); // another host: its own alert
    now += 1000;
    r.record({ ...garbage, peerAddress: '10.0.0.9:5000' });
    await r.flush();
    expect(store.rows).toEqual([
      {
        id: 1,
        at: '2025-01-01T00:00:00.000Z',
        observer: 'prefecture:13',
        kind: 'not-our-protocol',
        peerAddress: '10.0.0.9:4000',
        peerName: undefined,
        detail: 'junk',
      },
      expect.objectContaining({ id: 2, peerAddress: '10.0.0.8:4000', detail: 'junk' }),
      expect.objectContaining({ id: 3, detail: 'junk (+3 similar suppressed)' }),
    ]);
  });

  it('R11: a long detail is cut, and a failing store is reported, never thrown', async () => {
    const errors: unknown[] = [];
    const r = new AlertRecorder({
      store: memoryStore(true),
      observer: 'cs:131016',
      intervalMs: 1,
      now: () => new Date(),
      onStoreError: (e) => errors.push(e),
    });
    r.record({ kind: 'bad-frame', peerAddress: '[::1]:1', detail: 'x'.repeat(2000) });
    await r.flush();
    expect(errors).toHaveLength(1);

    const store = memoryStore();
    const ok = new AlertRecorder({ ...r.options, store });
    ok.record({ kind: 'bad-frame', peerAddress: '[::1]:1', detail: 'x'.repeat(2000) });
    await ok.flush();
    expect(store.rows[0]!.detail).toHaveLength(500);
  });

  it('R11: formats and reads peer addresses for IPv4 and IPv6', () => {
    expect(formatAddress('127.0.0.1', 5)).toBe('127.0.0.1:5');
    expect(formatAddress('::1', 5)).toBe('[::1]:5');
    expect(formatAddress(undefined, 5)).toBe('unknown');
    expect(hostOf('[::1]:5')).toBe('::1');
    expect(hostOf('127.0.0.1:5')).toBe('127.0.0.1');
    expect(hostOf('cs:011011 via switch:east-1')).toBe('cs:011011 via switch:east-1');
  });
});

import { describe, expect, it } from 'vitest';
import { connectSessions, sampleChangeNotice } from '../protocol/protocol-fixtures.ts';
import { routeRequest } from '../protocol/index.ts';
import { RawPeer } from '../protocol/session/raw-peer.ts';
import type { AlertInput } from './alert-recorder.ts';
import { guardSession } from './session-guard.ts';

const CS = { role: 'cs', code: '131016' } as const;
const PREF = { role: 'prefecture', code: '13' } as const;

/** cs:131016 (a) → prefecture:13 (b), with b's session behind the guard. */
function guarded(requestRate = { burst: 100, perSecond: 100 }, now = () => 0) {
  const pair = connectSessions();
  const alerts: AlertInput[] = [];
  let handled = 0;
  guardSession(pair.b, {
    self: PREF,
    peer: { node: CS, name: 'cs:131016', serial: '01', address: '10.0.0.1:5000' },
    alerts: { record: (a) => alerts.push(a) },
    requestRate,
    nowMs: now,
  });
  pair.b.handle('change-notice', (m) => {
    handled++;
    return {
      kind: 'change-ack',
      idempotencyKey: m.idempotencyKey,
      outcome: 'applied',
      sequence: 1,
    };
  });
  return { ...pair, alerts, handled: () => handled };
}

describe('the firewall inside a session (R8, R11)', () => {
  it('R8: an allowed operation reaches its handler, with no alert', async () => {
    const g = guarded();
    await expect(g.a.request(sampleChangeNotice())).resolves.toMatchObject({ outcome: 'applied' });
    expect(g.handled()).toBe(1);
    expect(g.alerts).toEqual([]);
    g.close();
  });

  it('R8: an operation the allow-list refuses is answered forbidden, alerted, and no handler runs — even one the node never registered', async () => {
    const g = guarded();
    await expect(g.a.request(routeRequest('cs:011011'))).rejects.toMatchObject({
      code: 'forbidden',
      reason: 'network.operation-forbidden',
    });
    expect(g.alerts).toEqual([
      {
        kind: 'forbidden-operation',
        peerAddress: '10.0.0.1:5000',
        peerName: 'cs:131016',
        detail: 'cs:131016 may not ask prefecture:13 for route-request',
      },
    ]);
    expect(g.handled()).toBe(0);
    g.close();
  });

  it('R11: requests over the rate are answered rate-limited before the firewall and the handler', async () => {
    const g = guarded({ burst: 2, perSecond: 1 });
    await g.a.request(sampleChangeNotice());
    await g.a.request(sampleChangeNotice());
    await expect(g.a.request(sampleChangeNotice())).rejects.toMatchObject({
      code: 'rate-limited',
      reason: 'network.request-rate',
    });
    expect(g.handled()).toBe(2);
    expect(g.alerts).toMatchObject([{ kind: 'rate-limited', peerName: 'cs:131016' }]);
    g.close();
  });

  it('R8: a handler registered once the session is up is behind the firewall all the same', async () => {
    const g = guarded();
    await g.b.ready;
    let ran = 0;
    g.b.handle('route-request', () => {
      ran++;
      return { kind: 'route-accepted', target: 'cs:011011' };
    });
    await expect(g.a.request(routeRequest('cs:011011'))).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(ran).toBe(0);
    expect(g.alerts).toMatchObject([{ kind: 'forbidden-operation' }]);
    g.close();
  });

  it('R11: kinds this node does not know are answered unknown-kind; the third of a session raises one alert', async () => {
    const g = guarded();
    await g.b.ready;
    const raw = new RawPeer(g.a.transport);
    for (let i = 1; i <= 4; i++) raw.rawRequest(9000 + i, { kind: `probe-${i}` });
    await new Promise((r) => setImmediate(r));
    expect(g.b.state).toBe('ready'); // forward compatibility: the session lives on
    expect(g.alerts).toEqual([
      {
        kind: 'unknown-kinds',
        peerAddress: '10.0.0.1:5000',
        peerName: 'cs:131016',
        detail: '3 requests of kinds this node does not know: "probe-1", "probe-2", "probe-3"',
      },
    ]);
    g.close();
  });

  it('R11: a protocol violation raises a bad-frame alert', async () => {
    const g = guarded();
    await g.b.ready;
    g.a.transport.write([
      Uint8Array.from([0xde, 0xad, 0xbe, 0xef, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    ]);
    await g.b.closed;
    expect(g.alerts).toMatchObject([
      {
        kind: 'bad-frame',
        peerName: 'cs:131016',
        detail: expect.stringContaining('frame.bad-magic') as unknown,
      },
    ]);
    g.close();
  });
});

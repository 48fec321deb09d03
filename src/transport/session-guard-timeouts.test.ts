import { describe, expect, it } from 'vitest';
import { IdleTimeoutError, PeerNotReadingError, type ProtocolError } from '../protocol/index.ts';
import { connectSessions } from '../protocol/protocol-fixtures.ts';
import { BadFrameError, FrameTimeoutError } from '../protocol/errors.ts';
import type { AlertInput } from './alert-recorder.ts';
import { guardSession, PING_RATE_FLOOR } from './session-guard.ts';

const CS = { role: 'cs', code: '131016' } as const;
const PREF = { role: 'prefecture', code: '13' } as const;
const flush = () => new Promise<void>((r) => setImmediate(r));

/** cs:131016 (a) → prefecture:13 (b), with b's session behind the guard. */
function guarded(requestRate = { burst: 100, perSecond: 100 }) {
  const pair = connectSessions();
  const alerts: AlertInput[] = [];
  guardSession(pair.b, {
    self: PREF,
    peer: { node: CS, name: 'cs:131016', serial: '01', address: '10.0.0.1:5000' },
    alerts: { record: (a) => alerts.push(a) },
    requestRate,
    nowMs: () => 0, // time stands still: no token comes back
  });
  return { ...pair, alerts };
}

describe('the session guard: stalled and flooding peers (R11)', () => {
  it('R11: each kind of cut a session reports raises its alert, with the peer address', () => {
    const cases: [ProtocolError, string][] = [
      [new IdleTimeoutError('nothing received for 15000 ms'), 'idle-timeout'],
      [new FrameTimeoutError('a frame was not finished within 10000 ms'), 'bad-frame'],
      [
        new BadFrameError('the connection closed inside a frame', { reason: 'frame.truncated' }),
        'bad-frame',
      ],
      [new PeerNotReadingError('the peer does not read'), 'peer-not-reading'],
    ];
    for (const [error, kind] of cases) {
      const g = guarded();
      g.b.emit('violation', error); // as the session does before it closes itself
      expect(g.alerts).toEqual([
        expect.objectContaining({ kind, peerAddress: '10.0.0.1:5000', peerName: 'cs:131016' }),
      ]);
      g.close();
    }
  });

  it('R11: pings over the rate are left unanswered, with a rate-limited alert; requests keep their own budget', async () => {
    const g = guarded({ burst: 1, perSecond: 1 }); // under the floor: pings get PING_RATE_FLOOR
    await g.b.ready;
    const pongs = Array.from({ length: PING_RATE_FLOOR + 2 }, () =>
      g.a.ping().then(
        () => 'pong',
        () => 'none',
      ),
    );
    await flush();
    g.close();
    const results = await Promise.all(pongs);
    expect(results.filter((r) => r === 'pong')).toHaveLength(PING_RATE_FLOOR);
    expect(g.alerts.map((a) => a.detail)).toEqual([
      `pings over ${PING_RATE_FLOOR}/s (burst ${PING_RATE_FLOOR}): left unanswered`,
      `pings over ${PING_RATE_FLOOR}/s (burst ${PING_RATE_FLOOR}): left unanswered`,
    ]);
  });
});

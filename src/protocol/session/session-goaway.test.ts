import { describe, expect, it } from 'vitest';
import { ConnectionClosedError, GoawayError } from '../errors.ts';
import type { ChangeAck } from '../messages/ChangeAck.ts';
import type { ChangeNotice } from '../messages/ChangeNotice.ts';
import { connectSessions, sampleChangeNotice } from '../protocol-fixtures.ts';
import { ManualClock } from './manual-clock.ts';

const flush = () => new Promise<void>((r) => setImmediate(r));
const applied = (m: ChangeNotice): ChangeAck => ({
  kind: 'change-ack',
  idempotencyKey: m.idempotencyKey,
  outcome: 'applied',
  sequence: 1,
});

describe('Session goaway (R10: graceful close finishes what is in flight)', () => {
  it('R10: goaway lets calls in flight finish, refuses new ones, then closes both sides cleanly', async () => {
    const { a, b } = connectSessions();
    let release: (() => void) | undefined;
    b.handle(
      'change-notice',
      (m) => new Promise<ChangeAck>((r) => (release = () => r(applied(m)))),
    );
    await a.ready;
    const inFlight = a.request(sampleChangeNotice());
    while (!release) await flush();
    const goaways: GoawayError[] = [];
    a.on('goaway', (e) => goaways.push(e));
    const closing = b.goaway('maintenance');
    await flush();
    expect(goaways).toHaveLength(1);
    expect(goaways[0]).toMatchObject({ code: 'goaway', remote: true, message: 'maintenance' });
    // a new request after the peer's goaway is not sent at all
    await expect(a.request(sampleChangeNotice())).rejects.toBeInstanceOf(GoawayError);
    expect(b.state).toBe('ready'); // still finishing
    release();
    await expect(inFlight).resolves.toMatchObject({ outcome: 'applied' });
    await closing;
    expect(await b.closed).toBeUndefined();
    expect(await a.closed).toBeUndefined();
  });

  it('R10: a request that crosses the goaway is refused unprocessed (safe to retry elsewhere)', async () => {
    const { a, b } = connectSessions();
    let handled = 0;
    b.handle('change-notice', (m) => {
      handled++;
      return applied(m);
    });
    await Promise.all([a.ready, b.ready]);
    const closing = b.goaway();
    const crossing = a.request(sampleChangeNotice()); // a has not heard of the goaway yet
    const error = await crossing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GoawayError);
    expect(error).toMatchObject({ remote: true });
    expect(handled).toBe(0);
    await closing;
  });

  it('R10: calls still running after the grace period fail, and the session closes', async () => {
    const clock = new ManualClock();
    const { a, b } = connectSessions({ b: { clock, goawayGraceMs: 5_000 } });
    b.handle('change-notice', () => new Promise<never>(() => undefined));
    await a.ready;
    const stuck = a.request(sampleChangeNotice(), { timeoutMs: 0 }).catch((e: unknown) => e);
    await flush();
    const closing = b.goaway();
    clock.advance(4_999);
    await flush();
    expect(b.state).toBe('ready');
    clock.advance(1);
    await closing;
    expect(await b.closed).toBeInstanceOf(GoawayError);
    expect(await stuck).toBeInstanceOf(ConnectionClosedError);
  });
});

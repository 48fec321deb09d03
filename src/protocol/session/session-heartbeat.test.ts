import { describe, expect, it } from 'vitest';
import { ConnectionClosedError, IdleTimeoutError } from '../errors.ts';
import { createMemoryTransportPair } from '../memory-transport.ts';
import { connectSessions, sampleChangeNotice } from '../protocol-fixtures.ts';
import { ManualClock } from './manual-clock.ts';
import { createSession } from './session.ts';

const flush = () => new Promise<void>((r) => setImmediate(r));

/** Moves the manual clock in steps, letting the frames of each step cross the transport. */
async function pass(clock: ManualClock, ms: number, step = 250) {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await flush();
  }
}

const heartbeats = { heartbeatIntervalMs: 1_000, idleTimeoutMs: 3_000, requestTimeoutMs: 0 };

describe('Session heartbeats (R10: a silent peer is dropped, an idle connection is kept)', () => {
  it('R10: two live peers with nothing to say keep the connection open by heartbeats', async () => {
    const clock = new ManualClock();
    const { a, b, close } = connectSessions({
      a: { ...heartbeats, clock },
      b: { ...heartbeats, clock },
    });
    await a.ready;
    const violations: unknown[] = [];
    a.on('violation', (e) => violations.push(e));
    b.on('violation', (e) => violations.push(e));
    const before = (a.transport as unknown as { bytesWritten: number }).bytesWritten;
    await pass(clock, 60_000);
    expect(a.state).toBe('ready');
    expect(b.state).toBe('ready');
    expect(violations).toEqual([]); // quiet but answering heartbeats: fine, no alert
    // one 24-byte ping and one 24-byte pong per second each way, nothing else
    const written = (a.transport as unknown as { bytesWritten: number }).bytesWritten - before;
    expect(written).toBe(60 * 24 * 2);
    close();
  });

  it('R10/R11: a peer that falls silent is dropped after the idle timeout (a violation: alert), failing its pending calls', async () => {
    const clock = new ManualClock();
    const [ta, tb] = createMemoryTransportPair();
    const a = createSession({ transport: ta, localNode: 'cs:131016', clock, ...heartbeats });
    const b = createSession({ transport: tb, localNode: 'prefecture:13', heartbeatIntervalMs: 0 });
    b.handle('change-notice', () => new Promise<never>(() => undefined));
    await a.ready;
    const violations: unknown[] = [];
    a.on('violation', (e) => violations.push(e));
    const pending = a.request(sampleChangeNotice()).catch((e: unknown) => e);
    await flush();
    ta.sever(); // the cable is pulled: nothing arrives any more, nothing is said
    await pass(clock, 2_750);
    expect(a.state).toBe('ready');
    await pass(clock, 500);
    expect(a.state).toBe('closed');
    expect(await a.closed).toBeInstanceOf(IdleTimeoutError);
    // Raised as a violation, so that the session guard records an `idle-timeout` alert (R11).
    expect(violations).toEqual([await a.closed]);
    expect(violations[0]).toMatchObject({ reason: 'session.idle-timeout' });
    expect(await pending).toBeInstanceOf(ConnectionClosedError);
    expect(((await pending) as Error).cause).toBeInstanceOf(IdleTimeoutError);
    b.close();
  });

  it('R10: a peer that never says hello is dropped at the idle timeout, too', async () => {
    const clock = new ManualClock();
    const [ta] = createMemoryTransportPair();
    const a = createSession({ transport: ta, localNode: 'cs:131016', clock, ...heartbeats });
    await pass(clock, 3_000);
    await expect(a.ready).rejects.toBeInstanceOf(IdleTimeoutError);
  });

  it('R10: ping measures the round trip', async () => {
    const { a, close } = connectSessions();
    await a.ready;
    const ms = await a.ping();
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(ms).toBeLessThan(1_000);
    close();
  });
});

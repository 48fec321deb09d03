import { describe, expect, it } from 'vitest';
import { createMemoryTransportPair, splitEvery } from './memory-transport.ts';

const flush = () => new Promise<void>((r) => setImmediate(r));

describe('memory transport (tests and simulation: a Transport without sockets)', () => {
  it('R10: delivers bytes in order, as the split says, and names the far end', async () => {
    const [a, b] = createMemoryTransportPair({
      names: ['cs:131016', 'prefecture:13'],
      split: splitEvery(3),
    });
    expect(a.peer.name).toBe('prefecture:13');
    expect(b.peer.name).toBe('cs:131016');
    const got: number[][] = [];
    b.on('data', (c) => got.push([...c]));
    a.write([Buffer.from([1, 2]), Buffer.from([3, 4, 5, 6, 7])]);
    await flush();
    expect(got).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('R10: signals back-pressure above the high-water mark and drain once delivered', async () => {
    const [a, b] = createMemoryTransportPair({ highWaterMark: 10 });
    b.on('data', () => undefined);
    let drained = 0;
    a.on('drain', () => drained++);
    expect(a.write([Buffer.alloc(5)])).toBe(true);
    expect(a.write([Buffer.alloc(5)])).toBe(false);
    expect(a.queuedBytes).toBe(10);
    await flush();
    expect(a.queuedBytes).toBe(0);
    expect(drained).toBe(1);
  });

  it('R10: close flushes what was written, then both ends see close once', async () => {
    const [a, b] = createMemoryTransportPair();
    const got: number[] = [];
    const closes: (Error | undefined)[] = [];
    b.on('data', (c) => got.push(...c));
    a.on('close', (e) => closes.push(e));
    b.on('close', (e) => closes.push(e));
    a.write([Buffer.from([9])]);
    a.close(new Error('local reason'));
    a.close();
    await flush();
    expect(got).toEqual([9]);
    expect(closes.map((e) => e?.message)).toEqual(['local reason', undefined]);
    expect(a.write([Buffer.from([1])])).toBe(false);
  });
});

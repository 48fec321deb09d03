import { describe, expect, it } from 'vitest';
import { GroupWriter } from './group-writer.ts';

describe('GroupWriter (group commit)', () => {
  it('writes what arrives while a write runs as one group, in order, and resolves each caller after its write', async () => {
    const writes: number[][] = [];
    let release!: () => void;
    let first = true;
    const w = new GroupWriter<number>(async (items) => {
      writes.push(items);
      if (first) {
        first = false;
        await new Promise<void>((r) => (release = r));
      }
    });
    const a = w.add([1]);
    const b = w.add([2, 3]);
    const c = w.add([4]);
    await Promise.resolve();
    release();
    await Promise.all([a, b, c]);
    expect(writes).toEqual([[1], [2, 3, 4]]);
  });

  it('fails every caller of a failed group, and the next group still runs', async () => {
    let fail = true;
    const w = new GroupWriter<string>((items) =>
      fail ? Promise.reject(new Error(`disk full: ${items.join()}`)) : Promise.resolve(),
    );
    await expect(w.add(['x'])).rejects.toThrow('disk full: x');
    fail = false;
    await expect(w.add(['y'])).resolves.toBeUndefined();
    await w.drain();
  });

  it('never strands an item added just as a run ends', async () => {
    const seen: number[] = [];
    const w = new GroupWriter<number>((items) => {
      seen.push(...items);
      return Promise.resolve();
    });
    for (let i = 0; i < 200; i++) {
      await w.add([i]);
      void w.add([1000 + i]);
    }
    await w.drain();
    expect(seen).toHaveLength(400);
  });
});

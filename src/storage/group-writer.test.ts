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

  it('with gatherMs 0, what is added in the same turn shares the first write even when the driver is synchronous', async () => {
    const writes: { gather?: number; items: number[] }[] = [];
    for (const gather of [undefined, 0]) {
      const w = new GroupWriter<number>(
        (items) => {
          writes.push({ ...(gather === undefined ? {} : { gather }), items });
          return Promise.resolve(); // written synchronously, as better-sqlite3 does
        },
        gather === undefined ? {} : { gatherMs: gather },
      );
      await Promise.all([w.add([1]), w.add([2]), Promise.resolve().then(() => w.add([3]))]);
    }
    // Without a wait the first caller writes alone; with one turn of waiting, all three share it.
    expect(writes.filter((w) => w.gather === undefined)[0]).toEqual({ items: [1] });
    expect(writes.filter((w) => w.gather === 0)).toEqual([{ gather: 0, items: [1, 2, 3] }]);
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

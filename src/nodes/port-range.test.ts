import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NETWORK_PORT_SPAN, reserveBasePort } from './port-range.ts';

/*
 * Base ports of local networks (port-range.ts): reserved per process by exclusive lock files, so
 * networks started at once never share ports; the lock of a process that is gone is taken over.
 */
describe('reserveBasePort', () => {
  let dir: string;
  const saved = process.env['TMPDIR'];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'jukinet-port-range-'));
    process.env['TMPDIR'] = dir;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env['TMPDIR'];
    else process.env['TMPDIR'] = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives each caller a range of its own, below the ephemeral ports, and names the process', () => {
    const bases = Array.from({ length: 10 }, () => reserveBasePort());
    expect(new Set(bases).size).toBe(10);
    const sorted = [...bases].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++)
      expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(NETWORK_PORT_SPAN);
    for (const b of bases) {
      expect(b).toBeGreaterThanOrEqual(10_000);
      expect(b + NETWORK_PORT_SPAN).toBeLessThanOrEqual(32_768);
    }
    const locks = readdirSync(join(dir, 'jukinet-ports'));
    expect(locks).toHaveLength(10);
    for (const l of locks)
      expect(readFileSync(join(dir, 'jukinet-ports', l), 'utf8')).toBe(String(process.pid));
  });

  it('takes over the slots of a process that is gone, and never those of a live one', () => {
    const locks = join(dir, 'jukinet-ports');
    const held = new Set(readdirSync(locks));
    // Every free slot: held by a live process (this test's parent) or by a dead one.
    const all = Math.floor((32_000 - 10_000) / NETWORK_PORT_SPAN);
    let dead = 0;
    for (let slot = 0; slot < all; slot++) {
      const file = `${slot}.lock`;
      if (held.has(file)) continue;
      const stale = slot % 2 === 0;
      if (stale) dead++;
      writeFileSync(join(locks, file), String(stale ? 2 ** 30 : process.ppid));
    }
    const taken = Array.from({ length: dead }, () => reserveBasePort());
    expect(new Set(taken).size).toBe(dead);
    for (const base of taken) expect(((base - 10_000) / NETWORK_PORT_SPAN) % 2).toBe(0);
    // Nothing left: every slot is held by a live process.
    expect(() => reserveBasePort()).toThrow(/every range of 400 ports/);
  });
});

import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.ts';

describe('progress', () => {
  it('writes a line every 10 % when not on a terminal, then a final line', () => {
    const lines: string[] = [];
    let t = 0;
    const p = createProgress('loading', 100, {
      interactive: false,
      write: (s) => lines.push(s),
      now: () => (t += 10),
    });
    for (let i = 1; i <= 100; i++) p.update(i);
    p.finish(100);
    expect(lines.length).toBe(11); // deciles 0..9 once each, plus the final line
    expect(lines.at(-1)).toMatch(/^loading .* 100\.0% 100\/100/);
  });

  it('with no total, off a terminal: a line at most every 10 s (a streamed file), then the final line', () => {
    const lines: string[] = [];
    let t = 0;
    const p = createProgress('batch', undefined, {
      interactive: false,
      write: (s) => lines.push(s),
      now: () => t,
    });
    for (let i = 1; i <= 250; i++) {
      t = i * 100; // 25 s of work, a row every 100 ms
      p.update(i);
    }
    p.finish(250);
    expect(lines).toHaveLength(3); // at 10 s and 20 s, plus the final line
    expect(lines[0]).toBe('batch: 100 (10/s)\n');
    expect(lines[1]).toBe('batch: 200 (10/s)\n');
    expect(lines.at(-1)).toBe('batch: 250 (10/s)\n');
  });

  it('redraws in place on a terminal, at most every 100 ms', () => {
    const writes: string[] = [];
    let t = 0;
    const p = createProgress('gen', 1000, {
      interactive: true,
      write: (s) => writes.push(s),
      now: () => t,
    });
    t = 200;
    p.update(1);
    p.update(2); // same instant: not redrawn
    t = 400;
    p.update(3);
    expect(writes.length).toBe(2);
    expect(writes[0]?.startsWith('\r\u001b[2Kgen ')).toBe(true);
  });
});

import type { CommandIO } from './io.ts';

/** A CommandIO that records what a command prints (for tests). */
export function captureIO(): CommandIO & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => void (out += t.endsWith('\n') ? t : `${t}\n`),
    err: (t) => void (err += t.endsWith('\n') ? t : `${t}\n`),
    interactive: false,
    stdout: () => out,
    stderr: () => err,
  };
}

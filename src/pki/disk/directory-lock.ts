import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { RegistryError } from '../../domain/errors.ts';

const LOCK_FILE = '.lock';

/**
 * Runs `fn` holding an exclusive lock on `dir` (a `.lock` file created with O_EXCL holding the
 * pid), so that two `juki pki` runs cannot interleave their updates of the index and the CRL.
 * A held lock is waited for (up to `waitMs`, default 10 s); a lock left by a process that no
 * longer exists is taken over. Past the wait: RegistryError('unavailable', …, 'pki.locked').
 */
export async function withDirectoryLock<T>(
  dir: string,
  fn: () => Promise<T>,
  waitMs = 10_000,
): Promise<T> {
  const path = join(dir, LOCK_FILE);
  const deadline = Date.now() + waitMs;
  while (!(await tryAcquire(path))) {
    if (Date.now() >= deadline) {
      throw new RegistryError(
        'unavailable',
        `the PKI directory is locked by another juki process (${path})`,
        'pki.locked',
      );
    }
    await sleep(10 + Math.floor(Math.random() * 20));
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}

async function tryAcquire(path: string): Promise<boolean> {
  try {
    const handle = await open(path, 'wx', 0o600);
    await handle.writeFile(String(process.pid));
    await handle.close();
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const text = (await readFile(path, 'utf8').catch(() => '')).trim();
  // An empty file is a lock being taken right now; a live pid is a lock held.
  if (/^\d+$/.test(text) && !isAlive(Number(text))) {
    await rm(path, { force: true }); // stale: its process is gone
  }
  return false;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

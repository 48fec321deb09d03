import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * Base ports for whole local networks on one machine (`juki demo`, the tests): each network of
 * initNetwork takes its ports from a base port upwards (the national server at the base, the
 * prefectures at base + code, terminals at + 100, the CSs from + 200; docs/OPERATIONS.md), so two
 * networks started at once must not get bases closer than that. A random base did collide now and
 * then when test files ran at once (EADDRINUSE). Here a base is a slot of NETWORK_PORT_SPAN ports,
 * reserved for this process by a lock file created exclusively in `<tmpdir>/jukinet-ports/`,
 * which names the process and is removed at its exit; a lock whose process is gone is taken over.
 */

/** The ports one local network may use from its base port (initNetwork's layout needs < 300). */
export const NETWORK_PORT_SPAN = 400;
/** Below Linux's ephemeral range (32768–60999), so no outgoing connection takes our ports. */
const FIRST_PORT = 10_000;
const LAST_PORT = 32_000;
const SLOTS = Math.floor((LAST_PORT - FIRST_PORT) / NETWORK_PORT_SPAN);

const held = new Set<string>();
let cleanupInstalled = false;

const alive = (pid: number): boolean => {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function lock(file: string): boolean {
  try {
    const fd = openSync(file, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    return false;
  }
}

function tryLock(file: string): boolean {
  if (lock(file)) return true;
  let owner = Number.NaN;
  try {
    owner = Number(readFileSync(file, 'utf8'));
  } catch {
    // Removed meanwhile: try once more below.
  }
  if (alive(owner)) return false;
  try {
    unlinkSync(file);
  } catch {
    // Another process took it over first.
  }
  return lock(file);
}

/**
 * A base port reserved for this process until it exits: ports base … base + NETWORK_PORT_SPAN − 1
 * are no other caller's. Throws when every slot is held (a machine running that many networks).
 */
export function reserveBasePort(): number {
  const dir = join(tmpdir(), 'jukinet-ports');
  mkdirSync(dir, { recursive: true });
  if (!cleanupInstalled) {
    cleanupInstalled = true;
    process.on('exit', () => {
      for (const file of held)
        try {
          unlinkSync(file);
        } catch {
          // Gone already.
        }
    });
  }
  const start = Math.floor(Math.random() * SLOTS);
  for (let i = 0; i < SLOTS; i++) {
    const slot = (start + i) % SLOTS;
    const file = join(dir, `${slot}.lock`);
    if (tryLock(file)) {
      held.add(file);
      return FIRST_PORT + slot * NETWORK_PORT_SPAN;
    }
  }
  throw new Error(
    `every range of ${NETWORK_PORT_SPAN} ports in ${FIRST_PORT}–${LAST_PORT} is held by a running network (${dir}): stop one, or remove the lock files of processes that are gone`,
  );
}

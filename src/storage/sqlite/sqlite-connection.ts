import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';

/**
 * One connection per SQLite file per process, shared by a node's stores (identity, provision,
 * alerts; docs/STORAGE.md "One connection per file").
 *
 * Why: in WAL mode, a commit made on another connection makes every other connection drop its
 * whole page cache at its next read transaction. A provision server that wrote its disclosure
 * records (R17) on a second connection re-read its indexes from the OS on every query: searches by
 * resident code fell from ~34 k/s to ~7.8 k/s with one disclosure commit per 8 searches
 * (300 k residents, this machine). better-sqlite3 is synchronous, so the stores' transactions
 * never interleave on the shared connection; no store keeps a statement iterator open across an
 * await (scans read pages with `.all()`).
 *
 * `:memory:` is never shared: each opener gets its own database, as before.
 */
export type SharedSqlite = {
  readonly db: Database.Database;
  /**
   * Moves WAL checkpoints off this thread (see CHECKPOINTER); a no-op for `:memory:` and when
   * already on. A node's runtime turns it on; short-lived tools and tests leave SQLite's own.
   */
  readonly checkpointInBackground: () => void;
  /** The last release closes the connection. Idempotent per acquirer. */
  readonly release: () => void;
};

type Entry = { db: Database.Database; refs: number; checkpointer?: Worker };
const shared = new Map<string, Entry>();

/** How often the background checkpointer runs (ms). */
export const CHECKPOINT_INTERVAL_MS = 200;

/*
 * The background checkpointer: a worker thread with its own connection runs
 * `PRAGMA wal_checkpoint(PASSIVE)` every CHECKPOINT_INTERVAL_MS, and the shared connection's
 * automatic checkpoint (every 1000 WAL pages, at the commit that crosses it) is turned off. Why:
 * a checkpoint copies the WAL into the database file and syncs it, which blocked the event loop of
 * a provision server for milliseconds at a time inside an answer's commit (measured: searches
 * with one disclosure commit per 8 went from ~5.6 k/s to ~9.5 k/s without it). A checkpoint does
 * not change what readers see, so it does not drop the shared connection's page cache; PASSIVE
 * never waits for readers or the writer. The worker's source is inline so it runs the same from
 * src/ under tsx and from dist/.
 */
const CHECKPOINTER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { timeout: 1000 });
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (e) { parentPort.postMessage(String(e && e.message)); }
}, workerData.intervalMs);
parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

function startCheckpointer(entry: Entry, file: string): void {
  if (entry.checkpointer) return;
  entry.db.pragma('wal_autocheckpoint = 0');
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(CHECKPOINTER, {
    eval: true,
    workerData: { file, driver, intervalMs: CHECKPOINT_INTERVAL_MS },
  });
  worker.unref();
  // A failed checkpoint is retried at the next tick; the WAL only grows meanwhile. If the worker
  // itself dies, the connection checkpoints at commit again, as SQLite does by default.
  worker.on('error', () => {
    if (entry.db.open) entry.db.pragma('wal_autocheckpoint = 1000');
    entry.checkpointer = undefined;
  });
  entry.checkpointer = worker;
}

function stopCheckpointer(entry: Entry): void {
  const w = entry.checkpointer;
  entry.checkpointer = undefined;
  w?.postMessage('stop');
}

/** Opens the file's connection, or shares the one this process has open already. */
export function acquireSqlite(file: string, options: { timeoutMs?: number } = {}): SharedSqlite {
  if (file === ':memory:') {
    const db = new Database(file, { timeout: options.timeoutMs ?? 5000 });
    return { db, checkpointInBackground: () => {}, release: () => db.open && db.close() };
  }
  const key = path.resolve(file);
  let entry = shared.get(key);
  if (entry === undefined || !entry.db.open) {
    entry = { db: new Database(file, { timeout: options.timeoutMs ?? 5000 }), refs: 0 };
    shared.set(key, entry);
  }
  entry.refs++;
  const e = entry;
  let released = false;
  return {
    db: e.db,
    checkpointInBackground: () => startCheckpointer(e, key),
    release: () => {
      if (released) return;
      released = true;
      if (--e.refs > 0) return;
      if (shared.get(key) === e) shared.delete(key);
      stopCheckpointer(e);
      if (e.db.open) e.db.close();
    },
  };
}

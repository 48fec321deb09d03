import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireSqlite } from './sqlite-connection.ts';

const dirs: string[] = [];
const fresh = (): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'jukinet-conn-'));
  dirs.push(dir);
  return path.join(dir, 'node.sqlite');
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('acquireSqlite: one connection per file per process', () => {
  it('shares the connection of a file (also by another spelling of its path) until the last release', () => {
    const file = fresh();
    const a = acquireSqlite(file);
    const b = acquireSqlite(path.join(path.dirname(file), '.', 'node.sqlite'));
    expect(b.db).toBe(a.db);
    a.release();
    a.release(); // a second release by the same holder does not take the other's share
    expect(b.db.open).toBe(true);
    b.release();
    expect(b.db.open).toBe(false);
    const c = acquireSqlite(file);
    expect(c.db).not.toBe(a.db);
    expect(c.db.open).toBe(true);
    c.release();
  });

  it('never shares :memory: (each opener keeps its own database)', () => {
    const a = acquireSqlite(':memory:');
    const b = acquireSqlite(':memory:');
    expect(b.db).not.toBe(a.db);
    a.db.exec('CREATE TABLE t (x)');
    expect(() => b.db.prepare('SELECT * FROM t').all()).toThrow(/no such table/);
    a.release();
    b.release();
  });

  it('checkpoints the WAL from a worker thread once commits no longer do', async () => {
    const file = fresh();
    const conn = acquireSqlite(file);
    const { db } = conn;
    db.pragma('journal_mode = WAL');
    conn.checkpointInBackground();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    db.exec('CREATE TABLE t (x TEXT)');
    const before = statSync(file).size;
    const insert = db.prepare('INSERT INTO t VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run('x'.repeat(500));
    })();
    // The rows are in the WAL; the database file grows only when a checkpoint copies them in.
    let size = statSync(file).size;
    for (let waited = 0; size <= before && waited < 10_000; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
      size = statSync(file).size;
    }
    expect(size).toBeGreaterThan(before + 500_000);
    conn.release();
  });
});

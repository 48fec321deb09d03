import { mkdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '../src/storage/postgres/test-database.ts';

/** Scratch space for benchmark databases (git-ignored), emptied per use. */
export const WORK_DIR = fileURLToPath(new URL('./.work/', import.meta.url));

export function freshSqlitePath(name: string): string {
  mkdirSync(WORK_DIR, { recursive: true });
  const path = `${WORK_DIR}${name}.sqlite`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
  return path;
}

export function removeSqlite(path: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
}

/** A throw-away PostgreSQL database, or the reason there is none (the bench then reports it as not run). */
export async function freshPostgres(): Promise<TestDatabase | { missing: string }> {
  try {
    return await createTestDatabase('jukinet_bench');
  } catch (e) {
    return {
      missing: `PostgreSQL unreachable (${e instanceof Error ? e.message : String(e)}); start it or set JUKINET_TEST_PG_URL`,
    };
  }
}

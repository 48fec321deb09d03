import type Database from 'better-sqlite3';
import type { Migration } from './Migration.ts';
import { MIGRATIONS } from './migrations.ts';
import { planMigrations, type AppliedMigration } from './plan-migrations.ts';

const CREATE_SCHEMA_MIGRATIONS = `
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)`;

/**
 * Brings a SQLite database to the schema this code knows, in one IMMEDIATE transaction (so two
 * processes opening the same file do not race). Returns the versions applied now (empty when the
 * schema was already current). Throws SchemaTooNewError for a database from a newer jukinet.
 */
export function applySqliteMigrations(
  db: Database.Database,
  migrations: readonly Migration[] = MIGRATIONS,
): number[] {
  const run = db.transaction((): number[] => {
    db.exec(CREATE_SCHEMA_MIGRATIONS);
    const applied = db
      .prepare('SELECT version, name FROM schema_migrations ORDER BY version')
      .all() as AppliedMigration[];
    const pending = planMigrations(applied, migrations);
    const record = db.prepare('INSERT INTO schema_migrations (version, name) VALUES (?, ?)');
    for (const m of pending) {
      db.exec(m.sqlite);
      record.run(m.version, m.name);
    }
    return pending.map((m) => m.version);
  });
  return run.immediate();
}

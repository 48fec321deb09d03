import { describe, expect, it } from 'vitest';
import type { Migration } from './Migration.ts';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations.ts';
import {
  SchemaMismatchError,
  SchemaTooNewError,
  assertWellFormed,
  planMigrations,
} from './plan-migrations.ts';

const m = (version: number, name: string): Migration => ({
  version,
  name,
  sqlite: '',
  postgres: '',
});
const known = [m(1, 'identity-store'), m(2, 'add-thing'), m(3, 'add-other')];

describe('planMigrations', () => {
  it('the shipped migrations are numbered 1, 2, 3, … with kebab-case names, in both dialects', () => {
    expect(() => assertWellFormed(MIGRATIONS)).not.toThrow();
    expect(LATEST_SCHEMA_VERSION).toBe(MIGRATIONS.length);
    for (const migration of MIGRATIONS) {
      expect(migration.sqlite.trim()).not.toBe('');
      expect(migration.postgres.trim()).not.toBe('');
    }
  });

  it('runs everything on an empty database, the rest on a partly migrated one, nothing when current', () => {
    expect(planMigrations([], known).map((x) => x.version)).toEqual([1, 2, 3]);
    expect(
      planMigrations([{ version: 1, name: 'identity-store' }], known).map((x) => x.version),
    ).toEqual([2, 3]);
    expect(planMigrations(known, known)).toEqual([]);
  });

  it('refuses a database whose schema is newer than the code (SchemaTooNewError)', () => {
    const applied = [...known, m(4, 'from-the-future')];
    expect(() => planMigrations(applied, known)).toThrow(SchemaTooNewError);
    try {
      planMigrations(applied, known);
    } catch (e) {
      expect(e).toMatchObject({
        code: 'conflict',
        reason: 'storage.schema-too-new',
        databaseVersion: 4,
        knownVersion: 3,
      });
    }
  });

  it('refuses a database whose recorded migration has another name (another build)', () => {
    expect(() => planMigrations([{ version: 1, name: 'something-else' }], known)).toThrow(
      SchemaMismatchError,
    );
  });

  it('refuses a malformed migration list (gap, bad name)', () => {
    expect(() => assertWellFormed([m(1, 'a'), m(3, 'b')])).toThrow(/version 3, expected 2/);
    expect(() => assertWellFormed([m(1, 'Not Kebab')])).toThrow(/bad name/);
  });
});

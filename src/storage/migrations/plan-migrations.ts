import { RegistryError } from '../../domain/errors.ts';
import type { Migration } from './Migration.ts';

/** The database was written by a newer jukinet: this code must not touch it. */
export class SchemaTooNewError extends RegistryError {
  constructor(
    readonly databaseVersion: number,
    readonly knownVersion: number,
  ) {
    super(
      'conflict',
      `データベースのスキーマが新しすぎます / the database schema is at version ${databaseVersion}, ` +
        `newer than this jukinet knows (${knownVersion}): upgrade jukinet before opening it`,
      'storage.schema-too-new',
    );
  }
}

/**
 * The database is older than this jukinet, and the role connected may not migrate it (it is not
 * the owner of the schema's tables: the application role of docs/STORAGE.md "Roles"). The owner
 * role must run the migrations first (`juki store migrate` or `juki store grant`).
 */
export class SchemaBehindError extends RegistryError {
  constructor(
    readonly databaseVersion: number,
    readonly knownVersion: number,
    readonly role: string,
    readonly schema: string,
  ) {
    super(
      'conflict',
      `データベースのスキーマが古く、このロールでは移行できません / the schema "${schema}" is at ` +
        `version ${databaseVersion}, older than this jukinet (${knownVersion}), and role ` +
        `"${role}" does not own it: run the migrations as the owner role first ` +
        '(juki store grant --store OWNER_URL --app-role ROLE)',
      'storage.schema-behind',
    );
  }
}

/** A recorded migration does not match the one this code has under the same version. */
export class SchemaMismatchError extends RegistryError {
  constructor(
    readonly version: number,
    readonly recordedName: string,
    readonly knownName: string,
  ) {
    super(
      'conflict',
      `schema migration ${version} is recorded as "${recordedName}" but this jukinet knows it as ` +
        `"${knownName}": the database belongs to another build`,
      'storage.schema-mismatch',
    );
  }
}

export type AppliedMigration = { readonly version: number; readonly name: string };

/** Checks that `migrations` is 1, 2, 3, … with kebab-case names; throws a plain Error otherwise. */
export function assertWellFormed(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migration #${i} has version ${m.version}, expected ${i + 1}`);
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(m.name))
      throw new Error(`migration ${m.version}: bad name`);
  });
}

/**
 * The migrations still to run on a database that recorded `applied`. Refuses a database whose
 * schema is newer than `migrations` (SchemaTooNewError) or whose record disagrees with them.
 */
export function planMigrations(
  applied: readonly AppliedMigration[],
  migrations: readonly Migration[],
): Migration[] {
  assertWellFormed(migrations);
  const known = migrations.at(-1)?.version ?? 0;
  const current = applied.reduce((max, a) => Math.max(max, a.version), 0);
  if (current > known) throw new SchemaTooNewError(current, known);
  for (const a of applied) {
    const m = migrations[a.version - 1];
    if (m && m.name !== a.name) throw new SchemaMismatchError(a.version, a.name, m.name);
  }
  return migrations.filter((m) => m.version > current);
}

import { parseArgs } from 'node:util';
import { RegistryError } from '../../domain/errors.ts';
import { migratePostgresStore } from '../../storage/postgres/postgres-roles.ts';
import { parseStoreUrl } from '../../storage/store-url.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';

export const STORE_HELP = `juki store migrate --store OWNER_URL [--schema S] [--json]
juki store grant   --store OWNER_URL --app-role ROLE [--schema S] [--json]

  PostgreSQL least privilege (docs/STORAGE.md "Roles"). Connect as the owner role, which owns
  the tables: migrate brings the schema up to date; grant migrates, then gives ROLE (an existing
  login role that owns nothing) what a running node needs and no more: read and write rows, but
  on the append-only tables (access_log, access_log_seal, operator_event) only SELECT and INSERT.
  Nodes then connect as ROLE: they never migrate, and refuse a schema behind their code
  (storage.schema-behind). Run grant again after every upgrade.

  --store URL      postgres://OWNER@HOST/DB (the owner role, not the application role)
  --app-role ROLE  the application role (plain name: a-z, 0-9, _)
  --schema S       the node's schema (default: the first on the search path)
  --json           machine-readable output`;

export async function runStore(args: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      store: { type: 'string' },
      'app-role': { type: 'string' },
      schema: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const [action, ...extra] = positionals;
  if ((action !== 'migrate' && action !== 'grant') || extra.length > 0)
    throw new UsageError(STORE_HELP);
  if (values.store === undefined) throw new UsageError('--store is required');
  const appRole = values['app-role'];
  if (action === 'grant' && appRole === undefined) throw new UsageError('--app-role is required');
  if (action === 'migrate' && appRole !== undefined)
    throw new UsageError('--app-role belongs to grant');
  const location = parseStoreUrl(values.store);
  if (location.kind !== 'postgres')
    throw new RegistryError(
      'invalid',
      'SQLite にはロールがありません / SQLite has no roles: its store migrates when it opens ' +
        '(and anyone with the file can change it; docs/AUDIT.md)',
      'store.not-postgres',
    );
  const done = await migratePostgresStore(location.connectionString, {
    schema: values.schema,
    appRole,
  });
  if (values.json) {
    printJson(io, done);
    return EXIT.ok;
  }
  io.out(
    done.applied.length === 0
      ? 'スキーマは最新です (schema up to date)'
      : `移行しました (applied migrations ${done.applied.join(', ')})`,
  );
  const grant = done.grant;
  if (grant !== undefined) {
    io.out(`権限を付与しました (granted role ${grant.appRole} in schema ${grant.schema}):`);
    io.out(`  SELECT, INSERT, UPDATE, DELETE: ${grant.readWrite.join(', ') || '-'}`);
    io.out(`  SELECT, INSERT only (append-only): ${grant.appendOnly.join(', ') || '-'}`);
    for (const w of grant.warnings) io.err(`警告 (warning): ${w}`);
  }
  return EXIT.ok;
}

import type { AlertStore, IdentityStore, ProvisionStore, ReportStore } from './ports.ts';
import type { OperatorStore } from './ports.ts';
import type { AccessLogStore } from './ports.ts';
import { PostgresAccessLogStore } from './postgres/postgres-access-log-store.ts';
import { SqliteAccessLogStore } from './sqlite/sqlite-access-log-store.ts';
import { PostgresOperatorStore } from './postgres/postgres-operator-store.ts';
import { SqliteOperatorStore } from './sqlite/sqlite-operator-store.ts';
import { PostgresReportStore } from './postgres/postgres-report-store.ts';
import { SqliteReportStore } from './sqlite/sqlite-report-store.ts';
import { PostgresProvisionStore } from './postgres/postgres-provision-store.ts';
import { SqliteProvisionStore } from './sqlite/sqlite-provision-store.ts';
import { PostgresAlertStore } from './postgres/postgres-alert-store.ts';
import { SqliteAlertStore } from './sqlite/sqlite-alert-store.ts';
import { PostgresIdentityStore } from './postgres/postgres-identity-store.ts';
import { SqliteIdentityStore } from './sqlite/sqlite-identity-store.ts';
import { parseStoreUrl } from './store-url.ts';

export type OpenStoreOptions = {
  /** PostgreSQL: a schema of its own instead of `public` (created if missing). */
  readonly schema?: string;
  /** PostgreSQL: connections in the pool (default 10). */
  readonly poolSize?: number;
  /** SQLite: bytes to memory-map for reads (default 0: off). */
  readonly mmapBytes?: number;
  /** SQLite: WAL checkpoints in a worker thread, not at commit (a running node's choice). */
  readonly backgroundCheckpoint?: boolean;
};

/**
 * Opens (and migrates) the identity store named by `url` (`--store`): `sqlite:PATH`,
 * `sqlite::memory:`, a bare path ending .sqlite/.sqlite3/.db, or `postgres://…` /
 * `postgresql://…`. Throws RegistryError('invalid') for anything else, ('unavailable') when
 * PostgreSQL cannot be reached, SchemaTooNewError for a database from a newer jukinet,
 * SchemaBehindError when the schema is behind and the role connected is not its owner (it never
 * migrates: docs/STORAGE.md "Roles"). No message ever contains the password of the URL.
 */
export async function openIdentityStore(
  url: string,
  options: OpenStoreOptions = {},
): Promise<IdentityStore> {
  const location = parseStoreUrl(url);
  switch (location.kind) {
    case 'sqlite':
      return SqliteIdentityStore.open(location.path, options);
    case 'postgres':
      return PostgresIdentityStore.open(location.connectionString, options);
  }
}

/** Opens (and migrates) the intrusion-alert store of the node whose store is `url` (R11). */
export async function openAlertStore(
  url: string,
  options: Pick<OpenStoreOptions, 'schema'> = {},
): Promise<AlertStore> {
  const location = parseStoreUrl(url);
  switch (location.kind) {
    case 'sqlite':
      return SqliteAlertStore.open(location.path);
    case 'postgres':
      return PostgresAlertStore.open(location.connectionString, options);
  }
}

/**
 * Opens (and migrates) the provision register and disclosure log of the node whose store is
 * `url` (docs/PROVISION.md): the same database as its identity store, tables of their own.
 */
export async function openProvisionStore(
  url: string,
  options: Pick<OpenStoreOptions, 'schema'> = {},
): Promise<ProvisionStore> {
  const location = parseStoreUrl(url);
  switch (location.kind) {
    case 'sqlite':
      return SqliteProvisionStore.open(location.path);
    case 'postgres':
      return PostgresProvisionStore.open(location.connectionString, options);
  }
}

/**
 * Opens (and migrates) the 報告要求 records of the node whose store is `url` (R5, R6;
 * docs/REPORTS.md): the same database as its other stores, tables of their own.
 */
export async function openReportStore(
  url: string,
  options: Pick<OpenStoreOptions, 'schema'> = {},
): Promise<ReportStore> {
  const location = parseStoreUrl(url);
  switch (location.kind) {
    case 'sqlite':
      return SqliteReportStore.open(location.path);
    case 'postgres':
      return PostgresReportStore.open(location.connectionString, options);
  }
}

/**
 * Opens (and migrates) the operator register of the node whose store is `url` (R15, R31;
 * docs/OPERATORS.md): the same database as its other stores, tables of its own.
 */
export async function openOperatorStore(
  url: string,
  options: Pick<OpenStoreOptions, 'schema'> = {},
): Promise<OperatorStore> {
  const location = parseStoreUrl(url);
  switch (location.kind) {
    case 'sqlite':
      return SqliteOperatorStore.open(location.path);
    case 'postgres':
      return PostgresOperatorStore.open(location.connectionString, options);
  }
}

/**
 * Opens (and migrates) the access log (R23; docs/AUDIT.md) of the node whose store is `url`: the
 * same database as its other stores, tables of their own.
 */
export async function openAccessLogStore(
  url: string,
  options: Pick<OpenStoreOptions, 'schema'> = {},
): Promise<AccessLogStore> {
  const location = parseStoreUrl(url);
  switch (location.kind) {
    case 'sqlite':
      return SqliteAccessLogStore.open(location.path);
    case 'postgres':
      return PostgresAccessLogStore.open(location.connectionString, options);
  }
}

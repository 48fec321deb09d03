import { RegistryError } from '../../domain/errors.ts';
import { redactUrl } from '../store-url.ts';
import { sqlState } from './postgres-transaction.ts';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
]);

const constraintOf = (e: unknown): string =>
  typeof e === 'object' && e !== null && 'constraint' in e && typeof e.constraint === 'string'
    ? e.constraint
    : '';

/**
 * Driver errors → RegistryError. Messages carry at most the resident code, never stored values:
 * PostgreSQL's `detail` (which repeats a conflicting key or a whole failing row) and `where` are
 * never passed on, and errors about values (class 22, 23) drop the driver error altogether.
 */
export function translatePgError(e: unknown, residentCode?: string): unknown {
  const about = residentCode === undefined ? '' : ` (resident code ${residentCode})`;
  const state = sqlState(e);
  const constraint = constraintOf(e);
  if (state === '23505') {
    if (constraint.includes('individual_number')) {
      return new RegistryError(
        'conflict',
        `個人番号が他の記録と重複しています / individual number belongs to another record${about}`,
        'individual-number.taken',
      );
    }
    if (constraint.includes('resident_code')) {
      return new RegistryError(
        'conflict',
        `住民票コードが他の記録と重複しています / resident code belongs to another record${about}`,
        'resident-code.taken',
      );
    }
    return new RegistryError(
      'conflict',
      `uniqueness violated (${constraint})${about}`,
      'storage.unique',
    );
  }
  if (state?.startsWith('23')) {
    return new RegistryError(
      'invalid',
      `a value breaks a table constraint (${constraint || state})${about}`,
      'storage.constraint',
    );
  }
  if (state?.startsWith('22')) {
    const column =
      typeof e === 'object' && e !== null && 'column' in e && typeof e.column === 'string'
        ? e.column
        : state;
    return new RegistryError(
      'invalid',
      `a value does not fit its column (${column})${about}`,
      'storage.bad-value',
    );
  }
  if (state === '40001' || state === '40P01') {
    return new RegistryError(
      'unavailable',
      `the database could not serialise the write${about}; retry`,
      'storage.contention',
      {
        cause: scrubbed(e),
      },
    );
  }
  return scrubbed(e);
}

/** The driver error without the fields that may repeat stored values. */
function scrubbed(e: unknown): unknown {
  if (typeof e === 'object' && e !== null) {
    const fields = e as { detail?: unknown; where?: unknown };
    if ('detail' in fields) fields.detail = undefined;
    if ('where' in fields) fields.where = undefined;
  }
  return e;
}

/** A connection failure at open → RegistryError('unavailable') naming the server, never the password. */
export function translateConnectError(e: unknown, connectionString: string): unknown {
  const state = sqlState(e);
  if (
    state !== undefined &&
    (CONNECTION_CODES.has(state) ||
      state.startsWith('08') ||
      state === '28P01' ||
      state === '28000' ||
      state === '3D000')
  ) {
    return new RegistryError(
      'unavailable',
      `PostgreSQL に接続できません / cannot use PostgreSQL at ${redactUrl(connectionString)} (${state})`,
      'storage.unreachable',
      { cause: e },
    );
  }
  return e;
}

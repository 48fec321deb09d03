import Database from 'better-sqlite3';
import { RegistryError } from '../../domain/errors.ts';

/**
 * Driver errors → RegistryError, without any stored value in the message (the driver's own
 * message names the constraint, never the value). Other errors pass through unchanged.
 */
export function translateSqliteError(e: unknown, residentCode: string | undefined): unknown {
  if (!(e instanceof Database.SqliteError)) return e;
  const about = residentCode === undefined ? '' : ` (resident code ${residentCode})`;
  if (e.code === 'SQLITE_CONSTRAINT_UNIQUE' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    if (e.message.includes('individual_number')) {
      return new RegistryError(
        'conflict',
        `個人番号が他の記録と重複しています / individual number belongs to another record${about}`,
        'individual-number.taken',
        { cause: e },
      );
    }
    if (e.message.includes('resident_code')) {
      return new RegistryError(
        'conflict',
        `住民票コードが他の記録と重複しています / resident code belongs to another record${about}`,
        'resident-code.taken',
        { cause: e },
      );
    }
    return new RegistryError(
      'conflict',
      `uniqueness violated: ${e.message}${about}`,
      'storage.unique',
      { cause: e },
    );
  }
  if (e.code.startsWith('SQLITE_CONSTRAINT')) {
    return new RegistryError(
      'invalid',
      `a value breaks a table constraint (${e.code})${about}`,
      'storage.constraint',
      {
        cause: e,
      },
    );
  }
  if (e.code === 'SQLITE_BUSY' || e.code === 'SQLITE_LOCKED') {
    return new RegistryError(
      'unavailable',
      `the database is busy (locked by another writer)`,
      'storage.busy',
      { cause: e },
    );
  }
  return e;
}

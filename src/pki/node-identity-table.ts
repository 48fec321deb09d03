import { RegistryError } from '../domain/errors.ts';
import type { LocalGovernmentTable } from '../domain/local-government/local-government-table.ts';
import type { NodeIdentity } from './NodeIdentity.ts';

/**
 * Checks that a well-formed node identity names a place that exists (pure: the table is given).
 *
 * - `cs`: the code is a municipality of the table where residents are registered: a city, town,
 *   village, Tokyo special ward, or a ward (行政区) of a designated city. A designated city's own
 *   code is refused: its residents are registered in its wards (住民基本台帳法 第38条 treats the
 *   wards as cities), so each ward runs the CS (see docs/POPULATION.md for the same rule).
 * - `prefecture`: the table's prefecture row exists.
 * - others: nothing to look up.
 *
 * Throws RegistryError('not-found', …, 'node-identity.unknown-municipality') or
 * RegistryError('invalid', …, 'node-identity.not-a-registry-unit').
 */
export function assertNodeIdentityInTable(id: NodeIdentity, table: LocalGovernmentTable): void {
  if (id.role === 'prefecture') {
    if (!table.prefectures().some((p) => p.prefectureCode === id.code)) {
      throw new RegistryError(
        'not-found',
        `prefecture ${id.code} is not in the local-government table`,
        'node-identity.unknown-prefecture',
      );
    }
    return;
  }
  if (id.role !== 'cs') return;
  const row = table.byCode(id.code);
  if (row === undefined) {
    throw new RegistryError(
      'not-found',
      `団体コード ${id.code} is not in the local-government table`,
      'node-identity.unknown-municipality',
    );
  }
  const kind = table.kind(row);
  if (kind === 'prefecture' || kind === 'designated-city') {
    throw new RegistryError(
      'invalid',
      `${id.code} ${row.prefecture}${row.municipality} is a ${kind}: a CS serves a municipality where residents are registered (for a designated city, each of its wards)`,
      'node-identity.not-a-registry-unit',
    );
  }
}

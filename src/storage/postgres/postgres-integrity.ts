import type pg from 'pg';
import { inIntegrityScope, type IntegrityScope } from '../../domain/integrity/IntegrityScope.ts';
import type { IdentityRecord } from '../../domain/resident/IdentityInfo.ts';
import type { ResidentCode } from '../../domain/resident/ResidentCode.ts';
import {
  IDENTITY_COLUMN_LIST,
  identityValues,
  recordFromRow,
  type IdentityRow,
} from '../identity-row.ts';
import type {
  IntegrityCheckRecord,
  RepairAction,
  RepairLogEntry,
  RepairRecord,
  RepairReport,
  ScopeRange,
} from '../integrity-records.ts';
import {
  decideNotResident,
  prefectureBounds,
  decideUpsert,
  INTEGRITY_CHECK_COLUMN_LIST,
  INTEGRITY_CHECK_COLUMNS,
  integrityCheckFromRow,
  integrityCheckValues,
  repairInsertRecord,
  REPAIR_UPDATE_COLUMNS,
  repairUpdateValues,
} from '../integrity-row.ts';
import { mergeByCode } from '../merge-by-code.ts';
import { translatePgError } from './postgres-errors.ts';
import { INSERT_IDENTITY_RETURNING_SQL, LOCK_IDENTITY_SQL } from './postgres-sql.ts';
import { inTransaction, isRaceLost } from './postgres-transaction.ts';

/** Rows per page of a scope scan. */
export const SCAN_PAGE = 2000;

type PersonRow = [...IdentityRow, number];

/** Rows per page of each municipality's stream in a prefecture's merge (bounds its memory). */
export const MERGE_PAGE = 256;

/*
 * Keyset pagination on the municipality index (migration 0003) inside one REPEATABLE READ, READ
 * ONLY transaction: every page, and every municipality of a prefecture's merge, sees the same
 * snapshot, so a scan is one consistent view however long it takes. No sentinel for the open upper
 * bound: under a linguistic collation ':' does not sort after the digits.
 */
function scanSql(bounded: boolean): string {
  return `SELECT ${IDENTITY_COLUMN_LIST} FROM identity
   WHERE status = 'resident' AND local_government_code = $1
     AND resident_code >= $2 AND resident_code <> $3 ${bounded ? 'AND resident_code < $5' : ''}
   ORDER BY resident_code LIMIT $4`;
}

const NEXT_MUNICIPALITY_SQL = `SELECT local_government_code FROM identity
  WHERE status = 'resident' AND local_government_code > $1 AND local_government_code < $2
  ORDER BY local_government_code LIMIT 1`;

export async function countScope(pool: pg.Pool, scope: IntegrityScope): Promise<number> {
  const { rows } = await pool.query<[number]>({
    text:
      scope.kind === 'municipality'
        ? `SELECT count(*) FROM identity WHERE status = 'resident' AND local_government_code = $1`
        : `SELECT count(*) FROM identity WHERE status = 'resident'
             AND local_government_code >= $1 AND local_government_code < $2`,
    values: scope.kind === 'municipality' ? [scope.code] : prefectureBounds(scope.code),
    rowMode: 'array',
  });
  return rows[0]?.[0] ?? 0;
}

async function* scanMunicipality(
  client: pg.PoolClient,
  code: string,
  range: ScopeRange,
  page: number,
): AsyncGenerator<IdentityRecord> {
  const bounded = range.toCode !== undefined;
  const text = scanSql(bounded);
  let from = range.fromCode ?? '';
  let skip = '';
  for (;;) {
    const values: unknown[] = [code, from, skip, page];
    if (bounded) values.push(range.toCode);
    const { rows } = await client.query<PersonRow>({ text, values, rowMode: 'array' });
    for (const row of rows) yield recordFromRow(row);
    if (rows.length < page) return;
    from = skip = rows[rows.length - 1]![0];
  }
}

export async function* scanScope(
  pool: pg.Pool,
  scope: IntegrityScope,
  range: ScopeRange = {},
): AsyncGenerator<IdentityRecord> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    if (scope.kind === 'municipality') {
      yield* scanMunicipality(client, scope.code, range, SCAN_PAGE);
    } else {
      const [low, high] = prefectureBounds(scope.code);
      const codes: string[] = [];
      for (let c: string | undefined = low; ;) {
        const next: pg.QueryResult<[string]> = await client.query<[string]>({
          text: NEXT_MUNICIPALITY_SQL,
          values: [c, high],
          rowMode: 'array',
        });
        c = next.rows[0]?.[0];
        if (c === undefined) break;
        codes.push(c);
      }
      // The streams share the client: the merge pulls from one at a time.
      yield* mergeByCode(codes.map((c) => scanMunicipality(client, c, range, MERGE_PAGE)));
    }
    await client.query('COMMIT');
  } catch (e) {
    broken = e as Error;
    throw translatePgError(e);
  } finally {
    // Also reached when the consumer stops early (return()): end the transaction before release.
    await client.query('ROLLBACK').catch((e: Error) => (broken ??= e));
    client.release(broken);
  }
}

export async function repairIdentities(
  pool: pg.Pool,
  checkId: string,
  scope: IntegrityScope,
  upsert: readonly RepairRecord[],
  notResident: readonly ResidentCode[],
): Promise<RepairReport> {
  const inScope = (lgc: string) => inIntegrityScope(scope, lgc);
  try {
    return await inTransaction(
      pool,
      async (c): Promise<RepairReport> => {
        const counts = { inserted: 0, updated: 0, removed: 0, unchanged: 0, conflicts: 0 };
        const conflictCodes: ResidentCode[] = [];
        const log = async (code: ResidentCode, action: RepairAction) => {
          await c.query(
            'INSERT INTO integrity_repair (check_id, resident_code, action) VALUES ($1, $2, $3)',
            [checkId, code, action],
          );
          if (action === 'conflict') {
            counts.conflicts++;
            conflictCodes.push(code);
          } else counts[action]++;
        };
        const logged = async (code: string) =>
          (
            await c.query(
              'SELECT 1 FROM integrity_repair WHERE check_id = $1 AND resident_code = $2',
              [checkId, code],
            )
          ).rowCount !== 0;
        // The row locked, as applyChange locks it: a change and a repair of one person serialise.
        const lock = async (code: string) =>
          (
            await c.query<PersonRow>({
              text: LOCK_IDENTITY_SQL,
              values: [code],
              rowMode: 'array',
            })
          ).rows[0];

        for (const code of notResident) {
          if (await logged(code)) {
            counts.unchanged++;
            continue;
          }
          const row = await lock(code);
          const current = row === undefined ? undefined : recordFromRow(row);
          if (decideNotResident(inScope, current) === 'remove') {
            await c.query(`UPDATE identity SET status = 'removed' WHERE person_id = $1`, [
              row![13],
            ]);
            await log(code, 'removed');
          } else await log(code, 'unchanged');
        }
        for (const target of upsert) {
          const code = target.residentCode;
          if (await logged(code)) {
            counts.unchanged++;
            continue;
          }
          const row = await lock(code);
          const number = target.individualNumber;
          const owner =
            row === undefined
              ? (
                  await c.query<[number | null]>({
                    text: 'SELECT person_id FROM used_resident_code WHERE code = $1',
                    values: [code],
                    rowMode: 'array',
                  })
                ).rows[0]
              : undefined;
          const holder =
            number == null
              ? undefined
              : (
                  await c.query<[number]>({
                    text: 'SELECT person_id FROM identity WHERE individual_number = $1',
                    values: [number],
                    rowMode: 'array',
                  })
                ).rows[0];
          const decision = decideUpsert(inScope, target, {
            current: row === undefined ? undefined : recordFromRow(row),
            personId: row?.[13],
            codeOwner: row === undefined ? owner?.[0] : row[13],
            numberOwner: holder?.[0],
          });
          if (decision === 'update') {
            const n = REPAIR_UPDATE_COLUMNS.length;
            await c.query(
              `UPDATE identity SET ${REPAIR_UPDATE_COLUMNS.map((col, i) => `${col} = $${i + 1}`).join(', ')},
                 status = 'resident', moved_overseas = false WHERE person_id = $${n + 1}`,
              [...repairUpdateValues(target), row![13]],
            );
            await log(code, 'updated');
          } else if (decision === 'insert') {
            const values = identityValues(repairInsertRecord(target), (b) => b);
            const inserted = await c.query<{ person_id: number }>(
              INSERT_IDENTITY_RETURNING_SQL,
              values,
            );
            await c.query(
              `INSERT INTO used_resident_code (code, person_id) VALUES ($1, $2)
               ON CONFLICT (code) DO UPDATE SET person_id = EXCLUDED.person_id
               WHERE used_resident_code.person_id IS NULL`,
              [code, inserted.rows[0]!.person_id],
            );
            await log(code, 'inserted');
          } else await log(code, decision);
        }
        await c.query(
          `UPDATE integrity_check SET repaired_inserted = repaired_inserted + $1,
             repaired_updated = repaired_updated + $2, repaired_removed = repaired_removed + $3,
             repaired_conflicts = repaired_conflicts + $4
           WHERE check_id = $5 AND role = 'receiver'`,
          [counts.inserted, counts.updated, counts.removed, counts.conflicts, checkId],
        );
        return { ...counts, conflictCodes };
      },
      { retryIf: isRaceLost, attempts: 5 },
    );
  } catch (e) {
    throw translatePgError(e);
  }
}

export async function recordIntegrityCheck(
  pool: pg.Pool,
  record: IntegrityCheckRecord,
): Promise<void> {
  try {
    await pool.query(
      `INSERT INTO integrity_check (${INTEGRITY_CHECK_COLUMN_LIST})
       VALUES (${INTEGRITY_CHECK_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT (check_id, role) DO NOTHING`,
      integrityCheckValues(record, (b) => b),
    );
  } catch (e) {
    throw translatePgError(e);
  }
}

export async function listIntegrityChecks(
  pool: pg.Pool,
  limit: number,
): Promise<IntegrityCheckRecord[]> {
  const { rows } = await pool.query<unknown[]>({
    text: `SELECT ${INTEGRITY_CHECK_COLUMN_LIST} FROM integrity_check ORDER BY id DESC LIMIT $1`,
    values: [limit],
    rowMode: 'array',
  });
  return rows.map(integrityCheckFromRow);
}

export async function listIntegrityRepairs(
  pool: pg.Pool,
  checkId: string,
): Promise<RepairLogEntry[]> {
  const { rows } = await pool.query<{
    check_id: string;
    resident_code: ResidentCode;
    action: RepairAction;
    at: Date;
  }>(
    'SELECT check_id, resident_code, action, at FROM integrity_repair WHERE check_id = $1 ORDER BY id',
    [checkId],
  );
  return rows.map((r) => ({
    checkId: r.check_id,
    residentCode: r.resident_code,
    action: r.action,
    at: r.at.toISOString(),
  }));
}

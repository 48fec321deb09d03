import type Database from 'better-sqlite3';
import { setImmediate as nextMacrotask } from 'node:timers/promises';
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
import { INSERT_IDENTITY_SQL, LOOKUP_WITH_PERSON_SQL, MARK_CODE_USED_SQL } from './sqlite-sql.ts';

/** Rows per page of a scope scan: each page is one short statement, then the event loop runs. */
export const SCAN_PAGE = 2000;
/** Rows per page of each municipality's stream in a prefecture's merge (bounds its memory). */
export const MERGE_PAGE = 256;

type PersonRow = readonly [...IdentityRow, number];

/*
 * Keyset pagination on the municipality index (migration 0003: its predicate repeated exactly, so
 * the planner walks it in code order, no sort): `resident_code >= from AND resident_code <> skip`
 * is `> last` after the first page. The upper bound defaults to ':' — under SQLite's BINARY
 * collation it sorts after every digit, so it bounds nothing.
 */
const SCAN_MUNICIPALITY_SQL = `SELECT ${IDENTITY_COLUMN_LIST} FROM identity
  WHERE status = 'resident' AND local_government_code = ?
    AND resident_code >= ? AND resident_code <> ? AND resident_code < ?
  ORDER BY resident_code LIMIT ?`;
/** The next municipality with residents after `?`, below `?` (an index seek). */
const NEXT_MUNICIPALITY_SQL = `SELECT local_government_code FROM identity
  WHERE status = 'resident' AND local_government_code > ? AND local_government_code < ?
  ORDER BY local_government_code LIMIT 1`;

/** The integrity part of SqliteIdentityStore (R20, docs/INTEGRITY.md), on the store's connection. */
export class SqliteIntegrity {
  readonly #db: Database.Database;
  readonly #sql: ReturnType<typeof prepare>;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#sql = prepare(db);
  }

  countScope(scope: IntegrityScope): number {
    const s = this.#sql;
    return scope.kind === 'municipality'
      ? (s.countMunicipality.get(scope.code) ?? 0)
      : (s.countPrefecture.get(...prefectureBounds(scope.code)) ?? 0);
  }

  scanScope(scope: IntegrityScope, range: ScopeRange = {}): AsyncGenerator<IdentityRecord> {
    if (scope.kind === 'municipality') return this.#scanMunicipality(scope.code, range, SCAN_PAGE);
    const [low, high] = prefectureBounds(scope.code);
    const codes: string[] = [];
    for (let c = this.#sql.nextMunicipality.get(low, high); c !== undefined;) {
      codes.push(c);
      c = this.#sql.nextMunicipality.get(c, high);
    }
    return mergeByCode(codes.map((c) => this.#scanMunicipality(c, range, MERGE_PAGE)));
  }

  async *#scanMunicipality(
    code: string,
    range: ScopeRange,
    page: number,
  ): AsyncGenerator<IdentityRecord> {
    const to = range.toCode ?? ':';
    let from = range.fromCode ?? '';
    let skip = '';
    for (;;) {
      const rows = this.#sql.scanMunicipality.all(code, from, skip, to, page);
      for (const row of rows) yield recordFromRow(row);
      if (rows.length < page) return;
      from = skip = rows[rows.length - 1]![0];
      // A macrotask between pages: a long scan must not starve the sessions' I/O (heartbeats).
      await nextMacrotask();
    }
  }

  repair(
    checkId: string,
    scope: IntegrityScope,
    upsert: readonly RepairRecord[],
    notResident: readonly ResidentCode[],
  ): RepairReport {
    const s = this.#sql;
    const inScope = (lgc: string) => inIntegrityScope(scope, lgc);
    const run = this.#db.transaction((): RepairReport => {
      const counts = { inserted: 0, updated: 0, removed: 0, unchanged: 0, conflicts: 0 };
      const conflictCodes: ResidentCode[] = [];
      const log = (code: ResidentCode, action: RepairAction) => {
        s.log.run(checkId, code, action);
        if (action === 'conflict') {
          counts.conflicts++;
          conflictCodes.push(code);
        } else counts[action]++;
      };
      for (const code of notResident) {
        if (s.logged.get(checkId, code) !== undefined) {
          counts.unchanged++;
          continue;
        }
        const row = s.lookup.get(code);
        const current = row === undefined ? undefined : recordFromRow(row);
        if (decideNotResident(inScope, current) === 'remove') {
          s.markRemoved.run(row![13]);
          log(code, 'removed');
        } else log(code, 'unchanged');
      }
      for (const target of upsert) {
        const code = target.residentCode;
        if (s.logged.get(checkId, code) !== undefined) {
          counts.unchanged++;
          continue;
        }
        const row = s.lookup.get(code);
        const number = target.individualNumber;
        const decision = decideUpsert(inScope, target, {
          current: row === undefined ? undefined : recordFromRow(row),
          personId: row?.[13],
          codeOwner: row === undefined ? s.codeOwner.get(code) : row[13],
          numberOwner: number == null ? undefined : s.numberOwner.get(number),
        });
        if (decision === 'update') {
          s.update.run(...repairUpdateValues(target), row![13]);
          log(code, 'updated');
        } else if (decision === 'insert') {
          const values = identityValues(repairInsertRecord(target), (b) => (b ? 1 : 0));
          const personId = s.insert.run(...values).lastInsertRowid;
          s.markUsed.run(code, personId);
          log(code, 'inserted');
        } else log(code, decision);
      }
      s.addRepaired.run(counts.inserted, counts.updated, counts.removed, counts.conflicts, checkId);
      return { ...counts, conflictCodes };
    });
    return run.immediate();
  }

  record(record: IntegrityCheckRecord): void {
    this.#sql.recordCheck.run(...integrityCheckValues(record, (b) => (b ? 1 : 0)));
  }

  list(limit: number): IntegrityCheckRecord[] {
    return this.#sql.listChecks.all(limit).map(integrityCheckFromRow);
  }

  repairs(checkId: string): RepairLogEntry[] {
    return this.#sql.listRepairs.all(checkId).map((r) => ({
      checkId: r.check_id,
      residentCode: r.resident_code as ResidentCode,
      action: r.action as RepairAction,
      at: r.at,
    }));
  }
}

function prepare(db: Database.Database) {
  const count = `SELECT count(*) FROM identity WHERE status = 'resident' AND`;
  return {
    countMunicipality: db.prepare<[string], number>(`${count} local_government_code = ?`).pluck(),
    countPrefecture: db
      .prepare<[string, string], number>(
        `${count} local_government_code >= ? AND local_government_code < ?`,
      )
      .pluck(),
    nextMunicipality: db.prepare<[string, string], string>(NEXT_MUNICIPALITY_SQL).pluck(),
    scanMunicipality: db
      .prepare<[string, string, string, string, number], IdentityRow>(SCAN_MUNICIPALITY_SQL)
      .raw(true),
    lookup: db.prepare<[string], PersonRow>(LOOKUP_WITH_PERSON_SQL).raw(true),
    codeOwner: db
      .prepare<[string], number | null>('SELECT person_id FROM used_resident_code WHERE code = ?')
      .pluck(),
    numberOwner: db
      .prepare<[string], number>('SELECT person_id FROM identity WHERE individual_number = ?')
      .pluck(),
    update: db.prepare<unknown[]>(
      `UPDATE identity SET ${REPAIR_UPDATE_COLUMNS.map((c) => `${c} = ?`).join(', ')},
         status = 'resident', moved_overseas = 0 WHERE person_id = ?`,
    ),
    markRemoved: db.prepare<[number]>(`UPDATE identity SET status = 'removed' WHERE person_id = ?`),
    insert: db.prepare<unknown[]>(INSERT_IDENTITY_SQL),
    markUsed: db.prepare<[string, number | bigint]>(MARK_CODE_USED_SQL),
    logged: db
      .prepare<[string, string], string>(
        'SELECT action FROM integrity_repair WHERE check_id = ? AND resident_code = ?',
      )
      .pluck(),
    log: db.prepare<[string, string, RepairAction]>(
      'INSERT INTO integrity_repair (check_id, resident_code, action) VALUES (?, ?, ?)',
    ),
    addRepaired: db.prepare<[number, number, number, number, string]>(
      `UPDATE integrity_check SET repaired_inserted = repaired_inserted + ?,
         repaired_updated = repaired_updated + ?, repaired_removed = repaired_removed + ?,
         repaired_conflicts = repaired_conflicts + ?
       WHERE check_id = ? AND role = 'receiver'`,
    ),
    recordCheck: db.prepare<unknown[]>(
      `INSERT INTO integrity_check (${INTEGRITY_CHECK_COLUMN_LIST})
       VALUES (${INTEGRITY_CHECK_COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT (check_id, role) DO NOTHING`,
    ),
    listChecks: db
      .prepare<[number], unknown[]>(
        `SELECT ${INTEGRITY_CHECK_COLUMN_LIST} FROM integrity_check ORDER BY id DESC LIMIT ?`,
      )
      .raw(true),
    listRepairs: db.prepare<
      [string],
      { check_id: string; resident_code: string; action: string; at: string }
    >(
      'SELECT check_id, resident_code, action, at FROM integrity_repair WHERE check_id = ? ORDER BY id',
    ),
  };
}

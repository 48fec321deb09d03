/* eslint-disable @typescript-eslint/require-await --
 * better-sqlite3 is synchronous; the methods stay `async` so that every failure reaches the
 * caller as a rejected promise, never as a synchronous throw. */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import type { ChangeEvent } from '../domain/change/ChangeEvent.ts';
import type { Rejection } from '../domain/change/validate-change.ts';
import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import { RegistryError } from '../domain/errors.ts';
import { parseRegisterOperation } from '../domain/register/form-fields.ts';
import type { RegisterOperation } from '../domain/register/operations.ts';
import {
  operationNeeds,
  parentCodeOf,
  performOperation,
  subjectCodeOf,
} from '../domain/register/perform-operation.ts';
import type { ResidentRecord } from '../domain/register/ResidentRecord.ts';
import { newResidentCode, type ResidentCode } from '../domain/resident/ResidentCode.ts';
import { applySqliteMigrations } from '../storage/migrations/apply-sqlite-migrations.ts';
import { translateSqliteError } from '../storage/sqlite/sqlite-errors.ts';
import { cryptoRandomDigits } from './issue-resident-code.ts';
import {
  REJECTED_BY_CS,
  type AppendReport,
  type FeedAppend,
  type FeedEntry,
  type FeedOutcome,
  type FeedRejection,
} from './register-feed.ts';
import { REGISTER_MIGRATIONS } from './register-migrations.ts';
import {
  MUNICIPALITY_SETTING,
  REJECTIONS_SQL,
  headFirst,
  historyFromRow,
  nowIso,
  rejectionFromRow,
  requireMunicipality,
  sameEvent,
  settleMunicipality,
  settleStateOf,
  transactionIdReused,
  unknownFeedEntry,
  type HistoryRow,
  type RejectionRow,
} from './register-rows.ts';
import type {
  PerformOptions,
  PerformResult,
  RecordHistoryEntry,
  RegisterStore,
} from './RegisterStore.ts';

export type SqliteRegisterOptions = {
  /** 団体コード of the municipality: recorded on a new register, checked on an existing one. */
  readonly municipality?: string | undefined;
  /** How long a writer waits for another process's write lock, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
};

type PersonRow = { person_id: number; record: string };
type RawHistoryRow = Omit<HistoryRow, 'record'> & { record: string };
type RawRejectionRow = Omit<RejectionRow, 'event'> & { event: string | null };

const parseRecord = (json: string): ResidentRecord => JSON.parse(json) as ResidentRecord;

/**
 * The register in one SQLite file (better-sqlite3): WAL, synchronous=NORMAL, foreign keys on, as
 * the CS stores (docs/STORAGE.md). Every write is one `BEGIN IMMEDIATE` transaction, so writers in
 * several processes (the counter, the node runtime settling the feed) serialise.
 */
export class SqliteRegisterStore implements RegisterStore {
  readonly #db: Database.Database;
  readonly #municipality: string | undefined;
  readonly #sql: ReturnType<typeof prepare>;

  private constructor(db: Database.Database, municipality: string | undefined) {
    this.#db = db;
    this.#municipality = municipality;
    this.#sql = prepare(db);
  }

  get municipality(): string | undefined {
    return this.#municipality;
  }

  /** Opens (creating if needed) and migrates the register at `path` (':memory:' for none). */
  static open(path: string, options: SqliteRegisterOptions = {}): SqliteRegisterStore {
    let db: Database.Database;
    try {
      db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
    } catch (e) {
      throw new RegistryError(
        'unavailable',
        `SQLite データベースを開けません / cannot open SQLite database ${JSON.stringify(path)}: ${(e as Error).message}`,
        'storage.unreachable',
        { cause: e },
      );
    }
    try {
      if (path !== ':memory:') db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      applySqliteMigrations(db, REGISTER_MIGRATIONS);
      const municipality = db
        .transaction(() => {
          const row = db
            .prepare<[string], { value: string }>(
              'SELECT value FROM register_setting WHERE key = ?',
            )
            .get(MUNICIPALITY_SETTING);
          const settled = settleMunicipality(row?.value, options.municipality);
          if (settled.record)
            db.prepare('INSERT INTO register_setting (key, value) VALUES (?, ?)').run(
              MUNICIPALITY_SETTING,
              settled.municipality,
            );
          return settled.municipality;
        })
        .immediate();
      return new SqliteRegisterStore(db, municipality);
    } catch (e) {
      db.close();
      throw translateSqliteError(e, undefined);
    }
  }

  async perform(operation: RegisterOperation, options: PerformOptions): Promise<PerformResult> {
    const op = parseRegisterOperation(operation);
    const transactionId = options.transactionId ?? randomUUID();
    const run = this.#db.transaction(() => this.#performInTx(op, options.today, transactionId));
    try {
      return run.immediate();
    } catch (e) {
      throw translateSqliteError(e, undefined);
    }
  }

  #performInTx(op: RegisterOperation, today: CalendarDate, transactionId: string): PerformResult {
    const municipality = requireMunicipality(this.#municipality);
    const done = this.#performed(transactionId);
    if (done) return done;
    const s = this.#sql;
    const subject = subjectCodeOf(op);
    const currentRow = subject === undefined ? undefined : s.byCode.get(subject);
    const current = currentRow && parseRecord(currentRow.record);
    const parentCode = parentCodeOf(op);
    const parentRow = parentCode === undefined ? undefined : s.byCode.get(parentCode);
    const parent = parentRow && parseRecord(parentRow.record);
    const needs = operationNeeds(op, current, parent);
    const isUsed = (code: string) => s.codeUsed.get(code) !== undefined;
    const result = performOperation(current, op, {
      today,
      transactionId,
      municipality,
      parent,
      ownHousehold:
        needs.ownHouseholdId === undefined ? undefined : this.#members(needs.ownHouseholdId),
      joinedHousehold:
        needs.joinHouseholdId === undefined ? undefined : this.#members(needs.joinHouseholdId),
      newResidentCode: needs.newResidentCode
        ? newResidentCode(cryptoRandomDigits, isUsed)
        : undefined,
      newHouseholdId: needs.newHousehold ? String(s.newHousehold.get()!.id) : undefined,
      formCodeRetired:
        subject !== undefined && currentRow === undefined ? isUsed(subject) : undefined,
    });
    const at = nowIso();
    const write = (personId: number | undefined, record: ResidentRecord, isSubject: boolean) => {
      const json = JSON.stringify(record);
      const values = [
        record.residentCode,
        record.individualNumber ?? null,
        record.householdId,
        record.status,
        json,
      ] as const;
      const id =
        personId === undefined
          ? s.insertRecord.get(...values)!.person_id
          : (s.updateRecord.run(...values, personId), personId);
      s.markUsed.run(record.residentCode, id);
      s.insertHistory.run(id, transactionId, op.reason, isSubject ? 1 : 0, at, json);
    };
    write(currentRow?.person_id, result.record, true);
    for (const member of result.householdChanges)
      write(s.byCode.get(member.residentCode)!.person_id, member, false);
    const feedId = result.event
      ? s.insertFeed.get(transactionId, JSON.stringify(result.event), 'counter', at)!.id
      : undefined;
    return { ...result, transactionId, feedId, duplicate: false };
  }

  /** What an earlier operation with this transaction id stored, or undefined. */
  #performed(transactionId: string): PerformResult | undefined {
    const rows = this.#sql.historyOfTransaction
      .all(transactionId)
      .map((r) => ({ ...r, record: parseRecord(r.record) }));
    const subject = rows.find((r) => r.subject === 1);
    if (subject === undefined) return undefined;
    const feed = this.#sql.feedOfTransaction.get(transactionId);
    return {
      record: subject.record,
      event: feed === undefined ? undefined : (JSON.parse(feed.event) as ChangeEvent),
      householdChanges: rows.filter((r) => r.subject !== 1).map((r) => r.record),
      transactionId,
      feedId: feed?.id,
      duplicate: true,
    };
  }

  #members(householdId: string): ResidentRecord[] {
    return this.#sql.members.all(householdId).map((r) => parseRecord(r.record));
  }

  async getRecord(code: ResidentCode): Promise<ResidentRecord | undefined> {
    const row = this.#sql.byCode.get(code);
    return row && parseRecord(row.record);
  }

  async household(householdId: string): Promise<ResidentRecord[]> {
    return headFirst(this.#members(householdId));
  }

  async history(code: ResidentCode): Promise<RecordHistoryEntry[]> {
    return this.#sql.historyOfCode
      .all(code)
      .map((r) => historyFromRow({ ...r, record: parseRecord(r.record) }));
  }

  async isResidentCodeUsed(code: ResidentCode): Promise<boolean> {
    return this.#sql.codeUsed.get(code) !== undefined;
  }

  async pendingFeed(limit: number): Promise<FeedEntry[]> {
    return this.#sql.pending
      .all(limit)
      .map((r) => ({ id: r.id, event: JSON.parse(r.event) as ChangeEvent }));
  }

  async settleFeed(
    settled: readonly { readonly id: number; readonly outcome: FeedOutcome }[],
  ): Promise<void> {
    const s = this.#sql;
    const run = this.#db.transaction(() => {
      const at = nowIso();
      for (const { id, outcome } of settled) {
        const state = settleStateOf(outcome);
        const entry = s.feedEntry.get(id);
        if (entry === undefined) throw unknownFeedEntry(id);
        // Settling twice (a pump retrying after a lost answer) changes nothing.
        if (entry.state !== 'pending') continue;
        s.settle.run(state, at, id);
        if (typeof outcome === 'object')
          s.insertRejection.run(
            entry.transaction_id,
            REJECTED_BY_CS,
            outcome.rejected.rule,
            outcome.rejected.message,
            at,
          );
      }
    });
    try {
      run.immediate();
    } catch (e) {
      throw translateSqliteError(e, undefined);
    }
  }

  async recordUpstreamRejection(
    transactionId: string,
    rejectedBy: string,
    rejection: Rejection,
  ): Promise<void> {
    this.#sql.insertRejection.run(
      transactionId,
      rejectedBy,
      rejection.rule,
      rejection.message,
      nowIso(),
    );
  }

  async listRejections(limit: number): Promise<FeedRejection[]> {
    return this.#sql.rejections.all(limit).map((r) =>
      rejectionFromRow({
        ...r,
        event: r.event === null ? null : (JSON.parse(r.event) as ChangeEvent),
      }),
    );
  }

  async appendChanges(changes: readonly FeedAppend[]): Promise<AppendReport> {
    const s = this.#sql;
    const run = this.#db.transaction(() => {
      const at = nowIso();
      let appended = 0;
      let duplicates = 0;
      for (const { line, event } of changes) {
        if (s.insertFeedIfNew.get(event.transactionId, JSON.stringify(event), 'import', at)) {
          appended += 1;
          continue;
        }
        const stored = s.feedOfTransaction.get(event.transactionId)!;
        if (!sameEvent(JSON.parse(stored.event) as ChangeEvent, event))
          throw transactionIdReused(line, event.transactionId);
        duplicates += 1;
      }
      return { appended, duplicates };
    });
    try {
      return run.immediate();
    } catch (e) {
      throw translateSqliteError(e, undefined);
    }
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }
}

type FeedRow = { id: number; event: string };

function prepare(db: Database.Database) {
  const RECORD_COLUMNS = 'resident_code, individual_number, household_id, status, record';
  return {
    byCode: db.prepare<[string], PersonRow>(
      'SELECT person_id, record FROM resident_record WHERE resident_code = ?',
    ),
    members: db.prepare<[string], PersonRow>(
      "SELECT person_id, record FROM resident_record WHERE household_id = ? AND status = 'resident' ORDER BY person_id",
    ),
    codeUsed: db.prepare<[string], { one: number }>(
      'SELECT 1 AS one FROM used_resident_code WHERE code = ?',
    ),
    insertRecord: db.prepare<
      [string, string | null, string, string, string],
      { person_id: number }
    >(`INSERT INTO resident_record (${RECORD_COLUMNS}) VALUES (?, ?, ?, ?, ?) RETURNING person_id`),
    updateRecord: db.prepare<[string, string | null, string, string, string, number]>(
      'UPDATE resident_record SET resident_code = ?, individual_number = ?, household_id = ?, status = ?, record = ? WHERE person_id = ?',
    ),
    markUsed: db.prepare<[string, number]>(
      'INSERT INTO used_resident_code (code, person_id) VALUES (?, ?) ON CONFLICT (code) DO NOTHING',
    ),
    insertHistory: db.prepare<[number, string, string, number, string, string]>(
      'INSERT INTO record_history (person_id, transaction_id, operation, subject, recorded_at, record) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    historyOfTransaction: db.prepare<[string], RawHistoryRow>(
      'SELECT sequence, transaction_id, operation, subject, recorded_at, record FROM record_history WHERE transaction_id = ? ORDER BY sequence',
    ),
    historyOfCode: db.prepare<[string], RawHistoryRow>(
      `SELECT sequence, transaction_id, operation, subject, recorded_at, record FROM record_history
        WHERE person_id = (SELECT person_id FROM used_resident_code WHERE code = ?) ORDER BY sequence`,
    ),
    newHousehold: db.prepare<[], { id: number }>(
      'INSERT INTO household_number DEFAULT VALUES RETURNING id',
    ),
    insertFeed: db.prepare<[string, string, string, string], { id: number }>(
      'INSERT INTO change_feed (transaction_id, event, origin, recorded_at) VALUES (?, ?, ?, ?) RETURNING id',
    ),
    insertFeedIfNew: db.prepare<[string, string, string, string], { id: number }>(
      'INSERT INTO change_feed (transaction_id, event, origin, recorded_at) VALUES (?, ?, ?, ?) ON CONFLICT (transaction_id) DO NOTHING RETURNING id',
    ),
    feedOfTransaction: db.prepare<[string], FeedRow>(
      'SELECT id, event FROM change_feed WHERE transaction_id = ?',
    ),
    pending: db.prepare<[number], FeedRow>(
      "SELECT id, event FROM change_feed WHERE state = 'pending' ORDER BY id LIMIT ?",
    ),
    feedEntry: db.prepare<[number], { transaction_id: string; state: string }>(
      'SELECT transaction_id, state FROM change_feed WHERE id = ?',
    ),
    settle: db.prepare<[string, string, number]>(
      'UPDATE change_feed SET state = ?, settled_at = ? WHERE id = ?',
    ),
    insertRejection: db.prepare<[string, string, string, string, string]>(
      'INSERT INTO feed_rejection (transaction_id, rejected_by, rule, message, recorded_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (transaction_id) DO NOTHING',
    ),
    rejections: db.prepare<[number], RawRejectionRow>(REJECTIONS_SQL('?')),
  };
}

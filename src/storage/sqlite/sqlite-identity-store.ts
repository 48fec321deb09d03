/* eslint-disable @typescript-eslint/require-await --
 * better-sqlite3 is synchronous; the methods stay `async` so that every failure reaches the
 * caller as a rejected promise, as the port promises, never as a synchronous throw. */
import Database from 'better-sqlite3';
import type { ChangeEvent, HistoryEntry } from '../../domain/change/ChangeEvent.ts';
import { applyChange } from '../../domain/change/apply-change.ts';
import { validateChange, type Rejection } from '../../domain/change/validate-change.ts';
import type { CalendarDate } from '../../domain/dates/CalendarDate.ts';
import { RegistryError } from '../../domain/errors.ts';
import {
  identityInfoOf,
  type IdentityInfo,
  type IdentityRecord,
} from '../../domain/resident/IdentityInfo.ts';
import type { ResidentCode } from '../../domain/resident/ResidentCode.ts';
import type { RetentionPolicy } from '../../domain/retention/retention.ts';
import { ErasureTally, erasureCutoffs, erasureRunFromRow } from '../erasure-tally.ts';
import {
  storedChangeEvent,
  identityValues,
  recordFromRow,
  type IdentityRow,
} from '../identity-row.ts';
import { planLoad } from '../load-plan.ts';
import { applySqliteMigrations } from '../migrations/apply-sqlite-migrations.ts';
import type {
  ApplyOutcome,
  ErasureReport,
  ErasureRun,
  IdentityStore,
  LoadBatch,
  LoadReport,
  OutboxEntry,
  IntegrityCheckRecord,
  RepairLogEntry,
  RepairRecord,
  RepairReport,
  ScopeRange,
} from '../ports.ts';
import type { IntegrityScope } from '../../domain/integrity/IntegrityScope.ts';
import { translateSqliteError } from './sqlite-errors.ts';
import { SqliteIntegrity } from './sqlite-integrity.ts';
import { SqliteSearch, backfillSqliteSearchKeys } from './sqlite-search.ts';
import type { SearchPlan } from '../../domain/provision/search-rules.ts';
import { prepareStatements, type HistoryRow } from './sqlite-identity-statements.ts';
import {
  LOOKUP_BY_RESIDENT_CODE_SQL,
  LOOKUP_WITH_PERSON_SQL,
  RECORD_BY_PERSON_SQL,
} from './sqlite-sql.ts';
import { acquireSqlite, type SharedSqlite } from './sqlite-connection.ts';

export type SqliteStoreOptions = {
  /** Bytes of the file to memory-map for reads (PRAGMA mmap_size); 0 (default) disables it. */
  readonly mmapBytes?: number;
  /** How long a writer waits for another process's write lock, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
  /**
   * Page cache per connection (PRAGMA cache_size), default 64 MiB. SQLite's own default (2 MiB)
   * makes inserts with random keys (resident codes are random, R7) fall to a third of the rate
   * on a 10 M-row file; the cache only grows as pages are used, so small stores stay small.
   */
  readonly cacheBytes?: number;
  /** WAL checkpoints in a worker thread, not at commit (sqlite-connection.ts); a node turns it on. */
  readonly backgroundCheckpoint?: boolean;
};

export const DEFAULT_SQLITE_CACHE_BYTES = 64 * 2 ** 20;

type PersonRow = readonly [...IdentityRow, number];

const ERASURE_CHUNK = 500;
const bit = (b: boolean): number => (b ? 1 : 0);

/**
 * The embedded store: one SQLite file per node (better-sqlite3, synchronous). WAL journal with
 * synchronous=NORMAL: a committed transaction survives a crash of the process, but the last
 * transactions before a power loss or OS crash may be lost (docs/STORAGE.md). Every multi-row
 * write is one `BEGIN IMMEDIATE` transaction, so writers in several processes serialise.
 */
export class SqliteIdentityStore implements IdentityStore {
  readonly #db: Database.Database;
  readonly #release: () => void;
  readonly #lookup: Database.Statement<[string], IdentityRow>;
  readonly #lookupWithPerson: Database.Statement<[string], PersonRow>;
  readonly #recordByPerson: Database.Statement<[number], PersonRow>;
  readonly #applyTx: Database.Transaction<
    (e: ChangeEvent, today: CalendarDate, outbox: boolean) => ApplyOutcome
  >;
  readonly #applyManyTx: Database.Transaction<
    (events: readonly ChangeEvent[], today: CalendarDate, outbox: boolean) => ApplyOutcome[]
  >;
  readonly #sql: ReturnType<typeof prepareStatements>;
  readonly #integrity: SqliteIntegrity;
  readonly #search: SqliteSearch;
  #closed = false;

  private constructor(db: Database.Database, release: () => void) {
    this.#db = db;
    this.#release = release;
    this.#lookup = db.prepare<[string], IdentityRow>(LOOKUP_BY_RESIDENT_CODE_SQL).raw(true);
    this.#lookupWithPerson = db.prepare<[string], PersonRow>(LOOKUP_WITH_PERSON_SQL).raw(true);
    this.#recordByPerson = db.prepare<[number], PersonRow>(RECORD_BY_PERSON_SQL).raw(true);
    this.#sql = prepareStatements(db);
    this.#integrity = new SqliteIntegrity(db);
    this.#search = new SqliteSearch(db);
    this.#applyTx = db.transaction((e: ChangeEvent, today: CalendarDate, outbox: boolean) =>
      this.#applyInTx(e, today, outbox),
    );
    this.#applyManyTx = db.transaction(
      (events: readonly ChangeEvent[], today: CalendarDate, outbox: boolean) =>
        events.map((e) => this.#applyInTx(e, today, outbox)),
    );
  }

  /** Opens (creating if needed) and migrates the database at `path` (':memory:' for none). */
  static open(path: string, options: SqliteStoreOptions = {}): SqliteIdentityStore {
    let conn: SharedSqlite;
    try {
      conn = acquireSqlite(path, { timeoutMs: options.busyTimeoutMs ?? 5000 });
    } catch (e) {
      throw new RegistryError(
        'unavailable',
        `SQLite データベースを開けません / cannot open SQLite database ${JSON.stringify(path)}: ${(e as Error).message}`,
        'storage.unreachable',
        { cause: e },
      );
    }
    const db = conn.db;
    try {
      if (path !== ':memory:') db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      if (options.mmapBytes) db.pragma(`mmap_size = ${Math.floor(options.mmapBytes)}`);
      // Negative cache_size is in KiB.
      db.pragma(
        `cache_size = -${Math.floor((options.cacheBytes ?? DEFAULT_SQLITE_CACHE_BYTES) / 1024)}`,
      );
      applySqliteMigrations(db);
      backfillSqliteSearchKeys(db);
      if (options.backgroundCheckpoint) conn.checkpointInBackground();
      return new SqliteIdentityStore(db, conn.release);
    } catch (e) {
      conn.release();
      throw e;
    }
  }

  async findIdentity(code: ResidentCode): Promise<IdentityRecord | undefined> {
    const row = this.#lookup.get(code);
    return row === undefined ? undefined : recordFromRow(row);
  }

  async getIdentity(code: ResidentCode): Promise<IdentityRecord> {
    const row = this.#lookup.get(code);
    if (row === undefined) {
      throw new RegistryError(
        'not-found',
        `本人確認情報がありません / no identity record for resident code ${code}`,
        'identity.not-found',
      );
    }
    return recordFromRow(row);
  }

  async applyChange(
    event: ChangeEvent,
    options: { today: CalendarDate; outbox?: boolean },
  ): Promise<ApplyOutcome> {
    return guarded(
      () => this.#applyTx.immediate(event, options.today, options.outbox ?? false),
      event.residentCode,
    );
  }

  async applyChanges(
    events: readonly ChangeEvent[],
    options: { today: CalendarDate; outbox?: boolean },
  ): Promise<ApplyOutcome[]> {
    if (events.length === 0) return [];
    return guarded(
      () => this.#applyManyTx.immediate(events, options.today, options.outbox ?? false),
      events[0]?.residentCode,
    );
  }

  /** @idempotent on event.transactionId (accepted and rejected alike). */
  #applyInTx(event: ChangeEvent, today: CalendarDate, outbox: boolean): ApplyOutcome {
    const s = this.#sql;
    const seen = s.historyByTransaction.get(event.transactionId);
    if (seen !== undefined) return { status: 'duplicate', sequence: seen };
    const refused = s.rejectedByTransaction.get(event.transactionId);
    if (refused !== undefined) {
      return {
        status: 'rejected',
        rejection: { rule: refused.rule, message: refused.message } as Rejection,
      };
    }
    const row = this.#lookupWithPerson.get(event.residentCode);
    const current = row === undefined ? undefined : recordFromRow(row);
    const newCode = event.values.residentCode;
    const recodes = newCode !== event.residentCode;
    const rejection = validateChange(current, event, {
      today,
      ...(recodes ? { newCodeAlreadyUsed: s.codeUsed.get(newCode) !== undefined } : {}),
    });
    if (rejection !== undefined) {
      s.insertRejected.run(
        event.transactionId,
        rejection.rule,
        rejection.message,
        event.changeDate,
      );
      return { status: 'rejected', rejection };
    }
    const record = applyChange(current, event);
    const values = identityValues(record, bit);
    let personId: number;
    if (row === undefined) {
      personId = Number(s.insertIdentity.run(...values).lastInsertRowid);
    } else {
      personId = row[13];
      s.updateIdentity.run(...values, personId);
    }
    s.markCodeUsed.run(record.residentCode, personId);
    const before = current === undefined ? null : JSON.stringify(identityInfoOf(current));
    const eventJson = JSON.stringify(storedChangeEvent(event));
    const sequence = Number(
      s.insertHistory.run(
        personId,
        record.residentCode,
        event.transactionId,
        event.reason,
        event.changeDate,
        eventJson,
        before,
      ).lastInsertRowid,
    );
    if (outbox) s.insertOutbox.run(event.transactionId, eventJson);
    return { status: 'applied', record, sequence };
  }

  async history(code: ResidentCode): Promise<HistoryEntry[]> {
    const personId = this.#sql.personOfCode.get(code);
    if (personId === undefined || personId === null) return [];
    return this.#sql.historyOfPerson.all(personId).map(historyEntryFromRow);
  }

  async isResidentCodeUsed(code: ResidentCode): Promise<boolean> {
    return this.#sql.codeUsed.get(code) !== undefined;
  }

  async loadBatch(batch: LoadBatch): Promise<LoadReport> {
    const s = this.#sql;
    // Fast path: insert every row and let the constraints speak. If none objects, no row would
    // have been refused by the plan either (every stored or used code is in used_resident_code,
    // individual numbers are UNIQUE), so the result is the same at the cost of the raw inserts.
    // On the first constraint error the transaction is rolled back and the planned path runs.
    const optimistic = this.#db.transaction((): LoadReport => {
      const rows = [...batch].sort((a, b) => a.line - b.line);
      for (const { record } of rows) {
        const personId = s.insertIdentity.run(...identityValues(record, bit)).lastInsertRowid;
        s.markCodeUsed.run(record.residentCode, personId);
      }
      return { loaded: rows.length, refused: [] };
    });
    try {
      return optimistic.immediate();
    } catch (e) {
      if (!isConstraintError(e)) throw translateSqliteError(e, undefined);
    }
    const load = this.#db.transaction((): LoadReport => {
      const plan = planLoad(batch, {
        residentCodeState: (code) =>
          s.codeUsed.get(code) === undefined
            ? undefined
            : this.#lookup.get(code) === undefined
              ? 'used'
              : 'stored',
        individualNumberStored: (n) => s.numberStored.get(n) !== undefined,
      });
      for (const { record } of plan.accepted) {
        const personId = s.insertIdentity.run(...identityValues(record, bit)).lastInsertRowid;
        s.markCodeUsed.run(record.residentCode, personId);
      }
      return { loaded: plan.accepted.length, refused: plan.refused };
    });
    return guarded(() => load.immediate());
  }

  async countIdentities(): Promise<number> {
    return this.#sql.countIdentities.get() ?? 0;
  }

  async countOutbox(): Promise<number> {
    return this.#sql.countOutbox.get() ?? 0;
  }

  async pendingOutbox(limit: number): Promise<OutboxEntry[]> {
    return this.#sql.pendingOutbox.all(limit).map((r) => ({
      id: r.id,
      event: JSON.parse(r.event) as ChangeEvent,
      attempts: r.attempts,
    }));
  }

  async recordOutboxAttempts(ids: readonly number[]): Promise<void> {
    if (ids.length > 0) guarded(() => this.#sql.outboxAttempt.run(JSON.stringify(ids)));
  }

  async acknowledgeOutbox(ids: readonly number[]): Promise<void> {
    if (ids.length > 0) guarded(() => this.#sql.outboxAck.run(JSON.stringify(ids)));
  }

  async eraseExpired(policy: RetentionPolicy, today: CalendarDate): Promise<ErasureReport> {
    const s = this.#sql;
    const cut = erasureCutoffs(policy, today);
    const persons = s.erasureCandidates.all(cut.history, cut.removedRecord);
    const tally = new ErasureTally(policy, today);
    const eraseChunk = this.#db.transaction((ids: readonly number[]) => {
      for (const personId of ids) this.#erasePerson(personId, tally);
    });
    guarded(() => {
      for (let i = 0; i < persons.length; i += ERASURE_CHUNK) {
        eraseChunk.immediate(persons.slice(i, i + ERASURE_CHUNK));
      }
      s.eraseRejected.run(cut.history);
    });
    const report = tally.report();
    guarded(() =>
      s.logErasure.run(
        today,
        policy.historyYears,
        policy.overseasYears,
        report.erasedHistoryEntries,
        report.erasedRecords,
        report.oldestErased ?? null,
        report.newestErased ?? null,
      ),
    );
    return report;
  }

  async listErasures(limit: number): Promise<ErasureRun[]> {
    return this.#sql.listErasures.all(limit).map((r) => erasureRunFromRow(r));
  }

  #erasePerson(personId: number, tally: ErasureTally): void {
    const s = this.#sql;
    const row = this.#recordByPerson.get(personId);
    if (row === undefined) return;
    const history = s.historyOfPerson.all(personId).map(historyEntryFromRow);
    const decision = tally.decide(recordFromRow(row), history);
    for (const sequence of decision.historySequences) s.deleteHistoryEntry.run(sequence);
    if (decision.eraseRecord) {
      s.deletePersonHistory.run(personId);
      s.unlinkCodes.run(personId);
      s.deleteIdentity.run(personId);
    }
  }

  // Integrity check (R20): sqlite-integrity.ts.
  async countScope(scope: IntegrityScope): Promise<number> {
    return this.#integrity.countScope(scope);
  }

  scanScope(scope: IntegrityScope, range?: ScopeRange): AsyncIterable<IdentityRecord> {
    return this.#integrity.scanScope(scope, range);
  }

  async repairIdentities(
    checkId: string,
    r: {
      scope: IntegrityScope;
      upsert: readonly RepairRecord[];
      notResident: readonly ResidentCode[];
    },
  ): Promise<RepairReport> {
    return guarded(() => this.#integrity.repair(checkId, r.scope, r.upsert, r.notResident));
  }

  async recordIntegrityCheck(record: IntegrityCheckRecord): Promise<void> {
    guarded(() => this.#integrity.record(record));
  }

  async listIntegrityChecks(limit: number): Promise<IntegrityCheckRecord[]> {
    return this.#integrity.list(limit);
  }

  async listIntegrityRepairs(checkId: string): Promise<RepairLogEntry[]> {
    return this.#integrity.repairs(checkId);
  }

  // Provision search (R13): sqlite-search.ts.
  async searchIdentities(plan: SearchPlan, limit: number): Promise<IdentityRecord[]> {
    return guarded(() => this.#search.search(plan, limit));
  }

  /** The durability settings in force on the store's connection (for diagnostics and tests). */
  settings(): {
    journalMode: string;
    synchronous: 'off' | 'normal' | 'full' | 'extra';
    foreignKeys: boolean;
  } {
    const synchronous = this.#db.pragma('synchronous', { simple: true }) as number;
    return {
      journalMode: String(this.#db.pragma('journal_mode', { simple: true })),
      synchronous: (['off', 'normal', 'full', 'extra'] as const)[synchronous] ?? 'full',
      foreignKeys: this.#db.pragma('foreign_keys', { simple: true }) === 1,
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#release();
  }
}

/** Runs a write, translating driver errors (busy, constraint) to RegistryError. */
const isConstraintError = (e: unknown): boolean =>
  e instanceof Database.SqliteError && e.code.startsWith('SQLITE_CONSTRAINT');

function guarded<T>(write: () => T, residentCode?: string): T {
  try {
    return write();
  } catch (e) {
    throw translateSqliteError(e, residentCode);
  }
}

function historyEntryFromRow(r: HistoryRow): HistoryEntry {
  return {
    sequence: r.sequence,
    event: JSON.parse(r.event) as ChangeEvent,
    before: r.before_values === null ? undefined : (JSON.parse(r.before_values) as IdentityInfo),
  };
}

import type pg from 'pg';
import { acquirePostgres } from './postgres-pool.ts';
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
import {
  ErasureTally,
  erasureCutoffs,
  erasureRunFromRow,
  groupByPerson,
  type ErasureLogRow,
} from '../erasure-tally.ts';
import {
  IDENTITY_COLUMN_LIST,
  storedChangeEvent,
  identityValues,
  recordFromRow,
  type IdentityRow,
  type IdentityRowLike,
} from '../identity-row.ts';
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
import { translateConnectError, translatePgError } from './postgres-errors.ts';
import * as integrity from './postgres-integrity.ts';
import { loadBatchIntoPostgres } from './postgres-load-batch.ts';
import { backfillPostgresSearchKeys, searchPostgres } from './postgres-search.ts';
import type { SearchPlan } from '../../domain/provision/search-rules.ts';
import {
  ERASURE_CANDIDATES_SQL,
  HISTORY_OF_CODE_SQL,
  INSERT_IDENTITY_RETURNING_SQL,
  LOCK_IDENTITY_SQL,
  LOOKUP_BY_RESIDENT_CODE_SQL,
  LOOKUP_STATEMENT_NAME,
  RECORD_CHANGE_SQL,
  TRANSACTION_STATE_SQL,
  UPDATE_IDENTITY_SQL,
} from './postgres-sql.ts';
import { inTransaction, isRaceLost } from './postgres-transaction.ts';

export type PostgresStoreOptions = {
  /** A schema of its own (created if missing) instead of `public`; [a-z_][a-z0-9_]*. */
  readonly schema?: string;
  /** Connections in the pool (default 10). */
  readonly poolSize?: number;
};

type PersonRow = readonly [...IdentityRow, number];
type HistoryRow = { sequence: number; event: ChangeEvent; before_values: IdentityInfo | null };
type PersonHistoryRow = HistoryRow & { personId: number };

const ERASURE_CHUNK = 500;
const APPLY_ATTEMPTS = 5;

/**
 * The production store on PostgreSQL (`pg` Pool). Each change is one READ COMMITTED transaction
 * that locks the person's row (`SELECT … FOR UPDATE`) before it reads the transaction id, so
 * concurrent changes of one resident apply one after the other; a racing first insert (two
 * creations of one code) fails on a unique index and is retried from the start.
 */
export class PostgresIdentityStore implements IdentityStore {
  readonly #pool: pg.Pool;
  #closed = false;

  readonly #release: () => Promise<void>;

  private constructor(pool: pg.Pool, release: () => Promise<void>) {
    this.#pool = pool;
    this.#release = release;
  }

  /** Connects, creates `options.schema` if given, and migrates. */
  static async open(
    connectionString: string,
    options: PostgresStoreOptions = {},
  ): Promise<PostgresIdentityStore> {
    const shared = await acquirePostgres(connectionString, {
      schema: options.schema,
      poolSize: options.poolSize,
    });
    try {
      await backfillPostgresSearchKeys(shared.pool);
    } catch (e) {
      await shared.release();
      throw translateConnectError(e, connectionString);
    }
    return new PostgresIdentityStore(shared.pool, shared.release);
  }

  async findIdentity(code: ResidentCode): Promise<IdentityRecord | undefined> {
    const { rows } = await this.#pool.query<[...IdentityRow]>({
      name: LOOKUP_STATEMENT_NAME,
      text: LOOKUP_BY_RESIDENT_CODE_SQL,
      values: [code],
      rowMode: 'array',
    });
    const row = rows[0];
    return row === undefined ? undefined : recordFromRow(row);
  }

  async getIdentity(code: ResidentCode): Promise<IdentityRecord> {
    const record = await this.findIdentity(code);
    if (record === undefined) {
      throw new RegistryError(
        'not-found',
        `本人確認情報がありません / no identity record for resident code ${code}`,
        'identity.not-found',
      );
    }
    return record;
  }

  /** @idempotent on event.transactionId (accepted and rejected alike). */
  async applyChange(
    event: ChangeEvent,
    options: { today: CalendarDate; outbox?: boolean },
  ): Promise<ApplyOutcome> {
    const outbox = options.outbox ?? false;
    try {
      return await inTransaction(
        this.#pool,
        (c) => applyInTransaction(c, event, options.today, outbox),
        {
          retryIf: isRaceLost,
          attempts: APPLY_ATTEMPTS,
        },
      );
    } catch (e) {
      throw translatePgError(e, event.residentCode);
    }
  }

  async applyChanges(
    events: readonly ChangeEvent[],
    options: { today: CalendarDate; outbox?: boolean },
  ): Promise<ApplyOutcome[]> {
    if (events.length === 0) return [];
    const outbox = options.outbox ?? false;
    try {
      return await inTransaction(
        this.#pool,
        async (c) => {
          const outcomes: ApplyOutcome[] = [];
          for (const e of events)
            outcomes.push(await applyInTransaction(c, e, options.today, outbox));
          return outcomes;
        },
        { retryIf: isRaceLost, attempts: APPLY_ATTEMPTS },
      );
    } catch (e) {
      throw translatePgError(e, events[0]?.residentCode);
    }
  }

  async history(code: ResidentCode): Promise<HistoryEntry[]> {
    const { rows } = await this.#pool.query<HistoryRow>({
      name: 'jukinet_history_of_code',
      text: HISTORY_OF_CODE_SQL,
      values: [code],
    });
    return rows.map(historyEntryFromRow);
  }

  async isResidentCodeUsed(code: ResidentCode): Promise<boolean> {
    const { rowCount } = await this.#pool.query({
      name: 'jukinet_code_used',
      text: 'SELECT 1 FROM used_resident_code WHERE code = $1',
      values: [code],
    });
    return (rowCount ?? 0) > 0;
  }

  async loadBatch(batch: LoadBatch): Promise<LoadReport> {
    try {
      return await loadBatchIntoPostgres(this.#pool, batch);
    } catch (e) {
      throw translatePgError(e);
    }
  }

  async countIdentities(): Promise<number> {
    const { rows } = await this.#pool.query<{ n: number }>('SELECT count(*) AS n FROM identity');
    return rows[0]?.n ?? 0;
  }

  async countOutbox(): Promise<number> {
    const { rows } = await this.#pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox');
    return rows[0]?.n ?? 0;
  }

  async pendingOutbox(limit: number): Promise<OutboxEntry[]> {
    const { rows } = await this.#pool.query<OutboxEntry>({
      name: 'jukinet_pending_outbox',
      text: 'SELECT id, event, attempts FROM outbox ORDER BY id LIMIT $1',
      values: [limit],
    });
    return rows;
  }

  async recordOutboxAttempts(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#pool.query(
      'UPDATE outbox SET attempts = attempts + 1 WHERE id = ANY($1::bigint[])',
      [ids],
    );
  }

  async acknowledgeOutbox(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#pool.query('DELETE FROM outbox WHERE id = ANY($1::bigint[])', [ids]);
  }

  async eraseExpired(policy: RetentionPolicy, today: CalendarDate): Promise<ErasureReport> {
    const cut = erasureCutoffs(policy, today);
    const { rows } = await this.#pool.query<[number]>({
      text: ERASURE_CANDIDATES_SQL,
      values: [cut.history, cut.removedRecord],
      rowMode: 'array',
    });
    const persons = rows.map((r) => r[0]);
    const tally = new ErasureTally(policy, today);
    for (let i = 0; i < persons.length; i += ERASURE_CHUNK) {
      const chunk = persons.slice(i, i + ERASURE_CHUNK);
      await inTransaction(this.#pool, (c) => eraseChunk(c, chunk, tally));
    }
    await this.#pool.query('DELETE FROM rejected_change WHERE change_date < $1', [cut.history]);
    const report = tally.report();
    await this.#pool.query(
      `INSERT INTO erasure_log (as_of, history_years, overseas_years, erased_history_entries,
         erased_records, oldest_erased, newest_erased) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        today,
        policy.historyYears,
        policy.overseasYears,
        report.erasedHistoryEntries,
        report.erasedRecords,
        report.oldestErased ?? null,
        report.newestErased ?? null,
      ],
    );
    return report;
  }

  async listErasures(limit: number): Promise<ErasureRun[]> {
    const { rows } = await this.#pool.query<ErasureLogRow>(
      `SELECT id::int AS id, to_char(ran_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ran_at,
         to_char(as_of, 'YYYY-MM-DD') AS as_of, history_years, overseas_years,
         erased_history_entries, erased_records, to_char(oldest_erased, 'YYYY-MM-DD') AS oldest_erased,
         to_char(newest_erased, 'YYYY-MM-DD') AS newest_erased
       FROM erasure_log ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => erasureRunFromRow(r));
  }

  // Integrity check (R20): postgres-integrity.ts.
  countScope(scope: IntegrityScope): Promise<number> {
    return integrity.countScope(this.#pool, scope);
  }

  scanScope(scope: IntegrityScope, range?: ScopeRange): AsyncIterable<IdentityRecord> {
    return integrity.scanScope(this.#pool, scope, range);
  }

  repairIdentities(
    checkId: string,
    r: {
      scope: IntegrityScope;
      upsert: readonly RepairRecord[];
      notResident: readonly ResidentCode[];
    },
  ): Promise<RepairReport> {
    return integrity.repairIdentities(this.#pool, checkId, r.scope, r.upsert, r.notResident);
  }

  recordIntegrityCheck(record: IntegrityCheckRecord): Promise<void> {
    return integrity.recordIntegrityCheck(this.#pool, record);
  }

  listIntegrityChecks(limit: number): Promise<IntegrityCheckRecord[]> {
    return integrity.listIntegrityChecks(this.#pool, limit);
  }

  listIntegrityRepairs(checkId: string): Promise<RepairLogEntry[]> {
    return integrity.listIntegrityRepairs(this.#pool, checkId);
  }

  // Provision search (R13): postgres-search.ts.
  searchIdentities(plan: SearchPlan, limit: number): Promise<IdentityRecord[]> {
    return searchPostgres(this.#pool, plan, limit);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#release();
  }
}

async function applyInTransaction(
  c: pg.PoolClient,
  event: ChangeEvent,
  today: CalendarDate,
  outbox: boolean,
): Promise<ApplyOutcome> {
  const locked = await c.query<[...PersonRow]>({
    name: 'jukinet_lock_identity',
    text: LOCK_IDENTITY_SQL,
    values: [event.residentCode],
    rowMode: 'array',
  });
  const row = locked.rows[0];
  const newCode = event.values.residentCode;
  const { rows } = await c.query<{
    sequence: number | null;
    rule: string | null;
    message: string | null;
    code_used: boolean;
  }>({
    name: 'jukinet_transaction_state',
    text: TRANSACTION_STATE_SQL,
    values: [event.transactionId, newCode],
  });
  const state = rows[0]!;
  if (state.sequence !== null) return { status: 'duplicate', sequence: state.sequence };
  if (state.rule !== null) {
    return {
      status: 'rejected',
      rejection: { rule: state.rule, message: state.message ?? '' } as Rejection,
    };
  }
  const current = row === undefined ? undefined : recordFromRow(row);
  const recodes = newCode !== event.residentCode;
  const rejection = validateChange(current, event, {
    today,
    ...(recodes ? { newCodeAlreadyUsed: state.code_used } : {}),
  });
  if (rejection !== undefined) {
    await c.query({
      name: 'jukinet_insert_rejected',
      text: `INSERT INTO rejected_change (transaction_id, rule, message, change_date) VALUES ($1, $2, $3, $4)
             ON CONFLICT (transaction_id) DO NOTHING`,
      values: [event.transactionId, rejection.rule, rejection.message, event.changeDate],
    });
    return { status: 'rejected', rejection };
  }
  const record = applyChange(current, event);
  const values = identityValues(record, (b) => b);
  let personId: number;
  if (row === undefined) {
    const inserted = await c.query<{ person_id: number }>({
      name: 'jukinet_insert_identity',
      text: INSERT_IDENTITY_RETURNING_SQL,
      values,
    });
    personId = inserted.rows[0]!.person_id;
  } else {
    personId = row[13];
    await c.query({
      name: 'jukinet_update_identity',
      text: UPDATE_IDENTITY_SQL,
      values: [...values, personId],
    });
  }
  const eventJson = JSON.stringify(storedChangeEvent(event));
  const before = current === undefined ? null : JSON.stringify(identityInfoOf(current));
  const recorded = await c.query<{ sequence: number }>({
    name: 'jukinet_record_change',
    text: RECORD_CHANGE_SQL,
    values: [
      record.residentCode,
      personId,
      event.transactionId,
      event.reason,
      event.changeDate,
      eventJson,
      before,
      outbox,
    ],
  });
  return { status: 'applied', record, sequence: recorded.rows[0]!.sequence };
}

async function eraseChunk(
  c: pg.PoolClient,
  personIds: readonly number[],
  tally: ErasureTally,
): Promise<void> {
  // Lock the records first: a change applied meanwhile waits, and is not lost with the erasure.
  const records = await c.query<[...IdentityRowLike]>({
    text: `SELECT ${IDENTITY_COLUMN_LIST}, person_id
             FROM identity WHERE person_id = ANY($1::bigint[]) ORDER BY person_id FOR UPDATE`,
    values: [personIds],
    rowMode: 'array',
  });
  const history = await c.query<PersonHistoryRow>(
    `SELECT person_id AS "personId", sequence, event, before_values FROM identity_history
      WHERE person_id = ANY($1::bigint[]) ORDER BY person_id, sequence`,
    [personIds],
  );
  const byPerson = groupByPerson(history.rows);
  const sequences: number[] = [];
  const erasedPersons: number[] = [];
  for (const row of records.rows) {
    const personId = row[13] as number;
    const entries = (byPerson.get(personId) ?? []).map(historyEntryFromRow);
    const decision = tally.decide(recordFromRow(row), entries);
    sequences.push(...decision.historySequences);
    if (decision.eraseRecord) erasedPersons.push(personId);
  }
  if (sequences.length > 0) {
    await c.query('DELETE FROM identity_history WHERE sequence = ANY($1::bigint[])', [sequences]);
  }
  if (erasedPersons.length > 0) {
    await c.query('DELETE FROM identity_history WHERE person_id = ANY($1::bigint[])', [
      erasedPersons,
    ]);
    await c.query(
      'UPDATE used_resident_code SET person_id = NULL WHERE person_id = ANY($1::bigint[])',
      [erasedPersons],
    );
    await c.query('DELETE FROM identity WHERE person_id = ANY($1::bigint[])', [erasedPersons]);
  }
}

function historyEntryFromRow(r: HistoryRow): HistoryEntry {
  return { sequence: r.sequence, event: r.event, before: r.before_values ?? undefined };
}

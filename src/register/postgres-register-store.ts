import { randomUUID } from 'node:crypto';
import pg from 'pg';
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
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import { applyPostgresMigrations } from '../storage/migrations/apply-postgres-migrations.ts';
import { translateConnectError, translatePgError } from '../storage/postgres/postgres-errors.ts';
import { PG_TYPES } from '../storage/postgres/postgres-sql.ts';
import { inTransaction } from '../storage/postgres/postgres-transaction.ts';
import { issueResidentCode } from './issue-resident-code.ts';
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

export type PostgresRegisterOptions = {
  /** 団体コード of the municipality: recorded on a new register, checked on an existing one. */
  readonly municipality?: string | undefined;
  /** A schema of its own (created if missing) instead of `public`; [a-z_][a-z0-9_]*. */
  readonly schema?: string | undefined;
  /** Connections in the pool (default 4: a register serves its counters). */
  readonly poolSize?: number;
};

type Client = pg.PoolClient;
type PersonRow = { person_id: number; record: ResidentRecord };
type FeedRow = { id: number; event: ChangeEvent };

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/**
 * Every write of the register takes this transaction-scoped advisory lock ('jukireg' in ASCII):
 * counter operations, imports and settling run one at a time, so feed ids are assigned in commit
 * order (the pump never sees id 5 before a later-committed id 4) and household reads cannot race.
 * A municipality's counters write a few changes a minute; one writer at a time costs nothing.
 */
const REGISTER_LOCK_KEY = 0x6a756b69726567n.toString();

const HISTORY_COLUMNS = 'sequence, transaction_id, operation, subject, recorded_at, record';

/** The register on PostgreSQL (`pg` Pool): one READ COMMITTED transaction per write, serialised. */
export class PostgresRegisterStore implements RegisterStore {
  readonly #pool: pg.Pool;
  readonly #municipality: string | undefined;

  private constructor(pool: pg.Pool, municipality: string | undefined) {
    this.#pool = pool;
    this.#municipality = municipality;
  }

  get municipality(): string | undefined {
    return this.#municipality;
  }

  /** Connects, creates `options.schema` if given, migrates, and records or checks the municipality. */
  static async open(
    connectionString: string,
    options: PostgresRegisterOptions = {},
  ): Promise<PostgresRegisterStore> {
    const { schema } = options;
    if (schema !== undefined && !SCHEMA_NAME.test(schema))
      throw new RegistryError(
        'invalid',
        `not a plain schema name: ${JSON.stringify(schema)}`,
        'store.schema-name',
      );
    const pool = new pg.Pool({
      connectionString,
      max: options.poolSize ?? 4,
      types: PG_TYPES,
      ...(schema === undefined ? {} : { options: `-c search_path=${schema}` }),
    });
    pool.on('error', () => undefined);
    try {
      await applyPostgresMigrations(pool, {
        migrations: REGISTER_MIGRATIONS,
        ...(schema === undefined ? {} : { schema }),
      });
      const municipality = await inTransaction(pool, async (c) => {
        await lock(c);
        const { rows } = await c.query<{ value: string }>(
          'SELECT value FROM register_setting WHERE key = $1',
          [MUNICIPALITY_SETTING],
        );
        const settled = settleMunicipality(rows[0]?.value, options.municipality);
        if (settled.record)
          await c.query('INSERT INTO register_setting (key, value) VALUES ($1, $2)', [
            MUNICIPALITY_SETTING,
            settled.municipality,
          ]);
        return settled.municipality;
      });
      return new PostgresRegisterStore(pool, municipality);
    } catch (e) {
      await pool.end().catch(() => undefined);
      throw translateConnectError(e, connectionString);
    }
  }

  async perform(operation: RegisterOperation, options: PerformOptions): Promise<PerformResult> {
    const op = parseRegisterOperation(operation);
    const transactionId = options.transactionId ?? randomUUID();
    try {
      return await inTransaction(this.#pool, async (c) => {
        await lock(c);
        return this.#performInTx(c, op, options.today, transactionId);
      });
    } catch (e) {
      throw translatePgError(e);
    }
  }

  async #performInTx(
    c: Client,
    op: RegisterOperation,
    today: CalendarDate,
    transactionId: string,
  ): Promise<PerformResult> {
    const municipality = requireMunicipality(this.#municipality);
    const done = await performed(c, transactionId);
    if (done) return done;
    const subject = subjectCodeOf(op);
    const currentRow = subject === undefined ? undefined : await byCode(c, subject);
    const current = currentRow?.record;
    const parentCode = parentCodeOf(op);
    const parent = parentCode === undefined ? undefined : (await byCode(c, parentCode))?.record;
    const needs = operationNeeds(op, current, parent);
    const isResidentCodeUsed = (code: string) => codeUsed(c, code);
    const result = performOperation(current, op, {
      today,
      transactionId,
      municipality,
      parent,
      ownHousehold:
        needs.ownHouseholdId === undefined ? undefined : await members(c, needs.ownHouseholdId),
      joinedHousehold:
        needs.joinHouseholdId === undefined ? undefined : await members(c, needs.joinHouseholdId),
      newResidentCode: needs.newResidentCode
        ? await issueResidentCode({ isResidentCodeUsed })
        : undefined,
      newHouseholdId: needs.newHousehold
        ? String(
            (await c.query<{ id: number }>("SELECT nextval('household_number') AS id")).rows[0]!.id,
          )
        : undefined,
      formCodeRetired:
        subject !== undefined && currentRow === undefined ? await codeUsed(c, subject) : undefined,
    });
    const at = nowIso();
    const write = async (
      personId: number | undefined,
      record: ResidentRecord,
      isSubject: boolean,
    ) => {
      const values = [
        record.residentCode,
        record.individualNumber ?? null,
        record.householdId,
        record.status,
        JSON.stringify(record),
      ];
      const id =
        personId === undefined
          ? (
              await c.query<{ person_id: number }>(
                'INSERT INTO resident_record (resident_code, individual_number, household_id, status, record) VALUES ($1, $2, $3, $4, $5) RETURNING person_id',
                values,
              )
            ).rows[0]!.person_id
          : (await c.query(
              'UPDATE resident_record SET resident_code = $1, individual_number = $2, household_id = $3, status = $4, record = $5 WHERE person_id = $6',
              [...values, personId],
            ),
            personId);
      await c.query(
        'INSERT INTO used_resident_code (code, person_id) VALUES ($1, $2) ON CONFLICT (code) DO NOTHING',
        [record.residentCode, id],
      );
      await c.query(
        'INSERT INTO record_history (person_id, transaction_id, operation, subject, recorded_at, record) VALUES ($1, $2, $3, $4, $5, $6)',
        [id, transactionId, op.reason, isSubject, at, JSON.stringify(record)],
      );
    };
    await write(currentRow?.person_id, result.record, true);
    for (const member of result.householdChanges)
      await write((await byCode(c, member.residentCode))!.person_id, member, false);
    const feedId = result.event
      ? (
          await c.query<{ id: number }>(
            "INSERT INTO change_feed (transaction_id, event, origin, recorded_at) VALUES ($1, $2, 'counter', $3) RETURNING id",
            [transactionId, JSON.stringify(result.event), at],
          )
        ).rows[0]!.id
      : undefined;
    return { ...result, transactionId, feedId, duplicate: false };
  }

  async getRecord(code: ResidentCode): Promise<ResidentRecord | undefined> {
    return (await byCode(this.#pool, code))?.record;
  }

  async household(householdId: string): Promise<ResidentRecord[]> {
    return headFirst(await members(this.#pool, householdId));
  }

  async history(code: ResidentCode): Promise<RecordHistoryEntry[]> {
    const { rows } = await this.#pool.query<HistoryRow>(
      `SELECT ${HISTORY_COLUMNS} FROM record_history
        WHERE person_id = (SELECT person_id FROM used_resident_code WHERE code = $1) ORDER BY sequence`,
      [code],
    );
    return rows.map(historyFromRow);
  }

  async isResidentCodeUsed(code: ResidentCode): Promise<boolean> {
    return codeUsed(this.#pool, code);
  }

  async pendingFeed(limit: number): Promise<FeedEntry[]> {
    const { rows } = await this.#pool.query<FeedRow>(
      "SELECT id, event FROM change_feed WHERE state = 'pending' ORDER BY id LIMIT $1",
      [limit],
    );
    return rows.map((r) => ({ id: r.id, event: r.event }));
  }

  async settleFeed(
    settled: readonly { readonly id: number; readonly outcome: FeedOutcome }[],
  ): Promise<void> {
    if (settled.length === 0) return;
    await this.#write(async (c) => {
      const at = nowIso();
      for (const { id, outcome } of settled) {
        const state = settleStateOf(outcome);
        const { rows } = await c.query<{ transaction_id: string; state: string }>(
          'SELECT transaction_id, state FROM change_feed WHERE id = $1',
          [id],
        );
        const entry = rows[0];
        if (entry === undefined) throw unknownFeedEntry(id);
        // Settling twice (a pump retrying after a lost answer) changes nothing.
        if (entry.state !== 'pending') continue;
        await c.query('UPDATE change_feed SET state = $1, settled_at = $2 WHERE id = $3', [
          state,
          at,
          id,
        ]);
        if (typeof outcome === 'object')
          await insertRejection(c, entry.transaction_id, REJECTED_BY_CS, outcome.rejected, at);
      }
    });
  }

  async recordUpstreamRejection(
    transactionId: string,
    rejectedBy: string,
    rejection: Rejection,
  ): Promise<void> {
    try {
      await insertRejection(this.#pool, transactionId, rejectedBy, rejection, nowIso());
    } catch (e) {
      throw translatePgError(e);
    }
  }

  async listRejections(limit: number): Promise<FeedRejection[]> {
    const { rows } = await this.#pool.query<RejectionRow>(REJECTIONS_SQL('$1'), [limit]);
    return rows.map(rejectionFromRow);
  }

  async appendChanges(changes: readonly FeedAppend[]): Promise<AppendReport> {
    return this.#write(async (c) => {
      const at = nowIso();
      let appended = 0;
      let duplicates = 0;
      for (const { line, event } of changes) {
        const inserted = await c.query(
          "INSERT INTO change_feed (transaction_id, event, origin, recorded_at) VALUES ($1, $2, 'import', $3) ON CONFLICT (transaction_id) DO NOTHING RETURNING id",
          [event.transactionId, JSON.stringify(event), at],
        );
        if ((inserted.rowCount ?? 0) > 0) {
          appended += 1;
          continue;
        }
        const { rows } = await c.query<FeedRow>(
          'SELECT id, event FROM change_feed WHERE transaction_id = $1',
          [event.transactionId],
        );
        if (!sameEvent(rows[0]!.event, event)) throw transactionIdReused(line, event.transactionId);
        duplicates += 1;
      }
      return { appended, duplicates };
    });
  }

  async #write<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    try {
      return await inTransaction(this.#pool, async (c) => {
        await lock(c);
        return fn(c);
      });
    } catch (e) {
      throw translatePgError(e);
    }
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}

type Queryable = Pick<pg.Pool, 'query'>;

const lock = (c: Client) => c.query('SELECT pg_advisory_xact_lock($1)', [REGISTER_LOCK_KEY]);

async function byCode(q: Queryable, code: string): Promise<PersonRow | undefined> {
  const { rows } = await q.query<PersonRow>(
    'SELECT person_id, record FROM resident_record WHERE resident_code = $1',
    [code],
  );
  return rows[0];
}

async function members(q: Queryable, householdId: string): Promise<ResidentRecord[]> {
  const { rows } = await q.query<PersonRow>(
    "SELECT person_id, record FROM resident_record WHERE household_id = $1 AND status = 'resident' ORDER BY person_id",
    [householdId],
  );
  return rows.map((r) => r.record);
}

async function codeUsed(q: Queryable, code: string): Promise<boolean> {
  const { rowCount } = await q.query('SELECT 1 FROM used_resident_code WHERE code = $1', [code]);
  return (rowCount ?? 0) > 0;
}

async function insertRejection(
  q: Queryable,
  transactionId: string,
  rejectedBy: string,
  rejection: Rejection,
  at: string,
): Promise<void> {
  await q.query(
    'INSERT INTO feed_rejection (transaction_id, rejected_by, rule, message, recorded_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (transaction_id) DO NOTHING',
    [transactionId, rejectedBy, rejection.rule, rejection.message, at],
  );
}

/** What an earlier operation with this transaction id stored, or undefined. */
async function performed(c: Client, transactionId: string): Promise<PerformResult | undefined> {
  const { rows } = await c.query<HistoryRow>(
    `SELECT ${HISTORY_COLUMNS} FROM record_history WHERE transaction_id = $1 ORDER BY sequence`,
    [transactionId],
  );
  const subject = rows.find((r) => r.subject === true);
  if (subject === undefined) return undefined;
  const feed = (
    await c.query<FeedRow>('SELECT id, event FROM change_feed WHERE transaction_id = $1', [
      transactionId,
    ])
  ).rows[0];
  return {
    record: subject.record,
    event: feed?.event,
    householdChanges: rows.filter((r) => r.subject !== true).map((r) => r.record),
    transactionId,
    feedId: feed?.id,
    duplicate: true,
  };
}

import type pg from 'pg';
import { acquirePostgres } from './postgres-pool.ts';
import type { ReportAnswer, ReportRecord, ReportRequest } from '../../domain/report/report.ts';
import type { ReportHop } from '../../domain/report/report-route.ts';
import type { ReportStore } from '../ports.ts';
import {
  ANSWER_COLUMNS,
  EVENT_COLUMNS,
  REQUEST_COLUMNS,
  analysisColumn,
  answerArrivalEvent,
  answerFromRow,
  arrivalEvent,
  checkAnswer,
  checkRequest,
  checkSameAnswer,
  checkSameRequest,
  detailText,
  leavingEvent,
  queuedAnswer,
  queuedEvent,
  recordFromRows,
  requestFromRow,
  unknownRequest,
  type AnswerRow,
  type EventRow,
  type QueueRow,
  type RequestRow,
} from '../report-row.ts';
import type {
  AnswerArrival,
  QueueKey,
  QueueOutcome,
  QueuedReport,
  RecordOutcome,
  ReportArrival,
} from '../report-records.ts';
import { translatePgError } from './postgres-errors.ts';
import { inTransaction, isRaceLost } from './postgres-transaction.ts';

const INSERT_EVENT = `INSERT INTO report_event (${EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (request_id, kind) DO NOTHING`;
const ENQUEUE = `INSERT INTO report_queue (peer, item, request_id, via, queued_at)
  VALUES ($1, $2, $3, $4, $5) ON CONFLICT (peer, item, request_id) DO NOTHING`;
const QUEUE_SQL = `SELECT q.peer, q.item, q.via, q.queued_at,
    r.id, r.origin, r.target, r.subject, r.body, r.operator, r.requested_at, r.arrived_via, r.arrived_from, r.analysis,
    a.answered_by AS a_answered_by, a.body AS a_body, a.operator AS a_operator, a.answered_at AS a_answered_at
  FROM report_queue q
  JOIN report_request r ON r.id = q.request_id
  LEFT JOIN report_answer a ON a.request_id = q.request_id
  WHERE q.peer = $1 AND q.via = $2 AND q.done_at IS NULL
  ORDER BY q.queued_at, q.item, q.request_id COLLATE "C" LIMIT $3`;

/** 報告要求 on PostgreSQL (a small pool of its own). */
export class PostgresReportStore implements ReportStore {
  readonly #pool: pg.Pool;

  readonly #release: () => Promise<void>;

  private constructor(pool: pg.Pool, release: () => Promise<void>) {
    this.#pool = pool;
    this.#release = release;
  }

  static async open(
    connectionString: string,
    options: { schema?: string } = {},
  ): Promise<PostgresReportStore> {
    const shared = await acquirePostgres(connectionString, { schema: options.schema });
    return new PostgresReportStore(shared.pool, shared.release);
  }

  /** One transaction; a racing insert of the same id is retried (and then found: `duplicate`). */
  async #write<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    try {
      return await inTransaction(this.#pool, fn, { retryIf: isRaceLost, attempts: 3 });
    } catch (e) {
      throw translatePgError(e);
    }
  }

  async recordRequest(
    r: ReportRequest,
    arrival: ReportArrival,
    next: ReportHop | undefined,
  ): Promise<RecordOutcome> {
    checkRequest(r);
    return this.#write(async (c) => {
      const { rows } = await c.query<RequestRow>(
        `SELECT ${REQUEST_COLUMNS} FROM report_request WHERE id = $1`,
        [r.id],
      );
      if (rows[0]) {
        checkSameRequest(requestFromRow(rows[0]), r);
        return 'duplicate';
      }
      await c.query(
        `INSERT INTO report_request (${REQUEST_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          r.id,
          r.origin,
          r.target,
          r.subject,
          r.body,
          r.operator,
          r.requestedAt,
          arrival.via,
          arrival.from ?? null,
          analysisColumn(r),
        ],
      );
      const from = arrival.from ?? null;
      await c.query(INSERT_EVENT, [
        r.id,
        arrivalEvent(arrival.via),
        arrival.at,
        from,
        r.operator,
        null,
      ]);
      if (next) {
        await c.query(ENQUEUE, [next.peer, 'request', r.id, next.via, arrival.at]);
        if (next.via === 'poll')
          await c.query(INSERT_EVENT, [
            r.id,
            queuedEvent('request'),
            arrival.at,
            next.peer,
            r.operator,
            null,
          ]);
      }
      return 'recorded';
    });
  }

  async recordAnswer(
    a: ReportAnswer,
    arrival: AnswerArrival,
    next: ReportHop | undefined,
  ): Promise<RecordOutcome> {
    checkAnswer(a);
    return this.#write(async (c) => {
      const known = await c.query('SELECT 1 FROM report_request WHERE id = $1 FOR UPDATE', [
        a.requestId,
      ]);
      if (known.rowCount === 0) throw unknownRequest(a.requestId);
      const { rows } = await c.query<AnswerRow>(
        `SELECT ${ANSWER_COLUMNS} FROM report_answer WHERE request_id = $1`,
        [a.requestId],
      );
      if (rows[0]) {
        checkSameAnswer(answerFromRow(rows[0]), a);
        return 'duplicate';
      }
      const from = arrival.from ?? null;
      await c.query(
        `INSERT INTO report_answer (${ANSWER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`,
        [a.requestId, a.answeredBy, a.body, a.operator, a.answeredAt, from],
      );
      await c.query(INSERT_EVENT, [
        a.requestId,
        answerArrivalEvent(arrival.from),
        arrival.at,
        from,
        a.operator,
        null,
      ]);
      if (next) {
        await c.query(ENQUEUE, [next.peer, 'answer', a.requestId, next.via, arrival.at]);
        if (next.via === 'poll')
          await c.query(INSERT_EVENT, [
            a.requestId,
            queuedEvent('answer'),
            arrival.at,
            next.peer,
            a.operator,
            null,
          ]);
      }
      return 'recorded';
    });
  }

  async queued(peer: string, via: ReportHop['via'], limit: number): Promise<QueuedReport[]> {
    const { rows } = await this.#pool
      .query<QueueRow>(QUEUE_SQL, [peer, via, limit])
      .catch((e: unknown) => {
        throw translatePgError(e);
      });
    return rows.map((row): QueuedReport => {
      const common = {
        peer: row.peer,
        via: row.via as ReportHop['via'],
        queuedAt: (row.queued_at as Date).toISOString(),
      };
      const request = requestFromRow(row);
      return row.item === 'answer'
        ? { ...common, item: 'answer', request, answer: queuedAnswer(row) }
        : { ...common, item: 'request', request };
    });
  }

  async dequeue(
    peer: string,
    keys: readonly QueueKey[],
    at: string,
    outcome: QueueOutcome,
  ): Promise<number> {
    if (keys.length === 0) return 0;
    return this.#write(async (c) => {
      let taken = 0;
      for (const k of keys) {
        const { rows } = await c.query<{ via: string; operator: string | null }>(
          `UPDATE report_queue q SET done_at = $1
           WHERE q.peer = $2 AND q.item = $3 AND q.request_id = $4 AND q.done_at IS NULL
           RETURNING q.via, (CASE WHEN q.item = 'answer'
             THEN (SELECT operator FROM report_answer WHERE request_id = q.request_id)
             ELSE (SELECT operator FROM report_request WHERE id = q.request_id) END) AS operator`,
          [at, peer, k.item, k.requestId],
        );
        const row = rows[0];
        if (!row) continue;
        taken++;
        const detail = outcome.outcome === 'refused' ? detailText(outcome.detail) : null;
        await c.query(INSERT_EVENT, [
          k.requestId,
          leavingEvent(k.item, row.via, outcome),
          at,
          peer,
          row.operator ?? '',
          detail,
        ]);
      }
      return taken;
    });
  }

  async report(id: string): Promise<ReportRecord | undefined> {
    return (await this.#records('WHERE id = $1', [id]))[0];
  }

  async listReports(limit: number): Promise<ReportRecord[]> {
    return this.#records('ORDER BY seq DESC LIMIT $1', [limit]);
  }

  async #records(where: string, values: unknown[]): Promise<ReportRecord[]> {
    try {
      const { rows } = await this.#pool.query<RequestRow>(
        `SELECT ${REQUEST_COLUMNS} FROM report_request ${where}`,
        values,
      );
      if (rows.length === 0) return [];
      const ids = rows.map((r) => r.id);
      const answers = await this.#pool.query<AnswerRow>(
        `SELECT ${ANSWER_COLUMNS} FROM report_answer WHERE request_id = ANY($1)`,
        [ids],
      );
      const events = await this.#pool.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM report_event WHERE request_id = ANY($1) ORDER BY id`,
        [ids],
      );
      return rows.map((r) =>
        recordFromRows(
          r,
          answers.rows.find((a) => a.request_id === r.id),
          events.rows.filter((e) => e.request_id === r.id),
        ),
      );
    } catch (e) {
      throw translatePgError(e);
    }
  }

  async close(): Promise<void> {
    await this.#release();
  }
}

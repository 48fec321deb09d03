/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; the port is async. */
import type Database from 'better-sqlite3';
import type { ReportAnswer, ReportRecord, ReportRequest } from '../../domain/report/report.ts';
import type { ReportHop } from '../../domain/report/report-route.ts';
import { applySqliteMigrations } from '../migrations/apply-sqlite-migrations.ts';
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
import { acquireSqlite } from './sqlite-connection.ts';

const QUEUE_SQL = `SELECT q.peer, q.item, q.via, q.queued_at,
    r.id, r.origin, r.target, r.subject, r.body, r.operator, r.requested_at, r.arrived_via, r.arrived_from, r.analysis,
    a.answered_by AS a_answered_by, a.body AS a_body, a.operator AS a_operator, a.answered_at AS a_answered_at
  FROM report_queue q
  JOIN report_request r ON r.id = q.request_id
  LEFT JOIN report_answer a ON a.request_id = q.request_id
  WHERE q.peer = ? AND q.via = ? AND q.done_at IS NULL
  ORDER BY q.queued_at, q.item, q.request_id LIMIT ?`;

function prepare(db: Database.Database) {
  return {
    request: db.prepare<[string], RequestRow>(
      `SELECT ${REQUEST_COLUMNS} FROM report_request WHERE id = ?`,
    ),
    answer: db.prepare<[string], AnswerRow>(
      `SELECT ${ANSWER_COLUMNS} FROM report_answer WHERE request_id = ?`,
    ),
    events: db.prepare<[string], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM report_event WHERE request_id = ? ORDER BY id`,
    ),
    newest: db.prepare<[number], RequestRow>(
      `SELECT ${REQUEST_COLUMNS} FROM report_request ORDER BY seq DESC LIMIT ?`,
    ),
    insertRequest: db.prepare(
      `INSERT INTO report_request (${REQUEST_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertAnswer: db.prepare(
      `INSERT INTO report_answer (${ANSWER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    insertEvent: db.prepare(
      `INSERT INTO report_event (${EVENT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (request_id, kind) DO NOTHING`,
    ),
    enqueue: db.prepare(
      `INSERT INTO report_queue (peer, item, request_id, via, queued_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (peer, item, request_id) DO NOTHING`,
    ),
    queued: db.prepare<[string, string, number], QueueRow>(QUEUE_SQL),
    take: db.prepare<[string, string, string, string], { via: string }>(
      `UPDATE report_queue SET done_at = ? WHERE peer = ? AND item = ? AND request_id = ?
       AND done_at IS NULL RETURNING via`,
    ),
  };
}

/** 報告要求 in the node's SQLite file (the connection it shares with the node's other stores). */
export class SqliteReportStore implements ReportStore {
  readonly #release: () => void;
  readonly #s: ReturnType<typeof prepare>;
  readonly #recordRequest: Database.Transaction<
    (r: ReportRequest, arrival: ReportArrival, next: ReportHop | undefined) => RecordOutcome
  >;
  readonly #recordAnswer: Database.Transaction<
    (a: ReportAnswer, arrival: AnswerArrival, next: ReportHop | undefined) => RecordOutcome
  >;
  readonly #dequeue: Database.Transaction<
    (peer: string, keys: readonly QueueKey[], at: string, outcome: QueueOutcome) => number
  >;

  private constructor(db: Database.Database, release: () => void) {
    this.#release = release;
    const s = prepare(db);
    this.#s = s;
    this.#recordRequest = db.transaction((r, arrival, next) => {
      const stored = s.request.get(r.id);
      if (stored) {
        checkSameRequest(requestFromRow(stored), r);
        return 'duplicate';
      }
      s.insertRequest.run(
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
      );
      s.insertEvent.run(
        r.id,
        arrivalEvent(arrival.via),
        arrival.at,
        arrival.from ?? null,
        r.operator,
        null,
      );
      if (next) {
        s.enqueue.run(next.peer, 'request', r.id, next.via, arrival.at);
        if (next.via === 'poll')
          s.insertEvent.run(r.id, queuedEvent('request'), arrival.at, next.peer, r.operator, null);
      }
      return 'recorded';
    });
    this.#recordAnswer = db.transaction((a, arrival, next) => {
      if (!s.request.get(a.requestId)) throw unknownRequest(a.requestId);
      const stored = s.answer.get(a.requestId);
      if (stored) {
        checkSameAnswer(answerFromRow(stored), a);
        return 'duplicate';
      }
      s.insertAnswer.run(
        a.requestId,
        a.answeredBy,
        a.body,
        a.operator,
        a.answeredAt,
        arrival.from ?? null,
      );
      s.insertEvent.run(
        a.requestId,
        answerArrivalEvent(arrival.from),
        arrival.at,
        arrival.from ?? null,
        a.operator,
        null,
      );
      if (next) {
        s.enqueue.run(next.peer, 'answer', a.requestId, next.via, arrival.at);
        if (next.via === 'poll')
          s.insertEvent.run(
            a.requestId,
            queuedEvent('answer'),
            arrival.at,
            next.peer,
            a.operator,
            null,
          );
      }
      return 'recorded';
    });
    this.#dequeue = db.transaction((peer, keys, at, outcome) => {
      let taken = 0;
      for (const k of keys) {
        const row = s.take.get(at, peer, k.item, k.requestId);
        if (!row) continue;
        taken++;
        const operator =
          k.item === 'answer'
            ? (s.answer.get(k.requestId)?.operator ?? '')
            : (s.request.get(k.requestId)?.operator ?? '');
        const detail = outcome.outcome === 'refused' ? detailText(outcome.detail) : null;
        s.insertEvent.run(
          k.requestId,
          leavingEvent(k.item, row.via, outcome),
          at,
          peer,
          operator,
          detail,
        );
      }
      return taken;
    });
  }

  static open(path: string): SqliteReportStore {
    const conn = acquireSqlite(path);
    const db = conn.db;
    try {
      if (path !== ':memory:') db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      applySqliteMigrations(db);
      return new SqliteReportStore(db, conn.release);
    } catch (e) {
      conn.release();
      throw e;
    }
  }

  async recordRequest(
    r: ReportRequest,
    arrival: ReportArrival,
    next: ReportHop | undefined,
  ): Promise<RecordOutcome> {
    checkRequest(r);
    return this.#recordRequest(r, arrival, next);
  }

  async recordAnswer(
    a: ReportAnswer,
    arrival: AnswerArrival,
    next: ReportHop | undefined,
  ): Promise<RecordOutcome> {
    checkAnswer(a);
    return this.#recordAnswer(a, arrival, next);
  }

  async queued(peer: string, via: ReportHop['via'], limit: number): Promise<QueuedReport[]> {
    return this.#s.queued.all(peer, via, limit).map((row): QueuedReport => {
      const common = {
        peer: row.peer,
        via: row.via as ReportHop['via'],
        queuedAt: row.queued_at as string,
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
    return this.#dequeue(peer, keys, at, outcome);
  }

  async report(id: string): Promise<ReportRecord | undefined> {
    const row = this.#s.request.get(id);
    return row === undefined ? undefined : this.#record(row);
  }

  async listReports(limit: number): Promise<ReportRecord[]> {
    return this.#s.newest.all(limit).map((row) => this.#record(row));
  }

  #record(row: RequestRow): ReportRecord {
    return recordFromRows(row, this.#s.answer.get(row.id), this.#s.events.all(row.id));
  }

  async close(): Promise<void> {
    this.#release();
  }
}

/* eslint-disable @typescript-eslint/require-await -- better-sqlite3 is synchronous; the port is async. */
import type Database from 'better-sqlite3';
import { findingKey, type Finding } from '../../domain/audit/analysis.ts';
import type { NewSecurityAlert, SecurityAlert } from '../../domain/network/SecurityAlert.ts';
import { alertFromRow, type AlertRow } from '../alert-row.ts';
import {
  ALERT_INSERT_SQL,
  ALERT_RETURNING,
  ANALYSIS_SOURCES,
  alertValues,
  DISCLOSURE_SQL,
  FINDING_COLUMNS,
  NO_CURSORS,
  REFUSAL_SQL,
  RUN_COLUMNS,
  disclosureInputFromRow,
  findingValues,
  refusalInputFromRow,
  runFromRow,
  type AnalysisCursor,
  type AnalysisCursors,
  type AnalysisRun,
  type AnalysisSource,
  type AnalysisStore,
  type DisclosureInputRow,
  type NewAnalysisRun,
  type RefusalInputRow,
  type RunRow,
} from '../analysis-store.ts';
import { applySqliteMigrations } from '../migrations/apply-sqlite-migrations.ts';
import { acquireSqlite } from './sqlite-connection.ts';

type CursorRow = { source: string; cursor: number; rewind: number };

/** The analysis tables in the node's SQLite file (the shared connection of the file). */
export class SqliteAnalysisStore implements AnalysisStore {
  readonly #release: () => void;
  readonly #cursors: Database.Statement<[], CursorRow>;
  readonly #refusals: Database.Statement<[number, number], RefusalInputRow>;
  readonly #disclosures: Database.Statement<[number, number], DisclosureInputRow>;
  readonly #runs: Database.Statement<[number], RunRow>;
  readonly #record: (
    run: NewAnalysisRun,
    findings: readonly Finding[],
    cursors: AnalysisCursors,
    alertOf: (finding: Finding) => NewSecurityAlert,
  ) => { run: AnalysisRun; fresh: Finding[]; alerts: SecurityAlert[] };

  private constructor(db: Database.Database, release: () => void) {
    this.#release = release;
    this.#cursors = db.prepare('SELECT source, cursor, rewind FROM audit_analysis_cursor');
    this.#refusals = db.prepare(`${REFUSAL_SQL} WHERE id > ? ORDER BY id LIMIT ?`);
    this.#disclosures = db.prepare(`${DISCLOSURE_SQL} WHERE id > ? ORDER BY id LIMIT ?`);
    this.#runs = db.prepare(
      `SELECT ${RUN_COLUMNS} FROM audit_analysis_run ORDER BY id DESC LIMIT ?`,
    );
    const insertRun = db.prepare<unknown[], RunRow>(
      `INSERT INTO audit_analysis_run (at, rules, ranges, records, findings, new_findings)
       VALUES (?, ?, ?, ?, ?, 0) RETURNING ${RUN_COLUMNS}`,
    );
    const insertFinding = db.prepare(
      `INSERT INTO audit_finding (${FINDING_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (finding_key) DO NOTHING`,
    );
    const insertAlert = db.prepare<unknown[], AlertRow>(
      `${ALERT_INSERT_SQL} VALUES (?, ?, ?, ?, ?, ?) ${ALERT_RETURNING}`,
    );
    const setNew = db.prepare('UPDATE audit_analysis_run SET new_findings = ? WHERE id = ?');
    const setCursor = db.prepare(
      `INSERT INTO audit_analysis_cursor (source, cursor, rewind) VALUES (?, ?, ?)
       ON CONFLICT (source) DO UPDATE SET cursor = MAX(cursor, excluded.cursor),
         rewind = MAX(rewind, excluded.rewind)`,
    );
    this.#record = db.transaction(
      (
        run: NewAnalysisRun,
        findings: readonly Finding[],
        cursors: AnalysisCursors,
        alertOf: (finding: Finding) => NewSecurityAlert,
      ) => {
        const row = insertRun.get(
          run.at,
          JSON.stringify(run.rules),
          JSON.stringify(run.ranges),
          run.records,
          run.findings,
        )!;
        const id = Number(row.id);
        const fresh = findings.filter(
          (f) => insertFinding.run(...findingValues(id, findingKey(f), f)).changes === 1,
        );
        const alerts = fresh.map((f) => alertFromRow(insertAlert.get(...alertValues(alertOf(f)))!));
        setNew.run(fresh.length, id);
        for (const s of ANALYSIS_SOURCES) setCursor.run(s, cursors[s].cursor, cursors[s].rewind);
        return { run: { ...runFromRow(row), newFindings: fresh.length }, fresh, alerts };
      },
    );
  }

  static open(path: string): SqliteAnalysisStore {
    const conn = acquireSqlite(path);
    const db = conn.db;
    try {
      if (path !== ':memory:') db.pragma('journal_mode = WAL');
      applySqliteMigrations(db);
      return new SqliteAnalysisStore(db, conn.release);
    } catch (e) {
      conn.release();
      throw e;
    }
  }

  async cursors(): Promise<AnalysisCursors> {
    const out: Record<AnalysisSource, AnalysisCursor> = { ...NO_CURSORS };
    for (const r of this.#cursors.all())
      if ((ANALYSIS_SOURCES as readonly string[]).includes(r.source))
        out[r.source as AnalysisSource] = { cursor: Number(r.cursor), rewind: Number(r.rewind) };
    return out;
  }

  async refusalsAfter(afterId: number, limit: number) {
    return this.#refusals.all(afterId, limit).map(refusalInputFromRow);
  }

  async disclosuresAfter(afterId: number, limit: number) {
    return this.#disclosures.all(afterId, limit).map(disclosureInputFromRow);
  }

  async recordRun(
    run: NewAnalysisRun,
    findings: readonly Finding[],
    cursors: AnalysisCursors,
    alertOf: (finding: Finding) => NewSecurityAlert,
  ) {
    return this.#record(run, findings, cursors, alertOf);
  }

  async listRuns(limit: number): Promise<AnalysisRun[]> {
    return this.#runs.all(limit).map(runFromRow);
  }

  async close(): Promise<void> {
    this.#release();
  }
}

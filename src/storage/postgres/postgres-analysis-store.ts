import type pg from 'pg';
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
import { acquirePostgres } from './postgres-pool.ts';
import { inTransaction } from './postgres-transaction.ts';

/** The analysis tables on PostgreSQL (the node's shared pool, postgres-pool.ts). */
export class PostgresAnalysisStore implements AnalysisStore {
  readonly #pool: pg.Pool;
  readonly #release: () => Promise<void>;

  private constructor(pool: pg.Pool, release: () => Promise<void>) {
    this.#pool = pool;
    this.#release = release;
  }

  static async open(
    connectionString: string,
    options: { schema?: string } = {},
  ): Promise<PostgresAnalysisStore> {
    const shared = await acquirePostgres(connectionString, { schema: options.schema });
    return new PostgresAnalysisStore(shared.pool, shared.release);
  }

  async cursors(): Promise<AnalysisCursors> {
    const { rows } = await this.#pool.query<{ source: string; cursor: number; rewind: number }>(
      'SELECT source, cursor, rewind FROM audit_analysis_cursor',
    );
    const out: Record<AnalysisSource, AnalysisCursor> = { ...NO_CURSORS };
    for (const r of rows)
      if ((ANALYSIS_SOURCES as readonly string[]).includes(r.source))
        out[r.source as AnalysisSource] = { cursor: Number(r.cursor), rewind: Number(r.rewind) };
    return out;
  }

  async refusalsAfter(afterId: number, limit: number) {
    const { rows } = await this.#pool.query<RefusalInputRow>(
      `${REFUSAL_SQL} WHERE id > $1 ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map(refusalInputFromRow);
  }

  async disclosuresAfter(afterId: number, limit: number) {
    const { rows } = await this.#pool.query<DisclosureInputRow>(
      `${DISCLOSURE_SQL} WHERE id > $1 ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map(disclosureInputFromRow);
  }

  async recordRun(
    run: NewAnalysisRun,
    findings: readonly Finding[],
    cursors: AnalysisCursors,
    alertOf: (finding: Finding) => NewSecurityAlert,
  ) {
    return inTransaction(this.#pool, async (client) => {
      const { rows } = await client.query<RunRow>(
        `INSERT INTO audit_analysis_run (at, rules, ranges, records, findings, new_findings)
         VALUES ($1, $2, $3, $4, $5, 0) RETURNING ${RUN_COLUMNS}`,
        [run.at, JSON.stringify(run.rules), JSON.stringify(run.ranges), run.records, run.findings],
      );
      const row = rows[0]!;
      const id = Number(row.id);
      const fresh: Finding[] = [];
      for (const f of findings) {
        const r = await client.query(
          `INSERT INTO audit_finding (${FINDING_COLUMNS})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           ON CONFLICT (finding_key) DO NOTHING`,
          findingValues(id, findingKey(f), f),
        );
        if (r.rowCount === 1) fresh.push(f);
      }
      const alerts: SecurityAlert[] = [];
      for (const f of fresh) {
        const a = await client.query<AlertRow>(
          `${ALERT_INSERT_SQL} VALUES ($1, $2, $3, $4, $5, $6) ${ALERT_RETURNING}`,
          alertValues(alertOf(f)),
        );
        alerts.push(alertFromRow(a.rows[0]!));
      }
      await client.query('UPDATE audit_analysis_run SET new_findings = $1 WHERE id = $2', [
        fresh.length,
        id,
      ]);
      for (const s of ANALYSIS_SOURCES)
        await client.query(
          `INSERT INTO audit_analysis_cursor (source, cursor, rewind) VALUES ($1, $2, $3)
           ON CONFLICT (source) DO UPDATE SET
             cursor = GREATEST(audit_analysis_cursor.cursor, excluded.cursor),
             rewind = GREATEST(audit_analysis_cursor.rewind, excluded.rewind)`,
          [s, cursors[s].cursor, cursors[s].rewind],
        );
      return { run: { ...runFromRow(row), newFindings: fresh.length }, fresh, alerts };
    });
  }

  async listRuns(limit: number): Promise<AnalysisRun[]> {
    const { rows } = await this.#pool.query<RunRow>(
      `SELECT ${RUN_COLUMNS} FROM audit_analysis_run ORDER BY id DESC LIMIT $1`,
      [limit],
    );
    return rows.map(runFromRow);
  }

  async close(): Promise<void> {
    await this.#release();
  }
}

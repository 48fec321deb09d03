import type Database from 'better-sqlite3';
import type { Disclosure, NewDisclosure } from '../../domain/provision/disclosure.ts';
import {
  DISCLOSURE_COLUMNS,
  checkPrefecturePage,
  checkSyncedDisclosures,
  disclosureFromRow,
  disclosureValues,
  type DisclosureRow,
} from '../provision-row.ts';
import { translateSqliteError } from './sqlite-errors.ts';

const INSERT_COLUMNS = DISCLOSURE_COLUMNS.replace('id, ', '');
const PLACEHOLDERS = INSERT_COLUMNS.split(',')
  .map(() => '?')
  .join(', ');

/** `INSERT` of one disclosure record, idempotent on its key (resident_code, node, query_id). */
export const SQLITE_INSERT_DISCLOSURE = `INSERT INTO disclosure (${INSERT_COLUMNS})
  VALUES (${PLACEHOLDERS})
  ON CONFLICT (resident_code, node, query_id) DO NOTHING`;

/**
 * The distribution of disclosure records (R17) on the provision store's SQLite connection: the
 * national server's page of one prefecture's records, a prefecture server's copies and cursor.
 * SQLite writes one transaction at a time, so ids are committed in ascending order and a reader
 * paging by id never skips one that commits later.
 */
export class SqliteDisclosureSync {
  readonly #forPrefecture: Database.Statement<[string, number, number], DisclosureRow>;
  readonly #cursor: Database.Statement<[string], { after_id: number }>;
  readonly #record: Database.Transaction<
    (source: string, records: readonly NewDisclosure[], afterId: number) => number
  >;

  constructor(db: Database.Database) {
    this.#forPrefecture = db.prepare<[string, number, number], DisclosureRow>(
      `SELECT ${DISCLOSURE_COLUMNS} FROM disclosure
        WHERE prefecture_code = ? AND id > ? ORDER BY id LIMIT ?`,
    );
    this.#cursor = db.prepare<[string], { after_id: number }>(
      'SELECT after_id FROM disclosure_sync_cursor WHERE source = ?',
    );
    const insert = db.prepare<(string | null)[]>(SQLITE_INSERT_DISCLOSURE);
    const move = db.prepare<[string, number, string]>(
      `INSERT INTO disclosure_sync_cursor (source, after_id, synced_at) VALUES (?, ?, ?)
       ON CONFLICT (source) DO UPDATE SET after_id = max(after_id, excluded.after_id),
         synced_at = excluded.synced_at`,
    );
    this.#record = db.transaction(
      (source: string, records: readonly NewDisclosure[], afterId: number) => {
        let added = 0;
        for (const d of records) added += insert.run(...disclosureValues(d)).changes;
        move.run(source, afterId, new Date().toISOString());
        return added;
      },
    );
  }

  forPrefecture(prefectureCode: string, afterId: number, limit: number): Disclosure[] {
    checkPrefecturePage(prefectureCode, afterId, limit);
    return this.#forPrefecture.all(prefectureCode, afterId, limit).map(disclosureFromRow);
  }

  record(source: string, records: readonly NewDisclosure[], afterId: number): number {
    checkSyncedDisclosures(source, records, afterId);
    try {
      return this.#record.immediate(source, records, afterId);
    } catch (e) {
      throw translateSqliteError(e, undefined);
    }
  }

  cursor(source: string): number {
    return Number(this.#cursor.get(source)?.after_id ?? 0);
  }
}

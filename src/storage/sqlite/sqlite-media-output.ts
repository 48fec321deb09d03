import type Database from 'better-sqlite3';
import type { MediaOutput, NewMediaOutput } from '../../domain/provision/media-output.ts';
import {
  MEDIA_OUTPUT_COLUMNS,
  checkMediaOutput,
  mediaOutputExists,
  mediaOutputFromRow,
  mediaOutputValues,
  type MediaOutputRow,
} from '../media-output-row.ts';
import { translateSqliteError } from './sqlite-errors.ts';

/** The media output record (R22) on the provision store's SQLite connection. */
export class SqliteMediaOutputs {
  readonly #insert: Database.Statement<(string | number | null)[], MediaOutputRow>;
  readonly #list: Database.Statement<[string | null, string | null, number], MediaOutputRow>;

  constructor(db: Database.Database) {
    this.#insert = db.prepare<(string | number | null)[], MediaOutputRow>(
      `INSERT INTO media_outputs (${MEDIA_OUTPUT_COLUMNS})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING RETURNING ${MEDIA_OUTPUT_COLUMNS}`,
    );
    this.#list = db.prepare<[string | null, string | null, number], MediaOutputRow>(
      `SELECT ${MEDIA_OUTPUT_COLUMNS} FROM media_outputs
        WHERE (? IS NULL OR recipient_id = ?) ORDER BY at DESC, id DESC LIMIT ?`,
    );
  }

  record(m: NewMediaOutput): MediaOutput {
    checkMediaOutput(m);
    let row: MediaOutputRow | undefined;
    try {
      row = this.#insert.get(...mediaOutputValues(m));
    } catch (e) {
      throw translateSqliteError(e, undefined);
    }
    if (row === undefined) throw mediaOutputExists(m.id);
    return mediaOutputFromRow(row);
  }

  list(q: { readonly limit: number; readonly recipientId?: string }): MediaOutput[] {
    return this.#list
      .all(q.recipientId ?? null, q.recipientId ?? null, q.limit)
      .map(mediaOutputFromRow);
  }
}

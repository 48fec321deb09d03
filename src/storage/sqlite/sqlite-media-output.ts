import type Database from 'better-sqlite3';
import type {
  MediaDisposal,
  MediaOutput,
  NewMediaOutput,
} from '../../domain/provision/media-output.ts';
import {
  MEDIA_DISPOSAL_COLUMNS,
  MEDIA_LIST_COLUMNS,
  MEDIA_OUTPUT_COLUMNS,
  checkMediaOutput,
  mediaAlreadyDisposed,
  mediaDisposalFromRow,
  mediaDisposalValues,
  mediaListedFromRow,
  mediaOutputExists,
  mediaOutputFromRow,
  mediaOutputValues,
  unknownMediaOutput,
  type MediaDisposalRow,
  type MediaListRow,
  type MediaOutputRow,
} from '../media-output-row.ts';
import { translateSqliteError } from './sqlite-errors.ts';

/** The media output record (R22) on the provision store's SQLite connection. */
export class SqliteMediaOutputs {
  readonly #insert: Database.Statement<(string | number | null)[], MediaOutputRow>;
  readonly #list: Database.Statement<[string | null, string | null, number], MediaListRow>;
  readonly #dispose: Database.Statement<(string | null)[], MediaDisposalRow>;
  readonly #exists: Database.Statement<[string], { id: string }>;

  constructor(db: Database.Database) {
    this.#insert = db.prepare<(string | number | null)[], MediaOutputRow>(
      `INSERT INTO media_outputs (${MEDIA_OUTPUT_COLUMNS})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO NOTHING RETURNING ${MEDIA_OUTPUT_COLUMNS}`,
    );
    this.#list = db.prepare<[string | null, string | null, number], MediaListRow>(
      `SELECT ${MEDIA_LIST_COLUMNS} FROM media_outputs o LEFT JOIN media_disposal d ON d.media_id = o.id
        WHERE (? IS NULL OR o.recipient_id = ?) ORDER BY o.at DESC, o.id DESC LIMIT ?`,
    );
    this.#dispose = db.prepare<(string | null)[], MediaDisposalRow>(
      `INSERT INTO media_disposal (${MEDIA_DISPOSAL_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (media_id) DO NOTHING RETURNING ${MEDIA_DISPOSAL_COLUMNS}`,
    );
    this.#exists = db.prepare<[string], { id: string }>(
      'SELECT id FROM media_outputs WHERE id = ?',
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
      .map(mediaListedFromRow);
  }

  dispose(d: MediaDisposal): MediaDisposal {
    const values = mediaDisposalValues(d);
    if (this.#exists.get(d.mediaId) === undefined) throw unknownMediaOutput(d.mediaId);
    const row = this.#dispose.get(...values);
    if (row === undefined) throw mediaAlreadyDisposed(d.mediaId);
    return mediaDisposalFromRow(row);
  }
}

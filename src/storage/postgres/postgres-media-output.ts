import type pg from 'pg';
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

type Query = <R extends pg.QueryResultRow>(
  text: string,
  values?: unknown[],
) => Promise<pg.QueryResult<R>>;

/** The media output record (R22) through the provision store's pool. */
export async function recordPostgresMediaOutput(
  query: Query,
  m: NewMediaOutput,
): Promise<MediaOutput> {
  checkMediaOutput(m);
  const { rows } = await query<MediaOutputRow>(
    `INSERT INTO media_outputs (${MEDIA_OUTPUT_COLUMNS})
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
     ON CONFLICT (id) DO NOTHING RETURNING ${MEDIA_OUTPUT_COLUMNS}`,
    mediaOutputValues(m),
  );
  if (rows[0] === undefined) throw mediaOutputExists(m.id);
  return mediaOutputFromRow(rows[0]);
}

export async function listPostgresMediaOutputs(
  query: Query,
  q: { readonly limit: number; readonly recipientId?: string },
): Promise<MediaOutput[]> {
  const { rows } = await query<MediaListRow>(
    `SELECT ${MEDIA_LIST_COLUMNS} FROM media_outputs o LEFT JOIN media_disposal d ON d.media_id = o.id
      WHERE ($1::text IS NULL OR o.recipient_id = $1) ORDER BY o.at DESC, o.id COLLATE "C" DESC LIMIT $2`,
    [q.recipientId ?? null, q.limit],
  );
  return rows.map(mediaListedFromRow);
}

/** The disposal of a media output's medium (R33): once, for a recorded output only. */
export async function recordPostgresMediaDisposal(
  query: Query,
  d: MediaDisposal,
): Promise<MediaDisposal> {
  const values = mediaDisposalValues(d);
  const known = await query<{ id: string }>('SELECT id FROM media_outputs WHERE id = $1', [
    d.mediaId,
  ]);
  if (known.rows.length === 0) throw unknownMediaOutput(d.mediaId);
  const { rows } = await query<MediaDisposalRow>(
    `INSERT INTO media_disposal (${MEDIA_DISPOSAL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (media_id) DO NOTHING RETURNING ${MEDIA_DISPOSAL_COLUMNS}`,
    values,
  );
  if (rows[0] === undefined) throw mediaAlreadyDisposed(d.mediaId);
  return mediaDisposalFromRow(rows[0]);
}

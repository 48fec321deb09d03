import type pg from 'pg';
import type { MediaOutput, NewMediaOutput } from '../../domain/provision/media-output.ts';
import {
  MEDIA_OUTPUT_COLUMNS,
  checkMediaOutput,
  mediaOutputExists,
  mediaOutputFromRow,
  mediaOutputValues,
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
  const { rows } = await query<MediaOutputRow>(
    `SELECT ${MEDIA_OUTPUT_COLUMNS} FROM media_outputs
      WHERE ($1::text IS NULL OR recipient_id = $1) ORDER BY at DESC, id COLLATE "C" DESC LIMIT $2`,
    [q.recipientId ?? null, q.limit],
  );
  return rows.map(mediaOutputFromRow);
}

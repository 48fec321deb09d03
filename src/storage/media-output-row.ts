import { RegistryError } from '../domain/errors.ts';
import {
  mediaDisposalProblem,
  mediaOutputProblem,
  type MediaDisposal,
  type MediaOutput,
  type NewMediaOutput,
} from '../domain/provision/media-output.ts';
import { refusalError } from '../domain/provision/refusal.ts';
import { isoAt } from './provision-row.ts';

/* What both drivers share for the media output record (R22; migration 6) and its disposal (R33; migration 18). */

export const MEDIA_OUTPUT_COLUMNS =
  'id, at, node, operator, recipient_id, affair_id, file_name, file_sha256, byte_size, rows_in, rows_found, rows_not_found, rows_refused, key_kind, recipient_cert_sha256';

export type MediaOutputRow = {
  id: string;
  at: string | Date;
  node: string;
  operator: string;
  recipient_id: string;
  affair_id: string;
  file_name: string;
  file_sha256: string;
  byte_size: number | string;
  rows_in: number | string;
  rows_found: number | string;
  rows_not_found: number | string;
  rows_refused: number | string;
  key_kind: string;
  recipient_cert_sha256: string | null;
};

export function checkMediaOutput(m: NewMediaOutput): void {
  const problem = mediaOutputProblem(m);
  if (problem !== undefined) throw refusalError(problem);
}

export const mediaOutputExists = (id: string): RegistryError =>
  new RegistryError(
    'conflict',
    `媒体出力 ${id} は既に記録されています (media output id already recorded)`,
    'media-output.exists',
  );

/** The values in MEDIA_OUTPUT_COLUMNS order. */
export const mediaOutputValues = (m: NewMediaOutput): (string | number | null)[] => [
  m.id,
  isoAt(m.at),
  m.node,
  m.operator,
  m.recipientId,
  m.affairId,
  m.fileName,
  m.fileSha256,
  m.byteSize,
  m.rowsIn,
  m.rowsFound,
  m.rowsNotFound,
  m.rowsRefused,
  m.keyKind,
  m.recipientCertSha256 ?? null,
];

export const mediaOutputFromRow = (r: MediaOutputRow): MediaOutput => ({
  id: r.id,
  at: isoAt(r.at),
  node: r.node,
  operator: r.operator,
  recipientId: r.recipient_id,
  affairId: r.affair_id,
  fileName: r.file_name,
  fileSha256: r.file_sha256,
  byteSize: Number(r.byte_size),
  rowsIn: Number(r.rows_in),
  rowsFound: Number(r.rows_found),
  rowsNotFound: Number(r.rows_not_found),
  rowsRefused: Number(r.rows_refused),
  keyKind: r.key_kind as MediaOutput['keyKind'],
  ...(r.recipient_cert_sha256 === null ? {} : { recipientCertSha256: r.recipient_cert_sha256 }),
});

/** The listing's columns: the output's, and its disposal's when there is one (a LEFT JOIN). */
export const MEDIA_LIST_COLUMNS = `${MEDIA_OUTPUT_COLUMNS.split(', ')
  .map((c) => `o.${c}`)
  .join(
    ', ',
  )}, d.at AS disposed_at, d.operator AS disposed_by, d.node AS disposed_node, d.method AS disposal_method, d.note AS disposal_note`;

export type MediaListRow = MediaOutputRow & {
  disposed_at: string | Date | null;
  disposed_by: string | null;
  disposed_node: string | null;
  disposal_method: string | null;
  disposal_note: string | null;
};

export const mediaListedFromRow = (r: MediaListRow): MediaOutput => ({
  ...mediaOutputFromRow(r),
  ...(r.disposed_at === null
    ? {}
    : {
        disposal: {
          mediaId: r.id,
          at: isoAt(r.disposed_at),
          node: r.disposed_node ?? '',
          operator: r.disposed_by ?? '',
          method: r.disposal_method as MediaDisposal['method'],
          ...(r.disposal_note === null ? {} : { note: r.disposal_note }),
        },
      }),
});

export const MEDIA_DISPOSAL_COLUMNS = 'media_id, at, node, operator, method, note';

export type MediaDisposalRow = {
  media_id: string;
  at: string | Date;
  node: string;
  operator: string;
  method: string;
  note: string | null;
};

export const mediaDisposalFromRow = (r: MediaDisposalRow): MediaDisposal => ({
  mediaId: r.media_id,
  at: isoAt(r.at),
  node: r.node,
  operator: r.operator,
  method: r.method as MediaDisposal['method'],
  ...(r.note === null ? {} : { note: r.note }),
});

/** The values in MEDIA_DISPOSAL_COLUMNS order, after the record is checked. */
export function mediaDisposalValues(d: MediaDisposal): (string | null)[] {
  const problem = mediaDisposalProblem(d);
  if (problem !== undefined) throw refusalError(problem);
  return [d.mediaId, isoAt(d.at), d.node, d.operator, d.method, d.note ?? null];
}

export const unknownMediaOutput = (id: string): RegistryError =>
  new RegistryError(
    'not-found',
    `媒体出力 ${id} の記録はありません (no such media output)`,
    'media.unknown-output',
  );

export const mediaAlreadyDisposed = (id: string): RegistryError =>
  new RegistryError(
    'conflict',
    `媒体出力 ${id} の廃棄は記録済みです (its disposal is recorded already)`,
    'media.already-disposed',
  );

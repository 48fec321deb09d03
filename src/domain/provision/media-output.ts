import { refuse, type Refusal } from './refusal.ts';

/**
 * The record of one media output (媒体による提供, R22: "every output is recorded"): who wrote
 * which file, when, at which node, for which recipient and affair, and how many rows it answered.
 * Nothing of the content: no row, no condition, no person. The file is named by its base name
 * and identified by the SHA-256 of its encrypted bytes, so a file found later can be matched to
 * its record. Append-only. Each person provided has its own disclosure record (R17) whose query
 * id is `<media id>:<line>`.
 */
export type NewMediaOutput = {
  /** `media-<uuid>`: the prefix of the query ids of its rows' disclosure and refusal records. */
  readonly id: string;
  /** When the file was complete: ISO 8601 UTC. */
  readonly at: string;
  /** The providing node, as `nodeName` writes it. */
  readonly node: string;
  /** The operator at the node's terminal who wrote it (free text until operator auth, R15). */
  readonly operator: string;
  readonly recipientId: string;
  readonly affairId: string;
  /** The file's base name (no directory). */
  readonly fileName: string;
  /** SHA-256 of the encrypted file, hex. */
  readonly fileSha256: string;
  readonly byteSize: number;
  readonly rowsIn: number;
  readonly rowsFound: number;
  readonly rowsNotFound: number;
  readonly rowsRefused: number;
  readonly keyKind: 'password' | 'public-key';
  /** SHA-256 of the recipient certificate the file is sealed to, hex (public-key files). */
  readonly recipientCertSha256?: string | undefined;
};

/** A media output as listed: its record and, once the medium is disposed of, that record (R33). */
export type MediaOutput = NewMediaOutput & { readonly disposal?: MediaDisposal | undefined };

/**
 * How a medium left the node's care for good (R33: "media disposal is recorded"): given back by
 * the recipient and erased, erased, or physically destroyed.
 */
export const MEDIA_DISPOSAL_METHODS = ['returned-erased', 'erased', 'destroyed'] as const;
export type MediaDisposalMethod = (typeof MEDIA_DISPOSAL_METHODS)[number];
export const MEDIA_DISPOSAL_LABELS: Readonly<Record<MediaDisposalMethod, string>> = {
  'returned-erased': '返却後消去',
  erased: 'データ消去',
  destroyed: '物理破壊',
};

/**
 * The disposal of the medium that carried one media output (媒体の廃棄, R33), recorded once, at the
 * node that wrote it, by the operator who disposed of it. Append-only like the output record.
 */
export type MediaDisposal = {
  /** The media output's id (`media-<uuid>`). */
  readonly mediaId: string;
  /** ISO 8601 UTC. */
  readonly at: string;
  readonly node: string;
  readonly operator: string;
  readonly method: MediaDisposalMethod;
  /** Free text: a certificate number, a witness, … (at most 500 characters). */
  readonly note?: string | undefined;
};

/** What is wrong with a disposal record before it is stored (`media-disposal.field`). */
export function mediaDisposalProblem(
  d: MediaDisposal,
): Refusal<'media-disposal.field' | 'media-disposal.method'> | undefined {
  const field = (name: string) =>
    refuse('invalid', 'media-disposal.field', `${name} が不正です (media disposal: ${name})`);
  if (!/^media-[0-9a-f-]{36}$/.test(d.mediaId)) return field('mediaId');
  if (!ISO_UTC.test(d.at)) return field('at');
  for (const [name, v] of Object.entries({ node: d.node, operator: d.operator }))
    if (typeof v !== 'string' || !TEXT.test(v) || v.trim() !== v) return field(name);
  if (!(MEDIA_DISPOSAL_METHODS as readonly string[]).includes(d.method))
    return refuse(
      'invalid',
      'media-disposal.method',
      `廃棄の方法は ${MEDIA_DISPOSAL_METHODS.join(', ')} のいずれかです (method)`,
    );
  if (
    d.note !== undefined &&
    (typeof d.note !== 'string' || d.note.length > 500 || NOTE_CONTROL.test(d.note))
  )
    return field('note');
  return undefined;
}

export type MediaOutputProblem = 'media-output.field' | 'media-output.counts' | 'media-output.key';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
// eslint-disable-next-line no-control-regex -- control characters are what is refused
const TEXT = /^[^\u0000-\u001f\u007f]{1,200}$/;
const count = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
// eslint-disable-next-line no-control-regex -- control characters but the line break are refused
const NOTE_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f]/;

/** What is wrong with a record before it is stored (stores refuse it as RegistryError('invalid')). */
export function mediaOutputProblem(m: NewMediaOutput): Refusal<MediaOutputProblem> | undefined {
  const field = (name: string) =>
    refuse('invalid', 'media-output.field', `${name} が不正です (media output: ${name})`);
  if (!/^media-[0-9a-f-]{36}$/.test(m.id)) return field('id');
  if (!ISO_UTC.test(m.at)) return field('at');
  for (const [name, v] of Object.entries({
    node: m.node,
    operator: m.operator,
    recipientId: m.recipientId,
    affairId: m.affairId,
    fileName: m.fileName,
  }))
    if (typeof v !== 'string' || !TEXT.test(v) || v.trim() !== v) return field(name);
  if (/[/\\]/.test(m.fileName) || m.fileName === '.' || m.fileName === '..')
    return field('fileName');
  if (!SHA256_HEX.test(m.fileSha256)) return field('fileSha256');
  const counts = [m.byteSize, m.rowsIn, m.rowsFound, m.rowsNotFound, m.rowsRefused];
  if (!counts.every(count) || m.rowsFound + m.rowsNotFound + m.rowsRefused !== m.rowsIn)
    return refuse(
      'invalid',
      'media-output.counts',
      '行数が合いません (rows in must be found + not found + refused)',
    );
  const sealedToCertificate = m.keyKind === 'public-key';
  if (
    (m.keyKind !== 'password' && !sealedToCertificate) ||
    sealedToCertificate !== (m.recipientCertSha256 !== undefined) ||
    (m.recipientCertSha256 !== undefined && !SHA256_HEX.test(m.recipientCertSha256))
  )
    return refuse(
      'invalid',
      'media-output.key',
      '鍵の種類と証明書の指紋が合いません (key kind: password, or public-key with the certificate’s SHA-256)',
    );
  return undefined;
}

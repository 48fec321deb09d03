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

export type MediaOutput = NewMediaOutput;

export type MediaOutputProblem = 'media-output.field' | 'media-output.counts' | 'media-output.key';

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
// eslint-disable-next-line no-control-regex -- control characters are what is refused
const TEXT = /^[^\u0000-\u001f\u007f]{1,200}$/;
const count = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

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

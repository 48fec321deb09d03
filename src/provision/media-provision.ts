import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { constants, createReadStream, type ReadStream } from 'node:fs';
import { access, link, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { once } from 'node:events';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { createInterface } from 'node:readline';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import type { ProvidedIdentity } from '../domain/provision/answer.ts';
import { batchRowQuery } from '../domain/provision/batch-row.ts';
import type { MediaOutput } from '../domain/provision/media-output.ts';
import type { Recipient } from '../domain/provision/recipient.ts';
import { refuse, refusalError, type Refusal } from '../domain/provision/refusal.ts';
import type { ProvisionStore } from '../storage/ports.ts';
import { MediaEncryptStream, sealMedia, type MediaSealKey } from './media-file.ts';
import type { ProvisionService } from './provision-service.ts';

/** What the operator asks for: one file of rows in, one encrypted file out (R22). */
export type MediaProvisionRequest = {
  readonly recipientId: string;
  readonly affairId: string;
  /** JSON Lines, one row a line, the batch columns (docs/PROVISION.md). Absolute. */
  readonly inPath: string;
  /** The encrypted result; never overwritten. Absolute. */
  readonly outPath: string;
  readonly operator: string;
  readonly key: MediaSealKey;
};

export type MediaProvisionResult = MediaOutput & { readonly outPath: string };

export type MediaProvisionDeps = {
  readonly self: NodeRef;
  readonly service: ProvisionService;
  readonly store: ProvisionStore;
  /** Checks a certificate before a file is sealed to it (network CA, CRL, the recipient's node). */
  readonly checkCertificate: (certificatePem: string, recipient: Recipient) => Promise<void>;
  readonly now?: () => Date;
  /** Rows answered at once (their disclosures go in one transaction); default 256. */
  readonly window?: number;
  /** Called every 10 000 rows (the node logs it). */
  readonly onProgress?: (rows: number) => void;
};

/** One line of the result, as in a 一括提供 result file. */
export type MediaRowResult =
  | {
      readonly line: number;
      readonly ref: unknown;
      readonly status: 'found';
      readonly identity: ProvidedIdentity;
    }
  | { readonly line: number; readonly ref: unknown; readonly status: 'not-found' }
  | {
      readonly line: number;
      readonly ref: unknown;
      readonly status: 'refused';
      readonly code: string;
      readonly reason: string | undefined;
    };

const OPERATOR = /^[^\p{Cc}]{1,64}$/u;

const bad = (message: string): RegistryError =>
  new RegistryError('invalid', `媒体による提供: ${message}`, 'terminal.media');

/**
 * 媒体による提供 (R22) at a providing node, run by an operator at its terminal: each row of the
 * input is matched on the media channel (individual number, or exact address + name + date of
 * birth + sex) and answered through ProvisionService (each person provided gets a disclosure
 * record of channel `media`, each refused row its refusal record, with query id
 * `<media id>:<line>`); the results are written sealed (media-file.ts) to a temporary file next
 * to `outPath`, synced, and linked into place only when complete (an existing file is never
 * replaced); then the output is recorded (who, when, which file, how many rows). The recipient
 * and affair are authorized once first (a refusal writes nothing). Memory is bounded by the
 * window of rows in flight and one chunk of the file.
 */
export async function runMediaProvision(
  deps: MediaProvisionDeps,
  req: MediaProvisionRequest,
): Promise<MediaProvisionResult> {
  const { self, service, store } = deps;
  if (self.role !== 'national' && self.role !== 'prefecture')
    throw new RegistryError(
      'forbidden',
      `媒体による提供は全国サーバか都道府県サーバで行います (media provision runs at a national or prefecture server, not at ${nodeName(self)})`,
      'media.not-a-provider',
    );
  if (!OPERATOR.test(req.operator) || req.operator.trim() !== req.operator)
    throw bad('operator は 1–64 文字です (operator: 1–64 characters, no control characters)');
  if (!isAbsolute(req.inPath) || !isAbsolute(req.outPath) || basename(req.outPath) === '')
    throw bad('inPath と outPath は絶対パスです (inPath and outPath must be absolute paths)');
  const now = () => (deps.now?.() ?? new Date()).toISOString();
  const id = `media-${randomUUID()}`;
  const recordRefusal = (r: Refusal, queryId: string) =>
    store.recordRefusal({
      at: now(),
      node: nodeName(self),
      recipientId: req.recipientId,
      affairId: req.affairId,
      queryId,
      channel: 'media',
      code: r.code,
      reason: r.reason,
      message: r.message,
    });

  const auth = await service.authorize(req.recipientId, req.affairId);
  if (!auth.ok) {
    await recordRefusal(auth, id);
    throw refusalError(auth);
  }
  if (req.key.kind === 'public-key')
    await deps.checkCertificate(req.key.certificatePem, auth.recipient);
  if (await exists(req.outPath))
    throw new RegistryError(
      'conflict',
      `出力先のファイルは既にあります: 上書きしません (${req.outPath} exists; it is never overwritten)`,
      'media.out-exists',
    );
  await access(req.inPath, constants.R_OK).catch(() => {
    throw new RegistryError(
      'not-found',
      `入力ファイルを読めません (cannot read ${req.inPath})`,
      'media.in-unreadable',
    );
  });
  const seal = await sealMedia(req.key);

  const temp = join(
    dirname(req.outPath),
    `.${basename(req.outPath)}.${randomBytes(6).toString('hex')}.part`,
  );
  let out: FileHandle;
  try {
    out = await open(temp, 'wx', 0o600);
  } catch (e) {
    throw new RegistryError(
      'invalid',
      `出力先に書けません (cannot write in ${dirname(req.outPath)}: ${(e as NodeJS.ErrnoException).code ?? 'error'})`,
      'media.out-unwritable',
    );
  }

  const digest = createHash('sha256');
  let byteSize = 0;
  const counts = { found: 0, 'not-found': 0, refused: 0 };
  let rowsIn = 0;
  let input: ReadStream | undefined;
  try {
    const encrypt = new MediaEncryptStream(seal);
    const tap = new Transform({
      transform(chunk: Buffer, _e, done) {
        digest.update(chunk);
        byteSize += chunk.length;
        done(null, chunk);
      },
    });
    const written = pipeline(encrypt, tap, handleWriter(out));
    written.catch(() => undefined);
    const write = async (results: readonly MediaRowResult[]): Promise<void> => {
      const text = results.map((r) => `${JSON.stringify(r)}\n`).join('');
      if (!encrypt.write(Buffer.from(text, 'utf8')))
        await Promise.race([once(encrypt, 'drain'), written]);
    };

    const answerRow = async (line: number, raw: string): Promise<MediaRowResult> => {
      const queryId = `${id}:${line}`;
      const refused = async (r: Refusal, ref: unknown): Promise<MediaRowResult> => {
        await recordRefusal(r, queryId);
        return { line, ref, status: 'refused', code: r.code, reason: r.reason };
      };
      const row = parseRow(raw);
      const ref = row.ref ?? line;
      if (row.refusal) return refused(row.refusal, ref);
      const query = batchRowQuery(row.fields, req.affairId);
      if ('ok' in query) return refused(query, ref);
      try {
        const answer = await service.answer(
          queryId,
          query,
          { kind: 'own', recipientId: req.recipientId },
          'media',
        );
        const [identity] = answer.identities;
        return identity === undefined
          ? { line, ref, status: 'not-found' }
          : { line, ref, status: 'found', identity };
      } catch (e) {
        // The row's refusal was recorded by the service; a store or network failure fails the run.
        if (e instanceof RegistryError && e.code !== 'unavailable')
          return { line, ref, status: 'refused', code: e.code, reason: e.reason };
        throw e;
      }
    };

    const window = deps.window ?? 256;
    let pending: Promise<MediaRowResult>[] = [];
    const flush = async (): Promise<void> => {
      const results = await Promise.all(pending);
      pending = [];
      for (const r of results) counts[r.status] += 1;
      await write(results);
    };
    const lines = createInterface({
      input: (input = createReadStream(req.inPath, { encoding: 'utf8' })),
      crlfDelay: Infinity,
    });
    let line = 0;
    for await (const text of lines) {
      line += 1;
      const raw = line === 1 ? text.replace(/^\uFEFF/, '') : text;
      if (raw.trim() === '') continue;
      rowsIn += 1;
      const answered = answerRow(line, raw);
      // Handled by the flush's Promise.all; until then a failure must not go unhandled.
      answered.catch(() => undefined);
      pending.push(answered);
      if (pending.length >= window) await flush();
      if (rowsIn % 10_000 === 0) deps.onProgress?.(rowsIn);
    }
    await flush();
    encrypt.end();
    await written;
    await out.sync();
  } catch (e) {
    input?.destroy();
    await out.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw e;
  }
  await out.close();
  await placeNewFile(temp, req.outPath);

  const record: MediaOutput = {
    id,
    at: now(),
    node: nodeName(self),
    operator: req.operator,
    recipientId: req.recipientId,
    affairId: req.affairId,
    fileName: basename(req.outPath),
    fileSha256: digest.digest('hex'),
    byteSize,
    rowsIn,
    rowsFound: counts.found,
    rowsNotFound: counts['not-found'],
    rowsRefused: counts.refused,
    keyKind: seal.info.keyKind,
    ...(seal.info.recipientCertSha256 === undefined
      ? {}
      : { recipientCertSha256: seal.info.recipientCertSha256 }),
  };
  try {
    await store.recordMediaOutput(record);
  } catch (e) {
    // Every output is recorded (R22): an output that could not be recorded is taken back.
    await unlink(req.outPath).catch(() => undefined);
    throw e;
  }
  return { ...record, outPath: req.outPath };
}

type ParsedRow =
  | { readonly ref: unknown; readonly fields: Record<string, string>; readonly refusal?: never }
  | { readonly ref: unknown; readonly refusal: Refusal };

/** A line as a row: a JSON object whose cells (but `ref`) are strings; null is an empty cell. */
function parseRow(raw: string): ParsedRow {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return {
      ref: undefined,
      refusal: refuse(
        'invalid',
        'batch.malformed-line',
        '行が JSON のオブジェクトではありません (the line is not a JSON object)',
      ),
    };
  const row = parsed as Record<string, unknown>;
  const fields: Record<string, string> = {};
  for (const [column, value] of Object.entries(row)) {
    if (column === 'ref' || value === null) continue;
    if (typeof value !== 'string')
      return {
        ref: row.ref,
        refusal: refuse(
          'invalid',
          'search.malformed',
          `列 ${JSON.stringify(column)} の値は文字列です (cell values are strings)`,
        ),
      };
    fields[column] = value;
  }
  return { ref: row.ref, fields };
}

/**
 * Writes to a FileHandle that stays the caller's to sync and close (a stream made by
 * `handle.createWriteStream({ autoClose: false })` keeps a reference that makes close() wait).
 */
export function handleWriter(handle: FileHandle): Writable {
  return new Writable({
    write(chunk: Buffer, _e, done) {
      handle.write(chunk).then(() => done(), done);
    },
  });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Puts the complete file in place without ever replacing one: a hard link fails if the name is
 * taken. File systems without hard links (FAT, exFAT on USB media) fall back to a check and a
 * rename.
 */
export async function placeNewFile(temp: string, outPath: string): Promise<void> {
  const taken = () =>
    new RegistryError(
      'conflict',
      `出力先のファイルは既にあります: 上書きしません (${outPath} exists; it is never overwritten)`,
      'media.out-exists',
    );
  try {
    await link(temp, outPath);
    await unlink(temp);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      await unlink(temp).catch(() => undefined);
      throw taken();
    }
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') {
      await unlink(temp).catch(() => undefined);
      throw e;
    }
    if (await exists(outPath)) {
      await unlink(temp).catch(() => undefined);
      throw taken();
    }
    await rename(temp, outPath);
  }
}

import { lstat, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import { bundleCrlPath } from '../pki/pki-directory.ts';
import { checkRecipientCertificate } from '../provision/media-certificate.ts';
import {
  MEDIA_DISPOSAL_METHODS,
  type MediaDisposal,
  type MediaDisposalMethod,
} from '../domain/provision/media-output.ts';
import type { MediaSealKey } from '../provision/media-file.ts';
import { runMediaProvision, type MediaProvisionResult } from '../provision/media-provision.ts';
import { actingOperator } from './acting-operator.ts';
import type { Logger } from './json-log.ts';
import type { NodeProvision } from './node-provision.ts';
import type { TerminalCaller } from './terminal-server.ts';

const MAX_CERTIFICATE_BYTES = 64 * 1024;
/** How many files of the media directory `GET /provision/media/files` lists at most. */
const MAX_LISTED_FILES = 500;

/**
 * A file of the media directory as the web terminal names it: a base name only (no separator, no
 * NUL, not hidden, so neither `.` nor `..` nor the writer's own `.…part` files), at most 255 bytes.
 */
const MEDIA_FILE_NAME = /^[^./\\\0][^/\\\0]*$/u;

/** What the media routes need of their node. */
export type MediaNode = {
  self: NodeRef;
  provision: NodeProvision | undefined;
  bundleDir: string;
  /** Config `mediaDir`: where media are mounted on this node's machine; the web terminal's only files. */
  mediaDir: string | undefined;
  log: Logger | undefined;
};

const field = (b: Record<string, unknown>, name: string): string => {
  const v = b[name];
  if (typeof v !== 'string' || v === '')
    throw new RegistryError(
      'invalid',
      `媒体による提供: ${name} が必要です (${name} is required)`,
      'terminal.media',
    );
  return v;
};

const notAProvider = (): RegistryError =>
  new RegistryError(
    'forbidden',
    '媒体による提供は全国サーバか都道府県サーバの端末で行います (media provision runs at a national or prefecture server)',
    'media.not-a-provider',
  );

/** The provision of a national or prefecture server: media provision runs nowhere else. */
function providerOf(node: MediaNode): NodeProvision {
  if (!node.provision || (node.self.role !== 'national' && node.self.role !== 'prefecture'))
    throw notAProvider();
  return node.provision;
}

/** The media directory of a providing node, or the refusal saying how to configure one. */
function mediaDirOf(node: MediaNode): string {
  providerOf(node);
  if (node.mediaDir === undefined)
    throw new RegistryError(
      'invalid',
      '媒体ディレクトリが設定されていません: ノード設定の mediaDir に媒体の場所を指定してください (this node has no mediaDir: set it in the node config to where media are mounted)',
      'media.no-media-dir',
    );
  return node.mediaDir;
}

/** `b[key]` as a file name of the media directory: a base name, never a path. */
function mediaFileName(b: Record<string, unknown>, key: string): string {
  const v = b[key];
  if (typeof v !== 'string' || !MEDIA_FILE_NAME.test(v) || Buffer.byteLength(v) > 255)
    throw new RegistryError(
      'invalid',
      `${key}: 媒体ディレクトリのファイル名だけを指定します (a file name in the media directory, not a path)`,
      'media.file-name',
    );
  return v;
}

/** A regular file of the media directory (a symbolic link is not followed out of it). */
async function mediaFile(dir: string, name: string): Promise<string> {
  const path = join(dir, name);
  const s = await lstat(path).catch(() => undefined);
  if (s === undefined || !s.isFile())
    throw new RegistryError(
      'not-found',
      `媒体に ${name} というファイルはありません (no such file in the media directory; links are not followed)`,
      'media.no-such-file',
    );
  return path;
}

/**
 * The files and the certificate of a media provision. On the console (an operator at this node's
 * machine) they are paths on it: `inPath`, `outPath`, `recipientCertPath`. From the web terminal
 * (a browser on another machine) they are names in the media directory, `inName`, `outName`, and
 * the certificate comes as its text, `recipientCertPem` (it is public): a browser never names a
 * path on the server (R15: data stays on the servers and the media they write).
 */
async function mediaFiles(
  node: MediaNode,
  b: Record<string, unknown>,
  caller: TerminalCaller | undefined,
): Promise<{ inPath: string; outPath: string; key: MediaSealKey }> {
  const hasPassword = typeof b.password === 'string';
  const certificates = ['recipientCertPath', 'recipientCertPem'].filter(
    (k) => typeof b[k] === 'string',
  );
  if (Number(hasPassword) + certificates.length !== 1)
    throw new RegistryError(
      'invalid',
      '媒体による提供: password か受領者の証明書のどちらか一方です (give either password or the recipient certificate)',
      'terminal.media',
    );
  let inPath: string;
  let outPath: string;
  if (caller?.web === true) {
    const named = ['inPath', 'outPath', 'recipientCertPath'].filter((k) => b[k] !== undefined);
    if (named.length > 0)
      throw new RegistryError(
        'forbidden',
        `Web 端末からはサーバのパスを指定できません: 媒体ディレクトリのファイル名で指定します (the web terminal names files of the media directory, never paths: ${named.join(', ')})`,
        'media.path-from-web',
      );
    const dir = mediaDirOf(node);
    inPath = await mediaFile(dir, mediaFileName(b, 'inName'));
    outPath = join(dir, mediaFileName(b, 'outName'));
  } else {
    inPath = field(b, 'inPath');
    outPath = field(b, 'outPath');
  }
  if (hasPassword)
    return { inPath, outPath, key: { kind: 'password', password: b.password as string } };
  let pem: string;
  if (typeof b.recipientCertPem === 'string') pem = b.recipientCertPem;
  else {
    const path = field(b, 'recipientCertPath');
    pem = await readFile(path, 'utf8').catch(() => {
      throw new RegistryError(
        'not-found',
        `受領者の証明書を読めません (cannot read ${path})`,
        'media.certificate',
      );
    });
  }
  if (pem.length > MAX_CERTIFICATE_BYTES)
    throw new RegistryError(
      'invalid',
      '受領者の証明書ではありません (too large for a certificate)',
      'media.certificate',
    );
  return { inPath, outPath, key: { kind: 'public-key', certificatePem: pem } };
}

/**
 * `POST /provision/media` (R22) at a national or prefecture server: `{recipientId, affairId,
 * operator, password | recipientCertPath | recipientCertPem}` and the files, `inPath` and
 * `outPath` on the console, `inName` and `outName` in the media directory from the web terminal
 * (`mediaFiles`). The password is used and forgotten: never logged, never stored. A certificate
 * must be the recipient's own, under the network CA and CRL of this node's bundle.
 */
export async function mediaFromTerminal(
  node: MediaNode,
  b: Record<string, unknown>,
  caller?: TerminalCaller,
): Promise<MediaProvisionResult> {
  const { self } = node;
  const provision = providerOf(node);
  const { inPath, outPath, key } = await mediaFiles(node, b, caller);
  const trust = async () => ({
    caPem: await readFile(join(node.bundleDir, 'ca.crt'), 'utf8'),
    crlPem: await readFile(bundleCrlPath(node.bundleDir), 'utf8'),
  });
  const recipientId = field(b, 'recipientId');
  const result = await runMediaProvision(
    {
      self,
      service: provision.service,
      store: provision.store,
      checkCertificate: async (pem, recipient) =>
        checkRecipientCertificate(pem, await trust(), recipient, new Date()),
      onProgress: (rows) =>
        node.log?.info('provision.media.progress', { recipient: recipientId, rows }),
    },
    {
      recipientId,
      affairId: field(b, 'affairId'),
      inPath,
      outPath,
      operator: actingOperator(b, 'operator', caller) ?? field(b, 'operator'),
      key,
    },
  );
  node.log?.info('provision.media.written', {
    media: result.id,
    operator: result.operator,
    recipient: result.recipientId,
    affair: result.affairId,
    file: result.fileName,
    rows: result.rowsIn,
  });
  return result;
}

/** A file of the media directory as `GET /provision/media/files` lists it. */
export type MediaDirectoryFile = {
  readonly name: string;
  readonly bytes: number;
  /** ISO 8601 UTC. */
  readonly modified: string;
};

/**
 * `GET /provision/media/files`: the regular files of the media directory (not hidden ones, not
 * links, not subdirectories), newest first, at most 500: what the web terminal's 媒体による提供
 * can read rows from, and the files written to it.
 */
export async function mediaDirectory(
  node: MediaNode,
): Promise<{ readonly dir: string; readonly files: MediaDirectoryFile[]; readonly more: boolean }> {
  const dir = mediaDirOf(node);
  const entries = await readdir(dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
    throw new RegistryError(
      'unavailable',
      `媒体ディレクトリを読めません: 媒体が接続されているか確認してください (cannot read ${dir}: ${e.code ?? 'error'}; is the medium mounted?)`,
      'media.dir-unreadable',
    );
  });
  const files: MediaDirectoryFile[] = [];
  for (const e of entries) {
    if (!e.isFile() || !MEDIA_FILE_NAME.test(e.name)) continue;
    const s = await lstat(join(dir, e.name)).catch(() => undefined);
    if (s?.isFile()) files.push({ name: e.name, bytes: s.size, modified: s.mtime.toISOString() });
  }
  files.sort((a, b) => (a.modified < b.modified ? 1 : a.modified > b.modified ? -1 : 0));
  return { dir, files: files.slice(0, MAX_LISTED_FILES), more: files.length > MAX_LISTED_FILES };
}

/**
 * `POST /provision/media/disposal` `{mediaId, method, note?, operator?}` (媒体の廃棄, R33): the
 * medium that carried a media output of this node was given back and erased (`returned-erased`),
 * erased (`erased`) or destroyed (`destroyed`); recorded once, under the logged-in operator.
 */
export async function mediaDisposalFromTerminal(
  node: MediaNode,
  b: Record<string, unknown>,
  caller?: TerminalCaller,
  now: () => Date = () => new Date(),
): Promise<MediaDisposal> {
  const { self } = node;
  const provision = providerOf(node);
  const method = b.method;
  if (typeof method !== 'string' || !(MEDIA_DISPOSAL_METHODS as readonly string[]).includes(method))
    throw new RegistryError(
      'invalid',
      `媒体の廃棄: method は ${MEDIA_DISPOSAL_METHODS.join(', ')} のいずれかです (method)`,
      'media-disposal.method',
    );
  const note = b.note;
  if (note !== undefined && note !== '' && typeof note !== 'string')
    throw new RegistryError(
      'invalid',
      '媒体の廃棄: note は文字列です (note)',
      'media-disposal.field',
    );
  const disposal = await provision.store.recordMediaDisposal({
    mediaId: field(b, 'mediaId'),
    at: now().toISOString(),
    node: nodeName(self),
    operator: actingOperator(b, 'operator', caller) ?? field(b, 'operator'),
    method: method as MediaDisposalMethod,
    ...(typeof note === 'string' && note.trim() !== '' ? { note: note.trim() } : {}),
  });
  node.log?.info('provision.media.disposed', {
    media: disposal.mediaId,
    operator: disposal.operator,
    method: disposal.method,
  });
  return disposal;
}

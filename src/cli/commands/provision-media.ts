import { randomBytes } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { access, open, stat, unlink } from 'node:fs/promises';
import { request } from 'node:http';
import { basename, dirname, join, resolve } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { RegistryError, type ErrorCode } from '../../domain/errors.ts';
import { loadNodeConfig } from '../../nodes/node-config.ts';
import { callTerminal, OPERATOR_SESSION_HEADER } from '../../nodes/terminal-server.ts';
import {
  MEDIA_DISPOSAL_LABELS,
  type MediaDisposal,
  type MediaOutput,
} from '../../domain/provision/media-output.ts';
import type { TerminalTarget } from '../../nodes/terminal-token.ts';
import { nodeTerminal, operatorOption } from '../terminal-target.ts';
import { MediaDecryptStream, type MediaOpenKey } from '../../provision/media-file.ts';
import {
  handleWriter,
  placeNewFile,
  type MediaProvisionResult,
} from '../../provision/media-provision.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';
import { createProgress } from '../progress.ts';

export const PROVISION_MEDIA_HELP = `  媒体による提供 (R22): at a running national or prefecture server, a file of rows (individual
  number, or exact address + name + date of birth + sex) in, an encrypted result file out; every
  output is recorded, under the logged-in operator with JUKI_OPERATOR_SESSION (then --operator
  may be left out; another name is refused), under --operator on the console. The password is
  read from a file (mode 600), never from the command line:
    media --config NODE.json --recipient ID --affair AFFAIR --in ROWS.jsonl --out FILE.jkm
          (--password-file F | --recipient-cert PEM) --operator NAME
    media-open --in FILE.jkm --out ROWS.jsonl (--password-file F | --key PEM)   the recipient, offline
    media-log --config NODE.json [--recipient ID] [--limit N]     the output record, newest
          first (at most 200), from the running node (POST /provision/media/outputs), each
          with its disposal once recorded
    media-dispose --config NODE.json --media MEDIA-ID --method returned-erased|erased|destroyed
          [--note TEXT] [--operator NAME]     媒体の廃棄 (R33): the medium is gone, recorded once`;

const OPTIONS = {
  config: { type: 'string' },
  recipient: { type: 'string' },
  affair: { type: 'string' },
  in: { type: 'string' },
  out: { type: 'string' },
  'password-file': { type: 'string' },
  'recipient-cert': { type: 'string' },
  key: { type: 'string' },
  operator: { type: 'string' },
  limit: { type: 'string', default: '50' },
  media: { type: 'string' },
  method: { type: 'string' },
  note: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parse>['values'];
const parse = (args: readonly string[]) =>
  parseArgs({ args: [...args], allowPositionals: false, options: OPTIONS });

const need = (v: Values, key: keyof Values): string => {
  const x = v[key];
  if (typeof x !== 'string' || x === '') throw new UsageError(`--${key} is required`);
  return x;
};

/** `juki provision media | media-open | media-log …` (args after the action). */
export async function runProvisionMedia(
  action: string,
  args: readonly string[],
  io: CommandIO,
): Promise<number> {
  const { values } = parse(args);
  if (action === 'media') return media(values, io);
  if (action === 'media-open') return mediaOpen(values, io);
  if (action === 'media-dispose') return mediaDispose(values, io);
  return mediaLog(values, io);
}

async function media(v: Values, io: CommandIO): Promise<number> {
  const target = await nodeTerminal(await loadNodeConfig(need(v, 'config')));
  const password = v['password-file'];
  const certificate = v['recipient-cert'];
  if ((password === undefined) === (certificate === undefined))
    throw new UsageError('give either --password-file or --recipient-cert');
  const body = {
    recipientId: need(v, 'recipient'),
    affairId: need(v, 'affair'),
    inPath: resolve(need(v, 'in')),
    outPath: resolve(need(v, 'out')),
    ...operatorOption(target, v.operator),
    ...(password !== undefined
      ? { password: stripNewline(await readSecretFile(password, 'password', 4096)) }
      : { recipientCertPath: resolve(certificate!) }),
  };
  io.err(`媒体による提供 media provision: ${body.inPath} → ${body.outPath} …`);
  const result = (await postAndWait(target, '/provision/media', body)) as MediaProvisionResult;
  if (v.json) printJson(io, result);
  else
    io.out(
      `媒体出力 ${result.id}: ${result.rowsIn} rows — ${result.rowsFound} found, ${result.rowsNotFound} not found, ${result.rowsRefused} refused → ${result.outPath} (${result.byteSize} bytes, sha256 ${result.fileSha256}, ${result.keyKind}); recorded`,
    );
  return EXIT.ok;
}

async function mediaOpen(v: Values, io: CommandIO): Promise<number> {
  const inPath = need(v, 'in');
  const outPath = resolve(need(v, 'out'));
  const password = v['password-file'];
  const keyFile = v.key;
  if ((password === undefined) === (keyFile === undefined))
    throw new UsageError('give either --password-file or --key');
  const key: MediaOpenKey =
    password !== undefined
      ? {
          kind: 'password',
          password: stripNewline(await readSecretFile(password, 'password', 4096)),
        }
      : { kind: 'private-key', privateKeyPem: await readSecretFile(keyFile!, 'key', 64 * 1024) };
  const size = (await stat(inPath)).size;
  if (await exists(outPath))
    throw new RegistryError(
      'conflict',
      `出力先のファイルは既にあります: 上書きしません (${outPath} exists; it is never overwritten)`,
      'media.out-exists',
    );
  const temp = join(
    dirname(outPath),
    `.${basename(outPath)}.${randomBytes(6).toString('hex')}.part`,
  );
  const out = await open(temp, 'wx', 0o600);
  const progress = createProgress('媒体を開く media-open', size, {
    interactive: io.interactive,
    write: io.err,
  });
  let read = 0;
  let lines = 0;
  const decrypt = new MediaDecryptStream(key);
  try {
    await pipeline(
      createReadStream(inPath),
      new Transform({
        transform(chunk: Buffer, _e, done) {
          read += chunk.length;
          progress.update(read);
          done(null, chunk);
        },
      }),
      decrypt,
      new Transform({
        transform(chunk: Buffer, _e, done) {
          for (const byte of chunk) if (byte === 0x0a) lines++;
          done(null, chunk);
        },
      }),
      handleWriter(out),
    );
    await out.sync();
    await out.close();
  } catch (e) {
    // Nothing of a file that failed to open is left behind: its earlier chunks were authentic,
    // but the whole was not.
    await out.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw e;
  }
  await placeNewFile(temp, outPath);
  progress.finish(read);
  const summary = { out: outPath, rows: lines, ...decrypt.info };
  if (v.json) printJson(io, summary);
  else
    io.out(
      `媒体を開きました (opened): ${lines} rows → ${outPath}${decrypt.info?.recipientCertSha256 ? ` (sealed to certificate sha256 ${decrypt.info.recipientCertSha256})` : ''}`,
    );
  return EXIT.ok;
}

async function mediaDispose(v: Values, io: CommandIO): Promise<number> {
  const target = await nodeTerminal(await loadNodeConfig(need(v, 'config')));
  const d = (await callTerminal(target, 'POST', '/provision/media/disposal', {
    mediaId: need(v, 'media'),
    method: need(v, 'method'),
    ...(v.note === undefined ? {} : { note: v.note }),
    ...operatorOption(target, v.operator),
  })) as MediaDisposal;
  if (v.json) printJson(io, d);
  else
    io.out(
      `媒体の廃棄を記録しました (disposal recorded): ${d.mediaId} ${MEDIA_DISPOSAL_LABELS[d.method]} (${d.method}) ${d.at} by ${d.operator}`,
    );
  return EXIT.ok;
}

async function mediaLog(v: Values, io: CommandIO): Promise<number> {
  const limit = Number(v.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200)
    throw new UsageError('--limit must be an integer in [1, 200]');
  const target = await nodeTerminal(await loadNodeConfig(need(v, 'config')));
  const outputs = (await callTerminal(target, 'POST', '/provision/media/outputs', {
    limit,
    ...(v.recipient ? { recipientId: v.recipient } : {}),
  })) as MediaOutput[];
  if (v.json) printJson(io, outputs);
  else
    for (const m of outputs)
      io.out(
        `${m.at} ${m.id} ${m.operator} → ${m.recipientId} ${m.affairId} ${m.fileName} (${m.byteSize} bytes, sha256 ${m.fileSha256}, ${m.keyKind}) rows ${m.rowsIn}: ${m.rowsFound} found, ${m.rowsNotFound} not found, ${m.rowsRefused} refused; ${m.disposal ? `廃棄 ${MEDIA_DISPOSAL_LABELS[m.disposal.method]} ${m.disposal.at} by ${m.disposal.operator}` : '未廃棄 (not disposed of)'}`,
      );
  return EXIT.ok;
}

const stripNewline = (s: string): string => s.replace(/\r?\n$/, '');

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * A password or private key file: a regular file (not a symbolic link) that only its owner can
 * read, checked on the opened file. Errors name the path, never the content.
 */
async function readSecretFile(path: string, what: 'password' | 'key', maxBytes: number) {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RegistryError(
      code === 'ELOOP' ? 'forbidden' : 'not-found',
      `${what === 'password' ? 'パスワード' : '秘密鍵'}のファイルを開けません (cannot open ${what} file ${path}: ${code === 'ELOOP' ? 'a symbolic link' : (code ?? 'error')})`,
      `media.${what}-file`,
    );
  }
  try {
    const st = await handle.stat();
    if (!st.isFile() || (st.mode & 0o077) !== 0)
      throw new RegistryError(
        'forbidden',
        `${what} file ${path}: 所有者だけが読めるファイルにしてください (must be a regular file only its owner can read: chmod 600)`,
        `media.${what}-file-permissions`,
      );
    if (st.size > maxBytes)
      throw new RegistryError('invalid', `${what} file ${path} is too large`, `media.${what}-file`);
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * POST to the node's terminal side and wait as long as the run takes (a million rows take
 * minutes; fetch would give up after 300 s without response headers).
 */
function postAndWait(
  target: TerminalTarget,
  path: string,
  body: Record<string, unknown>,
): Promise<unknown> {
  const data = Buffer.from(JSON.stringify(body), 'utf8');
  return new Promise((resolvePromise, reject) => {
    const req = request(
      new URL(path, target.base),
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': data.length,
          authorization: `Bearer ${target.token}`,
          ...(target.operatorSession ? { [OPERATOR_SESSION_HEADER]: target.operatorSession } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.pipe(
          new Writable({
            write(chunk: Buffer, _e, done) {
              chunks.push(chunk);
              done();
            },
            final(done) {
              let json: { error?: string; reason?: string; message?: string } | undefined;
              try {
                json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof json;
              } catch {
                json = undefined;
              }
              if (res.statusCode === 200) resolvePromise(json);
              else
                reject(
                  new RegistryError(
                    (json?.error as ErrorCode | undefined) ?? 'unavailable',
                    json?.message ?? `HTTP ${res.statusCode}`,
                    json?.reason,
                  ),
                );
              done();
            },
          }),
        );
      },
    );
    req.on('error', (e) =>
      reject(
        new RegistryError(
          'unavailable',
          `ノードに接続できません / cannot reach the node's terminal side at ${target.base}: ${e.message} — is the node running (juki node start)?`,
          'terminal.unreachable',
        ),
      ),
    );
    req.end(data);
  });
}

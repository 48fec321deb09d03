import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../domain/errors.ts';
import { createTestPki } from '../pki/test-pki.ts';
import {
  MEDIA_MAGIC,
  MediaDecryptStream,
  MediaEncryptStream,
  certificateSha256,
  sealMedia,
  type MediaOpenKey,
  type MediaSealKey,
} from './media-file.ts';

const PASSWORD = 'correct horse battery staple';
/** Lower scrypt cost than a real file (2^17) so that the tests stay quick. */
const FAST = { log2N: 14, r: 8, p: 1 } as const;
const passwordKey: MediaSealKey = { kind: 'password', password: PASSWORD, scrypt: FAST };
const CHUNK = 1024;

let agency: { certPem: string; keyPem: string };
let other: { certPem: string; keyPem: string };
beforeAll(async () => {
  const pki = await createTestPki();
  agency = await pki.issue('agency:mhlw-pension');
  other = await pki.issue('agency:mofa-passport');
});

async function collect(source: Readable | AsyncIterable<Buffer>, through: NodeJS.ReadWriteStream) {
  const out: Buffer[] = [];
  await pipeline(
    source,
    through,
    new Writable({
      write(chunk: Buffer, _e, done) {
        out.push(chunk);
        done();
      },
    }),
  );
  return Buffer.concat(out);
}

/** Writes `plain` in pieces of `piece` bytes. */
const pieces = (plain: Buffer, piece: number) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < plain.length; i += piece) yield plain.subarray(i, i + piece);
    })(),
  );

async function seal(plain: Buffer, key: MediaSealKey = passwordKey, piece = 700) {
  const s = await sealMedia(key, { chunkSize: CHUNK });
  return { file: await collect(pieces(plain, piece), new MediaEncryptStream(s)), seal: s };
}

const open = (file: Buffer, key: MediaOpenKey = { kind: 'password', password: PASSWORD }) =>
  collect(pieces(file, 999), new MediaDecryptStream(key));

async function refusal(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RegistryError) {
      expect(e.message).not.toContain(PASSWORD);
      return `${e.code}/${e.reason}`;
    }
    throw e;
  }
  throw new Error('expected a refusal');
}

const headerLength = (file: Buffer) => (file[9] === 1 ? 14 + 19 + 32 : 14 + 97 + 32);

describe('R22: the encrypted media file', () => {
  it('round-trips with a password; the file starts with the magic and hides the content', async () => {
    const plain = Buffer.from('{"ref":"a","status":"found"}\n'.repeat(200));
    const { file, seal: s } = await seal(plain);
    expect(file.subarray(0, 8).equals(MEDIA_MAGIC)).toBe(true);
    expect(s.info).toEqual({ keyKind: 'password' });
    expect(file.includes(Buffer.from('status'))).toBe(false);
    expect((await open(file)).equals(plain)).toBe(true);
  });

  it('round-trips to the recipient’s certificate and opens only with its private key', async () => {
    const plain = randomBytes(5000);
    const { file, seal: s } = await seal(plain, {
      kind: 'public-key',
      certificatePem: agency.certPem,
    });
    expect(s.info).toEqual({
      keyKind: 'public-key',
      recipientCertSha256: certificateSha256(agency.certPem),
    });
    const opened = await open(file, { kind: 'private-key', privateKeyPem: agency.keyPem });
    expect(opened.equals(plain)).toBe(true);
    expect(await refusal(open(file, { kind: 'private-key', privateKeyPem: other.keyPem }))).toBe(
      'invalid/media.wrong-key',
    );
  });

  it('two files of the same content differ (fresh salt and ephemeral key each time)', async () => {
    const plain = Buffer.from('same');
    const a = (await seal(plain)).file;
    const b = (await seal(plain)).file;
    expect(a.equals(b)).toBe(false);
  });

  it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 5])(
    'chunk boundaries: %i bytes round-trip, and the file is header + full chunks + one shorter final chunk',
    async (length) => {
      const plain = randomBytes(length);
      for (const piece of [1, 333, CHUNK, 4 * CHUNK]) {
        if (piece === 1 && length > CHUNK + 1) continue;
        const { file } = await seal(plain, passwordKey, piece);
        const full = Math.floor(length / CHUNK);
        expect(file.length).toBe(headerLength(file) + full * (CHUNK + 16) + (length % CHUNK) + 16);
        expect((await open(file)).equals(plain)).toBe(true);
      }
    },
  );

  it('refuses a wrong password and the wrong kind of key, never printing the password', async () => {
    const { file } = await seal(Buffer.from('x'.repeat(3000)));
    expect(await refusal(open(file, { kind: 'password', password: `${PASSWORD}!` }))).toBe(
      'invalid/media.wrong-key',
    );
    expect(await refusal(open(file, { kind: 'private-key', privateKeyPem: agency.keyPem }))).toBe(
      'invalid/media.key-kind',
    );
    const sealed = (
      await seal(Buffer.from('y'), { kind: 'public-key', certificatePem: agency.certPem })
    ).file;
    expect(await refusal(open(sealed))).toBe('invalid/media.key-kind');
    expect(await refusal(open(sealed, { kind: 'private-key', privateKeyPem: 'not a key' }))).toBe(
      'invalid/media.private-key',
    );
  });

  it('refuses a short password and a certificate that is not P-256 X.509', async () => {
    expect(await refusal(sealMedia({ kind: 'password', password: 'short' }))).toBe(
      'invalid/media.password-too-short',
    );
    expect(
      await refusal(
        sealMedia({ kind: 'public-key', certificatePem: '-----BEGIN CERTIFICATE-----' }),
      ),
    ).toBe('invalid/media.certificate');
  });

  it('detects tampering anywhere: header, ciphertext, tag; and reordered chunks', async () => {
    const plain = randomBytes(3 * CHUNK + 100);
    const { file } = await seal(plain);
    const h = headerLength(file);
    const flipped = (at: number) => {
      const copy = Buffer.from(file);
      copy[at] = copy[at]! ^ 0x01;
      return copy;
    };
    expect(await refusal(open(flipped(0)))).toBe('invalid/media.not-a-media-file');
    expect(await refusal(open(flipped(8)))).toBe('invalid/media.version');
    expect(await refusal(open(flipped(20)))).toBe('invalid/media.wrong-key'); // the salt
    expect(await refusal(open(flipped(h - 1)))).toBe('invalid/media.wrong-key'); // the key check
    expect(await refusal(open(flipped(h + 5)))).toBe('invalid/media.tampered'); // chunk 0
    expect(await refusal(open(flipped(h + CHUNK + 3)))).toBe('invalid/media.tampered'); // a tag
    expect(await refusal(open(flipped(file.length - 1)))).toBe('invalid/media.tampered'); // final
    const record = CHUNK + 16;
    const swapped = Buffer.concat([
      file.subarray(0, h),
      file.subarray(h + record, h + 2 * record),
      file.subarray(h, h + record),
      file.subarray(h + 2 * record),
    ]);
    expect(await refusal(open(swapped))).toBe('invalid/media.tampered');
    expect(await refusal(open(Buffer.concat([file, Buffer.from('more')])))).toBe(
      'invalid/media.tampered',
    );
  });

  it('detects truncation: at a chunk boundary, inside a chunk, inside the header, empty', async () => {
    const plain = randomBytes(3 * CHUNK + 100);
    const { file } = await seal(plain);
    const h = headerLength(file);
    const record = CHUNK + 16;
    expect(await refusal(open(file.subarray(0, h + 3 * record)))).toBe('invalid/media.truncated');
    expect(await refusal(open(file.subarray(0, h)))).toBe('invalid/media.truncated');
    expect(await refusal(open(file.subarray(0, h + 2 * record + 100)))).toBe(
      'invalid/media.tampered',
    );
    expect(await refusal(open(file.subarray(0, 20)))).toBe('invalid/media.truncated');
    expect(await refusal(open(Buffer.alloc(0)))).toBe('invalid/media.truncated');
    expect(await refusal(open(Buffer.from('{"ref":1}\n')))).toBe('invalid/media.not-a-media-file');
    // Dropping a whole middle chunk is reordering by another name.
    const dropped = Buffer.concat([file.subarray(0, h + record), file.subarray(h + 2 * record)]);
    expect(await refusal(open(dropped))).toBe('invalid/media.tampered');
  });

  it('streams: each chunk leaves the encryptor and the decryptor as soon as it is complete', async () => {
    const s = await sealMedia(passwordKey, { chunkSize: CHUNK });
    const enc = new MediaEncryptStream(s);
    const encrypted: Buffer[] = [];
    enc.on('data', (c: Buffer) => encrypted.push(c));
    const dec = new MediaDecryptStream({ kind: 'password', password: PASSWORD });
    const plain: Buffer[] = [];
    const five = new Promise<void>((resolve) =>
      dec.on('data', (c: Buffer) => {
        if (plain.push(c) === 5) resolve();
      }),
    );
    const tick = () => new Promise((r) => setImmediate(r));
    for (let i = 0; i < 5; i++) {
      enc.write(Buffer.alloc(CHUNK, i));
      await tick();
      expect(encrypted).toHaveLength(i + 2); // the header, then one record per chunk
    }
    // Neither stream has ended: the decryptor gives out the five authenticated chunks anyway.
    for (const c of encrypted.splice(0)) dec.write(c);
    await five;
    expect(plain.map((p) => p[0])).toEqual([0, 1, 2, 3, 4]);
    expect(enc.writableEnded || dec.writableEnded).toBe(false);
  });

  it('R22: a large file in bounded memory (256 MiB through both directions, no whole-file buffer)', async () => {
    const size = 256 * 1024 * 1024;
    const piece = Buffer.alloc(64 * 1024, 'x');
    function* source() {
      for (let done = 0; done < size; done += piece.length) yield piece;
    }
    const s = await sealMedia(passwordKey);
    const baseline = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const hash = createHash('sha256');
    let bytes = 0;
    await pipeline(
      source(),
      new MediaEncryptStream(s),
      new MediaDecryptStream({ kind: 'password', password: PASSWORD }),
      new Writable({
        write(chunk: Buffer, _e, done) {
          hash.update(chunk);
          bytes += chunk.length;
          peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline);
          done();
        },
      }),
    );
    expect(bytes).toBe(size);
    const expected = createHash('sha256');
    for (let done = 0; done < size; done += piece.length) expected.update(piece);
    expect(hash.digest('hex')).toBe(expected.digest('hex'));
    // Garbage not yet collected counts too; a whole-file buffer would be ≥ 256 MiB.
    expect(peak).toBeLessThan(96 * 1024 * 1024);
  }, 60_000);
});

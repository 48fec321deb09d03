import {
  createCipheriv,
  createDecipheriv,
  createECDH,
  createHash,
  createHmac,
  createPrivateKey,
  hkdfSync,
  randomBytes,
  scrypt,
  timingSafeEqual,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { RegistryError } from '../domain/errors.ts';

/*
 * The encrypted file of 媒体による提供 (R22; docs/PROVISION.md, "Media provision"): a header, then
 * the content in chunks of AES-256-GCM (the STREAM construction: a nonce per chunk from its
 * counter, the last chunk flagged in the associated data, so a truncated, reordered or altered
 * file is refused). The content key comes from a password (scrypt) or from the recipient's
 * certificate (ECDH P-256 ephemeral–static + HKDF-SHA-256). node:crypto only. Both directions are
 * Transform streams holding at most one chunk: a file of any size in bounded memory.
 *
 * Header (big-endian):
 *   0   8  magic 89 4A 4B 4D 0D 0A 1A 0A ("\x89JKM\r\n\x1a\n")
 *   8   1  version = 1
 *   9   1  key kind: 1 password, 2 public key
 *  10   4  chunk size: plaintext bytes per chunk (65 536; 1 KiB–1 MiB accepted)
 *  14      password:   log2 N (1) | r (1) | p (1) | salt (16)                              = 19
 *          public key: ephemeral P-256 public key, SEC1 uncompressed (65) | SHA-256 of the
 *                      recipient certificate's DER (32)                                    = 97
 *   …  32  key check: HMAC-SHA-256(check key, every header byte before it)
 * Keys: ikm = scrypt(password, salt, N, r, p, 32) or ECDH(ephemeral, recipient); with
 *   salt = the header bytes before the key check, content key = HKDF-SHA-256(ikm, salt,
 *   "jukinet media v1 content", 32) and check key = HKDF(…, "jukinet media v1 check", 32).
 * Chunk i (from 0): AES-256-GCM(content key, nonce = 0x00000000 ‖ u64 i, AAD = u64 i ‖ final)
 *   → ciphertext ‖ 16-byte tag. Every chunk but the last holds exactly `chunk size` bytes; the
 *   last holds fewer (0 when the content is a multiple of the chunk size) and has final = 1.
 */

export const MEDIA_MAGIC = Buffer.from([0x89, 0x4a, 0x4b, 0x4d, 0x0d, 0x0a, 0x1a, 0x0a]);
export const MEDIA_VERSION = 1;
export const MEDIA_CHUNK_SIZE = 64 * 1024;
/** scrypt's cost for new files (RFC 7914): N = 2^17, r = 8, p = 1 — 128 MiB, ~0.3–0.5 s. */
export const MEDIA_SCRYPT = { log2N: 17, r: 8, p: 1 } as const;
export const MEDIA_PASSWORD_MIN_LENGTH = 12;

const KIND_CODE = { password: 1, 'public-key': 2 } as const;
export type MediaKeyKind = keyof typeof KIND_CODE;
const FIXED = 14;
const SALT = 16;
const POINT = 65;
const DIGEST = 32;
const TAG = 16;
const KIND_FIELDS: Readonly<Record<MediaKeyKind, number>> = {
  password: 3 + SALT,
  'public-key': POINT + DIGEST,
};
/** The largest scrypt memory a reader spends on a file it is given (128 · N · r). */
const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;

/** How to seal: a password, or the recipient's certificate (PEM). */
export type MediaSealKey =
  | {
      readonly kind: 'password';
      readonly password: string;
      /** Lower costs for tests only; new files use MEDIA_SCRYPT. */
      readonly scrypt?: { readonly log2N: number; readonly r: number; readonly p: number };
    }
  | { readonly kind: 'public-key'; readonly certificatePem: string };

/** How to open: the password, or the recipient's private key (PKCS #8 PEM). */
export type MediaOpenKey =
  | { readonly kind: 'password'; readonly password: string }
  | { readonly kind: 'private-key'; readonly privateKeyPem: string };

/** What the header says, for records and messages (no secret). */
export type MediaFileInfo = {
  readonly keyKind: MediaKeyKind;
  /** SHA-256 of the recipient certificate's DER, hex (public-key files). */
  readonly recipientCertSha256?: string | undefined;
};

const fail = (reason: string, message: string): RegistryError =>
  new RegistryError('invalid', `暗号化媒体: ${message}`, reason);

/** Refuses a password too short to protect a file of residents (R22). Never prints it. */
export function checkMediaPassword(password: string): void {
  const length = [...password].length;
  if (length < MEDIA_PASSWORD_MIN_LENGTH)
    throw fail(
      'media.password-too-short',
      `パスワードは ${MEDIA_PASSWORD_MIN_LENGTH} 文字以上です (the password must have at least ${MEDIA_PASSWORD_MIN_LENGTH} characters)`,
    );
  if (length > 1024)
    throw fail('media.password-too-long', 'パスワードが長すぎます (at most 1024 characters)');
}

/** SHA-256 of a certificate's DER, hex: the fingerprint the header and the record carry. */
export function certificateSha256(certificatePem: string): string {
  return createHash('sha256').update(parseCertificate(certificatePem).raw).digest('hex');
}

function parseCertificate(pem: string): X509Certificate {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    throw fail('media.certificate', '証明書を読めません (not an X.509 certificate)');
  }
  const details = cert.publicKey.asymmetricKeyDetails;
  if (cert.publicKey.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'prime256v1')
    throw fail('media.certificate', '証明書の鍵が P-256 ではありません (not a P-256 key)');
  return cert;
}

/** The SEC1 uncompressed point (65 bytes) of a P-256 public or private key. */
function rawPoint(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  return Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x ?? '', 'base64url'),
    Buffer.from(jwk.y ?? '', 'base64url'),
  ]);
}

const u64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};

type Keys = { readonly content: Buffer; readonly check: Buffer };

function deriveKeys(ikm: Buffer, headerWithoutCheck: Buffer): Keys {
  const hkdf = (info: string) => Buffer.from(hkdfSync('sha256', ikm, headerWithoutCheck, info, 32));
  return { content: hkdf('jukinet media v1 content'), check: hkdf('jukinet media v1 check') };
}

function scryptIkm(
  password: string,
  salt: Buffer,
  c: { log2N: number; r: number; p: number },
): Promise<Buffer> {
  const N = 2 ** c.log2N;
  return new Promise((resolve, reject) =>
    scrypt(
      Buffer.from(password.normalize('NFC'), 'utf8'),
      salt,
      32,
      { N, r: c.r, p: c.p, maxmem: 128 * c.r * (N + c.p + 2) + 1024 * 1024 },
      (e, key) => (e ? reject(e) : resolve(key)),
    ),
  );
}

const keyCheck = (keys: Keys, headerWithoutCheck: Buffer): Buffer =>
  createHmac('sha256', keys.check).update(headerWithoutCheck).digest();

function fixedHeader(kind: MediaKeyKind, chunkSize: number): Buffer {
  const b = Buffer.alloc(FIXED);
  MEDIA_MAGIC.copy(b, 0);
  b[8] = MEDIA_VERSION;
  b[9] = KIND_CODE[kind];
  b.writeUInt32BE(chunkSize, 10);
  return b;
}

/** A prepared file: its header, the keys, and what the record says about it. */
export type MediaSeal = {
  readonly header: Buffer;
  readonly info: MediaFileInfo;
  readonly keys: Keys;
};

/**
 * Makes the header and the keys of a new file: a fresh salt or ephemeral key every time, so every
 * file has its own content key (and the per-chunk counter never repeats a nonce under a key).
 */
export async function sealMedia(
  key: MediaSealKey,
  options: { chunkSize?: number } = {},
): Promise<MediaSeal> {
  const chunkSize = options.chunkSize ?? MEDIA_CHUNK_SIZE;
  checkChunkSize(chunkSize);
  if (key.kind === 'password') {
    checkMediaPassword(key.password);
    const c = key.scrypt ?? MEDIA_SCRYPT;
    checkScrypt(c.log2N, c.r, c.p);
    const salt = randomBytes(SALT);
    const header = Buffer.concat([
      fixedHeader('password', chunkSize),
      Buffer.from([c.log2N, c.r, c.p]),
      salt,
    ]);
    const keys = deriveKeys(await scryptIkm(key.password, salt, c), header);
    return {
      header: Buffer.concat([header, keyCheck(keys, header)]),
      info: { keyKind: 'password' },
      keys,
    };
  }
  const cert = parseCertificate(key.certificatePem);
  const fingerprint = createHash('sha256').update(cert.raw).digest();
  const ephemeral = createECDH('prime256v1');
  ephemeral.generateKeys();
  const header = Buffer.concat([
    fixedHeader('public-key', chunkSize),
    ephemeral.getPublicKey(),
    fingerprint,
  ]);
  const keys = deriveKeys(ephemeral.computeSecret(rawPoint(cert.publicKey)), header);
  return {
    header: Buffer.concat([header, keyCheck(keys, header)]),
    info: { keyKind: 'public-key', recipientCertSha256: fingerprint.toString('hex') },
    keys,
  };
}

function checkChunkSize(n: number): void {
  if (!Number.isInteger(n) || n < 1024 || n > 1024 * 1024)
    throw fail('media.header', `チャンク長が範囲外です (chunk size ${n}: 1 KiB–1 MiB)`);
}

function checkScrypt(log2N: number, r: number, p: number): void {
  if (
    !(log2N >= 14 && log2N <= 20 && r >= 1 && r <= 16 && p >= 1 && p <= 16) ||
    128 * r * 2 ** log2N > MAX_SCRYPT_MEMORY
  )
    throw fail('media.header', 'scrypt のパラメータが範囲外です (scrypt parameters out of range)');
}

function sealChunk(keys: Keys, index: number, final: boolean, plain: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-gcm', keys.content, nonce(index), { authTagLength: TAG });
  cipher.setAAD(aad(index, final));
  return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

const nonce = (index: number): Buffer => Buffer.concat([Buffer.alloc(4), u64(index)]);
const aad = (index: number, final: boolean): Buffer =>
  Buffer.concat([u64(index), Buffer.from([final ? 1 : 0])]);

/**
 * Encrypts what is written to it: the header first, then full chunks as they fill, then the
 * final (short) chunk at the end. Holds at most one chunk.
 */
export class MediaEncryptStream extends Transform {
  readonly #seal: MediaSeal;
  readonly #chunkSize: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #index = 0;
  #headerSent = false;

  constructor(seal: MediaSeal) {
    super();
    this.#seal = seal;
    this.#chunkSize = seal.header.readUInt32BE(10);
  }

  override _transform(data: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#header();
    this.#pending.push(data);
    this.#pendingBytes += data.length;
    if (this.#pendingBytes >= this.#chunkSize) {
      let all = Buffer.concat(this.#pending);
      while (all.length >= this.#chunkSize) {
        this.push(
          sealChunk(this.#seal.keys, this.#index++, false, all.subarray(0, this.#chunkSize)),
        );
        all = all.subarray(this.#chunkSize);
      }
      this.#pending = [Buffer.from(all)];
      this.#pendingBytes = all.length;
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    this.#header();
    this.push(sealChunk(this.#seal.keys, this.#index++, true, Buffer.concat(this.#pending)));
    this.#pending = [];
    done();
  }

  #header(): void {
    if (this.#headerSent) return;
    this.#headerSent = true;
    this.push(this.#seal.header);
  }
}

/**
 * Decrypts a media file: reads and checks the header, derives the keys from the password or the
 * private key, and passes on each chunk only once it is authenticated. Errors (RegistryError
 * 'invalid'): `media.not-a-media-file`, `media.version`, `media.header`, `media.key-kind` (a
 * password for a public-key file or the reverse), `media.private-key`, `media.wrong-key` (wrong
 * password or key, or an altered header), `media.tampered` (a chunk fails authentication:
 * altered, reordered, or cut inside a chunk), `media.truncated` (the file ends before its final
 * chunk). The consumer must discard what it received when the stream fails.
 */
export class MediaDecryptStream extends Transform {
  readonly #key: MediaOpenKey;
  #buffer: Buffer = Buffer.alloc(0);
  #keys: Keys | undefined;
  #chunkSize = 0;
  #index = 0;
  #info: MediaFileInfo | undefined;

  constructor(key: MediaOpenKey) {
    super();
    this.#key = key;
  }

  /** The header's facts, once it was read. */
  get info(): MediaFileInfo | undefined {
    return this.#info;
  }

  override _transform(data: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#buffer = this.#buffer.length === 0 ? data : Buffer.concat([this.#buffer, data]);
    this.#step().then(() => done(), done);
  }

  override _flush(done: TransformCallback): void {
    this.#finish().then(() => done(), done);
  }

  async #step(): Promise<void> {
    if (this.#keys === undefined && !(await this.#readHeader())) return;
    const record = this.#chunkSize + TAG;
    // A full record is never the last: the last chunk is always shorter.
    while (this.#buffer.length >= record) {
      this.push(this.#open(this.#buffer.subarray(0, record), false));
      this.#buffer = this.#buffer.subarray(record);
    }
    if (this.#buffer.length > 0) this.#buffer = Buffer.from(this.#buffer);
  }

  async #finish(): Promise<void> {
    if (this.#keys === undefined) {
      if (!(await this.#readHeader())) {
        const start = this.#buffer.subarray(0, MEDIA_MAGIC.length);
        throw start.equals(MEDIA_MAGIC.subarray(0, start.length))
          ? fail(
              'media.truncated',
              'ファイルがヘッダーの途中で終わっています (the file ends inside its header)',
            )
          : fail(
              'media.not-a-media-file',
              '暗号化媒体ファイルではありません (not a jukinet media file)',
            );
      }
      await this.#step();
    }
    if (this.#buffer.length < TAG)
      throw fail(
        'media.truncated',
        'ファイルが最後のチャンクの前で終わっています: 切り詰められています (the file ends before its final chunk: truncated)',
      );
    this.push(this.#open(this.#buffer, true));
    this.#buffer = Buffer.alloc(0);
  }

  #open(record: Buffer, final: boolean): Buffer {
    const decipher = createDecipheriv('aes-256-gcm', this.#keys!.content, nonce(this.#index), {
      authTagLength: TAG,
    });
    decipher.setAAD(aad(this.#index, final));
    decipher.setAuthTag(record.subarray(record.length - TAG));
    try {
      const plain = Buffer.concat([
        decipher.update(record.subarray(0, record.length - TAG)),
        decipher.final(),
      ]);
      this.#index++;
      return plain;
    } catch {
      throw fail(
        'media.tampered',
        `チャンク ${this.#index} の認証に失敗しました: 改ざん・並べ替え・途中での切り詰め (chunk ${this.#index} fails authentication: altered, reordered or cut short)`,
      );
    }
  }

  /** True once the header is read and checked; false while more bytes are needed. */
  async #readHeader(): Promise<boolean> {
    const b = this.#buffer;
    if (b.length >= 8 && !b.subarray(0, 8).equals(MEDIA_MAGIC))
      throw fail(
        'media.not-a-media-file',
        '暗号化媒体ファイルではありません (not a jukinet media file)',
      );
    if (b.length < FIXED) return false;
    if (b[8] !== MEDIA_VERSION)
      throw fail('media.version', `未対応の版です (unsupported version ${b[8]})`);
    const kind = (Object.keys(KIND_CODE) as MediaKeyKind[]).find((k) => KIND_CODE[k] === b[9]);
    if (kind === undefined) throw fail('media.header', `鍵の種類が不正です (key kind ${b[9]})`);
    const chunkSize = b.readUInt32BE(10);
    checkChunkSize(chunkSize);
    const length = FIXED + KIND_FIELDS[kind];
    if (b.length < length + DIGEST) return false;
    const header = b.subarray(0, length);
    let ikm: Buffer;
    let info: MediaFileInfo;
    if (kind === 'password') {
      if (this.#key.kind !== 'password')
        throw fail(
          'media.key-kind',
          'このファイルはパスワードで暗号化されています (this file is sealed with a password: give the password file)',
        );
      const [log2N, r, p] = [b[FIXED]!, b[FIXED + 1]!, b[FIXED + 2]!];
      checkScrypt(log2N, r, p);
      ikm = await scryptIkm(this.#key.password, b.subarray(FIXED + 3, length), { log2N, r, p });
      info = { keyKind: 'password' };
    } else {
      if (this.#key.kind !== 'private-key')
        throw fail(
          'media.key-kind',
          'このファイルは受領者の公開鍵で暗号化されています (this file is sealed to the recipient’s certificate: give its private key)',
        );
      ikm = ecdhWithPrivateKey(this.#key.privateKeyPem, b.subarray(FIXED, FIXED + POINT));
      info = {
        keyKind: 'public-key',
        recipientCertSha256: b.subarray(FIXED + POINT, length).toString('hex'),
      };
    }
    const keys = deriveKeys(ikm, header);
    if (!timingSafeEqual(keyCheck(keys, header), b.subarray(length, length + DIGEST)))
      throw fail(
        'media.wrong-key',
        kind === 'password'
          ? 'パスワードが違います (wrong password, or the header was altered)'
          : '鍵が違います: このファイルは別の受領者宛てです (wrong private key: the file is sealed to another certificate, or the header was altered)',
      );
    this.#keys = keys;
    this.#chunkSize = chunkSize;
    this.#info = info;
    this.#buffer = b.subarray(length + DIGEST);
    return true;
  }
}

function ecdhWithPrivateKey(privateKeyPem: string, ephemeralPoint: Buffer): Buffer {
  let key: KeyObject;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch {
    throw fail('media.private-key', '秘密鍵を読めません (not a private key in PEM)');
  }
  const details = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType !== 'ec' || details?.namedCurve !== 'prime256v1')
    throw fail('media.private-key', '秘密鍵が P-256 ではありません (not a P-256 key)');
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(key.export({ format: 'jwk' }).d ?? '', 'base64url'));
  try {
    return ecdh.computeSecret(ephemeralPoint);
  } catch {
    throw fail(
      'media.header',
      '一時公開鍵が不正です (the ephemeral public key is not a P-256 point)',
    );
  }
}

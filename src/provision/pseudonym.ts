import { createHmac, randomBytes } from 'node:crypto';
import { lstat, readFile, writeFile } from 'node:fs/promises';
import { RegistryError } from '../domain/errors.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';

/**
 * Per-recipient pseudonymous identifiers (R7, beyond the seeds; docs/PROVISION.md). An agency
 * receives, instead of the resident code, an identifier of its own for the person, derived
 * one-way at the national server:
 *
 *   recipientKey = HMAC-SHA-256(secret, "jukinet/pseudonym/v1" ‖ 0x00 ‖ recipientId)
 *   pseudonym    = base32(first 20 bytes of HMAC-SHA-256(recipientKey, residentCode))   (32 chars)
 *
 * Stable (same secret, recipient and code: same identifier), different for every recipient, and
 * one-way: without the secret nobody — the agencies included — can compute or invert it, nor tell
 * that two agencies' identifiers belong to one person. As with Austria's sector-specific
 * identifiers, the secret is the whole protection: resident codes are only 10^10 values, so anyone
 * holding the secret (or a recipient key) could enumerate them. It never leaves the national server
 * and is never logged. A re-code (R7) gives the person new pseudonyms everywhere.
 */

/** Bytes of secret: at least 256 bits (HMAC-SHA-256's block-size key strength). */
export const MIN_SECRET_BYTES = 32;
/** 160 bits as base32: no collision in any population (birthday bound ~2^80). */
export const PSEUDONYM_LENGTH = 32;
const DOMAIN = 'jukinet/pseudonym/v1';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export class PseudonymDeriver {
  readonly #secret: Buffer;
  readonly #recipientKeys = new Map<string, Buffer>();

  /** Throws RegistryError('invalid', …, 'pseudonym.secret-too-short') below MIN_SECRET_BYTES. */
  constructor(secret: Uint8Array) {
    if (secret.length < MIN_SECRET_BYTES) {
      throw new RegistryError(
        'invalid',
        `仮名化の秘密鍵が短すぎます (pseudonym secret: at least ${MIN_SECRET_BYTES} bytes)`,
        'pseudonym.secret-too-short',
      );
    }
    this.#secret = Buffer.from(secret);
  }

  /** The identifier of `residentCode` for `recipientId`. */
  derive(recipientId: string, residentCode: ResidentCode): string {
    return base32(
      createHmac('sha256', this.#recipientKey(recipientId))
        .update(residentCode, 'utf8')
        .digest()
        .subarray(0, 20),
    );
  }

  #recipientKey(recipientId: string): Buffer {
    let key = this.#recipientKeys.get(recipientId);
    if (key === undefined) {
      key = createHmac('sha256', this.#secret)
        .update(`${DOMAIN}\u0000${recipientId}`, 'utf8')
        .digest();
      this.#recipientKeys.set(recipientId, key);
    }
    return key;
  }

  /** Never print the secret (e.g. a node config logged whole). */
  toJSON(): string {
    return '[PseudonymDeriver]';
  }
}

/** RFC 4648 base32 without padding (20 bytes → 32 characters). */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** A fresh secret (the national server makes it once, at set-up). */
export const generatePseudonymSecret = (): Buffer => randomBytes(MIN_SECRET_BYTES);

const HEX_SECRET = /^(?:[0-9a-f]{2}){32,}$/;

/**
 * Writes a new secret to `path` as hex, mode 0600; refuses to overwrite an existing file (a new
 * secret changes every pseudonym every agency holds). Throws RegistryError('conflict', …,
 * 'pseudonym.secret-exists').
 */
export async function createPseudonymSecretFile(path: string): Promise<void> {
  try {
    await writeFile(path, `${generatePseudonymSecret().toString('hex')}\n`, {
      mode: 0o600,
      flag: 'wx',
    });
  } catch (e) {
    if ((e as { code?: string }).code === 'EEXIST') {
      throw new RegistryError(
        'conflict',
        `仮名化の秘密鍵は既にあります (${path} exists; a new secret would change every pseudonym)`,
        'pseudonym.secret-exists',
      );
    }
    throw e;
  }
}

/**
 * Reads the secret written by createPseudonymSecretFile. Refuses a file that group or others can
 * read or write, or a symbolic link (RegistryError('forbidden', …, 'pseudonym.secret-permissions')),
 * and a file that is not ≥ 64 hex digits ('invalid', 'pseudonym.secret-format'). The message never
 * contains the secret.
 */
export async function loadPseudonymSecretFile(path: string): Promise<PseudonymDeriver> {
  const st = await lstat(path);
  if (!st.isFile() || (st.mode & 0o077) !== 0) {
    throw new RegistryError(
      'forbidden',
      `仮名化の秘密鍵のファイル権限が不適切です (${path}: must be a regular file with mode 600)`,
      'pseudonym.secret-permissions',
    );
  }
  const text = (await readFile(path, 'utf8')).trim().toLowerCase();
  if (!HEX_SECRET.test(text)) {
    throw new RegistryError(
      'invalid',
      `仮名化の秘密鍵の形式が不正です (${path}: expected at least 64 hex digits)`,
      'pseudonym.secret-format',
    );
  }
  return new PseudonymDeriver(Buffer.from(text, 'hex'));
}

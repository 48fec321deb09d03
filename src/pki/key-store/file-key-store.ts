import { constants } from 'node:fs';
import { access, open } from 'node:fs/promises';
import { join } from 'node:path';
import { RegistryError } from '../../domain/errors.ts';
import { ensurePrivateDirectory, PRIVATE_FILE_MODE } from '../disk/private-directory.ts';
import { writeFileAtomic } from '../disk/write-file-atomic.ts';
import { checkKeyId, missingKey, pemKeyHandle, type KeyHandle, type KeyStore } from './KeyStore.ts';

/** Largest key file read: a P-256 PKCS #8 PEM is ~250 bytes; anything huge is not a key. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

/**
 * Keys as files `<dir>/<id>.key`: the directory 0700, each file 0600, written atomically. A key
 * file that group or others can read (or that is a symbolic link, or not a regular file) is
 * refused, like OpenSSH refuses such an identity file: RegistryError('forbidden', …,
 * 'pki.insecure-permissions'). The check is made on the opened file (O_NOFOLLOW + fstat), so the
 * file cannot be swapped between check and read.
 *
 * Errors name the id and the path, never the content.
 */
export class FileKeyStore implements KeyStore {
  constructor(readonly dir: string) {}

  /** The file of key `id` (for messages and for node:tls configuration that wants a path). */
  pathOf(id: string): string {
    return join(this.dir, `${checkKeyId(id)}.key`);
  }

  async put(id: string, privateKeyPem: string): Promise<void> {
    const path = this.pathOf(id);
    await ensurePrivateDirectory(this.dir);
    await writeFileAtomic(path, privateKeyPem, PRIVATE_FILE_MODE);
  }

  /** The key, read with the checks of `readPrivateKeyFile`, behind a handle. */
  async open(id: string): Promise<KeyHandle> {
    const path = this.pathOf(id);
    const pem = await readPrivateKeyFile(path, { missing: () => missingKey(id, this.dir) });
    return pemKeyHandle(id, pem, path);
  }

  async has(id: string): Promise<boolean> {
    try {
      await access(this.pathOf(id));
      return true;
    } catch {
      return false;
    }
  }
}

/** A PKCS #8 PEM private key, the only form FileKeyStore writes. */
const PKCS8_PEM =
  /^-----BEGIN PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PRIVATE KEY-----\r?\n?$/;

/**
 * Reads a private key file with FileKeyStore's checks, for any key file a node is configured with
 * (the web terminal's TLS key, docs/WEB-TERMINAL.md): refused with RegistryError('forbidden', …,
 * 'pki.insecure-permissions') when it is a symbolic link, not a regular file, or readable by group
 * or others (the message names the file and says to run chmod 600); 'pki.key-store.malformed' when
 * it is too large or not a PEM of an accepted form (`pem`: PKCS #8 by default). The check is made
 * on the opened file (O_NOFOLLOW + fstat). Errors name the path, never the content.
 */
export async function readPrivateKeyFile(
  path: string,
  options: { readonly missing?: () => Error; readonly pem?: RegExp } = {},
): Promise<string> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw (
        options.missing?.() ??
        new RegistryError('not-found', `key file ${path} does not exist`, 'pki.key-store.missing')
      );
    if (code === 'ELOOP') {
      throw new RegistryError(
        'forbidden',
        `key file ${path} is a symbolic link; refusing to follow it`,
        'pki.insecure-permissions',
      );
    }
    throw new RegistryError(
      'unavailable',
      `cannot open key file ${path} (${code ?? 'error'})`,
      'pki.key-store.io',
    );
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) {
      throw new RegistryError(
        'forbidden',
        `key file ${path} is not a regular file`,
        'pki.insecure-permissions',
      );
    }
    if ((st.mode & 0o077) !== 0) {
      throw new RegistryError(
        'forbidden',
        `key file ${path} is accessible by group or others (mode ${(st.mode & 0o777).toString(8)}); run chmod 600 on it`,
        'pki.insecure-permissions',
      );
    }
    if (st.size > MAX_KEY_FILE_BYTES) {
      throw new RegistryError(
        'invalid',
        `key file ${path} is too large to be a key`,
        'pki.key-store.malformed',
      );
    }
    const text = await handle.readFile('utf8');
    if (!(options.pem ?? PKCS8_PEM).test(text)) {
      // Says what is wrong, never what is in the file.
      throw new RegistryError(
        'invalid',
        `key file ${path} is not a ${options.pem ? 'PEM' : 'PKCS #8 PEM'} private key`,
        'pki.key-store.malformed',
      );
    }
    return text;
  } finally {
    await handle.close();
  }
}

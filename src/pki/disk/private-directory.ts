import { chmod, lstat, mkdir } from 'node:fs/promises';
import { RegistryError } from '../../domain/errors.ts';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Makes `dir` (and missing parents) with mode 0700. An existing directory is accepted only when
 * it is a real directory (not a symbolic link) that group and others cannot reach; otherwise
 * RegistryError('forbidden', …, 'pki.insecure-permissions'): keys must not be written where
 * others can read or replace them.
 */
export async function ensurePrivateDirectory(dir: string): Promise<void> {
  const created = await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (created !== undefined) {
    // mkdir applies the umask; make the new directory exactly 0700.
    await chmod(dir, PRIVATE_DIR_MODE);
    return;
  }
  const st = await lstat(dir);
  if (!st.isDirectory()) {
    throw new RegistryError('forbidden', `${dir} is not a directory`, 'pki.insecure-permissions');
  }
  if ((st.mode & 0o077) !== 0) {
    throw new RegistryError(
      'forbidden',
      `${dir} is accessible by group or others (mode ${(st.mode & 0o777).toString(8)}); expected 700`,
      'pki.insecure-permissions',
    );
  }
}

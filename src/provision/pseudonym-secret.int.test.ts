import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { residentCodeOf } from '../domain/change/change-builders.ts';
import { createPseudonymSecretFile, loadPseudonymSecretFile } from './pseudonym.ts';

const dir = await mkdtemp(join(tmpdir(), 'jukinet-pseudonym-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('R7: the pseudonym secret on disk', () => {
  it('is written once with mode 0600 and gives the same pseudonyms after reloading', async () => {
    const path = join(dir, 'secret.hex');
    await createPseudonymSecretFile(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await readFile(path, 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
    const code = residentCodeOf('2472705960');
    const a = (await loadPseudonymSecretFile(path)).derive('mhlw-pension', code);
    const b = (await loadPseudonymSecretFile(path)).derive('mhlw-pension', code);
    expect(a).toBe(b);
  });

  it('refuses to overwrite an existing secret (every pseudonym would change)', async () => {
    const path = join(dir, 'kept.hex');
    await createPseudonymSecretFile(path);
    await expect(createPseudonymSecretFile(path)).rejects.toMatchObject({
      reason: 'pseudonym.secret-exists',
    });
  });

  it('refuses a secret file that group or others can read, without showing the secret', async () => {
    const path = join(dir, 'open.hex');
    await createPseudonymSecretFile(path);
    await chmod(path, 0o644);
    const error = await loadPseudonymSecretFile(path).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'forbidden', reason: 'pseudonym.secret-permissions' });
    expect((error as Error).message).not.toContain((await readFile(path, 'utf8')).trim());
  });

  it('refuses a file that is not at least 64 hex digits', async () => {
    const path = join(dir, 'short.hex');
    await writeFile(path, 'abcd\n', { mode: 0o600 });
    await expect(loadPseudonymSecretFile(path)).rejects.toMatchObject({
      reason: 'pseudonym.secret-format',
    });
  });
});

import { chmod, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistryError } from '../../domain/errors.ts';
import { createTestPki } from '../test-pki.ts';
import { FileKeyStore } from './file-key-store.ts';

let root: string;
let keyPem: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'juki-keys-'));
  const pki = await createTestPki();
  keyPem = (await pki.issue('cs:131016')).keyPem;
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The base64 lines of the key: none of them may appear in any error. */
const keyLines = (): string[] =>
  keyPem.split('\n').filter((l) => l !== '' && !l.startsWith('-----'));

async function failure(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RegistryError) return e;
    throw e;
  }
  throw new Error('expected a RegistryError');
}

function expectNoKeyMaterial(e: RegistryError): void {
  expect(e.cause).toBeUndefined(); // an underlying error could quote what it read
  const everything = `${e.message} ${e.stack ?? ''} ${JSON.stringify(e)}`;
  for (const line of keyLines()) expect(everything).not.toContain(line);
  expect(everything).not.toContain('PRIVATE KEY-----\n');
}

describe('FileKeyStore', () => {
  it('R9: writes keys 0600 in a 0700 directory and reads them back', async () => {
    const store = new FileKeyStore(join(root, 'keys'));
    expect(await store.has('node')).toBe(false);
    await store.put('node', keyPem);
    expect((await stat(join(root, 'keys'))).mode & 0o777).toBe(0o700);
    expect((await stat(store.pathOf('node'))).mode & 0o777).toBe(0o600);
    const handle = await store.open('node');
    expect(handle.tlsKey()).toEqual({ key: keyPem });
    expect(await store.has('node')).toBe(true);
    // The handle signs (DER, node:crypto's form) and shows no key when printed or serialised.
    const data = new TextEncoder().encode('seal me');
    const signature = await handle.sign(data);
    expect(verify('sha256', data, createPublicKey(keyPem), signature)).toBe(true);
    expect(
      Buffer.from(handle.publicKey).equals(
        createPublicKey(keyPem).export({ type: 'spki', format: 'der' }),
      ),
    ).toBe(true);
    const shown = `${JSON.stringify(handle)} ${inspect(handle, { showHidden: true })} ${JSON.stringify({ ...handle })}`;
    for (const line of keyLines()) expect(shown).not.toContain(line);
    // Replacing is atomic and leaves no temporary file behind.
    await store.put('node', keyPem);
    expect(await readFile(store.pathOf('node'), 'utf8')).toBe(keyPem);
  });

  it('R9: refuses to read a key file that group or others can read, without quoting it', async () => {
    const store = new FileKeyStore(join(root, 'keys'));
    await store.put('node', keyPem);
    await chmod(store.pathOf('node'), 0o644);
    const e = await failure(store.open('node'));
    expect([e.code, e.reason]).toEqual(['forbidden', 'pki.insecure-permissions']);
    expect(e.message).toContain('chmod 600');
    expectNoKeyMaterial(e);
  });

  it('R9: refuses a symbolic link in place of a key file', async () => {
    const store = new FileKeyStore(join(root, 'keys'));
    await store.put('real', keyPem);
    await symlink(store.pathOf('real'), store.pathOf('link'));
    const e = await failure(store.open('link'));
    expect(e.reason).toBe('pki.insecure-permissions');
  });

  it('R9: refuses to write into a directory others can reach', async () => {
    const open = join(root, 'open');
    await mkdir(open, { mode: 0o755 });
    await chmod(open, 0o755);
    const e = await failure(new FileKeyStore(open).put('node', keyPem));
    expect(e.reason).toBe('pki.insecure-permissions');
    expectNoKeyMaterial(e);
  });

  it('R9: errors for missing, malformed or badly named keys never contain key bytes', async () => {
    const store = new FileKeyStore(join(root, 'keys'));
    const missing = await failure(store.open('absent'));
    expect([missing.code, missing.reason]).toEqual(['not-found', 'pki.key-store.missing']);
    // A damaged key file: the error says so without quoting it.
    await mkdir(join(root, 'keys'), { recursive: true, mode: 0o700 });
    const damaged = keyPem.replace('-----END PRIVATE KEY-----', 'garbage');
    await writeFile(store.pathOf('damaged'), damaged, { mode: 0o600 });
    const malformed = await failure(store.open('damaged'));
    expect(malformed.reason).toBe('pki.key-store.malformed');
    expectNoKeyMaterial(malformed);
    // A well-formed PEM that is no P-256 key is refused when the handle is made.
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    });
    await writeFile(store.pathOf('rsa'), rsa, { mode: 0o600 });
    const notP256 = await failure(store.open('rsa'));
    expect([notP256.code, notP256.reason]).toEqual(['invalid', 'pki.key-store.malformed']);
    expect(notP256.cause).toBeUndefined();
    for (const id of ['../escape', 'a/b', '', 'UPPER']) {
      expect((await failure(store.open(id))).reason).toBe('pki.key-store.invalid-id');
    }
  });
});

import { RegistryError } from '../../domain/errors.ts';

/**
 * Where private keys live (R9: "private keys are sealed in tamper-resistant devices"). Kept
 * minimal: a key goes in once, as PKCS #8 PEM, and comes out only to be handed to node:tls.
 *
 * Implementations: `FileKeyStore` (one 0600 file per key in a 0700 directory, the default) and
 * `MemoryKeyStore` (tests). The production target is an HSM behind PKCS #11; there the private
 * key never leaves the device, so such a store would not implement `get` but return a handle
 * (`sign(data): Promise<Uint8Array>` plus the public key), and node:tls would reach the key
 * through an OpenSSL engine/provider (`privateKeyEngine` + `privateKeyIdentifier` in
 * `tls.createSecureContext`). See docs/PKI.md, "Key store and the HSM path".
 *
 * No implementation may put key material in an error, a log line or a return value other
 * than `get`'s.
 */
export interface KeyStore {
  /** Stores (or replaces) the key under `id`, atomically. */
  put(id: string, privateKeyPem: string): Promise<void>;
  /** The key under `id`. Throws RegistryError('not-found', …, 'pki.key-store.missing'). */
  get(id: string): Promise<string>;
  has(id: string): Promise<boolean>;
}

/** Key ids: 1–64 characters `a-z 0-9 . _ -`, starting with a letter or digit (a file name). */
const KEY_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Throws RegistryError('invalid', …, 'pki.key-store.invalid-id'). */
export function checkKeyId(id: string): string {
  if (!KEY_ID.test(id) || id.includes('..')) {
    throw new RegistryError(
      'invalid',
      `key id ${JSON.stringify(id)} must be 1–64 characters a-z, 0-9, '.', '_', '-'`,
      'pki.key-store.invalid-id',
    );
  }
  return id;
}

export const missingKey = (id: string, where: string): RegistryError =>
  new RegistryError(
    'not-found',
    `no key ${JSON.stringify(id)} in ${where}`,
    'pki.key-store.missing',
  );

import { createPrivateKey, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { RegistryError } from '../../domain/errors.ts';

/**
 * Where private keys live (R9: "private keys are sealed in tamper-resistant devices"). A key goes
 * in once, as PKCS #8 PEM, and is used only through a `KeyHandle`: the store never hands the key
 * itself to the code that uses it, so a store whose keys cannot leave their device (an HSM behind
 * PKCS #11) implements the same interface.
 *
 * Implementations: `FileKeyStore` (one 0600 file per key in a 0700 directory, the default) and
 * `MemoryKeyStore` (tests). See docs/PKI.md, "Key store and the HSM path".
 *
 * No implementation may put key material in an error, a log line or a return value other than
 * `KeyHandle.tlsKey()` (which goes to node:tls, and which an HSM store answers with an engine
 * reference instead).
 */
export interface KeyStore {
  /** Stores (or replaces) the key under `id`, atomically. */
  put(id: string, privateKeyPem: string): Promise<void>;
  /**
   * A handle on the key under `id`. Throws RegistryError('not-found', …, 'pki.key-store.missing'),
   * or ('invalid', …, 'pki.key-store.malformed') when it is not a P-256 private key.
   */
  open(id: string): Promise<KeyHandle>;
  has(id: string): Promise<boolean>;
}

/** The only signature algorithm of the network (certificate-profile, R9). */
export const KEY_ALGORITHM = 'ECDSA-P256-SHA256';

/**
 * What node:tls needs to use the key on its side of the handshake: the PEM for a file or memory
 * store (`key` of `tls.createSecureContext`); for an HSM, an OpenSSL engine reference
 * (`privateKeyEngine: 'pkcs11'`, `privateKeyIdentifier: 'pkcs11:token=…;object=…'`, with the
 * PKCS #11 engine libp11), so that node:tls signs in the device. Spread it into the options.
 */
export type TlsPrivateKey =
  | { readonly key: string }
  | { readonly privateKeyEngine: string; readonly privateKeyIdentifier: string };

/** A private key that can be used, not read (JSON, inspection and spreading show no key). */
export interface KeyHandle {
  readonly id: string;
  readonly algorithm: typeof KEY_ALGORITHM;
  /** The public key, SubjectPublicKeyInfo DER. */
  readonly publicKey: Uint8Array;
  /**
   * ECDSA P-256 over SHA-256(data), the signature DER-encoded (ECDSA-Sig-Value, RFC 3279): the
   * form of X.509 and of node:crypto's `sign`/`verify`. (WebCrypto's `subtle.sign` gives IEEE
   * P1363 r‖s instead; `ecdsa-signature.ts` converts.)
   */
  sign(data: Uint8Array): Promise<Uint8Array>;
  /** The key as node:tls takes it. */
  tlsKey(): TlsPrivateKey;
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

/**
 * A handle on a key held in this process as PEM (FileKeyStore after reading the file,
 * MemoryKeyStore). Refuses anything but a P-256 private key with RegistryError('invalid', …,
 * 'pki.key-store.malformed'), naming `where`, never the content, and without a cause (the
 * underlying error could quote the key).
 */
export function pemKeyHandle(id: string, privateKeyPem: string, where: string): KeyHandle {
  let key: KeyObject | undefined;
  try {
    key = createPrivateKey(privateKeyPem);
  } catch {
    key = undefined;
  }
  if (
    key === undefined ||
    key.asymmetricKeyType !== 'ec' ||
    key.asymmetricKeyDetails?.namedCurve !== 'prime256v1'
  ) {
    throw new RegistryError(
      'invalid',
      `key ${JSON.stringify(id)} in ${where} is not a P-256 private key`,
      'pki.key-store.malformed',
    );
  }
  const publicKey = new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
  return new PemKeyHandle(id, publicKey, key, privateKeyPem);
}

class PemKeyHandle implements KeyHandle {
  readonly algorithm = KEY_ALGORITHM;
  readonly #key: KeyObject;
  readonly #pem: string;

  constructor(
    readonly id: string,
    readonly publicKey: Uint8Array,
    key: KeyObject,
    pem: string,
  ) {
    this.#key = key;
    this.#pem = pem;
  }

  sign(data: Uint8Array): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(sign('sha256', data, this.#key)));
  }

  tlsKey(): TlsPrivateKey {
    return { key: this.#pem };
  }
}

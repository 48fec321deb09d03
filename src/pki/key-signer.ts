import { RegistryError } from '../domain/errors.ts';
import type { KeyHandle } from './key-store/KeyStore.ts';
import { derToP1363 } from './key-store/ecdsa-signature.ts';
import { EC_KEY_ALGORITHM, nodeWebCrypto, type CryptoKey } from './x509.ts';

type WebCrypto = typeof nodeWebCrypto;

/** What `@peculiar/x509`'s generators need to sign: a key and the crypto provider it belongs to. */
export type X509Signing = { readonly signingKey: CryptoKey; readonly crypto: WebCrypto };

/**
 * Lets `@peculiar/x509` sign certificates and CRLs through a `KeyHandle` (the CA's key may sit in
 * an HSM): the generators call `crypto.subtle.sign(algorithm, signingKey, tbs)` and read
 * `signingKey.algorithm`; here `signingKey` is a stand-in carrying only the algorithm, and
 * `crypto` is Node's WebCrypto with `sign` for that stand-in routed to `handle.sign` (DER,
 * converted to the P1363 form WebCrypto returns and the library expects). Everything else
 * (exporting the subject's public key, digests) is Node's WebCrypto unchanged.
 */
export function x509Signing(handle: KeyHandle): X509Signing {
  const signingKey = Object.freeze({
    type: 'private',
    extractable: false,
    algorithm: EC_KEY_ALGORITHM,
    usages: ['sign'],
  }) as unknown as CryptoKey;
  const realSubtle = nodeWebCrypto.subtle;
  const sign = async (
    algorithm: Parameters<typeof realSubtle.sign>[0],
    key: CryptoKey,
    data: Parameters<typeof realSubtle.sign>[2],
  ): Promise<ArrayBuffer> => {
    if (key !== signingKey) return realSubtle.sign(algorithm, key, data);
    const hash = typeof algorithm === 'object' ? (algorithm as { hash?: unknown }).hash : undefined;
    const hashName = typeof hash === 'object' ? (hash as { name?: unknown }).name : hash;
    if (
      (algorithm as { name?: unknown }).name !== 'ECDSA' ||
      String(hashName).toUpperCase() !== 'SHA-256'
    ) {
      throw new RegistryError(
        'invalid',
        `key ${JSON.stringify(handle.id)} signs ECDSA P-256 / SHA-256 only`,
        'pki.key-store.algorithm',
      );
    }
    const bytes = ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);
    const p1363 = derToP1363(await handle.sign(bytes));
    return p1363.buffer.slice(p1363.byteOffset, p1363.byteOffset + p1363.byteLength) as ArrayBuffer;
  };
  const subtle = new Proxy(realSubtle, {
    get(target, prop) {
      if (prop === 'sign') return sign;
      const v: unknown = Reflect.get(target, prop, target);
      // Node's SubtleCrypto methods check `this`: call them on the real object.
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const crypto = new Proxy(nodeWebCrypto, {
    get(target, prop) {
      if (prop === 'subtle') return subtle;
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return { signingKey, crypto };
}

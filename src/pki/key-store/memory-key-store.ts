import { checkKeyId, missingKey, type KeyStore } from './KeyStore.ts';

/** A KeyStore in memory, for tests and the in-process simulation. */
export class MemoryKeyStore implements KeyStore {
  readonly #keys = new Map<string, string>();

  put(id: string, privateKeyPem: string): Promise<void> {
    this.#keys.set(checkKeyId(id), privateKeyPem);
    return Promise.resolve();
  }

  get(id: string): Promise<string> {
    const key = this.#keys.get(checkKeyId(id));
    return key === undefined
      ? Promise.reject(missingKey(id, 'the memory key store'))
      : Promise.resolve(key);
  }

  has(id: string): Promise<boolean> {
    return Promise.resolve(this.#keys.has(checkKeyId(id)));
  }
}

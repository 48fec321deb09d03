import { checkKeyId, missingKey, pemKeyHandle, type KeyHandle, type KeyStore } from './KeyStore.ts';

const WHERE = 'the memory key store';

/** A KeyStore in memory, for tests and the in-process simulation. */
export class MemoryKeyStore implements KeyStore {
  readonly #keys = new Map<string, string>();

  put(id: string, privateKeyPem: string): Promise<void> {
    this.#keys.set(checkKeyId(id), privateKeyPem);
    return Promise.resolve();
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the interface is asynchronous
  async open(id: string): Promise<KeyHandle> {
    const key = this.#keys.get(checkKeyId(id));
    if (key === undefined) throw missingKey(id, WHERE);
    return pemKeyHandle(id, key, WHERE);
  }

  has(id: string): Promise<boolean> {
    return Promise.resolve(this.#keys.has(checkKeyId(id)));
  }
}

import { createPublicKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  sealCertificate,
  sealKeyFromHandle,
  sealSignatureValid,
  signSeal,
} from '../../audit/seal-key.ts';
import { RegistryError } from '../../domain/errors.ts';
import { readCrl, verifyCrlSignature } from '../build-crl.ts';
import { createNetworkCa, loadNetworkCa } from '../create-network-ca.ts';
import { parseNodeName } from '../NodeIdentity.ts';
import { fromPem, PRIVATE_KEY_LABEL } from '../pem.ts';
import { nodeSecureContextOptions } from '../tls-profile.ts';
import { EC_KEY_ALGORITHM, nodeWebCrypto, SIGNING_ALGORITHM, type CryptoKey } from '../x509.ts';
import { p1363ToDer } from './ecdsa-signature.ts';
import {
  checkKeyId,
  KEY_ALGORITHM,
  missingKey,
  type KeyHandle,
  type KeyStore,
} from './KeyStore.ts';

/**
 * A key store that behaves like an HSM: a key goes in and is imported as a non-extractable
 * WebCrypto key (the PEM is dropped); a handle signs with it and hands node:tls an engine
 * reference, never the key. If the CA, the seal or the TLS options needed the key itself, they
 * could not work with this store.
 */
class SealedKeyStore implements KeyStore {
  readonly #keys = new Map<string, { readonly key: CryptoKey; readonly spki: Uint8Array }>();
  signatures = 0;

  async put(id: string, privateKeyPem: string): Promise<void> {
    const key = await nodeWebCrypto.subtle.importKey(
      'pkcs8',
      fromPem(privateKeyPem, PRIVATE_KEY_LABEL),
      EC_KEY_ALGORITHM,
      false,
      ['sign'],
    );
    const spki = new Uint8Array(
      createPublicKey(privateKeyPem).export({ type: 'spki', format: 'der' }),
    );
    this.#keys.set(checkKeyId(id), { key, spki });
  }

  open(id: string): Promise<KeyHandle> {
    const held = this.#keys.get(checkKeyId(id));
    if (held === undefined) return Promise.reject(missingKey(id, 'the sealed store'));
    const sign = async (data: Uint8Array): Promise<Uint8Array> => {
      this.signatures++;
      const p1363 = await nodeWebCrypto.subtle.sign(SIGNING_ALGORITHM, held.key, data);
      return p1363ToDer(new Uint8Array(p1363));
    };
    return Promise.resolve({
      id,
      algorithm: KEY_ALGORITHM,
      publicKey: held.spki,
      sign,
      tlsKey: () => ({
        privateKeyEngine: 'pkcs11',
        privateKeyIdentifier: `pkcs11:token=jukinet;object=${id}`,
      }),
    });
  }

  has(id: string): Promise<boolean> {
    return Promise.resolve(this.#keys.has(checkKeyId(id)));
  }

  /** For the test only: the key really cannot be read out. */
  cryptoKey(id: string): CryptoKey {
    return this.#keys.get(id)!.key;
  }
}

const cs = parseNodeName('cs:131016');

describe('KeyStore seam (a store whose keys never leave it)', () => {
  it('R9: a CA whose key cannot be read issues, revokes and reloads, signing through the handle', async () => {
    const store = new SealedKeyStore();
    const ca = await createNetworkCa({ keyStore: store, keyId: 'ca' });
    expect(store.cryptoKey('ca').extractable).toBe(false);
    await expect(nodeWebCrypto.subtle.exportKey('pkcs8', store.cryptoKey('ca'))).rejects.toThrow();
    const afterCreate = store.signatures;
    expect(afterCreate).toBeGreaterThanOrEqual(2); // the self-signed certificate and the first CRL
    const caCert = new X509Certificate(ca.certificatePem);
    expect(caCert.verify(caCert.publicKey)).toBe(true);

    const issued = await ca.issue(cs);
    expect(new X509Certificate(issued.certPem).verify(caCert.publicKey)).toBe(true);
    await ca.revoke(issued.serial, { reason: 'keyCompromise' });
    expect(await verifyCrlSignature(ca.crlPem, ca.certificatePem)).toBe(true);
    expect(store.signatures).toBe(afterCreate + 2); // the node certificate and the new CRL

    const reloaded = await loadNetworkCa({
      certificatePem: ca.certificatePem,
      keyStore: store,
      keyId: 'ca',
      state: ca.snapshot(),
    });
    await reloaded.refreshCrl();
    expect(readCrl(reloaded.crlPem).crlNumber).toBe(3);
    expect(await verifyCrlSignature(reloaded.crlPem, ca.certificatePem)).toBe(true);
  });

  it('R9: refuses to load the CA with another key of the store (the handle proves it by signing)', async () => {
    const store = new SealedKeyStore();
    const ca = await createNetworkCa({ keyStore: store, keyId: 'ca' });
    await createNetworkCa({ keyStore: store, keyId: 'other' });
    const e = await loadNetworkCa({
      certificatePem: ca.certificatePem,
      keyStore: store,
      keyId: 'other',
      state: ca.snapshot(),
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RegistryError);
    expect((e as RegistryError).reason).toBe('pki.ca.key-mismatch');
  });

  it('R23: access-log seals are signed through the handle and verify against the certificate', async () => {
    const ca = await createNetworkCa();
    const issued = await ca.issue(cs);
    const store = new SealedKeyStore();
    await store.put('node', issued.keyPem);
    const key = sealKeyFromHandle(issued.certPem, await store.open('node'));
    const draft = {
      seq: 1,
      uptoSeq: 10,
      at: '2025-01-01T00:00:00.000Z',
      node: key.node,
      hash: 'a'.repeat(64),
      certFingerprint: key.certFingerprint,
    };
    const seal = { ...draft, signature: await signSeal(draft, key) };
    expect(store.signatures).toBe(1);
    expect(sealSignatureValid(seal, sealCertificate(issued.certPem))).toBe(true);
    expect(sealSignatureValid({ ...seal, uptoSeq: 11 }, sealCertificate(issued.certPem))).toBe(
      false,
    );
    // A handle on another node's key does not make a seal key for this certificate.
    const other = await ca.issue(parseNodeName('cs:131024'));
    await store.put('other', other.keyPem);
    const mismatch = await store.open('other').then((h) => {
      try {
        sealKeyFromHandle(issued.certPem, h);
        return undefined;
      } catch (x) {
        return x as RegistryError;
      }
    });
    expect(mismatch?.reason).toBe('audit.certificate');
  });

  it('R9: TLS options take the key as the handle gives it: an engine reference, no key bytes', async () => {
    const ca = await createNetworkCa();
    const issued = await ca.issue(cs);
    const store = new SealedKeyStore();
    await store.put('node', issued.keyPem);
    const options = nodeSecureContextOptions({
      certPem: issued.certPem,
      caPem: ca.certificatePem,
      crlPem: ca.crlPem,
      tlsKey: (await store.open('node')).tlsKey(),
    });
    expect(options).toMatchObject({
      privateKeyEngine: 'pkcs11',
      privateKeyIdentifier: 'pkcs11:token=jukinet;object=node',
    });
    expect(options).not.toHaveProperty('key');
    // With a PEM, as before.
    expect(
      nodeSecureContextOptions({
        certPem: issued.certPem,
        keyPem: issued.keyPem,
        caPem: ca.certificatePem,
        crlPem: ca.crlPem,
      }).key,
    ).toBe(issued.keyPem);
  });
});

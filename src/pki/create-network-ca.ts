import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import { RegistryError } from '../domain/errors.ts';
import {
  buildCaCertificate,
  exportPrivateKeyPem,
  generateKeyPair,
  importSigningKey,
} from './build-certificates.ts';
import { readCrl } from './build-crl.ts';
import {
  caValidity,
  checkNameAttribute,
  DEFAULT_CA_COMMON_NAME,
  NETWORK_ORGANIZATION,
} from './certificate-profile.ts';
import type { KeyStore } from './key-store/KeyStore.ts';
import { NetworkCa, type CaState } from './network-ca.ts';
import { CERTIFICATE_LABEL, fromPem, PRIVATE_KEY_LABEL, toPem } from './pem.ts';
import { randomSerialNumber, type RandomBytes } from './serial-number.ts';
import {
  EC_KEY_ALGORITHM,
  nodeWebCrypto,
  SIGNING_ALGORITHM,
  x509,
  type CryptoKey,
} from './x509.ts';

export type CreateNetworkCaOptions = {
  /** CN of the CA (default `jukinet network CA`). */
  readonly commonName?: string;
  /** O of the CA (default `jukinet`). */
  readonly organization?: string;
  /** 1–20, default 10. */
  readonly validityYears?: number;
  /** Where the CA key goes (under `keyId`, default `ca`); omitted: the key lives only in memory. */
  readonly keyStore?: KeyStore;
  readonly keyId?: string;
  readonly now?: Date;
  readonly crlValidityHours?: number;
  readonly randomBytes?: RandomBytes;
};

/** Creates a new CA: key pair, self-signed certificate, and its first (empty) CRL, number 1. */
export async function createNetworkCa(options: CreateNetworkCaOptions = {}): Promise<NetworkCa> {
  const now = options.now ?? new Date();
  const random = options.randomBytes ?? cryptoRandomBytes;
  const validity = caValidity(now, options.validityYears);
  const commonName = checkNameAttribute(
    options.commonName ?? DEFAULT_CA_COMMON_NAME,
    'CA common name',
  );
  const organization = checkNameAttribute(
    options.organization ?? NETWORK_ORGANIZATION,
    'CA organization',
  );
  const keys = await generateKeyPair();
  const certificate = await buildCaCertificate({
    commonName,
    organization,
    serialNumber: randomSerialNumber(random),
    validity,
    keys,
  });
  const keyPem = await exportPrivateKeyPem(keys.privateKey);
  if (options.keyStore) await options.keyStore.put(options.keyId ?? 'ca', keyPem);
  const ca = await caFrom(
    certificate,
    keyPem,
    { certificates: [], crlNumber: 0, crlPem: '' },
    random,
  );
  await ca.refreshCrl({ now, validityHours: options.crlValidityHours });
  return ca;
}

export type LoadNetworkCaOptions = {
  readonly certificatePem: string;
  readonly keyStore: KeyStore;
  readonly keyId?: string;
  readonly state: CaState;
  readonly randomBytes?: RandomBytes;
};

/**
 * Reloads a CA from its certificate, its key (from the key store) and its persisted state.
 * Throws RegistryError('invalid', …, 'pki.ca.key-mismatch') when the key is not the
 * certificate's.
 */
export async function loadNetworkCa(options: LoadNetworkCaOptions): Promise<NetworkCa> {
  const certificate = new x509.X509Certificate(fromPem(options.certificatePem, CERTIFICATE_LABEL));
  const keyPem = await options.keyStore.get(options.keyId ?? 'ca');
  return caFrom(certificate, keyPem, options.state, options.randomBytes ?? cryptoRandomBytes);
}

async function caFrom(
  certificate: x509.X509Certificate,
  keyPem: string,
  state: CaState,
  random: RandomBytes,
): Promise<NetworkCa> {
  let signingKey: CryptoKey;
  try {
    signingKey = await importSigningKey(fromPem(keyPem, PRIVATE_KEY_LABEL));
  } catch {
    // No cause attached: the underlying error could quote the key.
    throw new RegistryError(
      'invalid',
      'the CA key is not a P-256 PKCS #8 private key',
      'pki.ca.bad-key',
    );
  }
  const probe = new TextEncoder().encode('jukinet CA key check');
  const signature = await nodeWebCrypto.subtle.sign(SIGNING_ALGORITHM, signingKey, probe);
  const publicKey = await nodeWebCrypto.subtle.importKey(
    'spki',
    certificate.publicKey.rawData,
    EC_KEY_ALGORITHM,
    false,
    ['verify'],
  );
  if (!(await nodeWebCrypto.subtle.verify(SIGNING_ALGORITHM, publicKey, signature, probe))) {
    throw new RegistryError(
      'invalid',
      'the CA key does not belong to the CA certificate',
      'pki.ca.key-mismatch',
    );
  }
  const ski = certificate.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski === null)
    throw new RegistryError(
      'invalid',
      'the CA certificate has no subject key identifier',
      'pki.ca.no-key-id',
    );
  if (state.crlPem !== '' && readCrl(state.crlPem).crlNumber !== state.crlNumber) {
    throw new RegistryError(
      'invalid',
      `the stored CRL is not number ${state.crlNumber}`,
      'pki.ca.crl-mismatch',
    );
  }
  return new NetworkCa(
    certificate,
    toPem(certificate.rawData, CERTIFICATE_LABEL),
    ski.keyId,
    signingKey,
    state,
    random,
  );
}

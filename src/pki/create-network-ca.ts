import { randomBytes as cryptoRandomBytes, createPublicKey, verify } from 'node:crypto';
import { RegistryError } from '../domain/errors.ts';
import { buildCaCertificate, exportPrivateKeyPem, generateKeyPair } from './build-certificates.ts';
import { readCrl } from './build-crl.ts';
import {
  caValidity,
  checkNameAttribute,
  DEFAULT_CA_COMMON_NAME,
  NETWORK_ORGANIZATION,
} from './certificate-profile.ts';
import { pemKeyHandle, type KeyHandle, type KeyStore } from './key-store/KeyStore.ts';
import { NetworkCa, type CaState } from './network-ca.ts';
import { CERTIFICATE_LABEL, fromPem, toPem } from './pem.ts';
import { randomSerialNumber, type RandomBytes } from './serial-number.ts';
import { x509 } from './x509.ts';

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

/**
 * Creates a new CA: key pair, self-signed certificate, and its first (empty) CRL, number 1. The
 * key is made here (software), put in the key store, and from then on used only through the
 * store's handle: the certificate and the CRL are signed by `KeyHandle.sign`.
 */
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
  const keyId = options.keyId ?? 'ca';
  const keyPem = await exportPrivateKeyPem((await generateKeyPair()).privateKey);
  let signer: KeyHandle;
  if (options.keyStore) {
    await options.keyStore.put(keyId, keyPem);
    signer = await options.keyStore.open(keyId);
  } else {
    signer = pemKeyHandle(keyId, keyPem, 'memory');
  }
  const certificate = await buildCaCertificate({
    commonName,
    organization,
    serialNumber: randomSerialNumber(random),
    validity,
    signer,
  });
  const ca = await caFrom(
    certificate,
    signer,
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
  const signer = await options.keyStore.open(options.keyId ?? 'ca');
  return caFrom(certificate, signer, options.state, options.randomBytes ?? cryptoRandomBytes);
}

async function caFrom(
  certificate: x509.X509Certificate,
  signer: KeyHandle,
  state: CaState,
  random: RandomBytes,
): Promise<NetworkCa> {
  // The key proves it is the certificate's by signing (an HSM key cannot be compared otherwise).
  const probe = new TextEncoder().encode('jukinet CA key check');
  const signature = await signer.sign(probe);
  const publicKey = createPublicKey({
    key: Buffer.from(certificate.publicKey.rawData),
    format: 'der',
    type: 'spki',
  });
  if (!verify('sha256', probe, publicKey, signature)) {
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
    signer,
    state,
    random,
  );
}

/**
 * The one module that loads `@peculiar/x509` (certificates, CRLs in-process: no `openssl`).
 * The library needs `reflect-metadata` loaded first and a WebCrypto provider: Node's own
 * (`node:crypto` webcrypto), registered once here as the library's default.
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

/** Node's WebCrypto (the library is typed against the DOM's, which this project does not load). */
export const nodeWebCrypto = webcrypto;
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

if (!x509.cryptoProvider.has(x509.CryptoProvider.DEFAULT)) x509.cryptoProvider.set(nodeWebCrypto);

export { x509 };

/** ECDSA on P-256 (secp256r1) with SHA-256: CRYPTREC e-Government recommended (R9). */
export const EC_KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
export const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;

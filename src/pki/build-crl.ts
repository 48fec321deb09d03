import type { RevocationReason } from './certificate-profile.ts';
import { CRL_LABEL, fromPem, toPem } from './pem.ts';
import type { KeyHandle } from './key-store/KeyStore.ts';
import { x509Signing } from './key-signer.ts';
import { nodeWebCrypto, SIGNING_ALGORITHM, x509 } from './x509.ts';

/** id-ce-cRLNumber (RFC 5280 §5.2.3). */
export const CRL_NUMBER_OID = '2.5.29.20';

export type CrlEntry = {
  readonly serial: string;
  readonly revokedAt: Date;
  readonly reason: RevocationReason;
};

export type CrlParams = {
  readonly issuer: {
    readonly name: x509.Name;
    readonly keyId: string;
    /** The CA's key. */
    readonly signer: KeyHandle;
  };
  readonly crlNumber: number;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date;
  readonly entries: readonly CrlEntry[];
};

/**
 * An X.509 v2 CRL signed by the CA (ECDSA P-256 / SHA-256) with the extensions RFC 5280 requires
 * of a conforming CA: authority key identifier and CRL number. Entries carry a reason code except
 * `unspecified` (RFC 5280: absent rather than unspecified). Returned as PEM labelled `X509 CRL`,
 * which is what node:tls's `crl` option parses.
 */
export async function buildCrlPem(p: CrlParams): Promise<string> {
  const { signingKey, crypto } = x509Signing(p.issuer.signer);
  const crl = await x509.X509CrlGenerator.create(
    {
      issuer: p.issuer.name,
      thisUpdate: p.thisUpdate,
      nextUpdate: p.nextUpdate,
      signingKey,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.AuthorityKeyIdentifierExtension(p.issuer.keyId),
        new x509.Extension(CRL_NUMBER_OID, false, derPositiveInteger(p.crlNumber)),
      ],
      entries: p.entries.map((e) => ({
        serialNumber: e.serial,
        revocationDate: e.revokedAt,
        ...(e.reason === 'unspecified' ? {} : { reason: x509.X509CrlReason[e.reason] }),
      })),
    },
    crypto,
  );
  return toPem(crl.rawData, CRL_LABEL);
}

/** DER INTEGER of a non-negative safe integer (minimal encoding, leading 0x00 when needed). */
export function derPositiveInteger(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError('expected a non-negative integer');
  const bytes: number[] = [];
  let v = n;
  do {
    bytes.unshift(v % 256);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (bytes[0]! >= 0x80) bytes.unshift(0);
  return Uint8Array.from([0x02, bytes.length, ...bytes]);
}

/** What a CRL says, read back (for tests, `juki pki crl` and checks of a stored CRL). */
export type CrlSummary = {
  readonly crlNumber: number | undefined;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  readonly issuer: string;
  readonly revoked: readonly { serial: string; revokedAt: Date; reason: string | undefined }[];
};

export function readCrl(pem: string): CrlSummary {
  const crl = new x509.X509Crl(fromPem(pem, CRL_LABEL));
  const ext = crl.getExtension(CRL_NUMBER_OID);
  let crlNumber: number | undefined;
  if (ext) {
    const v = new Uint8Array(ext.value);
    crlNumber = 0;
    for (const b of v.subarray(2)) crlNumber = crlNumber * 256 + b;
  }
  return {
    crlNumber,
    thisUpdate: crl.thisUpdate,
    nextUpdate: crl.nextUpdate,
    issuer: crl.issuer,
    revoked: crl.entries.map((e) => ({
      serial: e.serialNumber.toLowerCase(),
      revokedAt: e.revocationDate,
      reason: e.reason === undefined ? undefined : x509.X509CrlReason[e.reason],
    })),
  };
}

/** Verifies a CRL's signature against the CA certificate (PEM). */
export async function verifyCrlSignature(
  crlPem: string,
  caCertificatePem: string,
): Promise<boolean> {
  const crl = new x509.X509Crl(fromPem(crlPem, CRL_LABEL));
  return crl.verify({ publicKey: new x509.X509Certificate(caCertificatePem) }, nodeWebCrypto);
}

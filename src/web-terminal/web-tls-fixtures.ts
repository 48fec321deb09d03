import { createHash, createPublicKey } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toPem, PRIVATE_KEY_LABEL } from '../pki/pem.ts';
import {
  EC_KEY_ALGORITHM,
  nodeWebCrypto,
  SIGNING_ALGORITHM,
  x509,
  type CryptoKeyPair,
} from '../pki/x509.ts';

/*
 * Test fixtures: an organisation's CA and a TLS server certificate of the web terminal from it
 * (ECDSA P-256, SAN dNSName, EKU serverAuth, one day), written as an operator would deploy them:
 * web.crt 0644, web.key 0600.
 */

const DAY = 86_400_000;
const subtle = nodeWebCrypto.subtle;
const keyPair = (): Promise<CryptoKeyPair> =>
  subtle.generateKey(EC_KEY_ALGORITHM, true, ['sign', 'verify']);
const keyPem = async (k: CryptoKeyPair): Promise<string> =>
  toPem(await subtle.exportKey('pkcs8', k.privateKey), PRIVATE_KEY_LABEL);

export type WebTlsFixture = {
  readonly caPem: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly keyPem: string;
  /** base64 SHA-256 of the server key's SubjectPublicKeyInfo (Chromium's SPKI pin). */
  readonly spkiSha256: string;
};

let serial = 1;

/** A CA and a server certificate for `host` (and 127.0.0.1), written under `dir` as `name`.crt/.key. */
export async function writeWebTlsFixture(
  dir: string,
  host: string,
  name = 'web',
): Promise<WebTlsFixture> {
  const now = Date.now();
  const caKeys = await keyPair();
  const ca = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: String(serial++).padStart(2, '0'),
      name: 'CN=Test Municipality LAN CA, O=test',
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 30 * DAY),
      keys: caKeys,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
          true,
        ),
      ],
    },
    nodeWebCrypto,
  );
  const keys = await keyPair();
  const cert = await x509.X509CertificateGenerator.create(
    {
      serialNumber: String(serial++).padStart(2, '0'),
      subject: `CN=${host}`,
      issuer: ca.subject,
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + DAY),
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: host },
          { type: 'ip', value: '127.0.0.1' },
        ]),
      ],
    },
    nodeWebCrypto,
  );
  const keyText = await keyPem(keys);
  const certPath = join(dir, `${name}.crt`);
  const keyPath = join(dir, `${name}.key`);
  writeFileSync(certPath, cert.toString('pem') + '\n', { mode: 0o644 });
  writeFileSync(keyPath, keyText, { mode: 0o600 });
  const spki = createPublicKey(keyText).export({ type: 'spki', format: 'der' });
  return {
    caPem: ca.toString('pem'),
    certPath,
    keyPath,
    keyPem: keyText,
    spkiSha256: createHash('sha256').update(spki).digest('base64'),
  };
}

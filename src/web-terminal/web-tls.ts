import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ServerOptions } from 'node:https';
import { RegistryError } from '../domain/errors.ts';
import type { Logger } from '../nodes/json-log.ts';
import { readPrivateKeyFile, TLS_PROFILE } from '../pki/index.ts';

/**
 * TLS of the web terminal (config `webTerminal.tls`, docs/WEB-TERMINAL.md "HTTPS on a LAN"). The
 * certificate comes from the organisation's own CA, the one the terminals' browsers already trust
 * (not the network CA: docs/WEB-TERMINAL.md says why). The protocol is the network side's: TLS 1.3
 * only, the CRYPTREC AES-GCM suites of `TLS_PROFILE` (src/pki/tls-profile.ts), ECDHE on
 * P-256/P-384; signatures ECDSA or RSA-PSS (both CRYPTREC-listed), since the organisation's CA may
 * issue either key type.
 */

/** The PEM texts the listener serves: the certificate (with its chain, if any) and its key. */
export type WebTlsPem = { readonly cert: string; readonly key: string };

/** The paths in the config (resolved against the config file's directory). */
export type WebTlsFiles = { readonly cert: string; readonly key: string };

/** Server signature algorithms: ECDSA P-256/P-384 and RSA-PSS (no PKCS #1 v1.5, no SHA-1). */
export const WEB_TLS_SIGALGS =
  'ecdsa_secp256r1_sha256:ecdsa_secp384r1_sha384:rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_pss_sha256:rsa_pss_pss_sha384';

/** HSTS over TLS: a year; the terminal's browser then never tries plain http for this host. */
export const HSTS = 'max-age=31536000';

/** node:https options for the web terminal. */
export function webTlsOptions(pem: WebTlsPem): ServerOptions {
  return {
    minVersion: TLS_PROFILE.minVersion,
    maxVersion: TLS_PROFILE.maxVersion,
    ciphers: TLS_PROFILE.ciphers,
    ecdhCurve: TLS_PROFILE.ecdhCurve,
    sigalgs: WEB_TLS_SIGALGS,
    cert: pem.cert,
    key: pem.key,
  };
}

/** Host names an rpId may be over plain http: WebAuthn's secure context without TLS. */
const PLAIN_HTTP_RP_IDS = ['localhost'];

/**
 * Why `origin` and `rpId` cannot work together (WebAuthn needs a secure context and binds the
 * credentials to rpId, a registrable suffix of the origin's host), or undefined when they can:
 *
 * - with TLS the origin is https://;
 * - without TLS the origin is http://localhost[:port] with rpId `localhost` (an IP address is no
 *   rpId at all); an https origin without `tls` is refused too (this listener would speak http);
 * - the origin's host is the rpId or a subdomain of it.
 */
export function webOriginProblem(rpId: string, origin: string, tls: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return 'origin は URL ではありません / origin is not a URL';
  }
  if (url.origin !== origin.replace(/\/$/, ''))
    return `origin は ${url.origin} のようにスキーム・ホスト・ポートだけを書きます / origin must be scheme://host[:port] only, e.g. ${url.origin}`;
  if (tls && url.protocol !== 'https:')
    return `webTerminal.tls があるときの origin は https:// です / with webTerminal.tls the origin must be https:// (e.g. https://${url.host})`;
  if (!tls && url.protocol === 'https:')
    return 'https の origin には webTerminal.tls { cert, key } が必要です / an https origin needs webTerminal.tls { cert, key } (docs/WEB-TERMINAL.md)';
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return 'origin は https:// です / the origin must be https://';
  if (!tls && !PLAIN_HTTP_RP_IDS.includes(rpId))
    return `http で WebAuthn が動くのは localhost だけです。webTerminal.tls { cert, key } を設定し origin を https:// にしてください / WebAuthn over plain http works only for rpId localhost: configure webTerminal.tls { cert, key } and an https:// origin for ${rpId}`;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (host !== rpId && !host.endsWith(`.${rpId}`))
    return `rpId ${rpId} は origin のホスト名 ${host} (またはその上位ドメイン) でなければなりません / rpId must be the origin's host name ${host} or a parent domain of it`;
  return undefined;
}

/** Unencrypted PEM private keys node:tls takes: PKCS #8, SEC 1 (EC), PKCS #1 (RSA). */
const KEY_PEM =
  /^-----BEGIN ((?:EC |RSA )?PRIVATE KEY)-----\r?\n[A-Za-z0-9+/=\r\n]+-----END \1-----\r?\n?$/;

const refuse = (
  log: Logger,
  file: string,
  code: RegistryError['code'],
  reason: string,
  message: string,
): RegistryError => {
  log.error('web-terminal.tls-refused', { reason, file });
  return new RegistryError(code, message, reason);
};

/**
 * Reads and checks the web terminal's certificate and key at start: the key file readable by its
 * owner only (FileKeyStore's check: `pki.insecure-permissions`, "run chmod 600"), an unencrypted
 * PEM; the certificate a PEM that is valid now, names `rpId` and matches the key. Every refusal is
 * a RegistryError, logged `web-terminal.tls-refused` with the file and the reason; neither names
 * anything of the key but its path.
 */
export async function loadWebTls(
  files: WebTlsFiles,
  rpId: string,
  log: Logger,
  now: Date = new Date(),
): Promise<WebTlsPem> {
  let key: string;
  try {
    key = await readPrivateKeyFile(files.key, { pem: KEY_PEM });
  } catch (e) {
    if (!(e instanceof RegistryError)) throw e;
    log.error('web-terminal.tls-refused', { reason: e.reason ?? e.code, file: files.key });
    throw e;
  }
  let cert: string;
  try {
    cert = await readFile(files.cert, 'utf8');
  } catch (e) {
    throw refuse(
      log,
      files.cert,
      'not-found',
      'web-terminal.tls-cert-unreadable',
      `証明書ファイルを読めません / cannot read the web terminal's certificate ${files.cert} (${(e as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw refuse(
      log,
      files.cert,
      'invalid',
      'web-terminal.tls-cert-invalid',
      `証明書ファイルが PEM の証明書ではありません / ${files.cert} is not a PEM certificate`,
    );
  }
  const t = now.getTime();
  if (Date.parse(x509.validFrom) > t || Date.parse(x509.validTo) <= t)
    throw refuse(
      log,
      files.cert,
      'invalid',
      'web-terminal.tls-cert-expired',
      `証明書の有効期間外です / the certificate ${files.cert} is valid ${x509.validFrom} – ${x509.validTo} only`,
    );
  if (x509.checkHost(rpId) === undefined)
    throw refuse(
      log,
      files.cert,
      'invalid',
      'web-terminal.tls-cert-host',
      `証明書が ${rpId} のものではありません / the certificate ${files.cert} does not name ${rpId} (subjectAltName ${x509.subjectAltName ?? 'none'})`,
    );
  let matches = false;
  try {
    matches = x509.checkPrivateKey(createPrivateKey(key));
  } catch {
    matches = false;
  }
  if (!matches)
    throw refuse(
      log,
      files.key,
      'invalid',
      'web-terminal.tls-key-mismatch',
      `鍵が証明書と対になっていません / the key ${files.key} is not the key of the certificate ${files.cert}`,
    );
  return { cert, key };
}

import type { AlertKind } from '../domain/network/SecurityAlert.ts';
import { UNEXPECTED_PEER_CODE } from './authenticated-peer.ts';
import { ALPN_PROTOCOL } from './tls-options.ts';

/** What a failed TLS handshake means for the alert log (R11). */
export type TlsFailure = { readonly kind: AlertKind; readonly detail: string };

/** OpenSSL verification results (X509_V_ERR_*, as node:tls names them) and what they mean. */
const VERIFY_KINDS: Readonly<Record<string, AlertKind>> = {
  CERT_REVOKED: 'certificate-revoked',
  CERT_HAS_EXPIRED: 'certificate-expired',
  CERT_NOT_YET_VALID: 'certificate-expired',
};

const VERIFY_TEXT: Readonly<Record<string, string>> = {
  CERT_REVOKED: 'the certificate is revoked (listed in the CRL)',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not yet valid',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the certificate is not signed by the network CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the certificate is not issued by the network CA',
  SELF_SIGNED_CERT_IN_CHAIN: 'a self-signed certificate that is not the network CA',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'a self-signed certificate',
  CERT_SIGNATURE_FAILURE: 'the certificate signature does not verify',
  UNABLE_TO_GET_CRL: 'no CRL of the certificate issuer is loaded',
  CRL_HAS_EXPIRED: "this node's CRL is past its nextUpdate: refresh it (everyone is refused)",
};

/**
 * Classifies a handshake failure seen on either side. `verifyError` is node:tls's verification
 * result for the peer certificate (`socket.authorizationError`), when it got that far. The
 * detail names the OpenSSL reason (e.g. `ERR_SSL_UNSUPPORTED_PROTOCOL: unsupported protocol`)
 * and never carries key material or certificate contents.
 */
export function classifyTlsFailure(
  error: Error | undefined,
  verifyError: string | null | undefined,
): TlsFailure {
  if (verifyError) {
    const text = VERIFY_TEXT[verifyError] ?? 'the certificate does not verify';
    return {
      kind: VERIFY_KINDS[verifyError] ?? 'tls-handshake-failed',
      detail: `${verifyError}: ${text}`,
    };
  }
  const code = (error as { code?: unknown } | undefined)?.code;
  if (code === 'ERR_TLS_HANDSHAKE_TIMEOUT')
    return { kind: 'handshake-timeout', detail: 'the TLS handshake did not complete in time' };
  if (code === 'ERR_SSL_NO_APPLICATION_PROTOCOL')
    return {
      kind: 'not-our-protocol',
      detail: `a TLS client asking for another application protocol than ${ALPN_PROTOCOL} (ALPN), e.g. HTTPS`,
    };
  if (code === UNEXPECTED_PEER_CODE)
    return { kind: 'unexpected-peer', detail: error?.message ?? 'unexpected peer' };
  if (typeof code === 'string' && code in VERIFY_TEXT) return classifyTlsFailure(error, code);
  return { kind: 'tls-handshake-failed', detail: describeTlsError(error) };
}

/**
 * `CODE: reason` from a node:tls error: OpenSSL's short reason string when there is one (not the
 * whole error stack with its source paths).
 */
export function describeTlsError(error: Error | undefined): string {
  if (!error) return 'the peer closed the connection during the handshake';
  const e = error as Error & { code?: unknown; reason?: unknown };
  const code = typeof e.code === 'string' ? e.code : 'ERR_TLS';
  const reason =
    typeof e.reason === 'string' ? e.reason : (e.message.split('\n')[0] ?? '').slice(0, 200);
  if (code === 'ECONNRESET') return 'the peer closed the connection during the handshake';
  return `${code}: ${reason}`;
}

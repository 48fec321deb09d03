import { describe, expect, it } from 'vitest';
import { UNEXPECTED_PEER_CODE } from './authenticated-peer.ts';
import { classifyTlsFailure, describeTlsError } from './tls-failure.ts';

const tlsError = (code: string, reason?: string, message = 'x') =>
  Object.assign(new Error(message), { code, ...(reason ? { reason } : {}) });

describe('what a failed handshake means (R11)', () => {
  it('R11: the verification result of the peer certificate decides the alert kind', () => {
    const hangUp = tlsError('ECONNRESET', undefined, 'socket hang up');
    expect(classifyTlsFailure(hangUp, 'CERT_REVOKED')).toEqual({
      kind: 'certificate-revoked',
      detail: 'CERT_REVOKED: the certificate is revoked (listed in the CRL)',
    });
    expect(classifyTlsFailure(hangUp, 'CERT_HAS_EXPIRED').kind).toBe('certificate-expired');
    expect(classifyTlsFailure(hangUp, 'CERT_NOT_YET_VALID').kind).toBe('certificate-expired');
    expect(classifyTlsFailure(hangUp, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE')).toEqual({
      kind: 'tls-handshake-failed',
      detail: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE: the certificate is not signed by the network CA',
    });
    expect(classifyTlsFailure(hangUp, 'SOMETHING_NEW')).toEqual({
      kind: 'tls-handshake-failed',
      detail: 'SOMETHING_NEW: the certificate does not verify',
    });
  });

  it('R11: OpenSSL errors keep their short reason, not the error stack with source paths', () => {
    const e = tlsError(
      'ERR_SSL_UNSUPPORTED_PROTOCOL',
      'unsupported protocol',
      '80CC:error:0A000102:SSL routines:tls_early_post_process_client_hello:unsupported protocol:../deps/openssl/ssl/statem/statem_srvr.c:1664:\n',
    );
    expect(classifyTlsFailure(e, null)).toEqual({
      kind: 'tls-handshake-failed',
      detail: 'ERR_SSL_UNSUPPORTED_PROTOCOL: unsupported protocol',
    });
  });

  it('R10/R11: timeouts, other application protocols and unexpected peers have their own kinds', () => {
    expect(classifyTlsFailure(tlsError('ERR_TLS_HANDSHAKE_TIMEOUT'), null).kind).toBe(
      'handshake-timeout',
    );
    expect(classifyTlsFailure(tlsError('ERR_SSL_NO_APPLICATION_PROTOCOL'), null).kind).toBe(
      'not-our-protocol',
    );
    expect(
      classifyTlsFailure(tlsError(UNEXPECTED_PEER_CODE, undefined, 'the server is x'), null),
    ).toEqual({ kind: 'unexpected-peer', detail: 'the server is x' });
    // A client-side verification error arrives as the error's code.
    expect(classifyTlsFailure(tlsError('CERT_REVOKED'), undefined).kind).toBe(
      'certificate-revoked',
    );
  });

  it('R11: a peer that hangs up mid-handshake is described as such', () => {
    expect(describeTlsError(undefined)).toBe('the peer closed the connection during the handshake');
    expect(describeTlsError(tlsError('ECONNRESET', undefined, 'socket hang up'))).toBe(
      'the peer closed the connection during the handshake',
    );
  });
});

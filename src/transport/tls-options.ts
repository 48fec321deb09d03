import { constants } from 'node:crypto';
import {
  createSecureContext,
  type ConnectionOptions,
  type PeerCertificate,
  type SecureContext,
  type TlsOptions,
} from 'node:tls';
import { nodeSecureContextOptions, type NodeTlsCredentials } from '../pki/index.ts';

/**
 * The TLS profile of the network side (R9, R10; docs/NETWORK.md "Transport profile"), on top of
 * the PKI's `TLS_PROFILE` (TLS 1.3 only; TLS_AES_256_GCM_SHA384 and TLS_AES_128_GCM_SHA256 only —
 * CRYPTREC; ECDHE on P-256/P-384; ECDSA P-256 signatures):
 *
 * - mutual authentication always: the server requests a certificate and refuses a peer without a
 *   valid one; the network CA is the only trust anchor; the CRL is loaded;
 * - no session resumption, either side: the server turns stateless tickets off
 *   (`SSL_OP_NO_TICKET`) and keeps no session cache (node:tls has no internal server cache and we
 *   register no `resumeSession` handler), so every connection is a full handshake with a fresh
 *   ECDHE exchange and its keys die with it; the client never offers a saved session;
 * - ALPN `jukinet/1`: both ends say which protocol runs inside; a TLS client that asks for
 *   another (`h2`, `http/1.1`) is refused by the handshake itself.
 */
export const ALPN_PROTOCOL = 'jukinet/1';

/** The suites a connection may end up with (asserted by the tests). */
export const ALLOWED_CIPHERS = ['TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256'] as const;

/** Options for the secure context of a node's server side. */
export function serverTlsOptions(credentials: NodeTlsCredentials): TlsOptions {
  return {
    ...nodeSecureContextOptions(credentials),
    secureOptions: constants.SSL_OP_NO_TICKET,
    requestCert: true,
    rejectUnauthorized: true,
    ALPNProtocols: [ALPN_PROTOCOL],
  };
}

/**
 * Options for a node's client side. `checkPeer` receives the server's certificate once its chain,
 * dates and revocation have been verified, and returns an Error to refuse it (the server is not
 * the node dialled); it replaces node:tls's host-name check, which knows nothing of node names.
 * No `session` is ever passed: no resumption.
 */
export function clientTlsOptions(
  credentials: NodeTlsCredentials,
  checkPeer: (certificate: PeerCertificate) => Error | undefined,
): ConnectionOptions {
  return {
    secureContext: clientSecureContext(credentials),
    rejectUnauthorized: true,
    ALPNProtocols: [ALPN_PROTOCOL],
    checkServerIdentity: (_host, certificate) => checkPeer(certificate),
  };
}

/**
 * One secure context per set of credentials (a new CRL comes as new credentials): building it
 * parses the key, the certificates and the CRL, ~25 % of a client handshake's CPU when it was
 * built per connection (bench `protocol`). A context holds no session: no resumption either way.
 */
const clientContexts = new WeakMap<NodeTlsCredentials, SecureContext>();

function clientSecureContext(credentials: NodeTlsCredentials): SecureContext {
  let context = clientContexts.get(credentials);
  if (context === undefined) {
    context = createSecureContext(nodeSecureContextOptions(credentials));
    clientContexts.set(credentials, context);
  }
  return context;
}

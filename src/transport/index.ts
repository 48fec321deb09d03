/**
 * The network side of a node (R8–R11; docs/NETWORK.md): the protocol's Transport over mutual
 * TLS 1.3, the listener with its firewall and intrusion alerts, and the client side. Import from
 * here.
 */
export {
  ALPN_PROTOCOL,
  ALLOWED_CIPHERS,
  clientTlsOptions,
  serverTlsOptions,
} from './tls-options.ts';
export {
  checkExpectedPeer,
  peerFromCertificate,
  peerOfSocket,
  UNEXPECTED_PEER_CODE,
  type AuthenticatedPeer,
} from './authenticated-peer.ts';
export { classifyTlsFailure, describeTlsError, type TlsFailure } from './tls-failure.ts';
export { TlsTransport, DEFAULT_CLOSE_TIMEOUT_MS } from './tls-transport.ts';
export { TlsAcceptor, type AdmitPeer, type TlsAcceptorOptions } from './tls-acceptor.ts';
export { PendingConnection } from './pending-connection.ts';
export { dialTls, type DialTarget, type DialTlsOptions } from './tls-dial.ts';
export {
  AlertRecorder,
  type AlertInput,
  type AlertRecorderOptions,
  type AlertSink,
} from './alert-recorder.ts';
export { classifyFirstBytes, type FirstBytesVerdict } from './first-bytes.ts';
export { TokenBucket, KeyedTokenBuckets, checkRateLimit, type RateLimit } from './token-bucket.ts';
export {
  DEFAULT_NETWORK_LIMITS,
  resolveNetworkLimits,
  type NetworkLimits,
} from './network-limits.ts';
export {
  guardSession,
  registerHandlers,
  type Authorize,
  type SessionGuardOptions,
} from './session-guard.ts';
export { OpenSessions, type OpenSession } from './open-sessions.ts';
export {
  listenNetwork,
  type ListenNetworkOptions,
  type NetworkListener,
  type SessionSettings,
} from './network-listener.ts';
export { connectNetwork, connectOver, type ConnectNetworkOptions } from './connect.ts';

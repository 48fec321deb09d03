/**
 * Intrusion alerts of the network side (R11): what a node saw that is not our protocol, or not
 * allowed, with the peer's address. Stored by every node and listed by `juki alerts`, so that
 * monitoring can show them. `detail` says what was seen, never a secret or identity data: at most
 * a short, printable excerpt of unknown bytes.
 */
export const ALERT_KINDS = {
  'not-our-protocol': 'bytes that are not our frame protocol (HTTP, plain text, garbage)',
  'tls-handshake-failed':
    'a TLS client that failed the handshake (unknown CA, TLS 1.2, no certificate…)',
  'certificate-revoked': 'a peer presented a revoked certificate',
  'certificate-expired': 'a peer presented an expired or not yet valid certificate',
  'unexpected-peer': 'a valid certificate of a node that is not the one expected',
  'handshake-timeout': 'a connection that stalled before completing the handshake',
  'forbidden-operation': 'an operation the allow-list does not permit',
  'rate-limited': 'a peer over its connection or request rate',
  'bad-frame':
    'a frame that broke the protocol (bad magic, version, size, body), was cut short by the peer closing, or was not finished within the frame deadline (trickled, slowloris)',
  'unknown-kinds': 'a peer that keeps asking for message kinds this node does not know (probing)',
  'idle-timeout':
    'an established session whose peer fell silent: nothing received, not even a heartbeat answer, within the idle timeout',
  'peer-not-reading':
    'a peer that sends but does not read: the replies it asked for piled up past the output cap, the session was cut',
  'node-isolated': 'an operator cut a node off (emergency plan)',
  'crl-refused':
    'a new CRL this node refused to load (not signed by the network CA, unreadable, or older than the loaded one)',
  'crl-expiring':
    'the loaded CRL nears or passed its nextUpdate: after it this node refuses every peer',
  'audit-finding':
    'the access-log analysis found a suspicious pattern (R16): rule id, identifiers and counts',
  'wide-area-suspended':
    'an operator card of another municipality sent more 広域交付 requests than the limit in a short time: its requests are refused for a time (R18)',
  'audit-anchor-conflict':
    'a downstream node sent a seal that differs from the one anchored under its number (R23): someone rewrote a sealed access log',
} as const;

export type AlertKind = keyof typeof ALERT_KINDS;
export const isAlertKind = (s: string): s is AlertKind => Object.hasOwn(ALERT_KINDS, s);

export type SecurityAlert = {
  readonly id: number;
  /** ISO 8601 instant (UTC) when it was seen. */
  readonly at: string;
  /** The node that saw it, e.g. `prefecture:13`. */
  readonly observer: string;
  readonly kind: AlertKind;
  /** `address:port` of the peer. */
  readonly peerAddress: string;
  /** The peer's node name, when its certificate told it. */
  readonly peerName: string | undefined;
  readonly detail: string;
};

export type NewSecurityAlert = Omit<SecurityAlert, 'id'>;

const MAX_EXCERPT = 48;

/**
 * A printable excerpt of unknown bytes for an alert: at most 48 bytes, printable ASCII kept,
 * everything else as \xNN. Enough to tell "GET / HTTP/1.1" from a TLS 1.2 ClientHello.
 */
export function excerptBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes.subarray(0, MAX_EXCERPT)) {
    out +=
      b >= 0x20 && b < 0x7f && b !== 0x5c
        ? String.fromCharCode(b)
        : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return bytes.length > MAX_EXCERPT ? `${out}…` : out;
}

/**
 * The first look at a new connection on the network side (R10, R11): before any TLS work, the
 * listener reads the first bytes. Our protocol always starts with a TLS handshake record
 * (content type 0x16, legacy record version 0x03 0x01–0x04); anything else — an HTTP request,
 * an SSH banner, SMTP, plain text, garbage — is not our protocol and is dropped with an alert
 * quoting what came.
 */
export type FirstBytesVerdict = 'tls' | 'need-more' | 'not-our-protocol';

const HANDSHAKE = 0x16;
const MAJOR = 0x03;
/** The record header is 5 bytes; 3 tell a TLS handshake record from anything else. */
export const SNIFF_BYTES = 3;

export function classifyFirstBytes(bytes: Uint8Array): FirstBytesVerdict {
  if (bytes.length === 0) return 'need-more';
  if (bytes[0] !== HANDSHAKE) return 'not-our-protocol';
  if (bytes.length === 1) return 'need-more';
  if (bytes[1] !== MAJOR) return 'not-our-protocol';
  if (bytes.length === 2) return 'need-more';
  const minor = bytes[2]!;
  return minor >= 0x01 && minor <= 0x04 ? 'tls' : 'not-our-protocol';
}

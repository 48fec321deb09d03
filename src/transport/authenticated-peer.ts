import type { PeerCertificate, TLSSocket } from 'node:tls';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import { RegistryError } from '../domain/errors.ts';
import { nodeIdentityFromCertificate, normalizeSerialNumber, sameNode } from '../pki/index.ts';

/** Who is on the other end of an authenticated connection, as its certificate says (R9). */
export type AuthenticatedPeer = {
  readonly node: NodeRef;
  /** `cs:131016` */
  readonly name: string;
  /** The certificate's serial number, normalised (lower-case hex): what a CRL lists. */
  readonly serial: string;
  /** `address:port` as seen by this node (or a description, for a tunnel). */
  readonly address: string;
  /** The DER of the certificate it presented (what its signatures verify with, e.g. seals). */
  readonly certificate?: Uint8Array;
};

/**
 * The node a certificate (verified by node:tls: chain to the network CA, dates, CRL) names.
 * Throws RegistryError('invalid', …, 'pki.certificate.*' | 'node-identity.*') when the
 * certificate names no node properly.
 */
export function peerFromCertificate(
  certificate: Pick<PeerCertificate, 'raw' | 'serialNumber'>,
  address: string,
): AuthenticatedPeer {
  const node = nodeIdentityFromCertificate(certificate.raw);
  return {
    node,
    name: nodeName(node),
    serial: normalizeSerialNumber(certificate.serialNumber),
    address,
    certificate: certificate.raw,
  };
}

/** The peer of an authorised TLS socket; throws like `peerFromCertificate`. */
export function peerOfSocket(socket: TLSSocket, address: string): AuthenticatedPeer {
  const certificate = socket.getPeerCertificate();
  if (!certificate.raw)
    throw new RegistryError(
      'invalid',
      'the peer presented no certificate',
      'network.peer.no-certificate',
    );
  return peerFromCertificate(certificate, address);
}

/**
 * The client's check of the server it dialled: the certificate must name exactly `expected`.
 * Returns the Error node:tls reports (code ERR_JUKINET_UNEXPECTED_PEER), or undefined.
 */
export function checkExpectedPeer(
  certificate: PeerCertificate,
  expected: NodeRef,
): (Error & { code: string }) | undefined {
  let found: NodeRef;
  try {
    found = nodeIdentityFromCertificate(certificate.raw);
  } catch (e) {
    return unexpectedPeerError(
      `the server's certificate names no node (${(e as Error).message}); expected ${nodeName(expected)}`,
    );
  }
  if (sameNode(found, expected)) return undefined;
  return unexpectedPeerError(
    `the server is ${nodeName(found)}, not ${nodeName(expected)} which was dialled`,
  );
}

export const UNEXPECTED_PEER_CODE = 'ERR_JUKINET_UNEXPECTED_PEER';

function unexpectedPeerError(message: string): Error & { code: string } {
  return Object.assign(new Error(message), { code: UNEXPECTED_PEER_CODE });
}

import { z } from 'zod';
import { RegistryError } from '../domain/errors.ts';
import { REVOCATION_REASONS } from './certificate-profile.ts';
import type { IssuedCertificate } from './network-ca.ts';
import { NODE_ROLES, parseNodeIdentity } from './NodeIdentity.ts';

/**
 * `index.json` of a PKI directory: the CA's record of every certificate it signed (serial, node,
 * validity, revocation) and the number of the last CRL. The CRL is always re-made from it, so
 * it is written before the CRL file (a crash between the two leaves a stale CRL that
 * `juki pki crl` refreshes, never a reused CRL number).
 */
export const PkiIndexCertificate = z.object({
  serial: z.string().regex(/^[0-9a-f]{2,40}$/),
  role: z.enum(NODE_ROLES),
  code: z.string(),
  notBefore: z.iso.datetime(),
  notAfter: z.iso.datetime(),
  issuedAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().nullable(),
  reason: z.enum(REVOCATION_REASONS).nullable(),
});
export type PkiIndexCertificate = z.infer<typeof PkiIndexCertificate>;

export const PkiIndex = z.object({
  format: z.literal('jukinet-pki-index'),
  version: z.literal(1),
  ca: z.object({
    subject: z.string(),
    serial: z.string(),
    notBefore: z.iso.datetime(),
    notAfter: z.iso.datetime(),
    keyId: z.string(),
  }),
  crlNumber: z.number().int().nonnegative(),
  certificates: z.array(PkiIndexCertificate),
});
export type PkiIndex = z.infer<typeof PkiIndex>;

/** Throws RegistryError('invalid', …, 'pki.index.malformed') naming the first problem. */
export function parsePkiIndex(text: string, path: string): PkiIndex {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RegistryError('invalid', `${path} is not JSON`, 'pki.index.malformed');
  }
  const result = PkiIndex.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new RegistryError(
      'invalid',
      `${path}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`,
      'pki.index.malformed',
    );
  }
  return result.data;
}

export const toIndexCertificate = (c: IssuedCertificate): PkiIndexCertificate => ({
  serial: c.serial,
  role: c.identity.role,
  code: c.identity.code,
  notBefore: c.notBefore.toISOString(),
  notAfter: c.notAfter.toISOString(),
  issuedAt: c.issuedAt.toISOString(),
  revokedAt: c.revokedAt?.toISOString() ?? null,
  reason: c.revokedAt === undefined ? null : (c.reason ?? 'unspecified'),
});

export const fromIndexCertificate = (c: PkiIndexCertificate): IssuedCertificate => ({
  serial: c.serial,
  identity: parseNodeIdentity(c.role, c.code),
  notBefore: new Date(c.notBefore),
  notAfter: new Date(c.notAfter),
  issuedAt: new Date(c.issuedAt),
  ...(c.revokedAt === null
    ? {}
    : { revokedAt: new Date(c.revokedAt), reason: c.reason ?? 'unspecified' }),
});

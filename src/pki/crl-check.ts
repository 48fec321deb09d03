import { RegistryError } from '../domain/errors.ts';
import { readCrl, verifyCrlSignature, type CrlSummary } from './build-crl.ts';

/**
 * Which of two CRLs of the same CA is newer: by CRL number when both carry one (ours always do,
 * build-crl.ts; it rises by one with every CRL), else by thisUpdate. Negative: `a` is older.
 */
export function compareCrlAge(a: CrlSummary, b: CrlSummary): number {
  if (a.crlNumber !== undefined && b.crlNumber !== undefined && a.crlNumber !== b.crlNumber)
    return a.crlNumber - b.crlNumber;
  return a.thisUpdate.getTime() - b.thisUpdate.getTime();
}

/**
 * Checks a CRL a node is about to load in place of `current.crlPem` (R11): it must parse, be
 * signed by the network CA (`current.caPem`) and be no older than the one loaded — an older CRL,
 * even a genuine one, would un-revoke what was revoked since. Returns what it says; throws
 * RegistryError('invalid', …) with reason `network.crl.unreadable`, `network.crl.bad-signature`
 * or `network.crl.rollback`.
 */
export async function checkCrlUpdate(
  crlPem: string,
  current: { readonly caPem: string; readonly crlPem: string },
): Promise<CrlSummary> {
  let next: CrlSummary;
  let signed: boolean;
  try {
    next = readCrl(crlPem);
    signed = await verifyCrlSignature(crlPem, current.caPem);
  } catch (e) {
    throw new RegistryError(
      'invalid',
      `the CRL cannot be read: ${e instanceof Error ? e.message : String(e)}`,
      'network.crl.unreadable',
      { cause: e },
    );
  }
  if (!signed)
    throw new RegistryError(
      'invalid',
      'the CRL is not signed by the network CA',
      'network.crl.bad-signature',
    );
  const loaded = readLoadedCrl(current.crlPem);
  if (loaded && compareCrlAge(next, loaded) < 0)
    throw new RegistryError(
      'invalid',
      `the CRL is older than the one loaded (CRL number ${describe(next)} < ${describe(loaded)}): a rollback would un-revoke certificates`,
      'network.crl.rollback',
    );
  return next;
}

function readLoadedCrl(pem: string): CrlSummary | undefined {
  try {
    return readCrl(pem);
  } catch {
    return undefined; // nothing readable loaded: any CA-signed CRL is better
  }
}

const describe = (c: CrlSummary): string =>
  c.crlNumber === undefined
    ? `none, thisUpdate ${c.thisUpdate.toISOString()}`
    : String(c.crlNumber);

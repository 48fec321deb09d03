import { RegistryError } from '../domain/errors.ts';

/**
 * The numbers of the network's certificate profile (docs/PKI.md), in one place.
 */

/** notBefore / thisUpdate are set this far in the past, so a node whose clock lags still accepts. */
export const CLOCK_SKEW_MS = 5 * 60_000;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Node certificates: 397 days by default (the CA/Browser Forum figure), never over 825. */
export const NODE_VALIDITY_DAYS = { default: 397, max: 825 } as const;
/** The network CA: 10 years by default, bounded. */
export const CA_VALIDITY_YEARS = { default: 10, max: 20 } as const;
/** A CRL's nextUpdate: one day after issue by default, at most 31 days. */
export const CRL_VALIDITY_HOURS = { default: 24, max: 31 * 24 } as const;

/** The O of every node certificate and the default O of the CA. */
export const NETWORK_ORGANIZATION = 'jukinet';
export const DEFAULT_CA_COMMON_NAME = 'jukinet network CA';

export type Validity = { readonly notBefore: Date; readonly notAfter: Date };

/**
 * X.509 times have whole seconds: every time put in a certificate or CRL is truncated first, so
 * that what the index records is exactly what the certificate says.
 */
export const toWholeSeconds = (d: Date): Date => new Date(Math.floor(d.getTime() / 1000) * 1000);

function positiveIntegerAtMost(value: number, max: number, what: string, reason: string): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RegistryError(
      'invalid',
      `${what} must be a whole number from 1 to ${max}, got ${value}`,
      reason,
    );
  }
  return value;
}

/**
 * [now − 5 min, now + days]. Throws RegistryError('invalid', …, 'pki.validity.out-of-range') for
 * days outside 1–825: a longer-lived certificate would outlive any sensible key rotation.
 */
export function nodeValidity(now: Date, days: number = NODE_VALIDITY_DAYS.default): Validity {
  positiveIntegerAtMost(
    days,
    NODE_VALIDITY_DAYS.max,
    'node certificate validity (days)',
    'pki.validity.out-of-range',
  );
  const t = toWholeSeconds(now).getTime();
  return { notBefore: new Date(t - CLOCK_SKEW_MS), notAfter: new Date(t + days * DAY_MS) };
}

/** [now − 5 min, now + years] (calendar years, UTC). Throws 'pki.validity.out-of-range'. */
export function caValidity(now: Date, years: number = CA_VALIDITY_YEARS.default): Validity {
  positiveIntegerAtMost(
    years,
    CA_VALIDITY_YEARS.max,
    'CA validity (years)',
    'pki.validity.out-of-range',
  );
  const t = toWholeSeconds(now).getTime();
  const notAfter = new Date(t);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + years);
  return { notBefore: new Date(t - CLOCK_SKEW_MS), notAfter };
}

/** thisUpdate now − 5 min, nextUpdate now + hours. Throws 'pki.validity.out-of-range'. */
export function crlValidity(
  now: Date,
  hours: number = CRL_VALIDITY_HOURS.default,
): { thisUpdate: Date; nextUpdate: Date } {
  positiveIntegerAtMost(
    hours,
    CRL_VALIDITY_HOURS.max,
    'CRL validity (hours)',
    'pki.validity.out-of-range',
  );
  const t = toWholeSeconds(now).getTime();
  return { thisUpdate: new Date(t - CLOCK_SKEW_MS), nextUpdate: new Date(t + hours * HOUR_MS) };
}

/**
 * A name attribute for the CA (CN or O): 1–64 characters (X.520 upper bound), no control
 * characters. Throws RegistryError('invalid', …, 'pki.ca-name.invalid').
 */
export function checkNameAttribute(value: string, what: string): string {
  // eslint-disable-next-line no-control-regex
  if (value.length < 1 || value.length > 64 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new RegistryError(
      'invalid',
      `${what} must be 1–64 characters without control characters`,
      'pki.ca-name.invalid',
    );
  }
  return value;
}

/**
 * Revocation reasons accepted (RFC 5280 §5.3.1 CRLReason). certificateHold and removeFromCRL are
 * left out on purpose: revocation here is final (renew instead); cACompromise and aACompromise do
 * not apply to a node certificate. `unspecified` is written as no reason code, as RFC 5280 asks.
 * The R11 emergency cut-off uses `privilegeWithdrawn` or `keyCompromise`.
 */
export const REVOCATION_REASONS = [
  'unspecified',
  'keyCompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'privilegeWithdrawn',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

export const isRevocationReason = (s: unknown): s is RevocationReason =>
  typeof s === 'string' && (REVOCATION_REASONS as readonly string[]).includes(s);

/** Throws RegistryError('invalid', …, 'pki.revocation.unknown-reason'). */
export function parseRevocationReason(s: string): RevocationReason {
  if (!isRevocationReason(s)) {
    throw new RegistryError(
      'invalid',
      `unknown revocation reason ${JSON.stringify(s)}: expected one of ${REVOCATION_REASONS.join(', ')}`,
      'pki.revocation.unknown-reason',
    );
  }
  return s;
}

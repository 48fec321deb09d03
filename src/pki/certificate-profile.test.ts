import { describe, expect, it } from 'vitest';
import { RegistryError } from '../domain/errors.ts';
import {
  caValidity,
  checkNameAttribute,
  CLOCK_SKEW_MS,
  crlValidity,
  nodeValidity,
  parseRevocationReason,
} from './certificate-profile.ts';
import { normalizeSerialNumber, randomSerialNumber } from './serial-number.ts';

const now = new Date('2026-04-01T00:00:00Z');
const reasonOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof RegistryError) return e.reason;
    throw e;
  }
  return undefined;
};

describe('certificate profile', () => {
  it('R9: node certificates last 397 days by default, start 5 minutes early for clock skew', () => {
    const v = nodeValidity(now);
    expect(v.notBefore.getTime()).toBe(now.getTime() - CLOCK_SKEW_MS);
    expect(v.notAfter.toISOString()).toBe('2027-05-03T00:00:00.000Z');
    // X.509 times have whole seconds: the index must say what the certificate says.
    const odd = nodeValidity(new Date('2026-04-01T00:00:00.789Z'));
    expect(odd.notBefore.toISOString()).toBe('2026-03-31T23:55:00.000Z');
  });

  it('R9: refuses node validity over 825 days, zero, or fractional', () => {
    expect(nodeValidity(now, 825).notAfter > now).toBe(true);
    for (const days of [826, 0, -1, 1.5, Number.NaN]) {
      expect(
        reasonOf(() => nodeValidity(now, days)),
        String(days),
      ).toBe('pki.validity.out-of-range');
    }
  });

  it('R9: the CA lasts 10 calendar years by default, at most 20', () => {
    expect(caValidity(now).notAfter.toISOString()).toBe('2036-04-01T00:00:00.000Z');
    expect(reasonOf(() => caValidity(now, 21))).toBe('pki.validity.out-of-range');
  });

  it('R11: a CRL is valid one day by default, at most 31 days', () => {
    const c = crlValidity(now);
    expect(c.thisUpdate.getTime()).toBe(now.getTime() - CLOCK_SKEW_MS);
    expect(c.nextUpdate.toISOString()).toBe('2026-04-02T00:00:00.000Z');
    expect(reasonOf(() => crlValidity(now, 745))).toBe('pki.validity.out-of-range');
  });

  it('R11: only final revocation reasons are accepted (no certificateHold)', () => {
    expect(parseRevocationReason('keyCompromise')).toBe('keyCompromise');
    expect(reasonOf(() => parseRevocationReason('certificateHold'))).toBe(
      'pki.revocation.unknown-reason',
    );
    expect(reasonOf(() => parseRevocationReason('removeFromCRL'))).toBe(
      'pki.revocation.unknown-reason',
    );
  });

  it('R9: refuses CA names that are empty, too long or carry control characters', () => {
    expect(checkNameAttribute('地方公共団体情報システム機構', 'O')).toBe(
      '地方公共団体情報システム機構',
    );
    for (const bad of ['', 'x'.repeat(65), 'a\nb']) {
      expect(reasonOf(() => checkNameAttribute(bad, 'CN'))).toBe('pki.ca-name.invalid');
    }
  });
});

describe('serial numbers', () => {
  it('R9: are 16 random bytes, positive, with a non-zero first byte', () => {
    expect(randomSerialNumber(() => new Uint8Array(16).fill(0xff))).toBe(`7f${'ff'.repeat(15)}`);
    expect(randomSerialNumber(() => new Uint8Array(16))).toBe(`01${'00'.repeat(15)}`);
    expect(randomSerialNumber(() => new Uint8Array(16).fill(0x80))).toBe(`01${'80'.repeat(15)}`);
  });

  it('R11: accepts serials as users type them and refuses non-hex', () => {
    expect(normalizeSerialNumber('7F:AB:01')).toBe('7fab01');
    expect(normalizeSerialNumber('00 7f ab')).toBe('7fab');
    expect(reasonOf(() => normalizeSerialNumber('xyz'))).toBe('pki.serial.malformed');
    expect(reasonOf(() => normalizeSerialNumber(''))).toBe('pki.serial.malformed');
  });
});

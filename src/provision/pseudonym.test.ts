import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { residentCodeOf } from '../domain/change/change-builders.ts';
import { PSEUDONYM_LENGTH, PseudonymDeriver, base32 } from './pseudonym.ts';

const secret = Buffer.alloc(32, 7);
const deriver = new PseudonymDeriver(secret);
const codeArb = fc.nat(9_999_999_999).map((n) => residentCodeOf(String(n)));
const recipientArb = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}[a-z0-9]$/);

describe('R7: per-recipient pseudonyms', () => {
  it('R7: the derivation is the documented one (HMAC-SHA-256 twice, 20 bytes, base32)', () => {
    const code = residentCodeOf('2472705960');
    const recipientKey = createHmac('sha256', secret)
      .update('jukinet/pseudonym/v1\u0000mhlw-pension')
      .digest();
    const expected = base32(
      createHmac('sha256', recipientKey).update(code).digest().subarray(0, 20),
    );
    expect(deriver.derive('mhlw-pension', code)).toBe(expected);
    expect(expected).toMatch(new RegExp(`^[A-Z2-7]{${PSEUDONYM_LENGTH}}$`));
  });

  it('base32 is RFC 4648 (test vectors)', () => {
    expect(base32(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32(Buffer.from('f'))).toBe('MY');
    expect(base32(Buffer.alloc(0))).toBe('');
  });

  it('property R7: two recipients never get the same identifier for one person', () => {
    fc.assert(
      fc.property(codeArb, recipientArb, recipientArb, (code, a, b) => {
        fc.pre(a !== b);
        expect(deriver.derive(a, code)).not.toBe(deriver.derive(b, code));
      }),
      { numRuns: 2000 },
    );
  });

  it('property R7: stable — the same secret, recipient and code always give the same identifier (also from a new deriver)', () => {
    fc.assert(
      fc.property(codeArb, recipientArb, (code, r) => {
        expect(deriver.derive(r, code)).toBe(
          new PseudonymDeriver(Buffer.from(secret)).derive(r, code),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('property R7: one-way in practice — the identifier shows nothing of the code, and another secret gives unrelated identifiers', () => {
    const other = new PseudonymDeriver(Buffer.alloc(32, 8));
    fc.assert(
      fc.property(codeArb, recipientArb, (code, r) => {
        const p = deriver.derive(r, code);
        expect(p).not.toContain(code.slice(0, 4));
        expect(other.derive(r, code)).not.toBe(p);
      }),
      { numRuns: 500 },
    );
  });

  it('R7: distinct people get distinct identifiers for one recipient (no collision in 100 000 codes)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++)
      seen.add(deriver.derive('mhlw-pension', residentCodeOf(String(i * 7919))));
    expect(seen.size).toBe(100_000);
  });

  it('refuses a secret shorter than 32 bytes, and never prints the secret', () => {
    expect(() => new PseudonymDeriver(Buffer.alloc(31))).toThrow(
      expect.objectContaining({ reason: 'pseudonym.secret-too-short' }) as Error,
    );
    expect(JSON.stringify({ deriver })).toBe('{"deriver":"[PseudonymDeriver]"}');
  });
});

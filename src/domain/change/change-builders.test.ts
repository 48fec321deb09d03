import { describe, expect, it } from 'vitest';
import { validateChange } from './validate-change.ts';
import { parseIdentityRecord } from '../resident/parse-identity.ts';
import { buildEvent, buildIdentity, buildRecord, date } from './change-builders.ts';

describe('change builders', () => {
  it('build valid data by default (what the edge parser and R19 accept)', () => {
    expect(parseIdentityRecord(buildRecord())).toStrictEqual(buildRecord());
    expect(
      validateChange(undefined, buildEvent('move-in', buildIdentity()), {
        today: date('2024-12-31'),
      }),
    ).toBeUndefined();
  });

  it('derive the transaction id from the content, and address re-codes to the old code', () => {
    const v = buildIdentity();
    expect(buildEvent('move-in', v).transactionId).toBe(buildEvent('move-in', v).transactionId);
    expect(buildEvent('move-in', v).transactionId).not.toBe(buildEvent('birth', v).transactionId);
    expect(buildEvent('move-in', v, { residentCode: '00000000000' as never }).residentCode).toBe(
      '00000000000',
    );
  });
});

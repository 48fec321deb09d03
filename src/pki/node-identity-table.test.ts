import { describe, expect, it } from 'vitest';
import { completeWithCheckDigit } from '../domain/check-digit.ts';
import { RegistryError } from '../domain/errors.ts';
import { loadLocalGovernmentTable } from '../reference-data/local-governments.ts';
import { assertNodeIdentityInTable } from './node-identity-table.ts';
import { parseNodeName } from './NodeIdentity.ts';

const table = loadLocalGovernmentTable();
const check = (name: string): string | undefined => {
  try {
    assertNodeIdentityInTable(parseNodeName(name), table);
    return undefined;
  } catch (e) {
    if (e instanceof RegistryError) return `${e.code}/${e.reason}`;
    throw e;
  }
};

describe('node identities against the local-government table', () => {
  it('R9: a CS may serve a special ward, a city, or a ward of a designated city', () => {
    expect(check('cs:131016')).toBeUndefined(); // 東京都千代田区
    expect(check('cs:011011')).toBeUndefined(); // 北海道札幌市中央区
    expect(check('prefecture:13')).toBeUndefined();
    expect(check('agency:mhlw-pension')).toBeUndefined();
  });

  it('R9: refuses a CS for a code with a valid check digit that names no municipality', () => {
    const unknown = completeWithCheckDigit('local-government-code', '47999');
    expect(check(`cs:${unknown}`)).toBe('not-found/node-identity.unknown-municipality');
  });

  it('R9: refuses a CS for a designated city itself: its wards register residents', () => {
    expect(check('cs:011002')).toBe('invalid/node-identity.not-a-registry-unit'); // 札幌市
  });
});

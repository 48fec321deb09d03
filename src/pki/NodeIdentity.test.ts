import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { completeWithCheckDigit } from '../domain/check-digit.ts';
import { RegistryError } from '../domain/errors.ts';
import {
  formatNodeName,
  nodeDnsName,
  nodeIdentityProblem,
  nodeSlug,
  nodeUri,
  parseNodeIdentity,
  parseNodeName,
  parseNodeUri,
  prefectureCodeOfNode,
  type NodeIdentity,
} from './NodeIdentity.ts';

const reasonOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof RegistryError) return e.reason;
    throw e;
  }
  return undefined;
};

const prefecture = fc.integer({ min: 1, max: 47 }).map((n) => String(n).padStart(2, '0'));
const csCode = fc
  .tuple(prefecture, fc.integer({ min: 1, max: 999 }))
  .map(([p, m]) =>
    completeWithCheckDigit('local-government-code', `${p}${String(m).padStart(3, '0')}`),
  );
const slug = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,54}[a-z0-9])$/);
const identity: fc.Arbitrary<NodeIdentity> = fc.oneof(
  csCode.map((code) => ({ role: 'cs' as const, code })),
  prefecture.map((code) => ({ role: 'prefecture' as const, code })),
  fc.constant({ role: 'national' as const, code: 'jlis' }),
  slug.map((code) => ({ role: 'agency' as const, code })),
  slug.map((code) => ({ role: 'switch' as const, code })),
);

describe('node identity', () => {
  it('R9: accepts one well-formed code for each role', () => {
    expect(parseNodeName('cs:131016')).toEqual({ role: 'cs', code: '131016' });
    expect(parseNodeName('prefecture:13')).toEqual({ role: 'prefecture', code: '13' });
    expect(parseNodeName('national:jlis')).toEqual({ role: 'national', code: 'jlis' });
    expect(parseNodeName('agency:mhlw-pension')).toEqual({ role: 'agency', code: 'mhlw-pension' });
    expect(parseNodeName('switch:east-1')).toEqual({ role: 'switch', code: 'east-1' });
  });

  it('R9: refuses a role the network does not have', () => {
    expect(reasonOf(() => parseNodeIdentity('terminal', 'x1'))).toBe('node-identity.unknown-role');
    expect(reasonOf(() => parseNodeIdentity('CS', '131016'))).toBe('node-identity.unknown-role');
    expect(nodeIdentityProblem(undefined, '131016')).toBe('node-identity.unknown-role');
  });

  it('R9: a CS code must be a 6-digit 団体コード of a municipality with a valid check digit', () => {
    // 13101 → check digit 6; 131017 is a typo the check digit catches.
    expect(reasonOf(() => parseNodeIdentity('cs', '131017'))).toBe('node-identity.check-digit');
    // The 5-digit JIS code is not accepted here: certificate names are canonical.
    expect(reasonOf(() => parseNodeIdentity('cs', '13101'))).toBe('node-identity.malformed-code');
    expect(reasonOf(() => parseNodeIdentity('cs', '４３１０１６'))).toBe(
      'node-identity.malformed-code',
    );
    expect(reasonOf(() => parseNodeIdentity('cs', '481015'))).toBe(
      'node-identity.unknown-prefecture',
    );
    // 130001 is 東京都 itself: a prefecture runs no CS.
    expect(reasonOf(() => parseNodeIdentity('cs', '130001'))).toBe(
      'node-identity.not-a-municipality',
    );
  });

  it('R9: prefecture, national, agency and switch codes have their own forms', () => {
    expect(reasonOf(() => parseNodeIdentity('prefecture', '1'))).toBe(
      'node-identity.malformed-code',
    );
    expect(reasonOf(() => parseNodeIdentity('prefecture', '130001'))).toBe(
      'node-identity.malformed-code',
    );
    expect(reasonOf(() => parseNodeIdentity('prefecture', '48'))).toBe(
      'node-identity.unknown-prefecture',
    );
    expect(reasonOf(() => parseNodeIdentity('prefecture', '00'))).toBe(
      'node-identity.unknown-prefecture',
    );
    // There is one national server, run by J-LIS.
    expect(reasonOf(() => parseNodeIdentity('national', 'JLIS'))).toBe(
      'node-identity.malformed-code',
    );
    expect(reasonOf(() => parseNodeIdentity('national', 'tokyo'))).toBe(
      'node-identity.malformed-code',
    );
    for (const bad of [
      'a',
      '-mhlw',
      'mhlw-',
      'MHLW',
      'mhlw_pension',
      'mhlw.pension',
      'x'.repeat(57),
    ]) {
      expect(
        reasonOf(() => parseNodeIdentity('agency', bad)),
        bad,
      ).toBe('node-identity.malformed-code');
      expect(
        reasonOf(() => parseNodeIdentity('switch', bad)),
        bad,
      ).toBe('node-identity.malformed-code');
    }
    expect(parseNodeIdentity('agency', 'a'.repeat(56)).code).toHaveLength(56);
  });

  it('R9: a node name without a colon is refused', () => {
    expect(reasonOf(() => parseNodeName('cs131016'))).toBe('node-identity.malformed-name');
    expect(reasonOf(() => parseNodeUri('urn:other:cs:131016'))).toBe(
      'node-identity.malformed-name',
    );
  });

  it('R9: name, URI and DNS name of every valid identity round-trip and fit DNS limits', () => {
    fc.assert(
      fc.property(identity, (id) => {
        expect(parseNodeName(formatNodeName(id))).toEqual(id);
        expect(parseNodeUri(nodeUri(id))).toEqual(id);
        expect(nodeUri(id)).toBe(`urn:jukinet:node:${id.role}:${id.code}`);
        expect(nodeDnsName(id)).toBe(`${id.role}-${id.code}.jukinet.invalid`);
        expect(nodeSlug(id).length).toBeLessThanOrEqual(63);
        expect(nodeSlug(id)).toMatch(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/);
      }),
    );
  });

  it('R9: knows the prefecture a CS or prefecture server belongs to', () => {
    expect(prefectureCodeOfNode({ role: 'cs', code: '011002' })).toBe('01');
    expect(prefectureCodeOfNode({ role: 'prefecture', code: '47' })).toBe('47');
    expect(prefectureCodeOfNode({ role: 'national', code: 'jlis' })).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { RegistryError } from '../errors.ts';
import {
  BOOTSTRAP,
  checkGrant,
  checkGrantAllowed,
  checkRevocationAllowed,
  parseNodeName,
  type Grant,
  type Operator,
} from './operator.ts';

const T = '2026-11-24T09:00:00.000Z';
const grant = (over: Partial<Grant> = {}): Grant => ({
  id: 'op-0002',
  node: 'cs:131016',
  name: '千代田 花子',
  cardType: 'counter-clerk',
  grantedBy: 'admin-1',
  grantedAt: T,
  ...over,
});
const operator = (over: Partial<Operator> = {}): Operator => ({
  ...grant({ id: 'admin-1', cardType: 'administrator', grantedBy: BOOTSTRAP }),
  revoked: undefined,
  ...over,
});
const reasonOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof RegistryError) return e.reason;
    throw e;
  }
  return undefined;
};

describe('operator grants and revocations (R31)', () => {
  it('accepts a well-formed grant', () => {
    expect(checkGrant(grant())).toEqual(grant());
    expect(parseNodeName('agency:mhlw-pension')).toEqual({ role: 'agency', code: 'mhlw-pension' });
    expect(parseNodeName('terminal:1')).toBeUndefined();
  });

  it('refuses bad ids, names, nodes, card types and times, each with its reason', () => {
    expect(reasonOf(() => checkGrant(grant({ id: '' })))).toBe('operator.id');
    expect(reasonOf(() => checkGrant(grant({ id: 'a b' })))).toBe('operator.id');
    expect(reasonOf(() => checkGrant(grant({ id: 'x'.repeat(65) })))).toBe('operator.id');
    expect(reasonOf(() => checkGrant(grant({ id: BOOTSTRAP })))).toBe('operator.id');
    expect(reasonOf(() => checkGrant(grant({ name: '  ' })))).toBe('operator.name');
    expect(reasonOf(() => checkGrant(grant({ name: '花'.repeat(101) })))).toBe('operator.name');
    expect(checkGrant(grant({ name: '花'.repeat(100) })).name).toHaveLength(100);
    expect(reasonOf(() => checkGrant(grant({ name: '花子\n管理者' })))).toBe('operator.name');
    expect(reasonOf(() => checkGrant(grant({ name: 'a\u0085b' })))).toBe('operator.name');
    expect(reasonOf(() => checkGrant(grant({ node: 'cs' })))).toBe('operator.node');
    expect(reasonOf(() => checkGrant(grant({ cardType: 'root' as never })))).toBe(
      'operator.card-type',
    );
    expect(reasonOf(() => checkGrant(grant({ grantedBy: 'a/b' })))).toBe('operator.id');
    expect(reasonOf(() => checkGrant(grant({ grantedAt: '2026-11-24' })))).toBe(
      'operator.granted-at',
    );
    expect(reasonOf(() => checkGrant(grant({ grantedAt: '2026-13-24T09:00:00.000Z' })))).toBe(
      'operator.granted-at',
    );
  });

  it('an operator cannot grant themselves', () => {
    expect(reasonOf(() => checkGrant(grant({ id: 'admin-1', grantedBy: 'admin-1' })))).toBe(
      'operator.self-grant',
    );
  });

  it('bootstrap grants the first administrator only, and only while the register is empty', () => {
    const first = grant({ id: 'admin-1', cardType: 'administrator', grantedBy: BOOTSTRAP });
    const empty = { existing: undefined, granter: undefined, registerEmpty: true };
    expect(() => checkGrantAllowed(first, empty)).not.toThrow();
    expect(reasonOf(() => checkGrantAllowed(first, { ...empty, registerEmpty: false }))).toBe(
      'operator.bootstrap-used',
    );
    expect(reasonOf(() => checkGrantAllowed({ ...first, cardType: 'auditor' }, empty))).toBe(
      'operator.bootstrap-card',
    );
  });

  it('afterwards the granter must be an active administrator of the same node', () => {
    const s = { existing: undefined, registerEmpty: false };
    expect(() => checkGrantAllowed(grant(), { ...s, granter: operator() })).not.toThrow();
    for (const granter of [
      undefined,
      operator({ revoked: { by: 'admin-2', reason: '異動', at: T } }),
      operator({ node: 'cs:131024' }),
      operator({ cardType: 'security-officer' }),
    ])
      expect(reasonOf(() => checkGrantAllowed(grant(), { ...s, granter }))).toBe(
        'operator.not-authorized',
      );
  });

  it('an id is never reused: a revoked operator stays revoked', () => {
    const revoked = operator({ id: 'op-0002', revoked: { by: 'admin-1', reason: '退職', at: T } });
    expect(
      reasonOf(() =>
        checkGrantAllowed(grant(), {
          existing: revoked,
          granter: operator(),
          registerEmpty: false,
        }),
      ),
    ).toBe('operator.revoked');
  });

  it('revocation: by an administrator or security officer of the node; never the last administrator', () => {
    const target = operator({ id: 'op-0002', cardType: 'counter-clerk' });
    const r = { by: 'admin-1', reason: '異動のため', at: T };
    const ok = { target, revoker: operator(), activeAdministrators: 1 };
    expect(() => checkRevocationAllowed('op-0002', r, ok)).not.toThrow();
    expect(() =>
      checkRevocationAllowed(
        'op-0002',
        { ...r, by: 'sec-1' },
        {
          ...ok,
          revoker: operator({ id: 'sec-1', cardType: 'security-officer' }),
        },
      ),
    ).not.toThrow();
    expect(
      reasonOf(() =>
        checkRevocationAllowed('op-0002', r, {
          ...ok,
          revoker: operator({ cardType: 'auditor' }),
        }),
      ),
    ).toBe('operator.not-authorized');
    expect(reasonOf(() => checkRevocationAllowed('x', r, { ...ok, target: undefined }))).toBe(
      'operator.unknown',
    );
    expect(
      reasonOf(() =>
        checkRevocationAllowed('op-0002', r, {
          ...ok,
          target: { ...target, revoked: r },
        }),
      ),
    ).toBe('operator.revoked');
    expect(
      reasonOf(() => checkRevocationAllowed('admin-1', r, { ...ok, target: operator() })),
    ).toBe('operator.last-administrator');
    expect(reasonOf(() => checkRevocationAllowed('op-0002', { ...r, reason: '' }, ok))).toBe(
      'operator.reason',
    );
  });
});

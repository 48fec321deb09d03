import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NODE_ROLES } from '../network/NodeRef.ts';
import { CARD_TYPES } from './card-types.ts';
import { OPERATIONS } from './operations.ts';
import { PERMISSIONS, permissionTable, permits } from './permissions.ts';

/**
 * The oracle: the rights written out as plain cases by card and node role, independently of the
 * table's mechanics (where an operation exists, which card holds it).
 */
function oracle(card: string, role: string, op: string): boolean {
  const server = role === 'prefecture' || role === 'national';
  switch (card) {
    case 'counter-clerk':
      return (
        role === 'cs' && ['register.counter', 'register.rejections', 'wide-area.issue'].includes(op)
      );
    case 'card-issuer':
      return false;
    case 'provision-operator':
      if (op === 'provision.query') return role === 'prefecture' || role === 'agency';
      if (op === 'provision.batch') return role === 'agency';
      return (
        server &&
        [
          'provision.media',
          'provision.media-log',
          'provision.register',
          'provision.refusals',
          'provision.reload',
        ].includes(op)
      );
    case 'auditor':
      // R2: the switch's route records, on the switch only (its reviewers and its officers).
      if (op === 'route.records') return role === 'switch';
      if (op === 'audit.read' || op === 'audit.verify' || op === 'monitor.view')
        return NODE_ROLES.some((r) => r === role);
      if (
        [
          'disclosure.report',
          'provision.refusals',
          'provision.media-log',
          'audit.analyse',
        ].includes(op)
      )
        return server;
      if (op === 'reports.request' || op === 'retention.list') return role === 'cs' || server;
      if (op === 'reports.answer') return role === 'agency' || server;
      if (op === 'reports.list' || op === 'reports.poll')
        return role === 'cs' || role === 'agency' || server;
      return false;
    case 'security-officer':
      if (op === 'route.records') return role === 'switch';
      // R18: the 広域交付 suspensions of other municipalities' cards exist at a CS only.
      if (op === 'wide-area.suspensions' || op === 'wide-area.release') return role === 'cs';
      return (
        NODE_ROLES.some((r) => r === role) &&
        ['alerts.list', 'node.isolate', 'node.readmit', 'health', 'operator.list']
          .concat('operator.revoke', 'monitor.view')
          .includes(op)
      );
    case 'administrator': {
      const anyNode = NODE_ROLES.some((r) => r === role);
      if (
        ['health', 'operator.grant', 'operator.revoke', 'operator.list', 'monitor.view'].includes(
          op,
        )
      )
        return anyNode;
      if (op === 'retention.run' || op === 'retention.list') return role === 'cs' || server;
      if (op === 'integrity.check' || op === 'integrity.list')
        return role === 'cs' || role === 'prefecture';
      if (op === 'disclosure.sync') return role === 'prefecture';
      // R2: the connectivity check through the switch exists on a CS only.
      if (op === 'route.check') return role === 'cs';
      if (op === 'route.records') return role === 'switch';
      return false;
    }
    default:
      return false;
  }
}

const arbCard = fc.oneof(fc.constantFrom(...CARD_TYPES), fc.constantFrom('', 'root', 'Auditor'));
const arbRole = fc.oneof(fc.constantFrom(...NODE_ROLES), fc.constantFrom('', 'terminal', 'CS'));
const arbOp = fc.oneof(
  fc.constantFrom(...OPERATIONS),
  fc.constantFrom('', 'provision', 'node.start', 'audit.delete', 'toString', '__proto__'),
  fc.string({ maxLength: 20 }),
);

describe('operator card types and rights (R15, R31)', () => {
  it('permits agrees with the oracle for every card, node role and operation', () => {
    fc.assert(
      fc.property(arbCard, arbRole, arbOp, (card, role, op) => {
        expect(permits(card, role, op)).toBe(oracle(card, role, op));
      }),
      { numRuns: 5000 },
    );
  });

  it('agrees with the oracle on every combination exhaustively', () => {
    for (const card of CARD_TYPES)
      for (const role of NODE_ROLES)
        for (const op of OPERATIONS)
          expect([card, role, op, permits(card, role, op)]).toEqual([
            card,
            role,
            op,
            oracle(card, role, op),
          ]);
  });

  it('least privilege: the administrator reaches no resident’s data and no access log', () => {
    for (const role of NODE_ROLES)
      for (const op of [
        'provision.query',
        'provision.batch',
        'provision.media',
        'register.counter',
        'disclosure.report',
        'audit.read',
      ])
        expect(permits('administrator', role, op)).toBe(false);
    expect(permits('administrator', 'cs', 'operator.grant')).toBe(true);
  });

  it('least privilege: nobody but a security officer isolates or readmits a node', () => {
    for (const card of CARD_TYPES)
      for (const role of NODE_ROLES) {
        expect(permits(card, role, 'node.isolate')).toBe(card === 'security-officer');
        expect(permits(card, role, 'node.readmit')).toBe(card === 'security-officer');
      }
  });

  it('least privilege: only a counter clerk works the counter, only at a CS', () => {
    for (const card of CARD_TYPES)
      for (const role of NODE_ROLES)
        expect(permits(card, role, 'register.counter')).toBe(
          card === 'counter-clerk' && role === 'cs',
        );
  });

  it('only an administrator grants operators; nobody grants and audits on one card', () => {
    for (const card of CARD_TYPES) {
      expect(permits(card, 'national', 'operator.grant')).toBe(card === 'administrator');
      expect(
        PERMISSIONS[card].includes('operator.grant') && PERMISSIONS[card].includes('audit.read'),
      ).toBe(false);
    }
  });

  it('an operation that does not exist on a role is refused even to a card that holds it', () => {
    expect(permits('provision-operator', 'agency', 'provision.batch')).toBe(true);
    expect(permits('provision-operator', 'national', 'provision.batch')).toBe(false);
    expect(permits('administrator', 'agency', 'integrity.check')).toBe(false);
    expect(permits('counter-clerk', 'prefecture', 'register.counter')).toBe(false);
  });

  it('every permitted operation is in the one list, and the docs table covers every operation', () => {
    for (const card of CARD_TYPES)
      for (const op of PERMISSIONS[card]) expect(OPERATIONS).toContain(op);
    const table = permissionTable();
    expect(table.map((r) => r.operation)).toEqual(OPERATIONS);
    expect(table.find((r) => r.operation === 'node.isolate')?.cards).toEqual(['security-officer']);
  });
});

import { describe, expect, it } from 'vitest';
import { authorizeOperation, INTEGRITY_OPERATIONS } from '../network/allow-list.ts';
import type { NodeRef } from '../network/NodeRef.ts';
import {
  authorizeIntegrityScope,
  inIntegrityScope,
  integrityScopeCodeProblem,
  type IntegrityScope,
} from './IntegrityScope.ts';

const node = (role: NodeRef['role'], code: string): NodeRef => ({ role, code });
const chiyodaCs = node('cs', '131016');
const tokyo = node('prefecture', '13');
const osaka = node('prefecture', '27');
const national = node('national', 'jlis');
const m = (code: string): IntegrityScope => ({ kind: 'municipality', code });
const p = (code: string): IntegrityScope => ({ kind: 'prefecture', code });

describe('integrity scope (R20)', () => {
  it('R20: a CS checks its own municipality at its own prefecture, a prefecture its own prefecture at the national server; nothing else', () => {
    const cases: [NodeRef, NodeRef, IntegrityScope, boolean][] = [
      [chiyodaCs, tokyo, m('131016'), true],
      [chiyodaCs, tokyo, m('131024'), false], // another municipality
      [chiyodaCs, tokyo, p('13'), false], // a whole prefecture
      [chiyodaCs, osaka, m('131016'), false], // another prefecture's server
      [chiyodaCs, national, m('131016'), false], // skipping a level
      [tokyo, national, p('13'), true],
      [tokyo, national, p('27'), false],
      [tokyo, national, m('131016'), false],
      [national, tokyo, p('13'), false], // downwards
      [node('agency', 'mhlw'), national, p('13'), false],
    ];
    for (const [caller, callee, scope, allowed] of cases)
      expect(authorizeIntegrityScope(caller, callee, scope).allowed).toBe(allowed);
    expect(authorizeIntegrityScope(chiyodaCs, tokyo, m('131024'))).toMatchObject({
      reason: expect.stringContaining('its own municipality') as string,
    });
  });

  it('R20: the scope holds residents of the municipality, or of every municipality of the prefecture', () => {
    expect(inIntegrityScope(m('131016'), '131016')).toBe(true);
    expect(inIntegrityScope(m('131016'), '131024')).toBe(false);
    expect(inIntegrityScope(p('13'), '131024')).toBe(true);
    expect(inIntegrityScope(p('13'), '271276')).toBe(false);
    expect(integrityScopeCodeProblem('municipality', '131017')?.reason).toBe(
      'local-government-code.check-digit',
    );
    expect(integrityScopeCodeProblem('prefecture', '48')?.reason).toBe('prefecture-code.malformed');
    expect(integrityScopeCodeProblem('prefecture', '01')).toBeUndefined();
  });

  it('R8, R20: the allow-list gives the integrity operations to cs → own prefecture and prefecture → national only', () => {
    for (const op of INTEGRITY_OPERATIONS) {
      expect(authorizeOperation(chiyodaCs, tokyo, op).allowed).toBe(true);
      expect(authorizeOperation(chiyodaCs, osaka, op).allowed).toBe(false);
      expect(authorizeOperation(tokyo, national, op).allowed).toBe(true);
      expect(authorizeOperation(national, tokyo, op).allowed).toBe(false);
      expect(authorizeOperation(chiyodaCs, national, op).allowed).toBe(false);
    }
  });
});

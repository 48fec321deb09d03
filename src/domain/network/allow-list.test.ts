import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ALLOW_LIST,
  authorizeOperation,
  authorizeRouted,
  mayConnect,
  ROUTED_ALLOW_LIST,
} from './allow-list.ts';
import { NODE_ROLES, type NodeRef } from './NodeRef.ts';

const node = (role: NodeRef['role'], code: string): NodeRef => ({ role, code });
const cs131016 = node('cs', '131016');
const tokyo = node('prefecture', '13');
const osaka = node('prefecture', '27');
const national = node('national', 'jlis');
const agency = node('agency', 'mhlw-pension');
const sw = node('switch', 'sw1');

/** The oracle: the allow-list written out as plain cases, independent of the table's mechanics. */
function oracle(caller: NodeRef, callee: NodeRef, op: string): boolean {
  const session = op === 'hello' || op === 'ping' || op === 'goaway';
  const key = `${caller.role}>${callee.role}`;
  const integrity = op === 'integrity-offer';
  const reports = op === 'report-request' || op === 'report-poll';
  if (key === 'cs>prefecture')
    return (
      caller.code.slice(0, 2) === callee.code &&
      (session ||
        op === 'change-notice' ||
        integrity ||
        reports ||
        op === 'rejection-poll' ||
        op === 'audit-seal-anchor')
    );
  if (key === 'prefecture>national')
    return (
      session ||
      op === 'change-notice' ||
      integrity ||
      op === 'provision-query' ||
      reports ||
      op === 'disclosure-sync' ||
      op === 'audit-seal-anchor'
    );
  if (key === 'agency>national')
    return (
      session ||
      op === 'provision-query' ||
      op === 'provision-batch' ||
      op === 'report-poll' ||
      op === 'report-answer' ||
      op === 'audit-seal-anchor'
    );
  if (key === 'cs>switch' || key === 'switch>cs') return session || op === 'route-request';
  return false;
}

const arbNode = fc.oneof(
  fc.constantFrom(
    cs131016,
    node('cs', '271276'),
    tokyo,
    osaka,
    national,
    agency,
    sw,
    node('cs', '011011'),
    node('prefecture', '01'),
  ),
  fc.record({ role: fc.constantFrom(...NODE_ROLES), code: fc.string({ maxLength: 6 }) }),
);
const arbOp = fc.constantFrom(
  'hello',
  'ping',
  'goaway',
  'change-notice',
  'route-request',
  'integrity-offer',
  'provision-query',
  'provision-batch',
  'report-request',
  'report-answer',
  'report-poll',
  'disclosure-sync',
  'rejection-poll',
  'audit-seal-anchor',
  'route-echo',
  'identity-query',
  'GET /',
  '',
);

describe('network-side firewall allow-list', () => {
  it('R8/R11: agrees with the oracle for every caller, callee and operation', () => {
    fc.assert(
      fc.property(arbNode, arbNode, arbOp, (caller, callee, op) => {
        expect(authorizeOperation(caller, callee, op).allowed).toBe(oracle(caller, callee, op));
      }),
      { numRuns: 5000 },
    );
  });

  it('R19: a CS may send change notices to its own prefecture server only', () => {
    expect(authorizeOperation(cs131016, tokyo, 'change-notice').allowed).toBe(true);
    const other = authorizeOperation(cs131016, osaka, 'change-notice');
    expect(other).toEqual({
      allowed: false,
      reason: 'no rule lets cs:131016 connect to prefecture:27',
    });
  });

  it('R13, R21: an agency and a prefecture server may query the national server; a CS may not query anyone', () => {
    expect(authorizeOperation(agency, national, 'provision-query').allowed).toBe(true);
    expect(authorizeOperation(tokyo, national, 'provision-query').allowed).toBe(true);
    expect(authorizeOperation(cs131016, tokyo, 'provision-query').allowed).toBe(false);
    expect(authorizeOperation(agency, national, 'change-notice').allowed).toBe(false);
  });

  it('R5, R6: reports go up as requests; answers and agency mail are fetched by the lower node', () => {
    expect(authorizeOperation(cs131016, tokyo, 'report-request').allowed).toBe(true);
    expect(authorizeOperation(cs131016, tokyo, 'report-poll').allowed).toBe(true);
    expect(authorizeOperation(cs131016, osaka, 'report-request')).toEqual({
      allowed: false,
      reason: 'no rule lets cs:131016 connect to prefecture:27',
    });
    expect(authorizeOperation(tokyo, national, 'report-request').allowed).toBe(true);
    expect(authorizeOperation(agency, national, 'report-answer').allowed).toBe(true);
    expect(authorizeOperation(agency, national, 'report-request')).toEqual({
      allowed: false,
      reason: 'agency:mhlw-pension may not ask national:jlis for report-request',
    });
    expect(authorizeOperation(cs131016, tokyo, 'report-answer').allowed).toBe(false);
    expect(authorizeOperation(national, agency, 'report-request').allowed).toBe(false);
  });

  it('R17: only a prefecture server fetches the national server’s disclosure records', () => {
    expect(authorizeOperation(tokyo, national, 'disclosure-sync').allowed).toBe(true);
    expect(authorizeOperation(agency, national, 'disclosure-sync')).toEqual({
      allowed: false,
      reason: 'agency:mhlw-pension may not ask national:jlis for disclosure-sync',
    });
    expect(authorizeOperation(cs131016, tokyo, 'disclosure-sync').allowed).toBe(false);
    expect(authorizeOperation(national, tokyo, 'disclosure-sync').allowed).toBe(false);
  });

  it('R19: only a CS fetches refusals, from its own prefecture server only', () => {
    expect(authorizeOperation(cs131016, tokyo, 'rejection-poll').allowed).toBe(true);
    expect(authorizeOperation(cs131016, osaka, 'rejection-poll').allowed).toBe(false);
    expect(authorizeOperation(tokyo, national, 'rejection-poll')).toEqual({
      allowed: false,
      reason: 'prefecture:13 may not ask national:jlis for rejection-poll',
    });
    expect(authorizeOperation(tokyo, cs131016, 'rejection-poll').allowed).toBe(false);
  });

  it('R23: access-log seals are anchored upward only: cs → own prefecture, prefecture and agency → national', () => {
    expect(authorizeOperation(cs131016, tokyo, 'audit-seal-anchor').allowed).toBe(true);
    expect(authorizeOperation(tokyo, national, 'audit-seal-anchor').allowed).toBe(true);
    expect(authorizeOperation(agency, national, 'audit-seal-anchor').allowed).toBe(true);
    expect(authorizeOperation(cs131016, osaka, 'audit-seal-anchor').allowed).toBe(false);
    expect(authorizeOperation(tokyo, cs131016, 'audit-seal-anchor').allowed).toBe(false);
    expect(authorizeOperation(cs131016, tokyo, 'audit-seal-anchor')).toMatchObject({
      allowed: true,
      rule: { requirement: 'R23', condition: 'own-prefecture' },
    });
    expect(authorizeOperation(national, tokyo, 'audit-seal-anchor').allowed).toBe(false);
    expect(authorizeOperation(cs131016, sw, 'audit-seal-anchor').allowed).toBe(false);
  });

  it('R8: a CS may not talk to the national server, and an agency may not talk to a CS or a prefecture', () => {
    expect(mayConnect(cs131016, national).allowed).toBe(false);
    expect(mayConnect(agency, cs131016).allowed).toBe(false);
    expect(mayConnect(agency, tokyo).allowed).toBe(false);
  });

  it('R10: an operation the rule does not list is refused even between allowed nodes', () => {
    const r = authorizeOperation(cs131016, tokyo, 'identity-query');
    expect(r).toEqual({
      allowed: false,
      reason: 'cs:131016 may not ask prefecture:13 for identity-query',
    });
  });

  it('R2: inside a route through the switch, two different CS may exchange route-echo (the connectivity check) and nothing else', () => {
    const sapporo = node('cs', '011011');
    expect(authorizeRouted(cs131016, sapporo, 'route-echo')).toMatchObject({
      allowed: true,
      rule: { requirement: 'R2', caller: 'cs', callee: 'cs' },
    });
    expect(authorizeRouted(sapporo, cs131016, 'ping')).toEqual({ allowed: true, rule: 'session' });
    // Nothing of the outer table passes inside a route …
    expect(authorizeRouted(cs131016, sapporo, 'change-notice')).toEqual({
      allowed: false,
      reason: 'cs:131016 may not ask cs:011011 for change-notice through the switch',
    });
    // … a CS does not route to itself, and only CS talk inside a route.
    expect(authorizeRouted(cs131016, cs131016, 'route-echo').allowed).toBe(false);
    expect(authorizeRouted(sw, sapporo, 'route-echo')).toEqual({
      allowed: false,
      reason: 'no rule lets switch:sw1 open a routed session with cs:011011',
    });
    expect(authorizeRouted(tokyo, cs131016, 'route-echo').allowed).toBe(false);
  });

  it('R2: the inner rule never opens an outer connection: a CS still cannot reach another CS directly', () => {
    const sapporo = node('cs', '011011');
    expect(mayConnect(cs131016, sapporo)).toEqual({
      allowed: false,
      reason: 'no rule lets cs:131016 connect to cs:011011',
    });
    expect(authorizeOperation(cs131016, sapporo, 'route-echo').allowed).toBe(false);
    expect(authorizeOperation(sw, cs131016, 'route-echo').allowed).toBe(false);
  });

  it('every rule names the requirement it serves and why', () => {
    for (const rule of [...ALLOW_LIST, ...ROUTED_ALLOW_LIST]) {
      expect(rule.requirement).toMatch(/^R\d+$/);
      expect(rule.why.length).toBeGreaterThan(10);
    }
  });
});

import { nodeName, prefectureOfCs, type NodeRef, type NodeRole } from './NodeRef.ts';

/**
 * The network-side firewall's allow-list (R8, R10, R11): which role may call which role for which
 * operation, and under which condition on the two codes. Everything not listed is refused with
 * `forbidden` and recorded. Operations are the protocol's request message kinds (docs/PROTOCOL.md);
 * session housekeeping (hello, ping, goaway) is allowed on any connection whose pair is allowed.
 *
 * Later capabilities add their operations here, in this one table (docs/NETWORK.md lists it).
 */
export type PairCondition =
  /** any two nodes of these roles */
  | 'any'
  /** a CS and the prefecture server of its own prefecture, either direction */
  | 'own-prefecture';

export type AllowRule = {
  readonly caller: NodeRole;
  readonly callee: NodeRole;
  readonly operations: readonly string[];
  readonly condition: PairCondition;
  readonly requirement: string;
  readonly why: string;
};

export const SESSION_OPERATIONS = ['hello', 'ping', 'goaway'] as const;

/** The request kinds of the integrity check (本人確認情報整合, R20; docs/INTEGRITY.md). */
export const INTEGRITY_OPERATIONS = [
  'integrity-offer',
  'integrity-descend',
  'integrity-entries',
  'integrity-conclude',
  'integrity-repair',
] as const;

/**
 * The request kinds of 報告要求 (R5, R6; docs/REPORTS.md) a node sends up: a request on its way
 * to its target, and a poll for what waits in its mailbox (requests for an agency, answers on
 * their way back).
 */
export const REPORT_OPERATIONS = ['report-request', 'report-poll'] as const;

export const ALLOW_LIST: readonly AllowRule[] = [
  {
    caller: 'cs',
    callee: 'prefecture',
    operations: ['change-notice'],
    condition: 'own-prefecture',
    requirement: 'R19',
    why: 'a CS sends its municipality’s changes to its own prefecture server only',
  },
  {
    caller: 'prefecture',
    callee: 'national',
    operations: ['change-notice'],
    condition: 'any',
    requirement: 'R19',
    why: 'a prefecture server forwards accepted changes to the national server',
  },
  {
    caller: 'cs',
    callee: 'prefecture',
    operations: ['rejection-poll'],
    condition: 'own-prefecture',
    requirement: 'R19',
    why: 'a CS fetches the refusals by the national server of changes its prefecture server forwarded for it (the municipality is its certificate’s)',
  },
  {
    caller: 'cs',
    callee: 'prefecture',
    operations: INTEGRITY_OPERATIONS,
    condition: 'own-prefecture',
    requirement: 'R20',
    why: 'a CS checks its municipality’s 本人確認情報 against its own prefecture server',
  },
  {
    caller: 'agency',
    callee: 'national',
    operations: ['provision-query', 'provision-batch'],
    condition: 'any',
    requirement: 'R13',
    why: 'an agency server asks the national server for 本人確認情報, for its statutory affairs only (the recipient, affair and agreement are checked per query)',
  },
  {
    caller: 'prefecture',
    callee: 'national',
    operations: ['provision-query'],
    condition: 'any',
    requirement: 'R21',
    why: 'a prefecture server asks the national server about people who are not its residents, for its own recipients',
  },
  {
    caller: 'prefecture',
    callee: 'national',
    operations: ['disclosure-sync'],
    condition: 'any',
    requirement: 'R17',
    why: 'a prefecture server fetches the national server’s disclosure records about its own residents (the prefecture is its certificate’s)',
  },
  {
    caller: 'prefecture',
    callee: 'national',
    operations: INTEGRITY_OPERATIONS,
    condition: 'any',
    requirement: 'R20',
    why: 'a prefecture server checks its prefecture’s 本人確認情報 against the national server',
  },
  {
    caller: 'cs',
    callee: 'prefecture',
    operations: REPORT_OPERATIONS,
    condition: 'own-prefecture',
    requirement: 'R6',
    why: 'a municipality demands reports from its prefecture, or through it from the national server or an agency, and fetches the answers',
  },
  {
    caller: 'prefecture',
    callee: 'national',
    operations: REPORT_OPERATIONS,
    condition: 'any',
    requirement: 'R6',
    why: 'a prefecture server demands reports from the national server or through it from an agency (its own and its municipalities’), and fetches the answers',
  },
  {
    caller: 'agency',
    callee: 'national',
    operations: ['report-poll', 'report-answer'],
    condition: 'any',
    requirement: 'R5',
    why: 'an agency server fetches the report requests addressed to it and sends its answers to the national server',
  },
  {
    caller: 'cs',
    callee: 'prefecture',
    operations: ['audit-seal-anchor'],
    condition: 'own-prefecture',
    requirement: 'R23',
    why: 'a CS anchors the seals of its access log at its own prefecture server (the seal’s node must be the caller’s certificate’s)',
  },
  {
    caller: 'prefecture',
    callee: 'national',
    operations: ['audit-seal-anchor'],
    condition: 'any',
    requirement: 'R23',
    why: 'a prefecture server anchors the seals of its access log at the national server',
  },
  {
    caller: 'agency',
    callee: 'national',
    operations: ['audit-seal-anchor'],
    condition: 'any',
    requirement: 'R23',
    why: 'an agency server anchors the seals of its access log at the national server',
  },
  {
    caller: 'cs',
    callee: 'switch',
    operations: ['route-request'],
    condition: 'any',
    requirement: 'R2',
    why: 'a CS asks the switch to reach another CS',
  },
  {
    caller: 'switch',
    callee: 'cs',
    operations: ['route-request'],
    condition: 'any',
    requirement: 'R2',
    why: 'the switch opens the outer session to the target CS on the caller’s behalf',
  },
];

/**
 * The request kinds two CS may exchange INSIDE a route through the switch (R2; docs/NETWORK.md
 * "The switch"): `route-echo`, a connectivity check that answers the target CS's own name and
 * nothing of any resident; `wide-area-copy`, 住民票の写しの広域交付 (R24); `move-out-certificate`,
 * 転入転出の特例 (R25) — both docs/WIDE-AREA.md.
 */
export const ROUTED_OPERATIONS = ['route-echo', 'wide-area-copy', 'move-out-certificate'] as const;

/**
 * The allow-list of inner sessions: the end-to-end mutual-TLS session two CS run through the
 * switch (src/switch/route-endpoint.ts, route-client.ts). Kept apart from ALLOW_LIST on purpose:
 * `mayConnect` and `authorizeOperation` never read it, so a CS still cannot reach another CS's
 * network-side listener directly (R2: CS to CS goes through the switch), and an inner session
 * allows nothing of the outer table.
 */
export const ROUTED_ALLOW_LIST: readonly AllowRule[] = [
  {
    caller: 'cs',
    callee: 'cs',
    operations: ROUTED_OPERATIONS,
    condition: 'any',
    requirement: 'R2',
    why: 'a CS checks that it reaches another CS end to end through the switch (a connectivity check: the answer names the target CS, no resident data), the issuing CS asks the residence CS for a copy of a resident record (広域交付, R24), and the new municipality’s CS asks the old one for a mover’s 転出証明書情報 (転入転出の特例, R25)',
  },
];

export type FirewallDecision =
  | { readonly allowed: true; readonly rule: AllowRule | 'session' }
  | { readonly allowed: false; readonly reason: string };

function conditionHolds(condition: PairCondition, caller: NodeRef, callee: NodeRef): boolean {
  switch (condition) {
    case 'any':
      return true;
    case 'own-prefecture': {
      const [cs, pref] = caller.role === 'cs' ? [caller, callee] : [callee, caller];
      return pref.role === 'prefecture' && prefectureOfCs(cs) === pref.code;
    }
  }
}

/** May `caller` connect to `callee` at all (is any operation allowed between them)? */
export function mayConnect(caller: NodeRef, callee: NodeRef): FirewallDecision {
  const rule = ALLOW_LIST.find(
    (r) =>
      r.caller === caller.role &&
      r.callee === callee.role &&
      conditionHolds(r.condition, caller, callee),
  );
  return rule
    ? { allowed: true, rule }
    : { allowed: false, reason: `no rule lets ${nodeName(caller)} connect to ${nodeName(callee)}` };
}

/** May `caller` ask `callee` to perform `operation`? */
export function authorizeOperation(
  caller: NodeRef,
  callee: NodeRef,
  operation: string,
): FirewallDecision {
  const pair = mayConnect(caller, callee);
  if (!pair.allowed) return pair;
  if ((SESSION_OPERATIONS as readonly string[]).includes(operation))
    return { allowed: true, rule: 'session' };
  const rule = ALLOW_LIST.find(
    (r) =>
      r.caller === caller.role &&
      r.callee === callee.role &&
      r.operations.includes(operation) &&
      conditionHolds(r.condition, caller, callee),
  );
  return rule
    ? { allowed: true, rule }
    : {
        allowed: false,
        reason: `${nodeName(caller)} may not ask ${nodeName(callee)} for ${operation}`,
      };
}

/**
 * May `caller` ask `callee` for `operation` inside a route through the switch (R2)? Only between
 * two different CS, only the kinds of ROUTED_ALLOW_LIST (and session housekeeping).
 */
export function authorizeRouted(
  caller: NodeRef,
  callee: NodeRef,
  operation: string,
): FirewallDecision {
  const pair = ROUTED_ALLOW_LIST.filter(
    (r) =>
      r.caller === caller.role &&
      r.callee === callee.role &&
      conditionHolds(r.condition, caller, callee),
  );
  if (pair.length === 0 || (caller.role === callee.role && caller.code === callee.code))
    return {
      allowed: false,
      reason: `no rule lets ${nodeName(caller)} open a routed session with ${nodeName(callee)}`,
    };
  if ((SESSION_OPERATIONS as readonly string[]).includes(operation))
    return { allowed: true, rule: 'session' };
  const rule = pair.find((r) => r.operations.includes(operation));
  return rule
    ? { allowed: true, rule }
    : {
        allowed: false,
        reason: `${nodeName(caller)} may not ask ${nodeName(callee)} for ${operation} through the switch`,
      };
}

import {
  isPrefectureCode,
  localGovernmentCodeProblem,
} from '../local-government/LocalGovernmentCode.ts';
import { nodeName, type NodeRef } from '../network/NodeRef.ts';
import type { FieldProblem } from '../resident/identity-fields.ts';

/**
 * What one integrity check (本人確認情報整合, R20) compares: the records with status `resident`
 * whose 団体コード is the municipality's (`municipality`, 6 digits), or starts with the
 * prefecture's 2 digits (`prefecture`).
 *
 * Removed records are out of scope on purpose: they legitimately differ between levels. A person
 * who moved to another prefecture is `removed` at the old prefecture server and `resident` at the
 * national server; a removed record is erased at each node on its own retention schedule (R1, R33).
 * Only what is on the register now must agree everywhere.
 */
export type IntegrityScope =
  | { readonly kind: 'municipality'; readonly code: string }
  | { readonly kind: 'prefecture'; readonly code: string };

export const INTEGRITY_SCOPE_KINDS = ['municipality', 'prefecture'] as const;

/** `municipality:131016`, `prefecture:13`: how a scope is named in messages, logs and records. */
export const scopeName = (s: IntegrityScope): string => `${s.kind}:${s.code}`;

/** Why `code` is not a valid code for a scope of `kind`, or undefined. */
export function integrityScopeCodeProblem(
  kind: IntegrityScope['kind'],
  code: unknown,
): FieldProblem | undefined {
  if (kind === 'prefecture') {
    return typeof code === 'string' && isPrefectureCode(code)
      ? undefined
      : { reason: 'prefecture-code.malformed', message: 'must be a prefecture code 01–47' };
  }
  const reason = localGovernmentCodeProblem(code);
  return reason === undefined
    ? undefined
    : { reason, message: 'must be a 6-digit 団体コード with its check digit' };
}

/** Is a record of municipality `localGovernmentCode` (and on the register) inside `scope`? */
export const inIntegrityScope = (scope: IntegrityScope, localGovernmentCode: string): boolean =>
  scope.kind === 'municipality'
    ? localGovernmentCode === scope.code
    : localGovernmentCode.slice(0, 2) === scope.code;

export type ScopeDecision =
  { readonly allowed: true } | { readonly allowed: false; readonly reason: string };

/**
 * May `caller` ask `callee` to check `scope` (R20)? The check runs one level up, on the caller's
 * own data only:
 * - a CS asks the prefecture server of its prefecture, for its own municipality;
 * - a prefecture server asks the national server, for its own prefecture.
 * Anything else is refused before the callee reads anything, so a refusal says nothing about
 * another scope (not even whether it has records).
 */
export function authorizeIntegrityScope(
  caller: NodeRef,
  callee: NodeRef,
  scope: IntegrityScope,
): ScopeDecision {
  const refuse = (why: string): ScopeDecision => ({
    allowed: false,
    reason: `${nodeName(caller)} may not check ${scopeName(scope)} at ${nodeName(callee)}: ${why}`,
  });
  if (caller.role === 'cs' && callee.role === 'prefecture') {
    if (scope.kind !== 'municipality' || scope.code !== caller.code)
      return refuse('a CS checks its own municipality only');
    if (caller.code.slice(0, 2) !== callee.code)
      return refuse('a CS checks with the prefecture server of its own prefecture');
    return { allowed: true };
  }
  if (caller.role === 'prefecture' && callee.role === 'national') {
    if (scope.kind !== 'prefecture' || scope.code !== caller.code)
      return refuse('a prefecture server checks its own prefecture only');
    return { allowed: true };
  }
  return refuse('the integrity check runs CS → prefecture and prefecture → national only');
}

/* Shared fixtures of the R19 tests (validate-change.test.ts, validate-change.table.test.ts). */
import { expect } from 'vitest';
import type { IdentityRecord } from '../resident/IdentityInfo.ts';
import { buildEvent, buildIdentity, buildRecord, date, residentCodeOf } from './change-builders.ts';
import type { ChangeEvent } from './ChangeEvent.ts';
import type { ChangeReason } from './ChangeReason.ts';
import type { RejectionRule, ValidationContext } from './validate-change.ts';
import { validateChange } from './validate-change.ts';

export const today = date('2024-12-31');
export const ctx: ValidationContext = { today };
export const v = buildIdentity();
export const resident = buildRecord(); // resident since 2020-04-01 (転入)
export const removedBy = (reason: ChangeReason, overrides: Partial<IdentityRecord> = {}) =>
  buildRecord({
    status: 'removed',
    lastChange: { reason, date: date('2023-01-01') },
    ...overrides,
  });
export const newCode = residentCodeOf('1111111111');

export function expectRule(
  rule: RejectionRule,
  current: IdentityRecord | undefined,
  event: ChangeEvent,
  context: ValidationContext = ctx,
) {
  const rejection = validateChange(current, event, context);
  expect(rejection?.rule, rejection?.message).toBe(rule);
  expect(rejection?.message.length).toBeGreaterThan(0);
}

/** An event whose values are `patch` applied over the (valid) defaults — to break one field at a time. */
export const withValues = (reason: ChangeReason, patch: Record<string, unknown>) =>
  buildEvent(reason, { ...v, ...patch }, { residentCode: v.residentCode });

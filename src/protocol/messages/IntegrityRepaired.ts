import type { ResidentCode } from '../../domain/resident/ResidentCode.ts';
import { defineMessage, IDEMPOTENCY_KEY } from './define-message.ts';
import { readCheckId, readCodes } from './integrity-fields.ts';

/**
 * What one `integrity-repair` did at the receiver (and wrote to its repair log): records inserted,
 * updated, marked removed; codes left as they were (already repaired, or already so); and the
 * codes it could not repair (`conflicts`, ascending; docs/INTEGRITY.md "Repair").
 */
export type IntegrityRepaired = {
  readonly kind: 'integrity-repaired';
  readonly idempotencyKey: string;
  readonly checkId: string;
  readonly inserted: number;
  readonly updated: number;
  readonly removed: number;
  readonly unchanged: number;
  readonly conflicts: readonly ResidentCode[];
};

export const IntegrityRepaired = defineMessage<IntegrityRepaired>({
  kind: 'integrity-repaired',
  roles: ['reply'],
  reply: undefined,
  effect: 'read',
  parse: (r): IntegrityRepaired => ({
    kind: 'integrity-repaired',
    idempotencyKey: r.string('idempotencyKey', IDEMPOTENCY_KEY),
    checkId: readCheckId(r),
    inserted: r.integer('inserted'),
    updated: r.integer('updated'),
    removed: r.integer('removed'),
    unchanged: r.integer('unchanged'),
    conflicts: readCodes(r, 'conflicts'),
  }),
});

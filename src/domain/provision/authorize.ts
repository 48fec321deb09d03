import type { CalendarDate } from '../dates/CalendarDate.ts';
import { nodeName, type NodeRef } from '../network/NodeRef.ts';
import {
  AGREEMENT_REQUIRED,
  currentSuspension,
  type Agreement,
  type IdentifierKind,
  type Permission,
  type Recipient,
  type SuspensionEvent,
} from './recipient.ts';
import { refuse, type Refusal } from './refusal.ts';
import type { AffairCatalog, StatutoryAffair } from './statutory-affair.ts';

/** Everything a providing node's register holds (ProvisionStore.loadRegistry()). */
export type RegistrySnapshot = {
  readonly recipients: readonly Recipient[];
  readonly permissions: readonly Permission[];
  readonly agreements: readonly Agreement[];
  /** Every suspension and reinstatement ever recorded, any order. */
  readonly suspensions: readonly SuspensionEvent[];
  /** The affairs this node's prefecture added by ordinance (empty at the national server). */
  readonly ordinanceAffairs: readonly StatutoryAffair[];
};

/**
 * The register of one providing node in memory, indexed for the per-query check: a node loads it
 * once and reloads it after each change of its register (it is small: recipients and affairs, not
 * residents), so authorising a query costs a few map lookups.
 */
export class ProvisionRegistry {
  readonly #recipients: ReadonlyMap<string, Recipient>;
  readonly #permissions: ReadonlyMap<string, Permission>;
  readonly #agreements: ReadonlyMap<string, readonly Agreement[]>;
  readonly #suspensions: ReadonlyMap<string, SuspensionEvent | undefined>;

  private constructor(
    readonly provider: NodeRef,
    readonly affairs: AffairCatalog,
    snapshot: RegistrySnapshot,
  ) {
    this.#recipients = new Map(snapshot.recipients.map((r) => [r.id, r]));
    this.#permissions = new Map(
      snapshot.permissions.map((p) => [permissionKey(p.recipientId, p.affairId), p]),
    );
    this.#agreements = groupBy(snapshot.agreements, (a) => a.recipientId);
    this.#suspensions = new Map(
      [...groupBy(snapshot.suspensions, (s) => s.recipientId)].map(([id, events]) => [
        id,
        currentSuspension(events),
      ]),
    );
  }

  /** `affairs`: the Act's tables; the snapshot's ordinance affairs are added to them. */
  static of(
    provider: NodeRef,
    affairs: AffairCatalog,
    snapshot: RegistrySnapshot,
  ): ProvisionRegistry {
    return new ProvisionRegistry(provider, affairs.with(snapshot.ordinanceAffairs), snapshot);
  }

  recipient(id: string): Recipient | undefined {
    return this.#recipients.get(id);
  }
  affair(id: string): StatutoryAffair | undefined {
    return this.affairs.byId(id);
  }
  permission(recipientId: string, affairId: string): Permission | undefined {
    return this.#permissions.get(permissionKey(recipientId, affairId));
  }
  agreements(recipientId: string): readonly Agreement[] {
    return this.#agreements.get(recipientId) ?? [];
  }
  suspension(recipientId: string): SuspensionEvent | undefined {
    return this.#suspensions.get(recipientId);
  }
}

const permissionKey = (recipientId: string, affairId: string) => `${recipientId}\u0000${affairId}`;

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

/** A recipient asks for provision for one affair on one day (the providing node's date). */
export type ProvisionRequest = {
  readonly recipientId: string;
  readonly affairId: string;
  readonly on: CalendarDate;
};

export type Authorization = {
  readonly ok: true;
  readonly recipient: Recipient;
  readonly affair: StatutoryAffair;
  readonly identifier: IdentifierKind;
  /** The agreement in force (R5); absent for recipients that need none. */
  readonly agreement: Agreement | undefined;
  /** What the disclosure record cites. */
  readonly legalBasis: string;
};

/** Stable reasons, in the order authorizeProvision checks them (the first that applies wins). */
export const PROVISION_REFUSAL_REASONS = [
  'provision.unknown-recipient',
  'provision.not-served-here',
  'provision.recipient-suspended',
  'provision.unknown-affair',
  'provision.affair-not-permitted',
  'provision.no-agreement',
  'provision.agreement-not-yet-in-force',
  'provision.agreement-expired',
] as const;
export type ProvisionRefusalReason = (typeof PROVISION_REFUSAL_REASONS)[number];
export type ProvisionRefusal = Refusal<ProvisionRefusalReason>;

/**
 * May `request.recipientId` receive 本人確認情報 for `request.affairId` today (R3, R5)?
 *
 * 1. `provision.unknown-recipient` (forbidden): not in this node's register;
 * 2. `provision.not-served-here` (forbidden): registered as served by another node;
 * 3. `provision.recipient-suspended` (suspended): provision stopped (R5), until reinstated;
 * 4. `provision.unknown-affair` (invalid): no such affair in the Act's tables or the ordinance;
 * 5. `provision.affair-not-permitted` (forbidden): an affair, but not one of this recipient's
 *    (use outside the listed affair is forbidden, R3; a 削除 item is never permitted);
 * 6. `provision.no-agreement` / `provision.agreement-not-yet-in-force` /
 *    `provision.agreement-expired` (forbidden): a national agency without an agreement (協定書)
 *    in force on `request.on` (R5).
 */
export function authorizeProvision(
  registry: ProvisionRegistry,
  request: ProvisionRequest,
): Authorization | ProvisionRefusal {
  const recipient = registry.recipient(request.recipientId);
  if (recipient === undefined) {
    return refuse(
      'forbidden',
      'provision.unknown-recipient',
      '登録された提供先ではありません (not a registered recipient)',
    );
  }
  const served = recipient.servedBy;
  if (served.role !== registry.provider.role || served.code !== registry.provider.code) {
    return refuse(
      'forbidden',
      'provision.not-served-here',
      `この提供先は${nodeName(served)}が提供します (this recipient is served by ${nodeName(served)})`,
    );
  }
  const suspension = registry.suspension(recipient.id);
  if (suspension !== undefined) {
    return refuse(
      'suspended',
      'provision.recipient-suspended',
      `提供停止中です (${suspension.at} から) (provision to this recipient is suspended since ${suspension.at})`,
    );
  }
  const affair = registry.affair(request.affairId);
  if (affair === undefined) {
    return refuse(
      'invalid',
      'provision.unknown-affair',
      '法定事務又は条例事務にない事務です (not an affair of the Act or the ordinance)',
    );
  }
  const permission = registry.permission(recipient.id, affair.id);
  if (permission === undefined || affair.deleted) {
    return refuse(
      'forbidden',
      'provision.affair-not-permitted',
      `${affair.id} はこの提供先に認められた事務ではありません (affair not permitted to this recipient)`,
    );
  }
  let agreement: Agreement | undefined;
  if (AGREEMENT_REQUIRED[recipient.kind]) {
    const all = registry.agreements(recipient.id);
    agreement = all.find(
      (a) => a.validFrom <= request.on && (a.validTo === undefined || request.on <= a.validTo),
    );
    if (agreement === undefined) {
      if (all.length === 0) {
        return refuse(
          'forbidden',
          'provision.no-agreement',
          '協定書が締結されていません (no agreement on protection measures, R5)',
        );
      }
      const expired = all.some((a) => a.validTo !== undefined && a.validTo < request.on);
      return expired
        ? refuse(
            'forbidden',
            'provision.agreement-expired',
            '協定書の有効期間が終了しています (the agreement has expired)',
          )
        : refuse(
            'forbidden',
            'provision.agreement-not-yet-in-force',
            '協定書がまだ発効していません (the agreement is not yet in force)',
          );
    }
  }
  return {
    ok: true,
    recipient,
    affair,
    identifier: permission.identifier,
    agreement,
    legalBasis: affair.legalBasis,
  };
}

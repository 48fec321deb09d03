import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import {
  isRecipientId,
  RECIPIENT_KINDS,
  type RecipientId,
  type RecipientKind,
} from '../domain/provision/recipient.ts';
import { parseNodeName } from '../pki/index.ts';
import { loadStatutoryAffairs } from '../reference-data/statutory-affairs.ts';
import type { ProvisionStore } from '../storage/ports.ts';
import type { NodeProvision } from './node-provision.ts';

/** The changes to a providing node's register besides suspension (R3, R5). */
export const REGISTER_CHANGES = ['recipient', 'permit', 'agreement'] as const;
export type RegisterChange = (typeof REGISTER_CHANGES)[number];

const field = (f: Readonly<Record<string, unknown>>, key: string): string => {
  const v = f[key];
  if (typeof v !== 'string' || v.trim() === '')
    throw new RegistryError(
      'invalid',
      `${key} が必要です / ${key} is required`,
      'register.missing-field',
    );
  return v;
};
const optional = (f: Readonly<Record<string, unknown>>, key: string): string | undefined =>
  typeof f[key] === 'string' && f[key] !== '' ? f[key] : undefined;

const recipientIdOf = (f: Readonly<Record<string, unknown>>, key: string): RecipientId => {
  const id = field(f, key);
  if (!isRecipientId(id))
    throw new RegistryError(
      'invalid',
      `${key} ${JSON.stringify(id.slice(0, 64))}: a-z, 0-9 and -, 2–64 characters`,
      'recipient.id',
    );
  return id;
};

/**
 * One change to the register of `store`, from named fields (the CLI's options, or a terminal
 * request's body): a recipient `{id, name, kind, servedBy, node?}`, a permitted affair
 * `{recipientId, affairId, identifier?}` (an affair of the Act's tables or of this prefecture's
 * ordinance), or a 協定書 `{recipientId, id, signedOn, validFrom, validTo?, protectionMeasures}`.
 * The store checks the rest (recipientProblem, permissionProblem, agreementProblem). Returns
 * what was recorded, as a line for the operator.
 */
export async function changeRegister(
  store: ProvisionStore,
  change: RegisterChange,
  f: Readonly<Record<string, unknown>>,
): Promise<{ readonly change: RegisterChange; readonly id: string; readonly done: string }> {
  switch (change) {
    case 'recipient': {
      const id = recipientIdOf(f, 'id');
      const kind = field(f, 'kind');
      if (!(RECIPIENT_KINDS as readonly string[]).includes(kind))
        throw new RegistryError(
          'invalid',
          `kind は ${RECIPIENT_KINDS.join(', ')} のいずれかです / kind must be one of those`,
          'recipient.kind',
        );
      const node = optional(f, 'node');
      await store.registerRecipient({
        id,
        name: field(f, 'name'),
        kind: kind as RecipientKind,
        servedBy: parseNodeName(field(f, 'servedBy')),
        ...(node === undefined ? {} : { node: parseNodeName(node) }),
      });
      return { change, id, done: `提供先を登録しました (recipient registered): ${id}` };
    }
    case 'permit': {
      const recipientId = recipientIdOf(f, 'recipientId');
      const affairId = field(f, 'affairId');
      const ordinance = (await store.loadRegistry()).ordinanceAffairs.find(
        (a) => a.id === affairId,
      );
      const affair = ordinance ?? loadStatutoryAffairs().byId(affairId);
      if (!affair)
        throw new RegistryError(
          'not-found',
          `事務 ${JSON.stringify(affairId.slice(0, 64))} は別表にも条例にもありません / no such statutory affair (juki provision affairs)`,
          'provision.unknown-affair',
        );
      await store.permitAffair(
        {
          recipientId,
          affairId: affair.id,
          identifier: f.identifier === 'resident-code' ? 'resident-code' : 'pseudonym',
        },
        affair,
      );
      return {
        change,
        id: recipientId,
        done: `事務を許可しました (affair permitted): ${recipientId} ← ${affair.id}`,
      };
    }
    case 'agreement': {
      const id = field(f, 'id');
      const validTo = optional(f, 'validTo');
      await store.addAgreement({
        id,
        recipientId: recipientIdOf(f, 'recipientId'),
        signedOn: field(f, 'signedOn') as CalendarDate,
        validFrom: field(f, 'validFrom') as CalendarDate,
        ...(validTo === undefined ? {} : { validTo: validTo as CalendarDate }),
        protectionMeasures: field(f, 'protectionMeasures'),
      });
      return { change, id, done: `協定書を記録しました (agreement recorded): ${id}` };
    }
  }
}

/**
 * `POST /provision/register` `{ change: 'recipient' | 'permit' | 'agreement', … }` at a national or
 * prefecture server: the change (above), in force at once; the act is in the node's access log
 * under the operator who made it (operation `provision.register`).
 */
export async function registerFromTerminal(
  node: { readonly self: NodeRef; readonly provision: NodeProvision | undefined },
  b: Readonly<Record<string, unknown>>,
): Promise<{ readonly change: RegisterChange; readonly id: string; readonly done: string }> {
  if (!node.provision)
    throw new RegistryError(
      'invalid',
      `${nodeName(node.self)} には提供先の登録がありません / only a national or prefecture server keeps a recipient register`,
      'node.no-provision',
    );
  const change = b.change;
  if (!(REGISTER_CHANGES as readonly unknown[]).includes(change))
    throw new RegistryError(
      'invalid',
      `change は ${REGISTER_CHANGES.join(', ')} のいずれかです / change must be one of those`,
      'register.change',
    );
  const done = await changeRegister(node.provision.store, change as RegisterChange, b);
  node.provision.service.invalidate();
  return done;
}

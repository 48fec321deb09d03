import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import {
  isRecipientId,
  RECIPIENT_KINDS,
  type RecipientId,
  type RecipientKind,
} from '../domain/provision/recipient.ts';
import { ordinanceAffair, type StatutoryAffair } from '../domain/provision/statutory-affair.ts';
import { parseNodeName } from '../pki/index.ts';
import { loadStatutoryAffairs } from '../reference-data/statutory-affairs.ts';
import type { ProvisionStore } from '../storage/ports.ts';
import type { NodeProvision } from './node-provision.ts';

/** The changes to a providing node's register besides suspension (R3, R5). */
export const REGISTER_CHANGES = ['recipient', 'permit', 'agreement', 'ordinance'] as const;
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
 * ordinance), a 協定書 `{recipientId, id, signedOn, validFrom, validTo?, protectionMeasures}`, or
 * an affair the prefecture's ordinance adds (条例事務, R3) `{prefectureCode, item, recipientText,
 * affairText, legalBasis}`.
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
    case 'ordinance': {
      const affair = ordinanceAffair({
        prefectureCode: field(f, 'prefectureCode'),
        item: field(f, 'item'),
        recipient: field(f, 'recipientText'),
        affair: field(f, 'affairText'),
        legalBasis: field(f, 'legalBasis'),
      });
      await store.registerOrdinanceAffair(affair);
      return {
        change,
        id: affair.id,
        done: `条例事務を登録しました (ordinance affair registered): ${affair.id}`,
      };
    }
  }
}

/**
 * `POST /provision/register` `{ change: 'recipient' | 'permit' | 'agreement' | 'ordinance', … }` at
 * a national or prefecture server (an ordinance affair: at a prefecture server, of its own
 * prefecture): the change (above), in force at once; the act is in the node's access log
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
  let fields = b;
  if (change === 'ordinance') {
    // A prefecture server registers its own prefecture's ordinance, and only that (R3).
    if (node.self.role !== 'prefecture')
      throw new RegistryError(
        'invalid',
        '条例事務は都道府県サーバが自県の条例について登録します / only a prefecture server registers the affairs of its own ordinance',
        'ordinance-affair.not-a-prefecture',
      );
    if (b.prefectureCode !== undefined && b.prefectureCode !== node.self.code)
      throw new RegistryError(
        'forbidden',
        `${nodeName(node.self)} は自県（${node.self.code}）の条例事務だけを登録します / only this prefecture's own ordinance`,
        'ordinance-affair.other-prefecture',
      );
    fields = { ...b, prefectureCode: node.self.code };
  }
  const done = await changeRegister(node.provision.store, change as RegisterChange, fields);
  node.provision.service.invalidate();
  return done;
}

/**
 * `GET /provision/ordinance` at a prefecture server: the affairs its ordinance adds (条例事務,
 * R3), as registered; empty at the national server.
 */
export async function ordinanceAffairsView(node: {
  readonly self: NodeRef;
  readonly provision: NodeProvision | undefined;
}): Promise<readonly StatutoryAffair[]> {
  if (!node.provision)
    throw new RegistryError(
      'invalid',
      `${nodeName(node.self)} には提供先の登録がありません / only a national or prefecture server keeps a recipient register`,
      'node.no-provision',
    );
  return (await node.provision.store.loadRegistry()).ordinanceAffairs;
}

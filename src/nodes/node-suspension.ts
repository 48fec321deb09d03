import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import {
  currentSuspension,
  type Agreement,
  type Recipient,
  type RecipientId,
  type SuspensionEvent,
} from '../domain/provision/recipient.ts';
import { LINE_TEXT_PATTERN } from '../domain/report/report.ts';
import { actingOperator } from './acting-operator.ts';
import type { NodeProvision } from './node-provision.ts';
import type { TerminalCaller } from './terminal-server.ts';

const MAX_REASON = 500;

/**
 * `POST /provision/suspension` `{ recipientId, action: 'suspend' | 'reinstate', reason, by? }`: the
 * providing node suspends or reinstates provision to one of its recipients (R5), appended to the
 * register and in force at once (a suspended recipient's queries are refused `suspended` and
 * recorded). Who decided is the logged-in operator (`by` only on the console of a node without a
 * web terminal: acting-operator.ts); the act is in the node's access log like every terminal act.
 */
export async function suspensionFromTerminal(
  node: { readonly self: NodeRef; readonly provision: NodeProvision | undefined },
  b: Readonly<Record<string, unknown>>,
  caller?: TerminalCaller,
  now: () => Date = () => new Date(),
): Promise<SuspensionEvent> {
  const { self, provision } = node;
  if (!provision || (self.role !== 'national' && self.role !== 'prefecture'))
    throw new RegistryError(
      'invalid',
      `${nodeName(self)} には提供先の登録がありません / only a national or prefecture server keeps a recipient register`,
      'node.no-provision',
    );
  const action = b.action;
  if (action !== 'suspend' && action !== 'reinstate')
    throw new RegistryError(
      'invalid',
      'action は suspend か reinstate です / action must be suspend or reinstate',
      'suspension.action',
    );
  const reason = b.reason;
  if (
    typeof reason !== 'string' ||
    reason.trim() === '' ||
    reason.length > MAX_REASON ||
    !LINE_TEXT_PATTERN.test(reason)
  )
    throw new RegistryError(
      'invalid',
      `理由が必要です（${MAX_REASON} 字以内、制御文字なし）/ a reason is required (at most ${MAX_REASON} characters, no control characters)`,
      'suspension.reason',
    );
  const by = actingOperator(b, 'by', caller);
  if (by === undefined)
    throw new RegistryError(
      'invalid',
      '決定した操作者 (by) が必要です / by (who decided) is required on the console',
      'suspension.by',
    );
  const recipientId = b.recipientId;
  const registry = await provision.store.loadRegistry();
  if (typeof recipientId !== 'string' || !registry.recipients.some((r) => r.id === recipientId))
    throw new RegistryError(
      'not-found',
      `提供先 ${JSON.stringify(String(recipientId).slice(0, 64))} は登録されていません / no such recipient in this node's register`,
      'provision.unknown-recipient',
    );
  const event: SuspensionEvent = {
    recipientId: recipientId as RecipientId,
    action,
    at: now().toISOString(),
    by,
    reason,
  };
  await provision.store.recordSuspension(event);
  provision.service.invalidate();
  return event;
}

/** One recipient as the register view shows it: what it may receive and whether it is served. */
export type RecipientView = Recipient & {
  readonly affairs: readonly string[];
  readonly agreements: readonly Pick<Agreement, 'id' | 'validFrom' | 'validTo'>[];
  /** The suspension in force, or null: provision to it goes on. */
  readonly suspended: SuspensionEvent | null;
};

/**
 * `GET /provision/register`: the node's recipients (R3, R5), each with its permitted affairs, its
 * agreements' periods and the suspension in force. Names, ids and dates: no resident's data.
 */
export async function registerView(node: {
  readonly self: NodeRef;
  readonly provision: NodeProvision | undefined;
}): Promise<RecipientView[]> {
  if (!node.provision)
    throw new RegistryError(
      'invalid',
      `${nodeName(node.self)} には提供先の登録がありません / only a national or prefecture server keeps a recipient register`,
      'node.no-provision',
    );
  const r = await node.provision.store.loadRegistry();
  return r.recipients.map((recipient) => ({
    ...recipient,
    affairs: r.permissions.filter((p) => p.recipientId === recipient.id).map((p) => p.affairId),
    agreements: r.agreements
      .filter((a) => a.recipientId === recipient.id)
      .map((a) => ({ id: a.id, validFrom: a.validFrom, validTo: a.validTo })),
    suspended:
      currentSuspension(r.suspensions.filter((s) => s.recipientId === recipient.id)) ?? null,
  }));
}

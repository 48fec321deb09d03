import { RegistryError } from '../errors.ts';
import { NODE_ROLES, type NodeRef, type NodeRole } from '../network/NodeRef.ts';
import { CARD_TYPES, isCardType, type CardType } from './card-types.ts';
import { permits } from './permissions.ts';

/**
 * The operator register of a node (R15, R31): who may operate it, with which card type, granted by
 * whom and when, revoked when and why. A revoked operator stays revoked; granting them again is a
 * new operator id. Nothing here does I/O; the stores (src/storage) keep it append-only.
 */

/** `--granted-by` of the first administrator of a node, allowed only while its register is empty. */
export const BOOTSTRAP = 'bootstrap';
/**
 * Who acted in the access log for what no registered operator did: `system` (the node on its own),
 * `local-terminal` (the loopback terminal side's console: a caller holding the node's machine
 * token, docs/OPERATIONS.md) and `unauthenticated` (a caller of the loopback terminal side that
 * showed no valid machine token: refused, recorded so that the attempt is seen). No operator may
 * carry these ids.
 */
export const LOCAL_TERMINAL = 'local-terminal';
export const UNAUTHENTICATED = 'unauthenticated';
const RESERVED_IDS: readonly string[] = [BOOTSTRAP, 'system', LOCAL_TERMINAL, UNAUTHENTICATED];

/** A grant: one operator of one node, with one card type. */
export type Grant = {
  /** The operator's id: 1–64 of a–z A–Z 0–9 . _ -, starting with a letter or digit. */
  readonly id: string;
  /** The node the operator works on, e.g. `cs:131016`. */
  readonly node: string;
  /** The operator's name, as people read it (1–100 characters, one line). */
  readonly name: string;
  readonly cardType: CardType;
  /** The id of the administrator who granted it, or BOOTSTRAP for a node's first administrator. */
  readonly grantedBy: string;
  /** ISO time, `Date.prototype.toISOString()` form. */
  readonly grantedAt: string;
};

export type Revocation = {
  /** The operator who revoked it (an administrator or a security officer of the node). */
  readonly by: string;
  /** Why (1–200 characters, one line). */
  readonly reason: string;
  readonly at: string;
};

/** An operator as the register holds them: their grant and, once revoked, the revocation. */
export type Operator = Grant & { readonly revoked: Revocation | undefined };

/** One event of the register's history: append-only, never updated or deleted. */
export type OperatorEvent = {
  readonly seq: number;
  readonly operatorId: string;
  readonly kind: 'granted' | 'revoked';
  /** Who granted or revoked. */
  readonly by: string;
  readonly at: string;
  /** revoked: why; granted: the card type granted. */
  readonly detail: string;
};

export const isActive = (o: Operator): boolean => o.revoked === undefined;

const OPERATOR_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const NODE_NAME = /^([a-z]+):([A-Za-z0-9_-]{1,64})$/;
/** `Date.prototype.toISOString()`'s form, with months, days, hours, minutes, seconds in range. */
const ISO_TIME =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const LINE_TEXT = /^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/;
export const OPERATOR_LIMITS = { name: 100, reason: 200 } as const;

const invalid = (reason: string, ja: string, en: string) =>
  new RegistryError('invalid', `${ja} / ${en}`, reason);

/** The node of a node name such as `cs:131016`, or undefined. */
export function parseNodeName(name: string): NodeRef | undefined {
  const m = NODE_NAME.exec(name);
  if (!m || !(NODE_ROLES as readonly string[]).includes(m[1]!)) return undefined;
  return { role: m[1] as NodeRole, code: m[2]! };
}

export function checkOperatorId(id: unknown, field = 'id'): string {
  if (typeof id !== 'string' || !OPERATOR_ID.test(id) || RESERVED_IDS.includes(id))
    throw invalid(
      'operator.id',
      `操作者IDが不正です（英数字と . _ - の 64 文字まで、${RESERVED_IDS.join('・')} 以外）: ${field}`,
      `${field} must be 1–64 of a–z A–Z 0–9 . _ - (not ${RESERVED_IDS.map((r) => `"${r}"`).join(', ')})`,
    );
  return id;
}

function checkLine(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw invalid(`operator.${field}`, `${field} が空です`, `${field} must not be empty`);
  if ([...value].length > max)
    throw invalid(
      `operator.${field}`,
      `${field} が長すぎます（${max} 文字まで）`,
      `${field} is longer than ${max} characters`,
    );
  if (!LINE_TEXT.test(value))
    throw invalid(
      `operator.${field}`,
      `${field} に制御文字があります`,
      `${field} contains control characters`,
    );
  return value;
}

function checkTime(value: unknown, field: string): string {
  if (typeof value !== 'string' || !ISO_TIME.test(value))
    throw invalid(
      `operator.${field}`,
      `${field} が時刻ではありません`,
      `${field} must be an ISO time`,
    );
  return value;
}

/** Checks a grant on its own (ids, names, card type, node, time). Throws RegistryError('invalid'). */
export function checkGrant(g: Grant): Grant {
  checkOperatorId(g.id);
  if (typeof g.node !== 'string' || parseNodeName(g.node) === undefined)
    throw invalid(
      'operator.node',
      `ノード名が不正です: ${String(g.node)}`,
      'node must be a node name such as cs:131016',
    );
  checkLine(g.name, 'name', OPERATOR_LIMITS.name);
  if (typeof g.cardType !== 'string' || !isCardType(g.cardType))
    throw invalid(
      'operator.card-type',
      `操作者識別カードの種別がありません: ${String(g.cardType)}（${CARD_TYPES.join(', ')}）`,
      `no such card type (${CARD_TYPES.join(', ')})`,
    );
  if (g.grantedBy !== BOOTSTRAP) checkOperatorId(g.grantedBy, 'granted-by');
  if (g.grantedBy === g.id)
    throw new RegistryError(
      'forbidden',
      '操作者は自分自身に権限を付与できません / an operator cannot grant themselves',
      'operator.self-grant',
    );
  checkTime(g.grantedAt, 'granted-at');
  return g;
}

/** Checks a revocation on its own. */
export function checkRevocation(r: Revocation): Revocation {
  checkOperatorId(r.by, 'by');
  checkLine(r.reason, 'reason', OPERATOR_LIMITS.reason);
  checkTime(r.at, 'at');
  return r;
}

const forbidden = (reason: string, ja: string, en: string) =>
  new RegistryError('forbidden', `${ja} / ${en}`, reason);

/**
 * Whether the register allows this grant, given its state (the stores call it inside their
 * transaction): the id is new (a revoked operator's id is never reused); the first administrator
 * of a node is granted by BOOTSTRAP, only while the register is empty; otherwise the granter is an
 * active operator of the same node whose card permits `operator.grant`.
 */
export function checkGrantAllowed(
  g: Grant,
  state: {
    readonly existing: Operator | undefined;
    readonly granter: Operator | undefined;
    readonly registerEmpty: boolean;
  },
): void {
  checkGrant(g);
  if (state.existing)
    throw new RegistryError(
      'conflict',
      `操作者ID ${g.id} は登録済みです（失効した操作者の再登録は新しいIDで）/ operator id ${g.id} exists (a revoked operator is granted again under a new id)`,
      state.existing.revoked ? 'operator.revoked' : 'operator.exists',
    );
  if (g.grantedBy === BOOTSTRAP) {
    if (!state.registerEmpty)
      throw forbidden(
        'operator.bootstrap-used',
        `${BOOTSTRAP} による登録は操作者登録簿が空のときだけです`,
        `${BOOTSTRAP} grants only while the operator register is empty`,
      );
    if (g.cardType !== 'administrator')
      throw forbidden(
        'operator.bootstrap-card',
        `${BOOTSTRAP} で登録できるのはシステム管理者だけです`,
        `${BOOTSTRAP} grants only an administrator`,
      );
    return;
  }
  checkAuthority(state.granter, g.grantedBy, g.node, 'operator.grant');
}

/**
 * Whether the register allows this revocation: the operator exists and is active; `by` is an
 * active operator of the same node whose card permits `operator.revoke`; the node keeps at least
 * one active administrator (otherwise nobody could grant again).
 */
export function checkRevocationAllowed(
  id: string,
  r: Revocation,
  state: {
    readonly target: Operator | undefined;
    readonly revoker: Operator | undefined;
    readonly activeAdministrators: number;
  },
): void {
  checkRevocation(r);
  const t = state.target;
  if (!t)
    throw new RegistryError(
      'not-found',
      `操作者 ${id} は登録されていません / no operator ${id}`,
      'operator.unknown',
    );
  if (t.revoked)
    throw new RegistryError(
      'conflict',
      `操作者 ${id} は失効済みです（${t.revoked.at}）/ operator ${id} is already revoked`,
      'operator.revoked',
    );
  checkAuthority(state.revoker, r.by, t.node, 'operator.revoke');
  if (t.cardType === 'administrator' && state.activeAdministrators <= 1)
    throw forbidden(
      'operator.last-administrator',
      `${t.node} の最後のシステム管理者は失効できません`,
      `the last active administrator of ${t.node} cannot be revoked`,
    );
}

function checkAuthority(
  actor: Operator | undefined,
  actorId: string,
  node: string,
  operation: 'operator.grant' | 'operator.revoke',
): void {
  const role = parseNodeName(node)?.role ?? '';
  if (!actor || actor.revoked || actor.node !== node || !permits(actor.cardType, role, operation))
    throw forbidden(
      'operator.not-authorized',
      `${actorId} は ${node} の有効な操作者として ${operation} の権限を持ちません`,
      `${actorId} is not an active operator of ${node} allowed ${operation}`,
    );
}

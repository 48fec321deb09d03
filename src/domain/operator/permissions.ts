import { NODE_ROLES, type NodeRole } from '../network/NodeRef.ts';
import { CARD_TYPES, CARD_TYPE_INFO, isCardType, type CardType } from './card-types.ts';
import {
  OPERATIONS,
  TERMINAL_OPERATIONS,
  existsOn,
  isTerminalOperation,
  type TerminalOperation,
} from './operations.ts';

/**
 * THE permission table (R15, R31): card type → the operations its holder may run. Least
 * privilege: each card gets what its duties need and nothing else. The administrator runs the
 * node and its operator register but reaches no resident's data; only a security officer cuts a
 * node off. An operation is allowed on a node only where it exists (operations.ts).
 */
export const PERMISSIONS: Readonly<Record<CardType, readonly TerminalOperation[]>> = {
  'counter-clerk': ['register.counter', 'register.rejections'],
  'card-issuer': [],
  'provision-operator': [
    'provision.query',
    'provision.batch',
    'provision.media',
    'provision.media-log',
    'provision.register',
    'provision.refusals',
    'provision.reload',
  ],
  auditor: [
    'audit.read',
    'audit.verify',
    'audit.analyse',
    'disclosure.report',
    'provision.refusals',
    'provision.media-log',
    'reports.request',
    'reports.answer',
    'reports.list',
    'reports.poll',
    'monitor.view',
  ],
  'security-officer': [
    'alerts.list',
    'monitor.view',
    'node.isolate',
    'node.readmit',
    'health',
    'operator.list',
    'operator.revoke',
  ],
  administrator: [
    'health',
    'retention.run',
    'integrity.check',
    'integrity.list',
    'disclosure.sync',
    'operator.grant',
    'operator.revoke',
    'operator.list',
    'monitor.view',
  ],
};

/**
 * Whether an operator holding `cardType` may run `operation` on a node of `nodeRole`. False for
 * anything unknown (a card type, role or operation that does not exist) and for an operation that
 * does not exist on that role.
 */
export function permits(cardType: string, nodeRole: string, operation: string): boolean {
  if (!isCardType(cardType) || !isTerminalOperation(operation)) return false;
  if (!(NODE_ROLES as readonly string[]).includes(nodeRole)) return false;
  return (
    existsOn(operation, nodeRole as NodeRole) &&
    (PERMISSIONS[cardType] as readonly string[]).includes(operation)
  );
}

/** One row of the table for the docs: an operation, where it exists, which cards may run it. */
export type PermissionRow = {
  readonly operation: TerminalOperation;
  readonly what: string;
  readonly roles: readonly NodeRole[];
  readonly cards: readonly CardType[];
};

/** The whole table, one row per operation in the order of operations.ts. */
export const permissionTable = (): PermissionRow[] =>
  OPERATIONS.map((operation) => ({
    operation,
    what: TERMINAL_OPERATIONS[operation].what,
    roles: [...TERMINAL_OPERATIONS[operation].roles],
    cards: CARD_TYPES.filter((c) => PERMISSIONS[c].includes(operation)),
  }));

/** The card types as a Markdown table (docs/OPERATORS.md pastes it; a test keeps them equal). */
export function cardTypesMarkdown(): string {
  const rows = CARD_TYPES.map(
    (c) =>
      `| \`${c}\` | ${CARD_TYPE_INFO[c].ja} | ${CARD_TYPE_INFO[c].en} | ${CARD_TYPE_INFO[c].duties} |`,
  );
  return ['| card type | 種別 | gloss | duties |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

/** The permission table as Markdown: one row per operation, node roles, one column per card. */
export function permissionTableMarkdown(): string {
  const head = `| operation | what | node roles | ${CARD_TYPES.map((c) => CARD_TYPE_INFO[c].ja).join(' | ')} |`;
  const rule = `| --- | --- | --- | ${CARD_TYPES.map(() => ':-:').join(' | ')} |`;
  const rows = permissionTable().map(
    (r) =>
      `| \`${r.operation}\` | ${r.what} | ${r.roles.join(', ')} | ${CARD_TYPES.map((c) => (r.cards.includes(c) ? '✓' : '')).join(' | ')} |`,
  );
  return [head, rule, ...rows].join('\n');
}

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
  'counter-clerk': ['register.counter', 'register.rejections', 'wide-area.issue'],
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
    'retention.list',
    'disclosure.report',
    'provision.refusals',
    'provision.media-log',
    'reports.request',
    'reports.answer',
    'reports.list',
    'reports.poll',
    'monitor.view',
    'route.records',
  ],
  'security-officer': [
    'alerts.list',
    'route.records',
    'monitor.view',
    'node.isolate',
    'node.readmit',
    'health',
    'operator.list',
    'operator.revoke',
    'wide-area.suspensions',
    'wide-area.release',
  ],
  administrator: [
    'health',
    'retention.run',
    'retention.list',
    'integrity.check',
    'integrity.list',
    'disclosure.sync',
    'route.check',
    'route.records',
    'operator.grant',
    'operator.revoke',
    'operator.list',
    'monitor.view',
  ],
};

/**
 * What the loopback terminal side's console may do WITHOUT an operator session (principal
 * `local-terminal`: a caller holding the node's machine token) on a node that has a web terminal,
 * i.e. operators who can log in and get a terminal session (docs/OPERATORS.md "The console").
 * Chosen by one rule: the operation reveals no resident's data to the caller and moves none
 * beyond what the node's own schedules move, and it is not the emergency cut-off. So: health and
 * monitoring (unattended `juki monitor`), retention and the disclosure sync (scheduled jobs that
 * answer with counts), reloading the recipient register, listing and polling report requests,
 * the connectivity check through the switch and the switch's route records (node names, times
 * and byte counts only), the operator cards of other municipalities whose 広域交付 is suspended
 * here (card ids and times only).
 * Not: provision, disclosure reports, counter work, the access log and its analysis (residents'
 * data), integrity checks (their answers list differing resident codes and `--repair` rewrites
 * records), isolate / readmit (R11: only a security officer), report requests and answers (an
 * auditor's act, to be attributed to them). A node WITHOUT a web terminal has no operator who can
 * log in, so its console keeps every operation (the machine administrator's, as before).
 */
export const CONSOLE_OPERATIONS: readonly TerminalOperation[] = [
  'health',
  'monitor.view',
  'alerts.list',
  'retention.run',
  'retention.list',
  'provision.reload',
  'disclosure.sync',
  'reports.list',
  'reports.poll',
  'route.check',
  'route.records',
  'wide-area.suspensions',
];

/** Whether the console (no operator session) may run `operation` on a node with a web terminal. */
export const consolePermits = (operation: string): boolean =>
  (CONSOLE_OPERATIONS as readonly string[]).includes(operation);

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
  /** The console may run it without an operator session (CONSOLE_OPERATIONS). */
  readonly console: boolean;
};

/** The whole table, one row per operation in the order of operations.ts. */
export const permissionTable = (): PermissionRow[] =>
  OPERATIONS.map((operation) => ({
    operation,
    what: TERMINAL_OPERATIONS[operation].what,
    roles: [...TERMINAL_OPERATIONS[operation].roles],
    cards: CARD_TYPES.filter((c) => PERMISSIONS[c].includes(operation)),
    console: CONSOLE_OPERATIONS.includes(operation),
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
  const head = `| operation | what | node roles | ${CARD_TYPES.map((c) => CARD_TYPE_INFO[c].ja).join(' | ')} | 端末 console |`;
  const rule = `| --- | --- | --- | ${CARD_TYPES.map(() => ':-:').join(' | ')} | :-: |`;
  const rows = permissionTable().map(
    (r) =>
      `| \`${r.operation}\` | ${r.what} | ${r.roles.join(', ')} | ${CARD_TYPES.map((c) => (r.cards.includes(c) ? '✓' : '')).join(' | ')} | ${r.console ? '✓' : ''} |`,
  );
  return [head, rule, ...rows].join('\n');
}

import { NODE_ROLES, type NodeRole } from '../network/NodeRef.ts';

/**
 * The operations of a node's terminal side and of the CLI verbs that act on a node for an operator
 * (src/nodes/node-terminal.ts, src/cli/commands), one list, each with the node roles where it
 * exists at all. The rights of each card type over them are in permissions.ts.
 */
type OperationInfo = {
  /** The node roles where the operation exists. */
  readonly roles: readonly NodeRole[];
  /** Japanese first, with an English gloss. */
  readonly what: string;
};

const ALL: readonly NodeRole[] = NODE_ROLES;
const SERVERS_WITH_REGISTER: readonly NodeRole[] = ['prefecture', 'national'];
const REPORT_NODES: readonly NodeRole[] = ['cs', 'prefecture', 'national', 'agency'];

export const TERMINAL_OPERATIONS = {
  health: { roles: ALL, what: 'ノードの状態 / node health' },
  'retention.run': {
    roles: ['cs', 'prefecture', 'national'],
    what: '保存期間を過ぎた履歴の消去 / erase history past retention (R1, R33)',
  },
  'retention.list': {
    roles: ['cs', 'prefecture', 'national'],
    what: '消去の記録 (件数と期間) / the recorded erasures: counts and periods (R33)',
  },
  'integrity.check': {
    roles: ['cs', 'prefecture'],
    what: '本人確認情報整合の実行 / run the integrity check (R20)',
  },
  'integrity.list': {
    roles: ['cs', 'prefecture'],
    what: '整合の記録 / the recorded integrity checks',
  },
  'provision.query': {
    roles: ['prefecture', 'agency'],
    what: '即時提供の照会 / provision query (R13, R21)',
  },
  'provision.batch': { roles: ['agency'], what: '一括提供 / batch provision (R14)' },
  'provision.media': {
    roles: SERVERS_WITH_REGISTER,
    what: '媒体による提供 / provision by media (R22)',
  },
  'provision.media-log': {
    roles: SERVERS_WITH_REGISTER,
    what: '媒体出力の記録 / the media output record (R22)',
  },
  'provision.register': {
    roles: SERVERS_WITH_REGISTER,
    what: '提供先・事務・協定・停止の登録 / recipients, permits, agreements, suspensions (R3, R5)',
  },
  'provision.refusals': {
    roles: SERVERS_WITH_REGISTER,
    what: '拒否された照会 / refused queries',
  },
  'provision.reload': {
    roles: SERVERS_WITH_REGISTER,
    what: '提供先登録の再読込 / reload the provision register',
  },
  'disclosure.report': {
    roles: SERVERS_WITH_REGISTER,
    what: '提供状況の開示 / a resident’s disclosure report (R17)',
  },
  'disclosure.sync': {
    roles: ['prefecture'],
    what: '開示記録の取得 / fetch the national server’s disclosure records (R17)',
  },
  'reports.request': {
    roles: ['cs', 'prefecture', 'national'],
    what: '報告要求 / demand a report (R5, R6)',
  },
  'reports.answer': {
    roles: ['prefecture', 'national', 'agency'],
    what: '報告要求への回答 / answer a report request (R5, R6)',
  },
  'reports.list': { roles: REPORT_NODES, what: '報告要求の一覧 / list report requests' },
  'reports.poll': { roles: REPORT_NODES, what: '報告要求の送受信 / send and fetch reports now' },
  'route.check': {
    roles: ['cs'],
    what: '交換装置経由の疎通確認 / connectivity check with another CS through the switch (R2)',
  },
  'route.records': {
    roles: ['switch'],
    what: '交換装置の経路記録 / the switch’s route records: who, when, bytes, never content (R2)',
  },
  'node.isolate': { roles: ALL, what: '緊急遮断 / isolate a node: the emergency cut-off (R11)' },
  'node.readmit': { roles: ALL, what: '遮断の解除 / readmit an isolated node (R11)' },
  'alerts.list': { roles: ALL, what: '侵入検知アラート / intrusion alerts (R11)' },
  'monitor.view': {
    roles: ALL,
    what: '監視画面 / the monitoring view: health, alerts, open requests (R11)',
  },
  'register.counter': {
    roles: ['cs'],
    what: '窓口業務 (十の異動事由) / the ten counter operations of the register (R1)',
  },
  'wide-area.issue': {
    roles: ['cs'],
    what: '住民票の写しの広域交付 / a copy of the resident record of another municipality’s resident (R24)',
  },
  'wide-area.suspensions': {
    roles: ['cs'],
    what: '広域交付を停止中の操作者カード / other municipalities’ operator cards suspended here (R18)',
  },
  'wide-area.release': {
    roles: ['cs'],
    what: '広域交付の停止の解除 / lift the suspension of an operator card (R18)',
  },
  'register.rejections': {
    roles: ['cs'],
    what: '差戻しの一覧 / changes refused upstream',
  },
  'operator.grant': { roles: ALL, what: '操作者の登録 / grant an operator (R31)' },
  'operator.revoke': { roles: ALL, what: '操作者の失効 / revoke an operator (R31)' },
  'operator.list': { roles: ALL, what: '操作者の一覧 / the operator register (R31)' },
  'audit.read': { roles: ALL, what: 'アクセスログの閲覧 / read the access log (R23)' },
  'audit.verify': { roles: ALL, what: 'アクセスログの検証 / verify the access log (R23)' },
  'audit.analyse': {
    roles: SERVERS_WITH_REGISTER,
    what: 'アクセスログの解析 / analyse the access log now (R16)',
  },
} as const satisfies Record<string, OperationInfo>;

export type TerminalOperation = keyof typeof TERMINAL_OPERATIONS;

export const OPERATIONS = Object.keys(TERMINAL_OPERATIONS) as TerminalOperation[];

export const isTerminalOperation = (s: string): s is TerminalOperation =>
  Object.hasOwn(TERMINAL_OPERATIONS, s);

/** Whether the operation exists at all on a node of this role. */
export const existsOn = (operation: TerminalOperation, role: NodeRole): boolean =>
  (TERMINAL_OPERATIONS[operation].roles as readonly NodeRole[]).includes(role);

import { parseArgs } from 'node:util';
import { CARD_TYPES, CARD_TYPE_INFO, isCardType } from '../../domain/operator/card-types.ts';
import { NODE_ROLES } from '../../domain/network/NodeRef.ts';
import { OPERATIONS } from '../../domain/operator/operations.ts';
import { BOOTSTRAP, type Operator, type OperatorEvent } from '../../domain/operator/operator.ts';
import { PERMISSIONS, permissionTable, permits } from '../../domain/operator/permissions.ts';
import { openCredentialStore } from '../../storage/open-credential-store.ts';
import { openOperatorStore } from '../../storage/open-store.ts';
import type { IssuedEnrollment } from '../../web-terminal/enrollment.ts';
import {
  credentialsFor,
  issueEnrollmentFor,
  revokeCredentialFor,
  type CredentialView,
} from '../../nodes/node-operators.ts';
import { loadNodeConfig } from '../../nodes/node-config.ts';
import { callTerminal } from '../../nodes/terminal-server.ts';
import { nodeTerminal } from '../terminal-target.ts';
import type { OperatorStore } from '../../storage/ports.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';

export const OPERATOR_HELP = `juki operator grant  --store URL --node NODE --id ID --name NAME --card TYPE --granted-by ID [--json]
juki operator revoke --store URL --id ID --by ID --reason TEXT [--json]
juki operator list   --store URL [--all] [--json]
juki operator history --store URL [--id ID] [--json]
juki operator enroll --store URL --id ID --by ID [--json]
juki operator credentials --store URL --id ID [--json]
juki operator revoke-credential --store URL --id ID --credential CID --by ID --reason TEXT [--json]
juki operator cards  [--json]

  操作者登録簿 (the operator register, R15, R31; docs/OPERATORS.md) of the node whose store is URL.

  grant    register an operator of NODE (e.g. cs:131016) with one card type (操作者識別カードの種別).
           --granted-by names an active administrator of NODE. The node's first administrator is
           granted with --granted-by ${BOOTSTRAP}, accepted only while the register is empty.
  revoke   revoke an operator at once (--by: an administrator or security officer of the node);
           a revoked operator stays revoked: granting them again takes a new id. The last
           administrator of a node cannot be revoked.
  list     the active operators (--all: the revoked ones too)
  history  the register's events: granted, revoked, by whom, when, why (append-only)
  enroll   a one-time token (valid 15 minutes) with which operator ID registers their card
           (WebAuthn authenticator) on the node's web terminal; --by: an administrator of the
           same node (docs/WEB-TERMINAL.md)
  credentials  the cards (WebAuthn authenticators) operator ID registered: credential id, when
           registered and last used, revoked or not
  revoke-credential  a lost or stolen card (紛失・盗難), on its own: it never logs in again and
           the sessions made with it end; the operator stays and enrolls a new card with a new
           token (--by: an administrator or security officer of the node)
  cards    the card types and what each may do on which node role

  At the running node (its terminal side; each act in the node's access log, R23):
  juki operator list | grant | revoke | enroll | history | credentials | revoke-credential
    --config NODE.json …
  (no --node: the node's own)
  With JUKI_OPERATOR_SESSION the logged-in operator grants, revokes or issues (leave out
  --granted-by / --by); on the console of a node without a web terminal name them. The first
  administrator is granted with --store and --granted-by ${BOOTSTRAP}.

  --schema S   PostgreSQL: the node's schema (as in its config's storeSchema)
  card types:  ${CARD_TYPES.join(', ')}`;

const OPTIONS = {
  store: { type: 'string' },
  schema: { type: 'string' },
  node: { type: 'string' },
  id: { type: 'string' },
  name: { type: 'string' },
  card: { type: 'string' },
  'granted-by': { type: 'string' },
  by: { type: 'string' },
  reason: { type: 'string' },
  all: { type: 'boolean', default: false },
  credential: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

const need = (v: Values, flag: keyof Values): string => {
  const value = v[flag];
  if (typeof value !== 'string') throw new UsageError(`--${flag} is required`);
  return value;
};

export async function runOperator(args: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: OPTIONS,
    allowPositionals: true,
  });
  const [action, ...rest] = positionals;
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  if (action === 'cards') return printCards(io, values.json);
  if (
    action !== 'grant' &&
    action !== 'revoke' &&
    action !== 'list' &&
    action !== 'history' &&
    action !== 'enroll' &&
    action !== 'credentials' &&
    action !== 'revoke-credential'
  )
    throw new UsageError(
      'an action is required: grant, revoke, list, history, enroll, credentials, revoke-credential or cards',
    );
  if (values.config !== undefined) return atNode(action, values, io);
  const store = await openOperatorStore(
    need(values, 'store'),
    values.schema === undefined ? {} : { schema: values.schema },
  );
  try {
    switch (action) {
      case 'grant':
        return await grant(store, values, io);
      case 'revoke':
        return await revoke(store, values, io);
      case 'list':
        return await list(store, values, io);
      case 'history':
        return await history(store, values, io);
      case 'enroll':
        return await enroll(store, values, io);
      case 'credentials':
      case 'revoke-credential':
        return await credentialsAt(store, action, values, io);
    }
  } finally {
    await store.close();
  }
}

async function grant(store: OperatorStore, v: Values, io: CommandIO): Promise<number> {
  const card = need(v, 'card');
  if (!isCardType(card))
    throw new UsageError(`--card must be one of ${CARD_TYPES.join(', ')} (got ${card})`);
  const granted = await store.grant({
    id: need(v, 'id'),
    node: need(v, 'node'),
    name: need(v, 'name'),
    cardType: card,
    grantedBy: need(v, 'granted-by'),
    grantedAt: new Date().toISOString(),
  });
  printGranted(granted, v.json, io);
  return EXIT.ok;
}

function printGranted(granted: Operator, json: boolean | undefined, io: CommandIO): void {
  if (json) printJson(io, granted);
  else
    io.out(
      `操作者を登録しました / operator granted: ${describe(granted)}（付与: ${granted.grantedBy}）`,
    );
}

async function enroll(store: OperatorStore, v: Values, io: CommandIO): Promise<number> {
  const credentials = await openCredentialStore(
    need(v, 'store'),
    v.schema === undefined ? {} : { schema: v.schema },
  );
  try {
    const issued = await issueEnrollmentFor(store, credentials, need(v, 'id'), need(v, 'by'));
    printEnrollment(issued, v.json, io);
    return EXIT.ok;
  } finally {
    await credentials.close();
  }
}

/** `credentials` and `revoke-credential` on the store itself (the node's credential store). */
async function credentialsAt(
  store: OperatorStore,
  action: 'credentials' | 'revoke-credential',
  v: Values,
  io: CommandIO,
): Promise<number> {
  const credentials = await openCredentialStore(
    need(v, 'store'),
    v.schema === undefined ? {} : { schema: v.schema },
  );
  try {
    if (action === 'credentials')
      printCredentials(await credentialsFor(credentials, need(v, 'id')), v.json, io);
    else
      printCredentialRevoked(
        await revokeCredentialFor(store, credentials, {
          operatorId: need(v, 'id'),
          credentialId: need(v, 'credential'),
          by: need(v, 'by'),
          reason: need(v, 'reason'),
          at: new Date().toISOString(),
        }),
        v.json,
        io,
      );
    return EXIT.ok;
  } finally {
    await credentials.close();
  }
}

function printCredentials(
  cards: readonly CredentialView[],
  json: boolean | undefined,
  io: CommandIO,
): void {
  if (json) printJson(io, cards);
  else if (cards.length === 0)
    io.out('操作者識別カードは登録されていません (no card registered): enroll issues a token');
  else
    for (const c of cards)
      io.out(
        `${c.credentialId}  登録 ${c.createdAt}  最終使用 ${c.lastUsedAt ?? '—'}${c.revoked ? `  失効 ${c.revoked.at} by ${c.revoked.by}: ${c.revoked.reason}` : '  有効'}`,
      );
}

function printCredentialRevoked(
  card: CredentialView,
  json: boolean | undefined,
  io: CommandIO,
): void {
  if (json) printJson(io, card);
  else
    io.out(
      `操作者識別カードを失効させました / card revoked: ${card.credentialId}（失効: ${card.revoked?.by}、理由: ${card.revoked?.reason}）。新しいカードは登録用トークンで登録します / a new card is enrolled with a new token`,
    );
}

function printEnrollment(issued: IssuedEnrollment, json: boolean | undefined, io: CommandIO): void {
  if (json) printJson(io, issued);
  else
    io.out(
      `登録用トークン / enrollment token for ${issued.operatorId}（${issued.expiresAt} まで有効・一度だけ / valid until ${issued.expiresAt}, once）:\n  ${issued.token}\n` +
        `操作者は Web 端末の「操作者識別カード登録」でこのトークンを入力します / the operator enters it under 操作者識別カード登録 on the node's web terminal`,
    );
}

async function revoke(store: OperatorStore, v: Values, io: CommandIO): Promise<number> {
  const revoked = await store.revoke(
    need(v, 'id'),
    need(v, 'by'),
    need(v, 'reason'),
    new Date().toISOString(),
  );
  printRevoked(revoked, v.json, io);
  return EXIT.ok;
}

function printRevoked(revoked: Operator, json: boolean | undefined, io: CommandIO): void {
  if (json) printJson(io, revoked);
  else
    io.out(
      `操作者を失効させました / operator revoked: ${describe(revoked)}（失効: ${revoked.revoked?.by}、理由: ${revoked.revoked?.reason}）`,
    );
}

async function list(store: OperatorStore, v: Values, io: CommandIO): Promise<number> {
  printList(await store.list({ includeRevoked: v.all }), v.json, io);
  return EXIT.ok;
}

function printList(operators: readonly Operator[], json: boolean | undefined, io: CommandIO): void {
  if (json) printJson(io, operators);
  else if (operators.length === 0)
    io.out(
      `操作者はいません (no operators)。最初のシステム管理者は --granted-by ${BOOTSTRAP} で登録します`,
    );
  else
    for (const o of operators)
      io.out(
        `${describe(o)}  付与 ${o.grantedAt} by ${o.grantedBy}${o.revoked ? `  失効 ${o.revoked.at} by ${o.revoked.by}: ${o.revoked.reason}` : ''}`,
      );
}

/**
 * `--config NODE.json`: the running node's register through its terminal side, so that the act
 * is in its access log under the operator of JUKI_OPERATOR_SESSION, who is also the granter,
 * revoker or issuer (--granted-by / --by only on the console of a node without a web terminal).
 */
async function atNode(action: string, v: Values, io: CommandIO): Promise<number> {
  const at = await nodeTerminal(await loadNodeConfig(v.config!));
  const who = (flag: 'granted-by' | 'by', field: string) =>
    v[flag] === undefined ? {} : { [field]: v[flag] };
  switch (action) {
    case 'list': {
      const all = (await callTerminal(at, 'GET', '/operators')) as Operator[];
      printList(v.all ? all : all.filter((o) => o.revoked === undefined), v.json, io);
      return EXIT.ok;
    }
    case 'grant':
      printGranted(
        (await callTerminal(at, 'POST', '/operators/grant', {
          id: need(v, 'id'),
          name: need(v, 'name'),
          cardType: need(v, 'card'),
          ...who('granted-by', 'grantedBy'),
        })) as Operator,
        v.json,
        io,
      );
      return EXIT.ok;
    case 'revoke':
      printRevoked(
        (await callTerminal(at, 'POST', '/operators/revoke', {
          id: need(v, 'id'),
          reason: need(v, 'reason'),
          ...who('by', 'by'),
        })) as Operator,
        v.json,
        io,
      );
      return EXIT.ok;
    case 'enroll':
      printEnrollment(
        (await callTerminal(at, 'POST', '/operators/enroll', {
          id: need(v, 'id'),
          ...who('by', 'by'),
        })) as IssuedEnrollment,
        v.json,
        io,
      );
      return EXIT.ok;
    case 'history':
      printHistory(
        (await callTerminal(at, 'POST', '/operators/history', {
          ...(v.id === undefined ? {} : { id: v.id }),
        })) as OperatorEvent[],
        v.json,
        io,
      );
      return EXIT.ok;
    case 'credentials':
      printCredentials(
        (await callTerminal(at, 'POST', '/operators/credentials', {
          id: need(v, 'id'),
        })) as CredentialView[],
        v.json,
        io,
      );
      return EXIT.ok;
    case 'revoke-credential':
      printCredentialRevoked(
        (await callTerminal(at, 'POST', '/operators/credentials/revoke', {
          id: need(v, 'id'),
          credentialId: need(v, 'credential'),
          reason: need(v, 'reason'),
          ...who('by', 'by'),
        })) as CredentialView,
        v.json,
        io,
      );
      return EXIT.ok;
    default:
      throw new UsageError(`${action} takes --store (the register itself), not --config`);
  }
}

async function history(store: OperatorStore, v: Values, io: CommandIO): Promise<number> {
  printHistory(await store.history(v.id === undefined ? {} : { operatorId: v.id }), v.json, io);
  return EXIT.ok;
}

function printHistory(
  events: readonly OperatorEvent[],
  json: boolean | undefined,
  io: CommandIO,
): void {
  if (json) printJson(io, events);
  else if (events.length === 0) io.out('記録はありません (no events)');
  else
    for (const e of events)
      io.out(
        `#${e.seq} ${e.at} ${e.kind === 'granted' ? '付与 granted' : '失効 revoked'} ${e.operatorId} by ${e.by}: ${e.detail}`,
      );
}

const describe = (o: Operator): string =>
  `${o.id} ${o.name} [${CARD_TYPE_INFO[o.cardType].ja} ${o.cardType}] ${o.node}${o.revoked ? ' (失効 revoked)' : ''}`;

function printCards(io: CommandIO, json: boolean): number {
  if (json) {
    printJson(io, {
      cardTypes: CARD_TYPES.map((c) => ({
        cardType: c,
        ...CARD_TYPE_INFO[c],
        operations: PERMISSIONS[c],
      })),
      operations: permissionTable(),
    });
    return EXIT.ok;
  }
  io.out('操作者識別カードの種別と権限 / operator card types and their rights (R15, R31)\n');
  for (const c of CARD_TYPES) {
    const info = CARD_TYPE_INFO[c];
    io.out(`${info.ja} (${c}: ${info.en}) — ${info.duties}`);
    const byRole = NODE_ROLES.map((role) => ({
      role,
      ops: OPERATIONS.filter((op) => permits(c, role, op)),
    })).filter((r) => r.ops.length > 0);
    if (byRole.length === 0) io.out('    （現在の操作なし / no operations yet）');
    for (const r of byRole) io.out(`    ${r.role.padEnd(10)} ${r.ops.join(', ')}`);
  }
  return EXIT.ok;
}

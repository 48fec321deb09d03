import type { SelfCheckReport } from '../../audit/self-check.ts';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AccessLog, sealKeyFromBundle, verifyAccessLog } from '../../audit/index.ts';
import type { LocalNetwork } from '../../nodes/local-network.ts';
import { directoryOf } from '../../nodes/node-web-terminal.ts';
import { openCredentialStore } from '../../storage/open-credential-store.ts';
import { openAccessLogStore, openOperatorStore } from '../../storage/open-store.ts';
import { issueEnrollmentToken } from '../../web-terminal/enrollment.ts';
import { callTerminal } from '../../nodes/terminal-server.ts';
import { runningTerminalTarget } from '../../nodes/terminal-token.ts';
import type { CardType } from '../../domain/operator/card-types.ts';
import type { CommandIO } from '../io.ts';

/** The node whose operators and access log the demo shows, and where its web terminal listens. */
export const DEMO_OPERATOR_NODE = 'prefecture:13';
/** 千代田区's CS, whose web terminal has the counter (窓口業務). */
export const DEMO_COUNTER_NODE = 'cs:131016';
// Free in network-init's layout: servers use +0…+51 and their terminals +100…+199.
const WEB_PORTS = { [DEMO_OPERATOR_NODE]: 99, [DEMO_COUNTER_NODE]: 98 } as const;

/** Gives prefecture:13's and cs:131016's configs a web terminal (before the network starts). */
export async function addDemoWebTerminals(
  dir: string,
  basePort: number,
): Promise<Record<keyof typeof WEB_PORTS, string>> {
  const origins: Record<string, string> = {};
  for (const [node, offset] of Object.entries(WEB_PORTS)) {
    const path = join(dir, 'nodes', `${node.replace(':', '-')}.json`);
    const config = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    const port = basePort + offset;
    const origin = `http://localhost:${port}`;
    config.webTerminal = { host: '127.0.0.1', port, rpId: 'localhost', origin };
    await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    origins[node] = origin;
  }
  return origins;
}

/** The operators, each with the web terminal's screens its card opens (docs/WEB-TERMINAL.md). */
const COUNTER_OPERATORS = [
  {
    id: 'admin-131016',
    name: '管理 千代',
    cardType: 'administrator',
    by: 'bootstrap',
    screens: '操作者の管理・監視 / operator register, monitoring',
  },
  {
    id: 'clerk-131016',
    name: '窓口 田代',
    cardType: 'counter-clerk',
    by: 'admin-131016',
    screens:
      '窓口業務（十の異動事由・住民票の照会・差戻し）/ the counter: the ten operations, a 住民票, refused changes',
  },
] as const;

const DEMO_OPERATORS = [
  {
    id: 'admin-13',
    name: '管理 一郎',
    cardType: 'administrator',
    by: 'bootstrap',
    screens: '操作者の管理・監視 / operator register, monitoring',
  },
  {
    id: 'audit-13',
    name: '監査 花子',
    cardType: 'auditor',
    by: 'admin-13',
    screens:
      'アクセスログ・提供状況の開示・提供の記録・報告要求・監視 / access log, disclosure report, provision records, report requests, monitoring',
  },
  {
    id: 'security-13',
    name: '保安 次郎',
    cardType: 'security-officer',
    by: 'admin-13',
    screens:
      '操作者の管理 (一覧・失効)・監視・緊急遮断 / operator register (list, revoke), monitoring, emergency cut-off',
  },
  {
    id: 'provision-13',
    name: '提供 三郎',
    cardType: 'provision-operator',
    by: 'admin-13',
    screens:
      '即時提供の照会・提供先の管理・媒体による提供・提供の記録 / provision query, recipients and suspension, media provision, provision records',
  },
] as const;

/**
 * The demo's operators and access log (R15, R23, R31): prefecture:13's operator register, an
 * enrollment token for each operator and how to log in, and the node's access log — every act
 * of the demo at its terminal side, refused ones included — verified against its seals.
 */
export async function runDemoOperators(options: {
  network: LocalNetwork;
  origins: Readonly<Record<string, string>>;
  io: CommandIO;
}): Promise<void> {
  const { network, io } = options;
  await registerOperators(
    network.node(DEMO_OPERATOR_NODE).config.store,
    DEMO_OPERATOR_NODE,
    DEMO_OPERATORS,
    options,
  );
  await registerOperators(
    network.node(DEMO_COUNTER_NODE).config.store,
    DEMO_COUNTER_NODE,
    COUNTER_OPERATORS,
    options,
  );
  const config = network.node(DEMO_OPERATOR_NODE).config;
  const accessStore = await openAccessLogStore(config.store);
  try {
    // Sealed now (a running node seals every 1,000 records and when it stops), then verified.
    await new AccessLog(accessStore, { key: await sealKeyFromBundle(config.bundleDir) }).seal();
    const certificate = await readFile(join(config.bundleDir, 'node.crt'), 'utf8');
    const v = await verifyAccessLog(accessStore, certificate);
    const records = (await accessStore.list({ limit: 5 })).reverse();
    io.out(`      操作記録 the access log of ${DEMO_OPERATOR_NODE} (newest ${records.length}):`);
    for (const r of records)
      io.out(
        `        #${r.seq} ${r.at} ${r.operator} ${r.operation} ${r.target || '—'} ${r.purpose ?? ''} → ${r.result}${r.reason ? ` [${r.reason}]` : ''}`,
      );
    io.out(
      `      検証 juki audit verify: ${v.ok ? `OK — ${v.records} records in one hash chain, sealed with ${DEMO_OPERATOR_NODE}'s key` : `改ざん tampering: ${v.problem?.kind} at #${v.problem?.seq}`}`,
    );
  } finally {
    await accessStore.close();
  }
}

/** A node's operators granted, and a one-time enrollment token for each, printed. */
async function registerOperators(
  store: string,
  node: string,
  list: readonly { id: string; name: string; cardType: CardType; by: string; screens: string }[],
  options: { readonly origins: Readonly<Record<string, string>>; readonly io: CommandIO },
): Promise<void> {
  const { io } = options;
  const operators = await openOperatorStore(store);
  const credentials = await openCredentialStore(store);
  try {
    for (const o of list)
      await operators.grant({
        id: o.id,
        node,
        name: o.name,
        cardType: o.cardType,
        grantedBy: o.by,
        grantedAt: new Date().toISOString(),
      });
    io.out(
      `      操作者登録簿 operators of ${node}: ${list.map((o) => `${o.id} (${o.cardType})`).join(', ')}`,
    );
    io.out(
      `      Web 端末 ${options.origins[node]} (while the node runs: juki node start --config ${join('nodes', `${node.replace(':', '-')}.json`)}): 操作者識別カード登録 with an operator ID and its token below, then ログイン with the card (a FIDO2 key or the computer's own authenticator, user verification required); each card opens its own screens:`,
    );
    const directory = directoryOf(operators, node);
    const admin = list.find((o) => o.cardType === 'administrator')!;
    for (const o of list) {
      const token = await issueEnrollmentToken(credentials, directory, {
        operatorId: o.id,
        issuedBy: admin.id,
      });
      io.out(
        `        ${o.id} (${o.cardType}): token ${token.token} (valid until ${token.expiresAt}) → ${o.screens}`,
      );
    }
  } finally {
    await Promise.all([operators.close(), credentials.close()]);
  }
}

/**
 * A suspicious pattern (R16): the pension service's operator looks up the same resident again and
 * again; the national server's analysis finds it (`repeat.same-person`: more than 10 provisions of
 * one resident to one recipient in a day) and raises an `audit-finding` alert.
 */
export async function runDemoSuspiciousPattern(options: {
  network: LocalNetwork;
  affairId: string;
  residentCode: string;
  io: CommandIO;
}): Promise<void> {
  const { network, io } = options;
  const url = (node: string) => runningTerminalTarget(network.node(node));
  for (let i = 0; i < 11; i++)
    await callTerminal(await url('agency:mhlw-pension'), 'POST', '/provision/query', {
      query: { affairId: options.affairId, residentCode: options.residentCode },
      searcher: 'pension-operator-7',
    });
  const result = (await callTerminal(await url('national:jlis'), 'POST', '/audit/analyse', {})) as {
    newFindings: { rule: string; detail: string }[];
  };
  io.out(
    `      不審な照会 R16: agency:mhlw-pension asked national:jlis about one resident 11 more times; the national server's analysis found ${result.newFindings.length} pattern(s):`,
  );
  for (const f of result.newFindings) io.out(`        audit-finding ${f.detail}`);
}

/**
 * 点検報告 (R34): the national server's self-check report for today (JST), in one line: what the
 * demo's agencies were given and refused, the alerts (the finding above among them), and the
 * access log's verification.
 */
export async function runDemoSelfCheck(options: {
  network: LocalNetwork;
  today: string;
  io: CommandIO;
}): Promise<void> {
  const r = (await callTerminal(
    await runningTerminalTarget(options.network.node('national:jlis')),
    'POST',
    '/audit/report',
    { from: options.today, to: options.today },
  )) as SelfCheckReport;
  const p = r.provision;
  const recipients = new Set(p?.provisions.map((x) => x.recipientId));
  options.io.out(
    `      点検報告 R34 (juki audit report): national:jlis on ${options.today}: ${p?.total ?? 0} provision(s) to ${recipients.size} recipient(s), ${p?.refusedTotal ?? 0} refused (${p?.refusals.map((x) => `${x.reason} ${x.count}`).join(', ') || '—'}); alerts ${r.alerts?.kinds.map((k) => `${k.kind} ${k.count}`).join(', ') || 'none'}; access log ${r.accessLog.verification?.ok === false ? 'TAMPERED' : 'verified'}`,
  );
}

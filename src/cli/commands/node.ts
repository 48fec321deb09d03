import { parseArgs } from 'node:util';
import { jsonLogger } from '../../nodes/json-log.ts';
import { loadNodeConfig, type NodeConfig } from '../../nodes/node-config.ts';
import { startNode } from '../../nodes/node-runtime.ts';
import { callTerminal } from '../../nodes/terminal-server.ts';
import { nodeTerminal } from '../terminal-target.ts';
import type { IntegrityReport } from '../../integrity/index.ts';
import type { RouteCheck } from '../../nodes/node-routes.ts';
import type { RouteRecord } from '../../switch/RouteRecord.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';

export const NODE_HELP = `juki node <start|health|isolate|readmit|retention|integrity|route-check|routes> --config FILE [options]

  start       runs the node of FILE (a CS with its register, a prefecture server, the national
              server or the switch) until SIGINT/SIGTERM; JSON logs on stdout
  health      the running node's health view (its terminal side)
  isolate P   emergency cut-off (R11): cut every session of node P (e.g. cs:131016) now and
              refuse it until readmitted; pair it with juki pki revoke
  readmit P   lift an isolation
  retention   erase the history past the retention period now (R1, R33); --list shows the
              recorded erasures instead (counts and periods, never content)
  integrity   本人確認情報整合 (R20): check this node's file against its upstream node now;
              --repair re-sends the differing records; --list shows the recorded checks
  route-check --to CS
              a CS: 疎通確認 (connectivity check, R2) with another CS through the switch —
              outer mutual TLS to the switch, inner mutual TLS end to end with CS, one
              route-echo round trip; no resident data (not 広域交付)
  routes      the switch: its newest route records (who, when, outcome, bytes each way,
              duration; never content — R2)

  --config FILE   the node's config (juki network init writes them; docs/OPERATIONS.md)
  --reason TEXT   isolate: why (recorded with the alert)
  --to CS         route-check: the CS to reach, e.g. cs:011011
  --json          machine-readable output

The node's terminal side takes the machine token the running node wrote (run as the OS user
that runs it). On a node with a web terminal, set JUKI_OPERATOR_SESSION to a 端末コマンド用
セッション (terminal command session) issued there to act within your card's rights
(docs/OPERATIONS.md "The terminal side").`;

export async function runNode(args: readonly string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      config: { type: 'string' },
      reason: { type: 'string' },
      to: { type: 'string' },
      repair: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const [action, peer] = positionals;
  if (values.config === undefined) throw new UsageError('--config FILE is required');
  const config = await loadNodeConfig(values.config);
  switch (action) {
    case 'start':
      return start(config);
    case 'health':
    case 'retention': {
      const result = await callTerminal(
        await nodeTerminal(config),
        action === 'health' || values.list ? 'GET' : 'POST',
        action === 'health' ? '/health' : values.list ? '/retention' : '/retention/run',
      );
      printJson(io, result);
      return EXIT.ok;
    }
    case 'integrity': {
      const result = values.list
        ? await callTerminal(await nodeTerminal(config), 'GET', '/integrity')
        : await callTerminal(await nodeTerminal(config), 'POST', '/integrity/check', {
            repair: values.repair,
          });
      if (values.json || values.list) printJson(io, result);
      else io.out(describeIntegrity(result as IntegrityReport));
      return EXIT.ok;
    }
    case 'route-check': {
      const to = values.to ?? peer;
      if (to === undefined)
        throw new UsageError('juki node route-check needs --to CS, e.g. --to cs:011011');
      const r = (await callTerminal(await nodeTerminal(config), 'POST', '/route/check', {
        to,
      })) as RouteCheck;
      if (values.json) printJson(io, r);
      else
        io.out(
          `疎通確認 (route check) ${r.from} → ${r.via} → ${r.to}: ${r.answeredBy} が応答 (answered) at ${r.answeredAt}; inner mutual TLS end to end, ${r.totalMs} ms in all, echo ${r.roundTripMs} ms`,
        );
      return EXIT.ok;
    }
    case 'routes': {
      const records = (await callTerminal(
        await nodeTerminal(config),
        'GET',
        '/routes',
      )) as RouteRecord[];
      if (values.json) printJson(io, records);
      else if (records.length === 0) io.out('経路記録なし (no route records yet)');
      else
        for (const r of records)
          io.out(
            `${r.at} ${r.caller} → ${r.target} ${r.outcome}${r.reason ? ` (${r.reason})` : ''}: ${r.bytesUp} bytes up / ${r.bytesDown} down, ${r.durationMs} ms`,
          );
      return EXIT.ok;
    }
    case 'isolate':
    case 'readmit': {
      if (peer === undefined)
        throw new UsageError(`juki node ${action} needs a node name, e.g. cs:131016`);
      const result = await callTerminal(await nodeTerminal(config), 'POST', `/${action}`, {
        peer,
        ...(values.reason ? { reason: values.reason } : {}),
      });
      if (values.json) printJson(io, result);
      else if (action === 'isolate')
        io.out(
          `${peer} を切り離しました (isolated): ${(result as { sessionsCut: number }).sessionsCut} session(s) cut; new connections refused until juki node readmit`,
        );
      else io.out(`${peer} の切り離しを解除しました (readmitted)`);
      return EXIT.ok;
    }
    case undefined:
    default:
      throw new UsageError(`unknown action ${JSON.stringify(action ?? '')}\n\n${NODE_HELP}`);
  }
}

async function start(config: NodeConfig): Promise<number> {
  const log = jsonLogger({
    write: (line) => process.stdout.write(line),
    base: { node: `${config.node.role}:${config.node.code}` },
    minLevel: config.logLevel,
  });
  const node = await startNode(config, log);
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log.info('node.stopping', { signal });
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve();
    };
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
  await node.close();
  log.info('node.stopped');
  return EXIT.ok;
}

/** One line per outcome of an integrity check, Japanese first. */
export function describeIntegrity(r: IntegrityReport): string {
  const d = r.differenceCounts;
  const lines = [
    `本人確認情報整合 ${r.checkId} with ${r.peer}: ${r.matching ? '一致 (matching)' : '不一致 (differences found)'} — ${r.counts.sender} residents here, ${r.counts.receiver} there; ${r.bytes.sent + r.bytes.received} bytes in ${r.calls} calls`,
  ];
  if (!r.matching)
    lines.push(
      `  missing at ${r.peer}: ${d.missingAtReceiver}, extra at ${r.peer}: ${d.extraAtReceiver}, differing values: ${d.differingValues}`,
      ...(['missingAtReceiver', 'extraAtReceiver', 'differingValues'] as const)
        .filter((k) => r.differences[k].length > 0)
        .map((k) => `  ${k}: ${r.differences[k].join(' ')}`),
    );
  if (r.repaired) {
    const x = r.repaired;
    lines.push(
      `  修復 (repair) at ${r.peer}: ${x.inserted} inserted, ${x.updated} updated, ${x.removed} removed, ${x.unchanged} unchanged, ${x.skipped} skipped, ${x.conflicts} conflicts${x.conflictCodes.length > 0 ? ` (${x.conflictCodes.join(' ')}: left to a person, docs/INTEGRITY.md)` : ''}`,
    );
  }
  return lines.join('\n');
}

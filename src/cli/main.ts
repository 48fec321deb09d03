import { describeError, EXIT, UsageError } from './cli-error.ts';
import { ALERTS_HELP, runAlerts } from './commands/alerts.ts';
import { AUDIT_HELP, runAudit } from './commands/audit.ts';
import { CHECK_DIGIT_HELP, runCheckDigit } from './commands/check-digit.ts';
import { DEMO_HELP, runDemo } from './commands/demo.ts';
import { DISCLOSURE_HELP, runDisclosure } from './commands/disclosure.ts';
import { PROVISION_HELP, runProvision } from './commands/provision.ts';
import { IDENTITY_HELP, runIdentity } from './commands/identity.ts';
import { INTEGRITY_HELP, runIntegrity } from './commands/integrity.ts';
import { LOAD_HELP, runLoad } from './commands/load.ts';
import { NETWORK_HELP, runNetwork } from './commands/network.ts';
import { NODE_HELP, runNode } from './commands/node.ts';
import { MONITOR_HELP, runMonitor } from './commands/monitor.ts';
import { OPERATOR_HELP, runOperator } from './commands/operator.ts';
import { PKI_HELP, runPki } from './commands/pki.ts';
import { POPULATION_HELP, runPopulation } from './commands/population.ts';
import { REGISTER_HELP, runRegister } from './commands/register.ts';
import { REPORT_HELP, runReport } from './commands/report.ts';
import { runStore, STORE_HELP } from './commands/store.ts';
import { runWideArea, WIDE_AREA_HELP } from './commands/wide-area.ts';
import { processIO, type CommandIO } from './io.ts';

type Command = {
  help: string;
  summary: string;
  run: (args: readonly string[], io: CommandIO) => number | Promise<number>;
};

const COMMANDS: Record<string, Command> = {
  demo: {
    help: DEMO_HELP,
    summary: 'run the simulated network on the embedded default (start here)',
    run: runDemo,
  },
  population: {
    help: POPULATION_HELP,
    summary: 'generate a deterministic synthetic population file',
    run: runPopulation,
  },
  load: { help: LOAD_HELP, summary: 'bulk-load a population file into a store', run: runLoad },
  identity: {
    help: IDENTITY_HELP,
    summary: 'show a resident’s 本人確認情報 and its history',
    run: runIdentity,
  },
  network: {
    help: NETWORK_HELP,
    summary: 'write the certificates and node configs of a whole network',
    run: runNetwork,
  },
  node: {
    help: NODE_HELP,
    summary: 'run one node (CS, prefecture, national, switch); health, isolate, retention',
    run: runNode,
  },
  register: { help: REGISTER_HELP, summary: 'the existing register (住民票)', run: runRegister },
  'wide-area': {
    help: WIDE_AREA_HELP,
    summary: '住民票の写しの広域交付 (R24): a copy for another municipality’s resident, at a CS',
    run: runWideArea,
  },
  integrity: {
    help: INTEGRITY_HELP,
    summary: '本人確認情報整合 (R20) of a running node against its upstream node',
    run: runIntegrity,
  },
  provision: {
    help: PROVISION_HELP,
    summary:
      'recipients, affairs, agreements (R3, R5); queries at an agency or prefecture server (R13)',
    run: runProvision,
  },
  report: {
    help: REPORT_HELP,
    summary: '報告要求 (R5, R6): demand a report up the network, answer, list, fetch answers',
    run: runReport,
  },
  disclosure: {
    help: DISCLOSURE_HELP,
    summary: 'a resident’s disclosure report: who received their data, when, why (R17)',
    run: runDisclosure,
  },
  pki: {
    help: PKI_HELP,
    summary: 'the network CA: node certificates, revocation, CRL (R9, R11)',
    run: runPki,
  },
  operator: {
    help: OPERATOR_HELP,
    summary: '操作者登録簿 (R15, R31): grant, revoke, list operators; the card types and rights',
    run: runOperator,
  },
  monitor: {
    help: MONITOR_HELP,
    summary: '監視画面 (R11): a running node’s health, alerts and open requests',
    run: runMonitor,
  },
  alerts: {
    help: ALERTS_HELP,
    summary: 'list the intrusion alerts a node recorded (R11)',
    run: runAlerts,
  },
  audit: {
    help: AUDIT_HELP,
    summary: 'the access log (R23): verify the hash chain and seals, list, seal now',
    run: runAudit,
  },
  store: { help: STORE_HELP, summary: 'PostgreSQL: migrate; grant the app role', run: runStore },
  'check-digit': {
    help: CHECK_DIGIT_HELP,
    summary: 'verify or complete a check digit',
    run: runCheckDigit,
  },
};

export const USAGE = `juki — jukinet, the Basic Resident Registry Network (住民基本台帳ネットワークシステム)

Usage: juki <command> [options]     (juki <command> --help for details)

${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`)
  .join('\n')}`;

/** Runs one `juki` invocation and returns its exit code. */
export async function main(argv: readonly string[], io: CommandIO = processIO): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.err(`juki: unknown command ${JSON.stringify(name)}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(command.help);
    return EXIT.ok;
  }
  try {
    return await command.run(args, io);
  } catch (e) {
    const { exitCode, message } = describeError(
      isParseArgsError(e) ? new UsageError(e.message) : e,
    );
    io.err(`juki ${name}: ${message}`);
    if (exitCode === EXIT.usage) io.err(`\n${command.help}`);
    return exitCode;
  }
}

/** node:util parseArgs throws TypeErrors with ERR_PARSE_ARGS_* codes for unknown or malformed flags. */
function isParseArgsError(e: unknown): e is Error {
  const code: unknown = e instanceof TypeError ? (e as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

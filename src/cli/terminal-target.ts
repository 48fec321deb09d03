import type { NodeConfig } from '../nodes/node-config.ts';
import { UsageError } from './cli-error.ts';
import { terminalTargetOf, type TerminalTarget } from '../nodes/terminal-token.ts';

/** The environment variable that carries an operator's terminal session (docs/WEB-TERMINAL.md). */
export const OPERATOR_SESSION_ENV = 'JUKI_OPERATOR_SESSION';

/**
 * Where the CLI calls a node's terminal side: its URL, the machine token the running node wrote
 * (`<bundleDir>/terminal.token`; readable only by the OS user that runs the node) and, when
 * `JUKI_OPERATOR_SESSION` is set, the operator's terminal session — then the node acts under that
 * operator's card type instead of the console's rights (docs/OPERATIONS.md "The terminal side").
 */
export function nodeTerminal(
  config: NodeConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<TerminalTarget> {
  const session = env[OPERATOR_SESSION_ENV]?.trim();
  return terminalTargetOf(config, { operatorSession: session === '' ? undefined : session });
}

/**
 * `--operator`: who acts, for the records that name them (media output, report requests and
 * answers). With a terminal session the node takes the session's operator and refuses another
 * name, so the option may be left out; on the console it is required.
 */
export function operatorOption(
  target: TerminalTarget,
  given: string | undefined,
): { operator?: string } {
  if (given !== undefined && given !== '') return { operator: given };
  if (target.operatorSession !== undefined) return {};
  throw new UsageError(
    `--operator is required on the console (with ${OPERATOR_SESSION_ENV} the node names the logged-in operator)`,
  );
}

import { RegistryError } from '../domain/errors.ts';
import type { TerminalCaller } from './terminal-server.ts';

/**
 * Who acted, for a record that names a person: the searcher of a provision (R17, R23), the
 * operator of a media output (R22), of a report request or answer (R6).
 *
 * - With an authenticated operator (a web-terminal login or a terminal session), it is that
 *   operator. A body that names someone else is refused (`terminal.not-the-operator`), so no
 *   operator can write another's name into a record; naming oneself is accepted.
 * - On the console (`local-terminal`: only at a node without a web terminal, where nobody can log
 *   in), it is what the body says, as the console's holder typed it; `undefined` when absent.
 */
export function actingOperator(
  body: Readonly<Record<string, unknown>>,
  field: string,
  caller: TerminalCaller | undefined,
): string | undefined {
  const given = body[field];
  const operator = caller?.operator;
  if (operator === undefined) return typeof given === 'string' && given !== '' ? given : undefined;
  if (given !== undefined && given !== null && given !== '' && given !== operator)
    throw new RegistryError(
      'forbidden',
      `${field} はログイン中の操作者本人です / ${field} is the logged-in operator (${operator}): leave it out`,
      'terminal.not-the-operator',
    );
  return operator;
}

/**
 * The operator at the counter of a request one CS makes of another (広域交付, 転入転出の特例): the
 * logged-in clerk, or the one the console names in `operator`; refused
 * `<service>.operator-required` when there is none (the other CS counts requests per card, R18).
 */
export function counterOperator(
  body: Readonly<Record<string, unknown>>,
  caller: TerminalCaller | undefined,
  service: string,
): string {
  const operator = actingOperator(body, 'operator', caller);
  if (operator === undefined)
    throw new RegistryError(
      'invalid',
      '操作者を指定してください / name the operator at the counter (operator)',
      `${service}.operator-required`,
    );
  return operator;
}

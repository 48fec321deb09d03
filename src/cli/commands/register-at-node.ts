import { changeReasonLabel, type ChangeReason } from '../../domain/change/ChangeReason.ts';
import type { CounterAnswer, CounterRecord } from '../../nodes/node-counter.ts';
import type { MoveInSpecialAnswer } from '../../nodes/node-move-special.ts';
import type { RejectionView } from '../../nodes/node-rejections.ts';
import { callTerminal } from '../../nodes/terminal-server.ts';
import type { TerminalTarget } from '../../nodes/terminal-token.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';
import { formatResidentRecord, printPerformed, printRejections } from './register-format.ts';

/*
 * `juki register … --config CS.json`: the counter at the running CS (POST /register/operation,
 * POST /register/record, GET /rejections), so that the act is in the node's access log under the
 * operator of JUKI_OPERATOR_SESSION (a counter clerk's; at a CS with a web terminal the console
 * may not do counter work). docs/REGISTER.md "At the running CS".
 */

export async function operateAtNode(
  at: TerminalTarget,
  reason: ChangeReason,
  form: Record<string, unknown>,
  transactionId: string | undefined,
  json: boolean,
  io: CommandIO,
): Promise<number> {
  const answer = (await callTerminal(at, 'POST', '/register/operation', {
    reason,
    form,
    ...(transactionId === undefined ? {} : { transactionId }),
  })) as CounterAnswer;
  if (json) printJson(io, answer);
  else printPerformed(io, answer);
  return EXIT.ok;
}

export async function showAtNode(
  at: TerminalTarget,
  positionals: readonly string[],
  json: boolean,
  io: CommandIO,
): Promise<number> {
  if (positionals.length !== 1) throw new UsageError('expected one RESIDENT-CODE');
  const found = (await callTerminal(at, 'POST', '/register/record', {
    residentCode: positionals[0],
  })) as CounterRecord;
  if (json) {
    printJson(io, found);
    return EXIT.ok;
  }
  io.out(formatResidentRecord(found.record));
  if (found.household.length > 0) {
    io.out('');
    io.out('世帯 (household):');
    for (const m of found.household)
      io.out(`  ${m.relationship}\t${m.residentCode}\t${m.name.kanji}（${m.name.kana}）`);
  }
  io.out('');
  io.out('履歴 (history):');
  for (const h of found.history)
    io.out(
      `  #${h.sequence} ${changeReasonLabel(h.operation)} (${h.operation})${h.subject ? '' : ' 世帯の異動 (household)'} ${h.recordedAt}  tx ${h.transactionId}`,
    );
  return EXIT.ok;
}

export async function rejectionsAtNode(
  at: TerminalTarget,
  limit: number,
  json: boolean,
  io: CommandIO,
): Promise<number> {
  const all = (await callTerminal(at, 'GET', '/rejections')) as RejectionView[];
  const rejections = all.slice(0, limit);
  if (json) printJson(io, rejections);
  else printRejections(io, rejections);
  return EXIT.ok;
}

/**
 * `juki register move-in-special --config CS.json …`: 転入転出の特例 (R25) at the new
 * municipality's CS (POST /register/move-in-special): the 転入 taken from the old CS's
 * 転出証明書情報, asked through the switch.
 */
export async function moveInSpecialAtNode(
  at: TerminalTarget,
  body: Record<string, unknown>,
  json: boolean,
  io: CommandIO,
): Promise<number> {
  const answer = (await callTerminal(
    at,
    'POST',
    '/register/move-in-special',
    body,
  )) as MoveInSpecialAnswer;
  if (json) {
    printJson(io, answer);
    return EXIT.ok;
  }
  io.out(
    `転出証明書情報 from ${answer.from}: 転出 ${answer.certificate.moveOutDate} from ${answer.certificate.address}`,
  );
  printPerformed(io, answer);
  return EXIT.ok;
}

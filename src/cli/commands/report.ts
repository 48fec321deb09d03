import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { REPORT_LIMITS, type ReportEventKind } from '../../domain/report/report.ts';
import { loadNodeConfig } from '../../nodes/node-config.ts';
import type { ReportView, SyncResult } from '../../nodes/node-reports.ts';
import { callTerminal } from '../../nodes/terminal-server.ts';
import { nodeTerminal, operatorOption } from '../terminal-target.ts';
import type { TerminalTarget } from '../../nodes/terminal-token.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import { printJson, type CommandIO } from '../io.ts';

export const REPORT_HELP = `juki report request --config NODE.json --to NODE --subject S --body-file F --operator NAME [--json]
juki report request --config CS.json --to NODE --kind analysis --resident-code C [--from D] [--until D] --operator NAME
juki report answer  --config NODE.json --id ID --body-file F --operator NAME [--json]
juki report list    --config NODE.json [--json]
juki report poll    --config NODE.json [--json]

  報告要求 (R5, R6) at a running node (its terminal side). docs/REPORTS.md.

  request  demand a report: a CS from its own prefecture server (prefecture:NN), the national
           server (national:jlis) or an agency (agency:ID); a prefecture server from the national
           server or an agency; the national server from an agency (R5). The request goes up the
           network now (or as soon as the next node is reachable).
           --kind analysis (分析要求, R16): ask a prefecture or the national server to analyse its
           access log and provision records about one resident (a CS: only its own residents),
           optionally between --from and --until (YYYY-MM-DD); answered automatically on
           arrival; --subject and --body-file may be left out.
  answer   answer a request addressed to this node (only its target answers).
  list     the requests this node made, passed on or answered, with every step it recorded.
  poll     send what waits and fetch this node's mail now (requests for an agency, answers on
           their way back); the node also does it every schedule.reportPollSeconds (default 30).

  The body is read from a UTF-8 file (at most ${REPORT_LIMITS.body} characters). --operator is who
  asks or answers: with JUKI_OPERATOR_SESSION the node records the logged-in operator (leave it
  out; another name is refused, terminal.not-the-operator); on the console it is required.`;

const OPTIONS = {
  config: { type: 'string' },
  to: { type: 'string' },
  subject: { type: 'string' },
  'body-file': { type: 'string' },
  operator: { type: 'string' },
  id: { type: 'string' },
  kind: { type: 'string' },
  'resident-code': { type: 'string' },
  from: { type: 'string' },
  until: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parse>['values'];
const parse = (args: readonly string[]) =>
  parseArgs({ args: [...args], allowPositionals: true, options: OPTIONS });

const need = (v: Values, key: keyof Values): string => {
  const x = v[key];
  if (typeof x !== 'string' || x === '') throw new UsageError(`--${key} is required`);
  return x;
};

const STEP: Record<ReportEventKind, string> = {
  requested: '要求 requested',
  received: '受信 received',
  forwarded: '転送 forwarded',
  delivered: '配達 delivered',
  refused: '拒否 refused',
  answered: '回答 answered',
  'answer-received': '回答受信 answer received',
  'answer-forwarded': '回答転送 answer forwarded',
  'answer-delivered': '回答配達 answer delivered',
  'answer-refused': '回答拒否 answer refused',
};
const STATUS: Record<ReportView['status'], string> = {
  waiting: '回答待ち (waiting)',
  answered: '回答済み (answered)',
  refused: '拒否 (refused)',
};
const ROLE: Record<ReportView['role'], string> = {
  origin: '要求元 origin',
  target: '要求先 target',
  relay: '中継 relay',
};

function show(io: CommandIO, r: ReportView): void {
  io.out(
    `報告要求 ${r.request.id}  ${r.request.origin} → ${r.request.target}  ${STATUS[r.status]}  [${ROLE[r.role]}]`,
  );
  io.out(`  件名 subject: ${r.request.subject}`);
  const a = r.request.analysis;
  if (a)
    io.out(
      `  分析要求 analysis (R16): 住民票コード ${a.residentCode}${a.from || a.to ? `  期間 ${a.from ?? '…'} – ${a.to ?? '…'}` : ''}`,
    );
  io.out(`  要求者 operator: ${r.request.operator}  (${r.request.requestedAt})`);
  for (const line of r.request.body.split('\n')) io.out(`  | ${line}`);
  if (r.answer) {
    io.out(`  回答 answer (${r.answer.answeredBy}, ${r.answer.operator}, ${r.answer.answeredAt}):`);
    for (const line of r.answer.body.split('\n')) io.out(`  > ${line}`);
  }
  for (const e of r.events)
    io.out(
      `  ${e.at}  ${STEP[e.kind]}${e.peer ? `  ${e.peer}` : ''}${e.detail ? `  (${e.detail})` : ''}`,
    );
}

async function terminalOf(v: Values): Promise<TerminalTarget> {
  return nodeTerminal(await loadNodeConfig(need(v, 'config')));
}

async function bodyOf(v: Values): Promise<string> {
  const path = need(v, 'body-file');
  try {
    return (await readFile(path, 'utf8')).replace(/\r\n/g, '\n').replace(/\n+$/, '');
  } catch (e) {
    throw new UsageError(
      `本文ファイルを読めません / cannot read --body-file ${path}: ${(e as Error).message}`,
    );
  }
}

/** `juki report …`: 報告要求 (R5, R6) at a running node's terminal side. */
export async function runReport(args: readonly string[], io: CommandIO): Promise<number> {
  const { values: v, positionals } = parse(args);
  const [action] = positionals;
  switch (action) {
    case 'request': {
      const base = await terminalOf(v);
      const analysis = v.kind === 'analysis';
      if (v.kind !== undefined && v.kind !== 'report' && !analysis)
        throw new UsageError('--kind must be report or analysis');
      const r = (await callTerminal(base, 'POST', '/reports/request', {
        to: need(v, 'to'),
        subject: analysis ? (v.subject ?? '') : need(v, 'subject'),
        body: analysis && v['body-file'] === undefined ? '' : await bodyOf(v),
        ...operatorOption(base, v.operator),
        ...(analysis
          ? {
              kind: 'analysis',
              residentCode: need(v, 'resident-code'),
              from: v.from,
              until: v.until,
            }
          : {}),
      })) as ReportView;
      if (v.json) printJson(io, r);
      else {
        const sent = r.events.some((e) => e.kind === 'forwarded');
        io.out(
          sent
            ? `報告要求を送りました (report requested): ${r.request.id}`
            : `報告要求を記録しました。送信は次ノードへの接続を待ちます (recorded; it is sent when the next node is reachable): ${r.request.id}`,
        );
        show(io, r);
      }
      return r.status === 'refused' ? EXIT.failed : EXIT.ok;
    }
    case 'answer': {
      const base = await terminalOf(v);
      const r = (await callTerminal(base, 'POST', '/reports/answer', {
        id: need(v, 'id'),
        body: await bodyOf(v),
        ...operatorOption(base, v.operator),
      })) as ReportView;
      if (v.json) printJson(io, r);
      else {
        io.out(`回答しました (answered): ${r.request.id}`);
        show(io, r);
      }
      return EXIT.ok;
    }
    case 'list': {
      const list = (await callTerminal(await terminalOf(v), 'GET', '/reports')) as ReportView[];
      if (v.json) printJson(io, list);
      else if (list.length === 0) io.out('報告要求はありません (no report requests)');
      else for (const r of list) show(io, r);
      return EXIT.ok;
    }
    case 'poll': {
      const s = (await callTerminal(await terminalOf(v), 'POST', '/reports/poll')) as SyncResult;
      if (v.json) printJson(io, s);
      else
        io.out(
          `送信 sent ${s.sent}、拒否 refused ${s.refused}、受信 received ${s.received}、対象外 ignored ${s.ignored}`,
        );
      return s.refused > 0 ? EXIT.failed : EXIT.ok;
    }
    case undefined:
    default:
      throw new UsageError(REPORT_HELP);
  }
}

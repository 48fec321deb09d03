import { nodeName, prefectureOfCs, type NodeRef } from '../network/NodeRef.ts';
import {
  parseReportNode,
  reportError,
  type ReportAnswer,
  type ReportProblem,
  type ReportRequest,
} from './report.ts';

/**
 * Who may demand a report from whom (R5, R6), and the path a request and its answer take
 * (docs/REPORTS.md). Connections are opened downstream → upstream only (a CS to its prefecture
 * server, a prefecture server or an agency server to the national server), so a step upward is
 * sent by the lower node (`push`), and a step downward waits in the upper node's mailbox until
 * the lower node fetches it (`poll`).
 *
 * | origin     | may demand a report from                                   | path                        |
 * | ---------- | ---------------------------------------------------------- | --------------------------- |
 * | CS         | its own prefecture server, the national server, an agency  | CS → pref (→ national (→ agency)) |
 * | prefecture | the national server, an agency                             | pref → national (→ agency)  |
 * | national   | an agency (R5)                                             | national → agency           |
 * | agency     | nobody: it answers the requests addressed to it            |                             |
 */

const NATIONAL: NodeRef = { role: 'national', code: 'jlis' };

const same = (a: NodeRef, b: NodeRef): boolean => a.role === b.role && a.code === b.code;

const WHOM: Partial<Record<NodeRef['role'], string>> = {
  cs: 'a municipality asks its own prefecture server, the national server via it, or an agency via both (R6)',
  prefecture: 'a prefecture asks the national server, or an agency via it (R6)',
  national: 'the national server asks agencies (R5)',
};

/** R5, R6: why `origin` may not demand a report from `target`, or undefined when it may. */
export function demandProblem(origin: NodeRef, target: NodeRef): ReportProblem | undefined {
  const o = nodeName(origin);
  const t = nodeName(target);
  if (same(origin, target))
    return {
      code: 'invalid',
      reason: 'report.self-target',
      message: `自らに報告を求めることはできません / ${o} cannot demand a report from itself`,
    };
  const allowed =
    origin.role === 'cs'
      ? (target.role === 'prefecture' && target.code === prefectureOfCs(origin)) ||
        target.role === 'national' ||
        target.role === 'agency'
      : origin.role === 'prefecture'
        ? target.role === 'national' || target.role === 'agency'
        : origin.role === 'national'
          ? target.role === 'agency'
          : undefined;
  if (allowed === undefined)
    return {
      code: 'forbidden',
      reason: 'report.not-a-requester',
      message: `${o} は報告を求められません / ${origin.role} servers do not demand reports (R5, R6 give that to municipalities, prefectures and the national server)`,
    };
  if (!allowed)
    return {
      code: 'forbidden',
      reason: 'report.target-out-of-scope',
      message: `${o} は ${t} に報告を求められません / ${o} may not demand a report from ${t}: ${WHOM[origin.role]}`,
    };
  return undefined;
}

/**
 * The nodes a request passes, origin first and target last (its scope checked first: throws the
 * `demandProblem` as a RegistryError otherwise). The answer takes the same path backwards.
 */
export function reportPath(origin: NodeRef, target: NodeRef): NodeRef[] {
  const p = demandProblem(origin, target);
  if (p) throw reportError(p);
  const path: NodeRef[] = [origin];
  if (origin.role === 'cs') {
    path.push({ role: 'prefecture', code: prefectureOfCs(origin)! });
    if (target.role === 'prefecture') return path;
  }
  if (origin.role !== 'national') path.push(NATIONAL);
  if (target.role === 'agency') path.push(target);
  return path;
}

/**
 * How a step from `from` to `to` is made: `push` when `to` is the node `from` connects to (its
 * upstream), `poll` when it waits in `from`'s mailbox for `to` to fetch it.
 */
export function hopVia(from: NodeRef, to: NodeRef): 'push' | 'poll' {
  const up =
    (from.role === 'cs' && to.role === 'prefecture') ||
    ((from.role === 'prefecture' || from.role === 'agency') && to.role === 'national');
  return up ? 'push' : 'poll';
}

/** One step of a request or an answer: to which node, and how (`hopVia`). */
export type ReportHop = { readonly peer: string; readonly via: 'push' | 'poll' };

function pathOf(request: ReportRequest): NodeRef[] {
  const origin = parseReportNode(request.origin);
  const target = parseReportNode(request.target);
  if (!origin || !target)
    throw reportError({
      code: 'invalid',
      reason: 'report.target-malformed',
      message: `要求元・要求先が不正です / ${request.origin} → ${request.target} are not report nodes`,
    });
  return reportPath(origin, target);
}

const pathText = (path: readonly NodeRef[]): string => path.map(nodeName).join(' → ');

function indexOn(self: NodeRef, path: readonly NodeRef[]): number {
  const i = path.findIndex((n) => same(n, self));
  if (i < 0)
    throw reportError({
      code: 'forbidden',
      reason: 'report.wrong-path',
      message: `${nodeName(self)} はこの報告要求の経路にありません / ${nodeName(self)} is not on the path ${pathText(path)}`,
    });
  return i;
}

const hop = (from: NodeRef, to: NodeRef | undefined): ReportHop | undefined =>
  to === undefined ? undefined : { peer: nodeName(to), via: hopVia(from, to) };

/** Where `request` goes next from `self`; undefined when `self` is its target. */
export function requestHop(self: NodeRef, request: ReportRequest): ReportHop | undefined {
  const path = pathOf(request);
  return hop(self, path[indexOn(self, path) + 1]);
}

/** Where the answer to `request` goes next from `self`; undefined when `self` is the origin. */
export function answerHop(self: NodeRef, request: ReportRequest): ReportHop | undefined {
  const path = pathOf(request);
  const i = indexOn(self, path);
  return i === 0 ? undefined : hop(self, path[i - 1]);
}

function attempt(check: () => ReportProblem | undefined): ReportProblem | undefined {
  try {
    return check();
  } catch (e) {
    const x = e as { code?: ReportProblem['code']; reason?: string; message?: string };
    if (x.code && x.reason && x.message)
      return { code: x.code, reason: x.reason, message: x.message };
    throw e;
  }
}

/**
 * Why `self` refuses `request` arriving from `peer`, or undefined: the request must be within
 * its origin's scope (R5, R6) and `peer` must be the node just before `self` on its path (a CS
 * forwards nobody's requests but its own; a prefecture server only its own and its CSs').
 */
export function requestArrivalProblem(
  self: NodeRef,
  peer: NodeRef,
  request: ReportRequest,
): ReportProblem | undefined {
  return attempt(() => {
    const path = pathOf(request);
    const i = path.findIndex((n) => same(n, self));
    if (i > 0 && same(path[i - 1]!, peer)) return undefined;
    return {
      code: 'forbidden',
      reason: 'report.wrong-path',
      message: `${nodeName(self)} は ${nodeName(peer)} からこの報告要求を受けません / ${nodeName(self)} does not take this request from ${nodeName(peer)}: its path is ${pathText(path)}`,
    };
  });
}

/**
 * Why `self` refuses the answer to `request` arriving from `peer`, or undefined: the answer goes
 * back only along the path the request came (`peer` is the node after `self` on it), and only
 * the target answers.
 */
export function answerArrivalProblem(
  self: NodeRef,
  peer: NodeRef,
  request: ReportRequest,
  answer: ReportAnswer,
): ReportProblem | undefined {
  return attempt(() => {
    if (answer.requestId !== request.id || answer.answeredBy !== request.target)
      return {
        code: 'forbidden',
        reason: 'report.answered-by',
        message: `回答者が要求先ではありません / the answer to ${request.id} comes from ${answer.answeredBy}, not its target ${request.target}`,
      };
    const path = pathOf(request);
    const i = path.findIndex((n) => same(n, self));
    if (i >= 0 && i + 1 < path.length && same(path[i + 1]!, peer)) return undefined;
    return {
      code: 'forbidden',
      reason: 'report.answer-wrong-path',
      message: `${nodeName(self)} は ${nodeName(peer)} からこの回答を受けません / the answer does not come back to ${nodeName(self)} from ${nodeName(peer)}: the request's path is ${pathText(path)}`,
    };
  });
}

/** Why `self` may not answer `request`: only its target answers it. */
export function answerProblem(self: NodeRef, request: ReportRequest): ReportProblem | undefined {
  return request.target === nodeName(self)
    ? undefined
    : {
        code: 'forbidden',
        reason: 'report.not-addressed',
        message: `この報告要求は ${nodeName(self)} 宛てではありません / request ${request.id} is addressed to ${request.target}: only its target answers it`,
      };
}

import { randomUUID } from 'node:crypto';
import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import {
  analysisProblem,
  parseReportNode,
  reportAnswerProblem,
  reportError,
  reportTextProblem,
  type ReportAnswer,
  type ReportProblem,
  type ReportRecord,
  type ReportRequest,
} from '../domain/report/report.ts';
import {
  answerArrivalProblem,
  answerHop,
  answerProblem,
  demandProblem,
  requestArrivalProblem,
  requestHop,
} from '../domain/report/report-route.ts';
import { ProtocolError } from '../protocol/errors.ts';
import { answerKey } from '../protocol/messages/report-fields.ts';
import {
  REPORT_MAIL_MAX,
  type ReportMailItem,
  type ReportMailKey,
} from '../protocol/messages/ReportPoll.ts';
import type { Session } from '../protocol/session/session.ts';
import { openReportStore, type OpenStoreOptions } from '../storage/open-store.ts';
import type { QueuedReport, ReportStore } from '../storage/ports.ts';
import { actingOperator } from './acting-operator.ts';
import { errorText, type Logger } from './json-log.ts';
import { ANALYSIS_OPERATOR, type AnalysisSource } from './node-analysis-requests.ts';
import type { NodeConfig } from './node-config.ts';
import type { TerminalCaller } from './terminal-server.ts';
import type { UpstreamSession } from './upstream-session.ts';

/**
 * 報告要求 at a node (R5, R6; docs/REPORTS.md). Connections go upward only, so:
 * - a step up (a request toward its target, an agency's answer) is sent by the lower node
 *   (`report-request`, `report-answer`) — now, and again on every sync until acknowledged;
 * - a step down (a request for an agency, an answer on its way back) waits in the upper node's
 *   mailbox until the lower node fetches it (`report-poll`), every `schedule.reportPollSeconds`
 *   and when its operator asks (`POST /reports/poll`).
 * Every node records each step in its own ReportStore; every write is idempotent by request id.
 */
export type NodeReports = {
  /** A prefecture or the national server: the handlers for the nodes below (in onSession). */
  attach(session: Session, peer: NodeRef): void;
  /**
   * The operator demands a report (R5, R6): `{ to, subject, body, operator }`; an analysis
   * request (R16) adds `{ kind: 'analysis', residentCode, from?, to? }` (subject and body may
   * then be left out). `operator` is the logged-in operator when `caller` names one
   * (acting-operator.ts); the body's only on the console.
   */
  request(input: Readonly<Record<string, unknown>>, caller?: TerminalCaller): Promise<ReportView>;
  /** The operator answers a request addressed to this node: `{ id, body, operator }` (as above). */
  answer(input: Readonly<Record<string, unknown>>, caller?: TerminalCaller): Promise<ReportView>;
  /** Newest first. */
  list(limit: number): Promise<ReportView[]>;
  /** Sends what waits to go up and fetches this node's mail from its upstream node. */
  sync(): Promise<SyncResult>;
  close(): Promise<void>;
};

/** A request as this node's operator sees it. */
export type ReportView = ReportRecord & {
  /** This node's part: it asked, it is asked, or it passes the request on. */
  readonly role: 'origin' | 'target' | 'relay';
  /** `answered` once the answer is here; `refused` if a node on the way refused it. */
  readonly status: 'waiting' | 'answered' | 'refused';
};

export type SyncResult = {
  /** Requests and answers sent up and acknowledged. */
  readonly sent: number;
  /** Refused by the upstream node (recorded with the reason; not sent again). */
  readonly refused: number;
  /** Mail fetched and recorded. */
  readonly received: number;
  /** Mail fetched and not taken (out of its path: logged). */
  readonly ignored: number;
};

/** Rounds of 16 items per sync at most (the rest waits for the next one). */
const MAX_ROUNDS = 256;

const NONE: SyncResult = { sent: 0, refused: 0, received: 0, ignored: 0 };

/** A refusal that sending again cannot change. */
const isFinal = (e: unknown): boolean =>
  (e instanceof RegistryError &&
    ['forbidden', 'invalid', 'not-found', 'conflict'].includes(e.code)) ||
  (e instanceof ProtocolError && e.registryCode === 'invalid');

const refusalText = (e: unknown): string =>
  e instanceof RegistryError || e instanceof ProtocolError
    ? `${e instanceof RegistryError ? e.code : e.registryCode} ${e.reason ?? ''}: ${e.message}`
    : errorText(e);

const text = (b: Readonly<Record<string, unknown>>, field: string): string => {
  const v = b[field];
  return typeof v === 'string' ? v : '';
};

export async function startReports(options: {
  readonly config: NodeConfig;
  readonly storeOptions: Pick<OpenStoreOptions, 'schema'>;
  /** A CS's, a prefecture's or an agency's session to its upstream node. */
  readonly upstream: UpstreamSession | undefined;
  readonly log: Logger;
  /** A request refused on the network side for its scope or path: the node records an alert. */
  readonly onRefused?: (peer: NodeRef, detail: string) => void;
  /** 分析要求 (R16): a CS's check of its own residents; the automatic answer at its target. */
  readonly analysis?: AnalysisSource | undefined;
  readonly now?: () => Date;
}): Promise<NodeReports> {
  const { config, log } = options;
  const self = config.node;
  const selfName = nodeName(self);
  const up = config.upstream?.node;
  const upName = up === undefined ? undefined : nodeName(up);
  const upstream = up === undefined ? undefined : options.upstream;
  const store: ReportStore = await openReportStore(config.store, options.storeOptions);
  const now = (): string => (options.now?.() ?? new Date()).toISOString();

  // One sync at a time: a push started by a new request and the scheduled poll never interleave.
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const p = chain.then(fn, fn);
    chain = p.catch(() => undefined);
    return p;
  };

  const view = (r: ReportRecord): ReportView => ({
    ...r,
    role:
      r.request.origin === selfName ? 'origin' : r.request.target === selfName ? 'target' : 'relay',
    status: r.answer
      ? 'answered'
      : r.events.some((e) => e.kind === 'refused' || e.kind === 'answer-refused')
        ? 'refused'
        : 'waiting',
  });
  const viewOf = async (id: string): Promise<ReportView> => view((await store.report(id))!);

  async function sendUp(session: Session, q: QueuedReport): Promise<void> {
    if (q.item === 'request')
      await session.request({
        kind: 'report-request',
        idempotencyKey: q.request.id,
        request: q.request,
      });
    else
      await session.request({
        kind: 'report-answer',
        idempotencyKey: answerKey(q.request.id),
        answer: q.answer,
      });
  }

  /** Sends what waits to go up; a final refusal is recorded, anything else leaves it queued. */
  async function push(): Promise<Pick<SyncResult, 'sent' | 'refused'>> {
    let sent = 0;
    let refused = 0;
    if (!upstream || !upName) return { sent, refused };
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const waiting = await store.queued(upName, 'push', REPORT_MAIL_MAX);
      if (waiting.length === 0) return { sent, refused };
      const session = await upstream.get();
      for (const q of waiting) {
        const key = { item: q.item, requestId: q.request.id };
        try {
          await sendUp(session, q);
          await store.dequeue(upName, [key], now(), { outcome: 'done' });
          sent++;
        } catch (e) {
          if (!isFinal(e)) throw e;
          const detail = refusalText(e);
          await store.dequeue(upName, [key], now(), { outcome: 'refused', detail });
          log.warn('report.refused-upstream', { id: q.request.id, item: q.item, detail });
          refused++;
        }
      }
    }
    return { sent, refused };
  }

  /** Records one item of this node's mail; false when it is not on this node's path. */
  async function takeMail(m: ReportMailItem): Promise<boolean> {
    try {
      if (m.item === 'request') {
        const p = requestArrivalProblem(self, up!, m.request);
        if (p) throw reportError(p);
        const hop = requestHop(self, m.request);
        await store.recordRequest(m.request, { at: now(), via: 'mail', from: upName }, hop);
        log.info('report.received', { id: m.request.id, from: upName, origin: m.request.origin });
        return true;
      }
      const record = await store.report(m.answer.requestId);
      if (!record)
        throw new RegistryError('not-found', 'no such request here', 'report.unknown-request');
      const p = answerArrivalProblem(self, up!, record.request, m.answer);
      if (p) throw reportError(p);
      const hop = answerHop(self, record.request);
      await store.recordAnswer(m.answer, { at: now(), from: upName }, hop);
      log.info('report.answer-received', { id: m.answer.requestId, from: upName });
      return true;
    } catch (e) {
      if (!isFinal(e)) throw e;
      log.warn('report.mail-ignored', { item: m.item, from: upName, error: errorText(e) });
      return false;
    }
  }

  /** Fetches this node's mail until none is left, acknowledging what it recorded. */
  async function poll(): Promise<Pick<SyncResult, 'received' | 'ignored'>> {
    let received = 0;
    let ignored = 0;
    if (!upstream || !up) return { received, ignored };
    const session = await upstream.get();
    let acknowledge: ReportMailKey[] = [];
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const mail = await session.request({ kind: 'report-poll', acknowledge });
      if (mail.items.length === 0) return { received, ignored };
      acknowledge = [];
      for (const m of mail.items) {
        if (await takeMail(m)) received++;
        else ignored++;
        const requestId = m.item === 'request' ? m.request.id : m.answer.requestId;
        acknowledge.push({ item: m.item, requestId });
      }
    }
    // Leave the rest for the next sync; acknowledge what was recorded so that it is not sent again.
    if (acknowledge.length > 0) await session.request({ kind: 'report-poll', acknowledge });
    return { received, ignored };
  }

  const sync = (): Promise<SyncResult> =>
    upstream
      ? serial(async () => ({ ...(await push()), ...(await poll()) }))
      : Promise.resolve(NONE);

  /** Sends in the background what was just queued upward (a failure waits for the next sync). */
  const kick = (): void =>
    void serial(push).catch((e: unknown) =>
      log.warn('report.send-failed', { upstream: upName, error: errorText(e) }),
    );

  /** Sends now what was just queued, while the operator waits; unreachable: queued for later. */
  const sendNow = async (): Promise<void> => {
    await serial(push).catch((e: unknown) =>
      log.warn('report.send-failed', { upstream: upName, error: errorText(e) }),
    );
  };

  function refuse(peer: NodeRef, p: ReportProblem): never {
    const detail = `${p.reason}: ${p.message}`;
    log.warn('report.refused', { peer: nodeName(peer), reason: p.reason });
    options.onRefused?.(peer, detail);
    // On the network side every refusal of scope or path is `forbidden` (and alerted).
    throw new RegistryError('forbidden', p.message, p.reason);
  }

  function attach(session: Session, peer: NodeRef): void {
    const peerName = nodeName(peer);
    session.handle('report-request', async (m) => {
      const p =
        requestArrivalProblem(self, peer, m.request) ??
        (m.request.kind === 'analysis'
          ? await options.analysis?.arrivalProblem(m.request)
          : undefined);
      if (p) refuse(peer, p);
      const hop = requestHop(self, m.request);
      const arrival = { at: now(), via: 'request', from: peerName } as const;
      const outcome = await store.recordRequest(m.request, arrival, hop);
      log.info('report.received', { id: m.request.id, from: peerName, outcome, next: hop?.peer });
      if (hop?.via === 'push') kick();
      if (hop === undefined && m.request.kind === 'analysis') await answerAnalysis(m.request);
      return {
        kind: 'report-ack',
        idempotencyKey: m.idempotencyKey,
        requestId: m.request.id,
        outcome,
      };
    });
    session.handle('report-answer', async (m) => {
      const record = await store.report(m.answer.requestId);
      if (!record)
        throw new RegistryError(
          'not-found',
          `報告要求 ${m.answer.requestId} はこのノードにありません / no report request ${m.answer.requestId} here`,
          'report.unknown-request',
        );
      const p = answerArrivalProblem(self, peer, record.request, m.answer);
      if (p) refuse(peer, p);
      const hop = answerHop(self, record.request);
      const outcome = await store.recordAnswer(m.answer, { at: now(), from: peerName }, hop);
      log.info('report.answer-received', { id: m.answer.requestId, from: peerName, outcome });
      if (hop?.via === 'push') kick();
      return {
        kind: 'report-ack',
        idempotencyKey: m.idempotencyKey,
        requestId: m.answer.requestId,
        outcome,
      };
    });
    session.handle('report-poll', async (m) => {
      if (m.acknowledge.length > 0)
        await store.dequeue(peerName, m.acknowledge, now(), { outcome: 'done' });
      const waiting = await store.queued(peerName, 'poll', REPORT_MAIL_MAX + 1);
      return {
        kind: 'report-mail',
        items: waiting
          .slice(0, REPORT_MAIL_MAX)
          .map((q): ReportMailItem =>
            q.item === 'request'
              ? { item: 'request', request: q.request }
              : { item: 'answer', answer: q.answer },
          ),
        more: waiting.length > REPORT_MAIL_MAX,
      };
    });
  }

  /** 分析要求 (R16): answered on arrival at its target, by the node itself; a failure is logged. */
  async function answerAnalysis(r: ReportRequest): Promise<void> {
    try {
      if (!options.analysis || (await store.report(r.id))?.answer) return;
      const a: ReportAnswer = {
        requestId: r.id,
        answeredBy: selfName,
        body: await options.analysis.answerBody(r),
        operator: ANALYSIS_OPERATOR,
        answeredAt: now(),
      };
      await store.recordAnswer(a, { at: a.answeredAt, from: undefined }, answerHop(self, r));
      log.info('analysis.answered', { id: r.id, origin: r.origin });
    } catch (e) {
      log.warn('analysis.answer-failed', { id: r.id, error: errorText(e) });
    }
  }

  /** The kind and question of a request from the terminal: `{ kind, residentCode, from, to }`. */
  async function analysisOf(
    b: Readonly<Record<string, unknown>>,
    target: string,
  ): Promise<Pick<ReportRequest, 'kind' | 'analysis'>> {
    const kind = b.kind === undefined || b.kind === 'report' ? undefined : b.kind;
    if (kind === undefined) return {};
    if (kind !== 'analysis')
      throw new RegistryError(
        'invalid',
        `要求の種類が不正です / kind ${JSON.stringify(kind)} is neither report nor analysis`,
        'report.kind',
      );
    const opt = (f: string): string | undefined => (text(b, f) === '' ? undefined : text(b, f));
    const from = opt('from');
    const until = opt('until');
    const analysis = {
      residentCode: text(b, 'residentCode'),
      ...(from === undefined ? {} : { from }),
      ...(until === undefined ? {} : { to: until }),
    };
    const bad = analysisProblem({ kind, analysis, target });
    if (bad) throw reportError(bad);
    await options.analysis?.checkOwnResident(analysis.residentCode);
    return { kind, analysis };
  }

  async function request(
    b: Readonly<Record<string, unknown>>,
    caller?: TerminalCaller,
  ): Promise<ReportView> {
    const to = text(b, 'to');
    const target = parseReportNode(to);
    if (!target)
      throw new RegistryError(
        'invalid',
        `要求先が不正です / --to ${JSON.stringify(to)} is not a node that can be asked for a report (prefecture:NN, national:jlis, agency:…)`,
        'report.target-malformed',
      );
    const scope = demandProblem(self, target);
    if (scope) throw reportError(scope);
    const analysis = await analysisOf(b, to);
    const code = analysis.analysis?.residentCode;
    const fields = {
      subject: text(b, 'subject') || (code ? `分析要求 / analysis request: ${code}` : ''),
      body:
        text(b, 'body') ||
        (code
          ? `住民票コード ${code} に関するアクセスログと提供記録の分析を求めます / analyse the access log and provision records about ${code} (R16)`
          : ''),
      operator: actingOperator(b, 'operator', caller) ?? '',
    };
    const bad = reportTextProblem(fields);
    if (bad) throw reportError(bad);
    const at = now();
    const r: ReportRequest = {
      id: randomUUID(),
      origin: selfName,
      target: to,
      ...fields,
      requestedAt: at,
      ...analysis,
    };
    const hop = requestHop(self, r);
    await store.recordRequest(r, { at, via: 'origin', from: undefined }, hop);
    log.info('report.requested', { id: r.id, target: to, next: hop?.peer });
    if (hop?.via === 'push') await sendNow();
    return viewOf(r.id);
  }

  async function answer(
    b: Readonly<Record<string, unknown>>,
    caller?: TerminalCaller,
  ): Promise<ReportView> {
    const id = text(b, 'id');
    const record = await store.report(id);
    if (!record)
      throw new RegistryError(
        'not-found',
        `報告要求 ${id} はこのノードにありません / no report request ${JSON.stringify(id)} at ${selfName}`,
        'report.unknown-request',
      );
    const notMine = answerProblem(self, record.request);
    if (notMine) throw reportError(notMine);
    if (record.answer)
      throw new RegistryError(
        'conflict',
        `報告要求 ${id} には回答済みです / request ${id} has been answered already (${record.answer.answeredAt})`,
        'report.already-answered',
      );
    const a: ReportAnswer = {
      requestId: id,
      answeredBy: selfName,
      body: text(b, 'body'),
      operator: actingOperator(b, 'operator', caller) ?? '',
      answeredAt: now(),
    };
    const bad = reportAnswerProblem(a);
    if (bad) throw reportError(bad);
    const hop = answerHop(self, record.request);
    await store.recordAnswer(a, { at: a.answeredAt, from: undefined }, hop);
    log.info('report.answered', { id, next: hop?.peer });
    if (hop?.via === 'push') await sendNow();
    return viewOf(id);
  }

  let timer: NodeJS.Timeout | undefined;
  const every = config.schedule.reportPollSeconds ?? 0;
  if (upstream && every > 0) {
    timer = setInterval(
      () =>
        void sync().catch((e: unknown) =>
          log.warn('report.sync-failed', { upstream: upName, error: errorText(e) }),
        ),
      every * 1000,
    );
    timer.unref();
  }

  return {
    attach,
    request,
    answer,
    list: async (limit) => (await store.listReports(limit)).map(view),
    sync,
    async close() {
      if (timer) clearInterval(timer);
      await chain;
      await store.close();
    },
  };
}

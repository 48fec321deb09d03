import { describe, expect, it } from 'vitest';
import { nodeName, type NodeRef } from '../network/NodeRef.ts';
import {
  parseReportNode,
  reportAnswerProblem,
  reportRequestProblem,
  type ReportAnswer,
  type ReportRequest,
} from './report.ts';
import {
  answerArrivalProblem,
  answerHop,
  answerProblem,
  demandProblem,
  reportPath,
  requestArrivalProblem,
  requestHop,
} from './report-route.ts';

const node = (role: NodeRef['role'], code: string): NodeRef => ({ role, code });
const chiyoda = node('cs', '131016');
const yokohama = node('cs', '141003');
const tokyo = node('prefecture', '13');
const kanagawa = node('prefecture', '14');
const national = node('national', 'jlis');
const pension = node('agency', 'mhlw-pension');
const passport = node('agency', 'mofa-passport');

const request = (origin: NodeRef, target: NodeRef, over: Partial<ReportRequest> = {}) =>
  ({
    id: '0b6f1c2e-8a51-4a53-9d0e-2f1e0c6b7a10',
    origin: nodeName(origin),
    target: nodeName(target),
    subject: '保護措置の実施状況',
    body: '協定書に定める保護措置の実施状況を報告してください。\n期限: 2026-12-01',
    operator: '千代田区 住民課 山田',
    requestedAt: '2026-11-24T01:00:00.000Z',
    ...over,
  }) satisfies ReportRequest;
const answerOf = (r: ReportRequest, over: Partial<ReportAnswer> = {}): ReportAnswer => ({
  requestId: r.id,
  answeredBy: r.target,
  body: '別紙のとおり報告します。',
  operator: '担当者',
  answeredAt: '2026-11-25T01:00:00.000Z',
  ...over,
});

describe('report requests: who may demand a report from whom (R5, R6)', () => {
  it('R6: a CS may ask its own prefecture server, the national server or an agency', () => {
    for (const t of [tokyo, national, pension]) expect(demandProblem(chiyoda, t)).toBeUndefined();
  });

  it('R6: a CS may not ask another prefecture’s server, another CS or itself', () => {
    expect(demandProblem(chiyoda, kanagawa)).toMatchObject({
      code: 'forbidden',
      reason: 'report.target-out-of-scope',
    });
    expect(demandProblem(chiyoda, kanagawa)!.message).toContain('prefecture:14');
    expect(demandProblem(chiyoda, yokohama)?.reason).toBe('report.target-out-of-scope');
    expect(demandProblem(chiyoda, chiyoda)).toMatchObject({
      code: 'invalid',
      reason: 'report.self-target',
    });
  });

  it('R6: a prefecture may ask the national server or an agency, not a CS or another prefecture', () => {
    expect(demandProblem(tokyo, national)).toBeUndefined();
    expect(demandProblem(tokyo, pension)).toBeUndefined();
    expect(demandProblem(tokyo, chiyoda)?.reason).toBe('report.target-out-of-scope');
    expect(demandProblem(tokyo, kanagawa)?.reason).toBe('report.target-out-of-scope');
  });

  it('R5: the national server may ask agencies only; an agency asks nobody', () => {
    expect(demandProblem(national, pension)).toBeUndefined();
    expect(demandProblem(national, tokyo)?.reason).toBe('report.target-out-of-scope');
    expect(demandProblem(national, chiyoda)?.reason).toBe('report.target-out-of-scope');
    expect(demandProblem(pension, national)).toMatchObject({
      code: 'forbidden',
      reason: 'report.not-a-requester',
    });
    expect(demandProblem(pension, passport)?.reason).toBe('report.not-a-requester');
  });
});

describe('report requests: the path and its steps', () => {
  it('R6: a CS’s request to an agency goes CS → prefecture → national → agency', () => {
    expect(reportPath(chiyoda, pension).map(nodeName)).toEqual([
      'cs:131016',
      'prefecture:13',
      'national:jlis',
      'agency:mhlw-pension',
    ]);
    expect(reportPath(chiyoda, tokyo).map(nodeName)).toEqual(['cs:131016', 'prefecture:13']);
    expect(reportPath(tokyo, national).map(nodeName)).toEqual(['prefecture:13', 'national:jlis']);
    expect(reportPath(national, pension).map(nodeName)).toEqual([
      'national:jlis',
      'agency:mhlw-pension',
    ]);
    expect(() => reportPath(chiyoda, kanagawa)).toThrow(/prefecture:14/);
  });

  it('steps up are sent by the lower node (push), steps down wait in a mailbox (poll)', () => {
    const r = request(chiyoda, pension);
    expect(requestHop(chiyoda, r)).toEqual({ peer: 'prefecture:13', via: 'push' });
    expect(requestHop(tokyo, r)).toEqual({ peer: 'national:jlis', via: 'push' });
    expect(requestHop(national, r)).toEqual({ peer: 'agency:mhlw-pension', via: 'poll' });
    expect(requestHop(pension, r)).toBeUndefined();
    expect(answerHop(pension, r)).toEqual({ peer: 'national:jlis', via: 'push' });
    expect(answerHop(national, r)).toEqual({ peer: 'prefecture:13', via: 'poll' });
    expect(answerHop(tokyo, r)).toEqual({ peer: 'cs:131016', via: 'poll' });
    expect(answerHop(chiyoda, r)).toBeUndefined();
    expect(() => requestHop(kanagawa, r)).toThrow(/not on the path/);
  });

  it('a request is taken only from the node before on its path', () => {
    const r = request(chiyoda, pension);
    expect(requestArrivalProblem(tokyo, chiyoda, r)).toBeUndefined();
    expect(requestArrivalProblem(national, tokyo, r)).toBeUndefined();
    expect(requestArrivalProblem(pension, national, r)).toBeUndefined();
    // a CS passing on another CS’s request, a prefecture passing on another prefecture’s CS
    expect(requestArrivalProblem(tokyo, node('cs', '131024'), r)?.reason).toBe('report.wrong-path');
    expect(requestArrivalProblem(national, kanagawa, r)?.reason).toBe('report.wrong-path');
    // mail for another agency
    expect(requestArrivalProblem(passport, national, r)?.reason).toBe('report.wrong-path');
  });

  it('R6: a request outside its origin’s scope is refused on arrival with the scope reason', () => {
    const r = request(chiyoda, kanagawa);
    expect(requestArrivalProblem(tokyo, chiyoda, r)).toMatchObject({
      code: 'forbidden',
      reason: 'report.target-out-of-scope',
    });
    const bad = request(chiyoda, pension, { target: 'switch:main' });
    expect(requestArrivalProblem(tokyo, chiyoda, bad)?.reason).toBe('report.target-malformed');
  });

  it('an answer comes back only along the path, and only from the target', () => {
    const r = request(chiyoda, pension);
    const a = answerOf(r);
    expect(answerArrivalProblem(national, pension, r, a)).toBeUndefined();
    expect(answerArrivalProblem(tokyo, national, r, a)).toBeUndefined();
    expect(answerArrivalProblem(chiyoda, tokyo, r, a)).toBeUndefined();
    expect(answerArrivalProblem(national, passport, r, a)?.reason).toBe('report.answer-wrong-path');
    expect(answerArrivalProblem(kanagawa, national, r, a)?.reason).toBe('report.answer-wrong-path');
    expect(
      answerArrivalProblem(national, pension, r, answerOf(r, { answeredBy: 'agency:other' }))
        ?.reason,
    ).toBe('report.answered-by');
  });

  it('R5: an agency answers only the requests addressed to it', () => {
    const r = request(national, pension);
    expect(answerProblem(pension, r)).toBeUndefined();
    expect(answerProblem(passport, r)).toMatchObject({
      code: 'forbidden',
      reason: 'report.not-addressed',
    });
    expect(answerProblem(national, r)?.reason).toBe('report.not-addressed');
  });
});

describe('report requests: shape', () => {
  it('names the nodes that take part in reports', () => {
    expect(parseReportNode('cs:131016')).toEqual(chiyoda);
    expect(parseReportNode('cs:131017')).toBeUndefined(); // check digit
    expect(parseReportNode('prefecture:48')).toBeUndefined();
    expect(parseReportNode('national:other')).toBeUndefined();
    expect(parseReportNode('agency:mhlw-pension')).toEqual(pension);
    expect(parseReportNode('switch:main')).toBeUndefined();
    expect(parseReportNode('agency')).toBeUndefined();
  });

  it('bounds the free text and allows line breaks only in the body', () => {
    const r = request(chiyoda, pension);
    expect(reportRequestProblem(r)).toBeUndefined();
    expect(reportRequestProblem({ ...r, id: 'x' })?.reason).toBe('report.id');
    expect(reportRequestProblem({ ...r, subject: '件名\n改行' })?.reason).toBe('report.subject');
    expect(reportRequestProblem({ ...r, subject: ' ' })?.reason).toBe('report.subject');
    expect(reportRequestProblem({ ...r, body: 'あ'.repeat(4001) })?.reason).toBe('report.body');
    expect(reportRequestProblem({ ...r, body: 'bell\u0007' })?.reason).toBe('report.body');
    expect(reportRequestProblem({ ...r, operator: '' })?.reason).toBe('report.operator');
    expect(reportRequestProblem({ ...r, requestedAt: '2026-11-24' })?.reason).toBe('report.time');
    expect(reportAnswerProblem(answerOf(r))).toBeUndefined();
    expect(reportAnswerProblem(answerOf(r, { body: '' }))?.reason).toBe('report.body');
  });
});

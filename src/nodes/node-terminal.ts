import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import type { AlertStore } from '../storage/ports.ts';
import type { Logger } from './json-log.ts';
import { monitorView, newestAlerts } from './node-monitor.ts';
import { disclosureReportFromTerminal } from './disclosure-report.ts';
import {
  mediaDirectory,
  mediaDisposalFromTerminal,
  mediaFromTerminal,
  type MediaNode,
} from './node-media.ts';
import { mediaOutputs, provisionRefusals } from './node-provision-records.ts';
import { registerView, suspensionFromTerminal } from './node-suspension.ts';
import { ordinanceAffairsView, registerFromTerminal } from './provision-register.ts';
import { batchFromTerminal, provisionFromTerminal, type NodeProvision } from './node-provision.ts';
import type { NodeReports } from './node-reports.ts';
import type { RunningNode } from './node-runtime.ts';
import type { TerminalRoute } from './terminal-server.ts';
import type { UpstreamSession } from './upstream-session.ts';
import { noDisclosureSync } from './node-disclosure-sync.ts';
import { noAnalysis, type NodeAnalysis } from './node-analysis.ts';
import { noRejectionPoll, type NodeRejections } from './node-rejections.ts';
import {
  counterOperation,
  counterRecord,
  counterTarget,
  type NodeCounter,
} from './node-counter.ts';
import {
  issueWideAreaCopy,
  releaseWideAreaCard,
  wideAreaSuspensions,
  wideAreaTarget,
  type WideAreaIssuing,
} from './node-wide-area.ts';
import type { WideAreaThrottle } from '../domain/wide-area/wide-area-copy.ts';
import { wideAreaCopyView } from '../wide-area/copy-html.ts';
import { moveInSpecial, type MoveInSpecialNode } from './node-move-special.ts';

/** What the terminal side of a node can reach (docs/OPERATIONS.md lists the routes). */
export type TerminalContext = {
  readonly self: NodeRef;
  readonly node: RunningNode;
  /** The national server and prefecture servers. */
  readonly provision: NodeProvision | undefined;
  /** An agency's or a prefecture server's session to the national server. */
  readonly upstream: UpstreamSession | undefined;
  /** 報告要求 (R5, R6): every node but the switch. */
  readonly reports?: NodeReports | undefined;
  /** The node's alerts (R11), for `GET /alerts` and `GET /monitor`. */
  readonly alerts?: AlertStore | undefined;
  /** Access-log analysis (R16): the national server and prefecture servers. */
  readonly analysis?: NodeAnalysis | undefined;
  /** Refusals further up (R19): a CS with a register and a prefecture server. */
  readonly rejections?: NodeRejections | undefined;
  /** 窓口業務 (R1): a CS's register. */
  readonly counter?: NodeCounter | undefined;
  /** 広域交付 (R24): a CS with a switch issues copies for other municipalities' residents. */
  readonly wideArea?: WideAreaIssuing | undefined;
  /** 広域交付 (R18): the residence CS's throttle of other municipalities' operator cards. */
  readonly wideAreaThrottle?: WideAreaThrottle | undefined;
  /** 転入転出の特例 (R25): a CS with a switch and a register takes a 転入 from the old CS. */
  readonly moveIn?: MoveInSpecialNode | undefined;
  readonly log?: Logger;
};

/** The routes of a node's terminal side (loopback HTTP + JSON, `callTerminal`). */
export function terminalRoutes(c: TerminalContext): TerminalRoute[] {
  const { self, node, provision, upstream } = c;
  const media = (): MediaNode => ({
    self,
    provision,
    bundleDir: node.config.bundleDir,
    mediaDir: node.config.mediaDir,
    log: c.log,
  });
  return [
    { method: 'GET', path: '/health', run: () => node.health() },
    { method: 'GET', path: '/alerts', run: () => newestAlerts(c.alerts) },
    {
      method: 'GET',
      path: '/monitor',
      run: () => monitorView({ self, node, alerts: c.alerts, reports: c.reports }),
    },
    { method: 'POST', path: '/retention/run', run: () => node.runRetention() },
    { method: 'GET', path: '/retention', run: () => node.erasures(20) },
    {
      method: 'POST',
      path: '/integrity/check',
      run: (b) => node.runIntegrityCheck({ repair: b.repair === true }),
    },
    { method: 'GET', path: '/integrity', run: () => node.integrityChecks(20) },
    {
      method: 'GET',
      path: '/rejections',
      run: () => c.rejections?.list(100) ?? Promise.reject(noRejectionPoll(self)),
    },
    {
      method: 'POST',
      path: '/register/operation',
      run: (b) => counterOperation({ self, counter: c.counter }, b),
      answerTarget: counterTarget,
    },
    {
      method: 'POST',
      path: '/register/record',
      run: (b) => counterRecord({ self, counter: c.counter }, b),
    },
    {
      method: 'GET',
      path: '/wide-area/suspensions',
      run: () => Promise.resolve(wideAreaSuspensions(self, c.wideAreaThrottle)),
    },
    {
      method: 'POST',
      path: '/wide-area/release',
      run: (b) => Promise.resolve(releaseWideAreaCard(self, c.wideAreaThrottle, b, c.log)),
    },
    {
      method: 'POST',
      path: '/register/move-in-special',
      run: (b, caller) =>
        c.moveIn
          ? moveInSpecial(c.moveIn, b, caller)
          : Promise.reject(
              new RegistryError(
                'invalid',
                `${nodeName(self)} は転入転出の特例を扱いません / only a CS takes a 転入 by the special case`,
                'move-in-special.not-a-cs',
              ),
            ),
      answerTarget: counterTarget,
    },
    {
      method: 'POST',
      path: '/wide-area/copy',
      run: (b, caller) =>
        c.wideArea
          ? issueWideAreaCopy(c.wideArea, b, caller).then((copy) => ({
              ...copy,
              // What the web terminal prints, formatted as the document is (copy-html.ts).
              view: wideAreaCopyView(copy),
            }))
          : Promise.reject(
              new RegistryError(
                'invalid',
                `${nodeName(self)} は広域交付を行いません / only a CS issues wide-area copies`,
                'wide-area.not-a-cs',
              ),
            ),
      answerTarget: wideAreaTarget,
    },
    {
      method: 'POST',
      path: '/provision/query',
      run: (b, caller) => provisionFromTerminal({ self, provision, upstream }, b, caller),
    },
    {
      method: 'POST',
      path: '/provision/batch',
      run: (b) => batchFromTerminal({ self, upstream }, b),
    },
    {
      method: 'POST',
      path: '/provision/media',
      run: (b, caller) => mediaFromTerminal(media(), b, caller),
    },
    { method: 'GET', path: '/provision/media/files', run: () => mediaDirectory(media()) },
    {
      method: 'POST',
      path: '/provision/media/disposal',
      run: (b, caller) => mediaDisposalFromTerminal(media(), b, caller),
    },
    {
      method: 'POST',
      path: '/provision/media/outputs',
      run: (b) => mediaOutputs(provision, b),
    },
    { method: 'POST', path: '/provision/refusals', run: (b) => provisionRefusals(provision, b) },
    { method: 'GET', path: '/provision/register', run: () => registerView({ self, provision }) },
    {
      method: 'GET',
      path: '/provision/ordinance',
      run: () => ordinanceAffairsView({ self, provision }),
    },
    {
      method: 'POST',
      path: '/provision/register',
      run: (b) => registerFromTerminal({ self, provision }, b),
    },
    {
      method: 'POST',
      path: '/provision/suspension',
      run: (b, caller) => suspensionFromTerminal({ self, provision }, b, caller),
    },
    {
      method: 'POST',
      path: '/provision/reload',
      run: () => Promise.resolve(provision?.service.invalidate() ?? null),
    },
    {
      method: 'POST',
      path: '/disclosure/report',
      run: (b) =>
        disclosureReportFromTerminal(
          {
            self,
            stores: provision && { identities: provision.identities, provision: provision.store },
          },
          b,
        ),
    },
    {
      method: 'POST',
      path: '/disclosure/sync',
      run: () => provision?.syncDisclosures() ?? Promise.reject(noDisclosureSync(self)),
    },
    {
      method: 'POST',
      path: '/reports/request',
      run: (b, caller) => reportsOf(c).request(b, caller),
    },
    {
      method: 'POST',
      path: '/reports/answer',
      run: (b, caller) => reportsOf(c).answer(b, caller),
    },
    { method: 'GET', path: '/reports', run: () => reportsOf(c).list(100) },
    {
      method: 'GET',
      path: '/routes',
      run: () =>
        self.role === 'switch'
          ? Promise.resolve(node.routeRecords(100))
          : Promise.reject(
              new RegistryError(
                'invalid',
                `${nodeName(self)} は交換装置ではありません / only the switch keeps route records`,
                'route.not-a-switch',
              ),
            ),
    },
    { method: 'POST', path: '/reports/poll', run: () => reportsOf(c).sync() },
    {
      method: 'POST',
      path: '/audit/analyse',
      run: () => c.analysis?.run() ?? Promise.reject(noAnalysis(self)),
    },
    {
      method: 'POST',
      path: '/route/check',
      run: (b) => node.routeCheck(typeof b.to === 'string' ? b.to : ''),
    },
    {
      method: 'POST',
      path: '/isolate',
      run: (b) => Promise.resolve({ sessionsCut: node.isolate(peerArg(b), reasonArg(b)) }),
    },
    {
      method: 'POST',
      path: '/readmit',
      run: (b) => Promise.resolve({ readmitted: node.readmit(peerArg(b)) }),
    },
  ];
}

const reportsOf = (c: TerminalContext): NodeReports => {
  if (!c.reports)
    throw new RegistryError(
      'invalid',
      `${c.self.role}:${c.self.code} は報告要求を扱いません / this node takes no part in report requests`,
      'node.no-reports',
    );
  return c.reports;
};

const peerArg = (b: Record<string, unknown>): string => {
  const peer = b.peer;
  if (typeof peer !== 'string' || !/^[a-z]+:[A-Za-z0-9_-]+$/.test(peer))
    throw new RegistryError(
      'invalid',
      'peer must be a node name such as cs:131016',
      'terminal.peer',
    );
  return peer;
};
const reasonArg = (b: Record<string, unknown>): string =>
  typeof b.reason === 'string' && b.reason.length <= 200 ? b.reason : 'operator cut-off';

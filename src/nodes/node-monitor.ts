import type { NodeRef } from '../domain/network/NodeRef.ts';
import type { SecurityAlert } from '../domain/network/SecurityAlert.ts';
import type { AlertStore } from '../storage/ports.ts';
import type { NodeReports, ReportView } from './node-reports.ts';
import type { NodeHealth, RunningNode } from './node-runtime.ts';

/** How many alerts `GET /alerts` and `GET /monitor` show (newest first). */
export const MONITOR_ALERTS = 50;

/** One open report request, as the monitoring view lists it (no body: subject and path only). */
export type MonitorReport = {
  readonly id: string;
  readonly origin: string;
  readonly target: string;
  readonly subject: string;
  readonly requestedAt: string;
  readonly role: ReportView['role'];
};

/**
 * The monitoring view of one node (R11; docs/OPERATIONS.md "Monitoring"): its health, its newest
 * alerts (every kind: the network side's intrusion alerts and, where the access-log analysis runs,
 * its findings), and at prefecture and national servers the report requests still waiting here.
 */
export type MonitorView = {
  readonly node: string;
  readonly role: NodeRef['role'];
  readonly at: string;
  readonly health: NodeHealth;
  /** Newest first, at most MONITOR_ALERTS. */
  readonly alerts: readonly SecurityAlert[];
  readonly counts: {
    /** Alerts shown, by kind. */
    readonly alertsByKind: Readonly<Record<string, number>>;
    /** Alerts shown from the last 24 hours. */
    readonly alertsLastDay: number;
    /** Report requests not answered yet that this node is asked or passes on; undefined elsewhere. */
    readonly openReports: number | undefined;
  };
  /** Prefecture and national servers only. */
  readonly openReports: readonly MonitorReport[] | undefined;
};

export const newestAlerts = async (alerts: AlertStore | undefined): Promise<SecurityAlert[]> =>
  alerts ? alerts.listAlerts({ limit: MONITOR_ALERTS }) : [];

export async function monitorView(c: {
  readonly self: NodeRef;
  readonly node: RunningNode;
  readonly alerts: AlertStore | undefined;
  readonly reports: NodeReports | undefined;
  readonly now?: Date;
}): Promise<MonitorView> {
  const now = c.now ?? new Date();
  const alerts = await newestAlerts(c.alerts);
  const alertsByKind: Record<string, number> = {};
  for (const a of alerts) alertsByKind[a.kind] = (alertsByKind[a.kind] ?? 0) + 1;
  const dayAgo = now.getTime() - 24 * 3600_000;
  const servesReports = c.self.role === 'prefecture' || c.self.role === 'national';
  const open =
    servesReports && c.reports
      ? (await c.reports.list(100))
          .filter((r) => r.status === 'waiting' && r.role !== 'origin')
          .map((r): MonitorReport => ({
            id: r.request.id,
            origin: r.request.origin,
            target: r.request.target,
            subject: r.request.subject,
            requestedAt: r.request.requestedAt,
            role: r.role,
          }))
      : undefined;
  return {
    node: `${c.self.role}:${c.self.code}`,
    role: c.self.role,
    at: now.toISOString(),
    health: await c.node.health(),
    alerts,
    counts: {
      alertsByKind,
      alertsLastDay: alerts.filter((a) => Date.parse(a.at) >= dayAgo).length,
      openReports: open?.length,
    },
    openReports: open,
  };
}

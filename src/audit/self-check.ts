import { setImmediate as nextTurn } from 'node:timers/promises';
import { isCalendarDate, type CalendarDate } from '../domain/dates/CalendarDate.ts';
import { RegistryError } from '../domain/errors.ts';
import type { OperatorEvent } from '../domain/operator/operator.ts';
import type { IntegrityCheckRecord } from '../storage/integrity-records.ts';
import type {
  AccessLogStore,
  AlertStore,
  CredentialStore,
  ErasureRun,
  OperatorStore,
  ProvisionStore,
} from '../storage/ports.ts';
import type { VerifyReport } from './verify.ts';

/*
 * 点検報告 (the self-check report, R34; docs/AUDIT.md "The self-check report"): what a node did
 * over a period, in counts, for its yearly self-check (自己点検) and for audits — the access log
 * by operation, result and operator with the refusals' reasons and the log's verification, the
 * operator register's grants and revocations and the cards revoked, the intrusion alerts by kind,
 * the integrity checks (R20) and retention runs (R33) it recorded, and at a providing node its provisions per recipient, affair and channel, its refused attempts
 * per reason and its media outputs. Counts and identifiers only: never a resident, never a name.
 * The period is given in dates in Japan (JST), both ends included. The sources are read page by
 * page (a turn of the event loop between pages), so a year of a large log does not stall the
 * node's other work.
 */

export type SelfCheckReport = {
  readonly node: string;
  readonly period: {
    readonly from: CalendarDate;
    readonly to: CalendarDate;
    /** [fromAt, toAt): the period's instants, ISO 8601 UTC. */
    readonly fromAt: string;
    readonly toAt: string;
  };
  readonly generatedAt: string;
  readonly accessLog: {
    readonly records: number;
    readonly operations: readonly {
      readonly operation: string;
      readonly ok: number;
      readonly refused: number;
      readonly failed: number;
    }[];
    readonly refusals: readonly { readonly reason: string; readonly count: number }[];
    readonly operators: readonly {
      readonly operator: string;
      readonly acts: number;
      readonly refused: number;
    }[];
    /** The whole log's verification at the time of the report (chain and seals). */
    readonly verification?:
      | {
          readonly ok: boolean;
          readonly records: number;
          readonly seals: number;
          readonly problem?: string | undefined;
          readonly unsealed: number;
        }
      | undefined;
  };
  readonly operators: {
    /** Active operators of this node now, per card type. */
    readonly active: readonly { readonly cardType: string; readonly count: number }[];
    /** The register's grants and revocations in the period, oldest first. */
    readonly events: readonly OperatorEvent[];
    /** Cards (WebAuthn credentials) revoked in the period, oldest first. */
    readonly cardRevocations: readonly {
      readonly operatorId: string;
      readonly credentialId: string;
      readonly at: string;
      readonly by: string;
      readonly reason: string;
    }[];
  };
  readonly alerts?:
    | {
        readonly total: number;
        readonly kinds: readonly { readonly kind: string; readonly count: number }[];
      }
    | undefined;
  /** 本人確認情報整合 (R20) in the period: checks run, matching or not, records repaired. */
  readonly integrity?:
    | {
        readonly checks: number;
        readonly matching: number;
        readonly differing: number;
        readonly repaired: number;
        readonly peers: readonly string[];
        readonly truncated: boolean;
      }
    | undefined;
  /** Retention runs (R1, R33) in the period and what they erased. */
  readonly retention?:
    | {
        readonly runs: number;
        readonly erasedHistoryEntries: number;
        readonly erasedRecords: number;
        readonly truncated: boolean;
      }
    | undefined;
  readonly provision?:
    | {
        readonly total: number;
        readonly provisions: readonly {
          readonly recipientId: string;
          readonly affairId: string;
          readonly channel: string;
          readonly count: number;
        }[];
        readonly refusedTotal: number;
        readonly refusals: readonly {
          readonly recipientId: string;
          readonly reason: string;
          readonly count: number;
        }[];
        readonly media: {
          readonly outputs: number;
          readonly rows: number;
          readonly disposed: number;
        };
      }
    | undefined;
};

export type SelfCheckSources = {
  readonly node: string;
  readonly access: AccessLogStore;
  readonly operators: OperatorStore;
  readonly credentials: CredentialStore;
  readonly alerts?: AlertStore | undefined;
  readonly provision?: ProvisionStore | undefined;
  readonly verify?: (() => Promise<VerifyReport>) | undefined;
  /** The node's recorded integrity checks and retention runs, newest first, at most `limit`. */
  readonly integrityChecks?: ((limit: number) => Promise<IntegrityCheckRecord[]>) | undefined;
  readonly erasures?: ((limit: number) => Promise<ErasureRun[]>) | undefined;
};

const ALERTS_PAGE = 1_000;
/** How many integrity checks and retention runs a report reads at most (daily: 27 years). */
export const RUNS_READ = 10_000;
const ACCESS_PAGE = 1_000;
const DISCLOSURE_WINDOW = 50_000;
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** The period's instants: from 00:00 JST of `from` to 00:00 JST of the day after `to`. */
export function periodInstants(
  from: string,
  to: string,
): { fromAt: string; toAt: string; from: CalendarDate; to: CalendarDate } {
  const at = (d: string, days: number): number => {
    if (!isCalendarDate(d))
      throw new RegistryError(
        'invalid',
        `日付が不正です / not a date (YYYY-MM-DD): ${JSON.stringify(d.slice(0, 20))}`,
        'self-check.date',
      );
    const ms = Date.parse(`${d}T00:00:00.000Z`);
    return ms + days * 86_400_000 - JST_OFFSET_MS;
  };
  const fromMs = at(from, 0);
  const toMs = at(to, 1);
  if (toMs <= fromMs)
    throw new RegistryError(
      'invalid',
      '期間の終わりが始まりより前です / the period ends before it starts',
      'self-check.period',
    );
  return {
    from: from as CalendarDate,
    to: to as CalendarDate,
    fromAt: new Date(fromMs).toISOString(),
    toAt: new Date(toMs).toISOString(),
  };
}

const inPeriod = (at: string, p: { fromAt: string; toAt: string }): boolean =>
  Date.parse(at) >= Date.parse(p.fromAt) && Date.parse(at) < Date.parse(p.toAt);

const sortedCounts = <K extends string>(m: Map<string, number>, key: K) =>
  [...m]
    .map(([k, count]) => ({ [key]: k, count }) as Record<K, string> & { count: number })
    .sort((a, b) => b.count - a.count || (a[key] < b[key] ? -1 : 1));

const bump = (m: Map<string, number>, k: string, by = 1): void => {
  m.set(k, (m.get(k) ?? 0) + by);
};

/** Builds the report of `src.node` for the dates `from`–`to` (JST, both included). */
export async function selfCheckReport(
  src: SelfCheckSources,
  period: { readonly from: string; readonly to: string },
  now: () => Date = () => new Date(),
): Promise<SelfCheckReport> {
  const p = periodInstants(period.from, period.to);

  // The access log, in seq order (its time order), page by page until past the period.
  const operations = new Map<string, { ok: number; refused: number; failed: number }>();
  const refusals = new Map<string, number>();
  const operators = new Map<string, { acts: number; refused: number }>();
  let records = 0;
  for (let after = 0; ;) {
    const page = await src.access.page(after, ACCESS_PAGE);
    for (const r of page) {
      if (!inPeriod(r.at, p)) continue;
      records++;
      const o = operations.get(r.operation) ?? { ok: 0, refused: 0, failed: 0 };
      o[r.result]++;
      operations.set(r.operation, o);
      if (r.result === 'refused') bump(refusals, r.reason ?? '—');
      const who = operators.get(r.operator) ?? { acts: 0, refused: 0 };
      who.acts++;
      if (r.result === 'refused') who.refused++;
      operators.set(r.operator, who);
    }
    const last = page.at(-1);
    if (
      last === undefined ||
      page.length < ACCESS_PAGE ||
      Date.parse(last.at) >= Date.parse(p.toAt)
    )
      break;
    after = last.seq;
    await nextTurn();
  }
  const verified = src.verify ? await src.verify() : undefined;

  // The operator register: this node's operators, their events and revoked cards in the period.
  const ours = (await src.operators.list({ includeRevoked: true })).filter(
    (o) => o.node === src.node,
  );
  const ids = new Set(ours.map((o) => o.id));
  const active = new Map<string, number>();
  for (const o of ours) if (o.revoked === undefined) bump(active, o.cardType);
  const events = (await src.operators.history()).filter(
    (e) => ids.has(e.operatorId) && inPeriod(e.at, p),
  );
  const cardRevocations: SelfCheckReport['operators']['cardRevocations'][number][] = [];
  for (const o of ours)
    for (const c of await src.credentials.credentialsOf(o.id))
      if (c.revoked && inPeriod(c.revoked.at, p))
        cardRevocations.push({
          operatorId: o.id,
          credentialId: c.credentialId,
          at: c.revoked.at,
          by: c.revoked.by,
          reason: c.revoked.reason,
        });
  cardRevocations.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));

  let alerts: SelfCheckReport['alerts'];
  if (src.alerts) {
    // Newest first, page by page back until before the period.
    const kinds = new Map<string, number>();
    for (let beforeId: number | undefined; ;) {
      const page = await src.alerts.listAlerts({
        limit: ALERTS_PAGE,
        ...(beforeId === undefined ? {} : { beforeId }),
      });
      for (const a of page) if (inPeriod(a.at, p)) bump(kinds, a.kind);
      const oldest = page.at(-1);
      if (
        oldest === undefined ||
        page.length < ALERTS_PAGE ||
        Date.parse(oldest.at) < Date.parse(p.fromAt)
      )
        break;
      beforeId = oldest.id;
      await nextTurn();
    }
    alerts = {
      total: [...kinds.values()].reduce((a, b) => a + b, 0),
      kinds: sortedCounts(kinds, 'kind'),
    };
  }

  let integrity: SelfCheckReport['integrity'];
  if (src.integrityChecks) {
    const read = await src.integrityChecks(RUNS_READ);
    const inside = read.filter((c) => inPeriod(c.startedAt, p));
    integrity = {
      checks: inside.length,
      matching: inside.filter((c) => c.matching).length,
      differing: inside.filter((c) => !c.matching).length,
      repaired: inside.reduce(
        (n, c) => n + c.repaired.inserted + c.repaired.updated + c.repaired.removed,
        0,
      ),
      peers: [...new Set(inside.map((c) => c.peer))].sort(),
      truncated: read.length >= RUNS_READ,
    };
  }
  let retention: SelfCheckReport['retention'];
  if (src.erasures) {
    const read = await src.erasures(RUNS_READ);
    const inside = read.filter((r) => inPeriod(r.ranAt, p));
    retention = {
      runs: inside.length,
      erasedHistoryEntries: inside.reduce((n, r) => n + r.erasedHistoryEntries, 0),
      erasedRecords: inside.reduce((n, r) => n + r.erasedRecords, 0),
      truncated: read.length >= RUNS_READ,
    };
  }

  let provision: SelfCheckReport['provision'];
  if (src.provision) {
    const counts = new Map<string, number>();
    let first;
    for (let afterId = 0; ;) {
      const w = await src.provision.provisionTally({
        node: src.node,
        fromAt: p.fromAt,
        toAt: p.toAt,
        afterId,
        window: DISCLOSURE_WINDOW,
      });
      first ??= w;
      for (const x of w.provisions)
        bump(counts, `${x.recipientId}\n${x.affairId}\n${x.channel}`, x.count);
      if (w.nextAfterId === undefined) break;
      afterId = w.nextAfterId;
      await nextTurn();
    }
    const provisions = [...counts]
      .map(([k, count]) => {
        const [recipientId, affairId, channel] = k.split('\n') as [string, string, string];
        return { recipientId, affairId, channel, count };
      })
      .sort(
        (a, b) =>
          a.recipientId.localeCompare(b.recipientId) ||
          a.affairId.localeCompare(b.affairId) ||
          a.channel.localeCompare(b.channel),
      );
    const refused = [...(first.refusals ?? [])].sort(
      (a, b) =>
        b.count - a.count ||
        a.recipientId.localeCompare(b.recipientId) ||
        a.reason.localeCompare(b.reason),
    );
    provision = {
      total: provisions.reduce((a, x) => a + x.count, 0),
      provisions,
      refusedTotal: refused.reduce((a, x) => a + x.count, 0),
      refusals: refused,
      media: first.media ?? { outputs: 0, rows: 0, disposed: 0 },
    };
  }

  return {
    node: src.node,
    period: p,
    generatedAt: now().toISOString(),
    accessLog: {
      records,
      operations: [...operations]
        .map(([operation, c]) => ({ operation, ...c }))
        .sort((a, b) => a.operation.localeCompare(b.operation)),
      refusals: sortedCounts(refusals, 'reason'),
      operators: [...operators]
        .map(([operator, c]) => ({ operator, ...c }))
        .sort((a, b) => a.operator.localeCompare(b.operator)),
      ...(verified
        ? {
            verification: {
              ok: verified.ok,
              records: verified.records,
              seals: verified.seals,
              ...(verified.problem
                ? { problem: `${verified.problem.kind} at record ${verified.problem.seq}` }
                : {}),
              unsealed: verified.unsealedTail?.count ?? 0,
            },
          }
        : {}),
    },
    operators: {
      active: sortedCounts(active, 'cardType'),
      events,
      cardRevocations,
    },
    ...(alerts ? { alerts } : {}),
    ...(integrity ? { integrity } : {}),
    ...(retention ? { retention } : {}),
    ...(provision ? { provision } : {}),
  };
}

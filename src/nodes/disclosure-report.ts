import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import { identityInfoOf } from '../domain/resident/IdentityInfo.ts';
import { parseResidentCode, type ResidentCode } from '../domain/resident/ResidentCode.ts';
import {
  disclosureLineOf,
  disclosureReportModel,
  nodeLabel,
  type DisclosureReport,
  type DisclosureReportModel,
} from '../disclosure/index.ts';
import { loadStatutoryAffairs } from '../reference-data/statutory-affairs.ts';
import type { IdentityStore, ProvisionStore } from '../storage/ports.ts';
import { todayInJapan } from './japan-date.ts';

/**
 * A resident's disclosure report (本人確認情報の提供状況の開示, R17) from a providing node's stores:
 * every provision recorded there under any of the resident's codes (a re-code keeps the history on
 * one chain), each line with its purpose from the Act's tables or the node's ordinance affairs
 * (R3). `juki disclosure report` and the terminal side's `POST /disclosure/report` both use it.
 */
export async function disclosureReportOf(
  stores: {
    readonly identities: Pick<IdentityStore, 'findIdentity' | 'history'>;
    readonly provision: Pick<ProvisionStore, 'loadRegistry' | 'disclosuresOf'>;
  },
  request: {
    readonly residentCode: ResidentCode;
    readonly from?: CalendarDate | undefined;
    readonly to: CalendarDate;
    /** The issuing node's name, e.g. `prefecture:13`. */
    readonly issuer: string;
    readonly generatedAt: Date;
  },
): Promise<DisclosureReport> {
  const code = request.residentCode;
  const record = await stores.identities.findIdentity(code);
  const history = await stores.identities.history(code);
  if (!record && history.length === 0)
    throw new RegistryError(
      'not-found',
      `この住民票コードの記録はありません / no record for ${code} at this node`,
      'identity.not-found',
    );
  const codes = new Set([
    code,
    ...history.flatMap((h) => [h.event.residentCode, h.event.values.residentCode]),
  ]);
  // A provision for a prefecture's 条例 affair shows that ordinance's purpose, not （記録なし）.
  const affairs = loadStatutoryAffairs().with(
    (await stores.provision.loadRegistry()).ordinanceAffairs,
  );
  const disclosures = await stores.provision.disclosuresOf([...codes]);
  return {
    resident: identityInfoOf(record ?? history.at(-1)!.event.values),
    period: {
      ...(request.from === undefined ? {} : { from: request.from }),
      to: request.to,
    },
    generatedAt: request.generatedAt.toISOString(),
    issuer: nodeLabel(request.issuer),
    lines: disclosures.map((d) =>
      disclosureLineOf(d, { affairDescription: (id) => affairs.byId(id)?.affair }),
    ),
  };
}

/**
 * `POST /disclosure/report` `{ residentCode, from?, to? }` (dates YYYY-MM-DD in Japan; `to`
 * defaults to today): the report as its model, the JSON of `juki disclosure report --json`.
 * Issued by this node; at a prefecture server it holds its own provisions and the national
 * server's copies about its residents.
 */
export async function disclosureReportFromTerminal(
  node: {
    readonly self: NodeRef;
    readonly stores:
      | {
          readonly identities: IdentityStore;
          readonly provision: ProvisionStore;
        }
      | undefined;
    readonly now?: () => Date;
  },
  b: Readonly<Record<string, unknown>>,
): Promise<DisclosureReportModel> {
  if (!node.stores)
    throw new RegistryError(
      'invalid',
      `${nodeName(node.self)} は開示報告を作りません / only a national or prefecture server issues disclosure reports`,
      'node.no-disclosure',
    );
  const residentCode = parseResidentCode(typeof b.residentCode === 'string' ? b.residentCode : '');
  const date = (field: 'from' | 'to'): CalendarDate | undefined => {
    const v = b[field];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string')
      throw new RegistryError('invalid', `${field} must be YYYY-MM-DD`, 'disclosure.period');
    return v as CalendarDate; // checked by disclosureReportModel (disclosure.period)
  };
  const now = node.now ?? (() => new Date());
  const report = await disclosureReportOf(node.stores, {
    residentCode,
    from: date('from'),
    to: date('to') ?? todayInJapan(now()),
    issuer: nodeName(node.self),
    generatedAt: now(),
  });
  return disclosureReportModel(report);
}

import type { ErrorCode } from '../errors.ts';
import type { ResidentCode } from '../resident/ResidentCode.ts';
import { residentCodeProblem } from '../resident/identity-fields.ts';
import { refuse, type Refusal } from './refusal.ts';
import type { ProvisionChannel } from './search-rules.ts';

/**
 * 開示用データ (R17): one record per person provided, per query (a batch row is a query of its
 * own). It holds who received (recipient and, when known, the searcher), when, for which affair
 * under which legal basis, and which query — never the query's conditions or the answer. The
 * prefecture keeps its own records and the national server's about its residents, so the record
 * names the providing node; `(node, queryId, residentCode)` identifies it (forwarding is
 * idempotent).
 */
export type NewDisclosure = {
  /** When it was provided: ISO 8601 UTC. */
  readonly at: string;
  /** The providing node, as `nodeName` writes it: `national:jlis`, `prefecture:13`. */
  readonly node: string;
  readonly recipientId: string;
  /** The recipient's name as registered when provided (the report shows it). */
  readonly recipientName: string;
  /** The operator at the recipient who searched, when the query said. */
  readonly searcher?: string | undefined;
  readonly affairId: string;
  readonly legalBasis: string;
  readonly queryId: string;
  readonly residentCode: ResidentCode;
  readonly channel: ProvisionChannel;
  /**
   * The resident's prefecture (JIS X 0401, `13`) when provided: the first two digits of the
   * record's 団体コード at that moment. The national server sends each prefecture the records
   * about its residents by it (R17). Absent on records written before schema version 8.
   */
  readonly prefectureCode?: string | undefined;
};

export type Disclosure = NewDisclosure & { readonly id: number };

/**
 * A refused attempt (R23: refused attempts are recorded too). It names no person — a refused query
 * provided nothing, and its conditions are personal data — and it never appears in a resident's
 * disclosures.
 */
export type NewRefusalRecord = {
  readonly at: string;
  readonly node: string;
  /** As the requester claimed it (also an unknown recipient). */
  readonly recipientId: string;
  readonly searcher?: string | undefined;
  readonly affairId?: string | undefined;
  readonly queryId: string;
  readonly channel: ProvisionChannel;
  readonly code: ErrorCode;
  readonly reason: string;
  readonly message: string;
};

export type RefusalRecord = NewRefusalRecord & { readonly id: number };

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const CHANNELS: readonly string[] = ['immediate', 'batch', 'media'];

export type DisclosureProblem =
  | 'disclosure.at'
  | 'disclosure.field'
  | 'disclosure.resident-code'
  | 'disclosure.channel'
  | 'disclosure.prefecture';

/** A prefecture code, 01–47 (JIS X 0401). */
export const PREFECTURE_CODE = /^(0[1-9]|[1-3]\d|4[0-7])$/;

const problem = (reason: DisclosureProblem, message: string): Refusal<DisclosureProblem> =>
  refuse('invalid', reason, message);

/** What is wrong with a record before it is stored (stores refuse it as RegistryError('invalid')). */
export function disclosureProblem(d: NewDisclosure): Refusal<DisclosureProblem> | undefined {
  if (!ISO_UTC.test(d.at)) return problem('disclosure.at', '日時が不正です (at: ISO 8601 UTC)');
  for (const [k, v] of Object.entries({
    node: d.node,
    recipientId: d.recipientId,
    recipientName: d.recipientName,
    affairId: d.affairId,
    legalBasis: d.legalBasis,
    queryId: d.queryId,
  })) {
    if (typeof v !== 'string' || v.trim() === '')
      return problem('disclosure.field', `${k} がありません (${k} is empty)`);
  }
  if (residentCodeProblem(d.residentCode) !== undefined)
    return problem('disclosure.resident-code', '住民票コードが不正です (resident code)');
  if (!CHANNELS.includes(d.channel))
    return problem('disclosure.channel', '提供方法が不正です (channel: immediate, batch or media)');
  if (d.prefectureCode !== undefined && !PREFECTURE_CODE.test(d.prefectureCode))
    return problem('disclosure.prefecture', '都道府県コードが不正です (prefectureCode: 01–47)');
  return undefined;
}

export function refusalRecordProblem(r: NewRefusalRecord): Refusal<DisclosureProblem> | undefined {
  if (!ISO_UTC.test(r.at)) return problem('disclosure.at', '日時が不正です (at: ISO 8601 UTC)');
  for (const [k, v] of Object.entries({
    node: r.node,
    recipientId: r.recipientId,
    queryId: r.queryId,
    reason: r.reason,
  })) {
    if (typeof v !== 'string' || v.trim() === '')
      return problem('disclosure.field', `${k} がありません (${k} is empty)`);
  }
  if (!CHANNELS.includes(r.channel))
    return problem('disclosure.channel', '提供方法が不正です (channel: immediate, batch or media)');
  return undefined;
}

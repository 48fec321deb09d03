import type { DisclosureChannel, DisclosureLine } from './model.ts';

/*
 * From a record of the disclosure log to a line of the report. The log (NewDisclosure in
 * src/domain/provision/disclosure.ts, kept by the ProvisionStore) stores ids; the report shows
 * what they mean: the affair's description from the statutory-affairs table, the providing node's
 * name. Structural types, so the report does not depend on the store (from-log.test.ts checks
 * that the log's record still fits).
 */

/** What the report needs of one disclosure log record. */
export type DisclosureRecord = {
  /** ISO 8601 instant. */
  readonly at: string;
  /** `nodeName` of the providing node: `national:jlis`, `prefecture:13`. */
  readonly node: string;
  readonly recipientId: string;
  readonly recipientName: string;
  readonly searcher?: string | undefined;
  readonly affairId: string;
  readonly legalBasis: string;
  readonly queryId: string;
  readonly channel: DisclosureChannel;
};

export type LineLookups = {
  /** The affair's description (its purpose) from the statutory-affairs table; undefined if unknown. */
  readonly affairDescription: (affairId: string) => string | undefined;
  /** The providing node's display name; default `nodeLabel` below. */
  readonly nodeLabel?: ((node: string) => string) | undefined;
};

/** 都道府県 by code (JIS X 0401), for the prefecture servers' names. */
const PREFECTURES = [
  '北海道', '青森県', '岩手県', '宮城県', '秋田県', '山形県', '福島県', '茨城県', '栃木県', '群馬県',
  '埼玉県', '千葉県', '東京都', '神奈川県', '新潟県', '富山県', '石川県', '福井県', '山梨県', '長野県',
  '岐阜県', '静岡県', '愛知県', '三重県', '滋賀県', '京都府', '大阪府', '兵庫県', '奈良県', '和歌山県',
  '鳥取県', '島根県', '岡山県', '広島県', '山口県', '徳島県', '香川県', '愛媛県', '高知県', '福岡県',
  '佐賀県', '長崎県', '熊本県', '大分県', '宮崎県', '鹿児島県', '沖縄県',
] as const; // prettier-ignore

/** '全国サーバ（地方公共団体情報システム機構）', '東京都サーバ'; any other node as written. */
export function nodeLabel(node: string): string {
  if (node.startsWith('national:')) return '全国サーバ（地方公共団体情報システム機構）';
  const m = /^prefecture:(\d{2})$/.exec(node);
  const name = m ? PREFECTURES[Number(m[1]) - 1] : undefined;
  return name === undefined ? node : `${name}サーバ`;
}

export function disclosureLineOf(r: DisclosureRecord, lookups: LineLookups): DisclosureLine {
  return {
    at: r.at,
    recipientId: r.recipientId,
    recipientName: r.recipientName,
    ...(r.searcher === undefined ? {} : { searcher: r.searcher }),
    affairId: r.affairId,
    // Unknown to the table (e.g. an ordinance affair since repealed): the report marks the gap
    // (html.ts MISSING_TEXT) rather than inventing a purpose; the affair id and basis still show.
    affairDescription: lookups.affairDescription(r.affairId) ?? '',
    legalBasis: r.legalBasis,
    channel: r.channel,
    providedBy: (lookups.nodeLabel ?? nodeLabel)(r.node),
    queryId: r.queryId,
  };
}

/**
 * 操作者識別カードの種別 (R15, R31): the card an operator logs in with says what they may do. Each
 * type's operations are in permissions.ts, the one table; docs/OPERATORS.md shows it.
 */
export const CARD_TYPES = [
  'counter-clerk',
  'card-issuer',
  'provision-operator',
  'auditor',
  'security-officer',
  'administrator',
] as const;
export type CardType = (typeof CARD_TYPES)[number];

export type CardTypeInfo = {
  /** The Japanese name, as on the card. */
  readonly ja: string;
  /** An English gloss. */
  readonly en: string;
  /** What the holder does, in one line (English). */
  readonly duties: string;
};

export const CARD_TYPE_INFO: Readonly<Record<CardType, CardTypeInfo>> = {
  'counter-clerk': {
    ja: '窓口担当者',
    en: 'counter clerk',
    duties:
      'the reference register’s counter operations at a municipality (CS), and 広域交付 of other municipalities’ residents (R24)',
  },
  'card-issuer': {
    ja: 'カード交付担当者',
    en: 'card issuer',
    duties: 'resident cards (住民基本台帳カード); no operations until card issuance is built',
  },
  'provision-operator': {
    ja: '提供担当者',
    en: 'provision operator',
    duties:
      'provision queries, batch and media at agency, prefecture and national servers; the recipient register',
  },
  auditor: {
    ja: '監査担当者',
    en: 'auditor',
    duties:
      'the access log (read, verify; its analysis later), disclosure reports, report requests (報告要求)',
  },
  'security-officer': {
    ja: 'セキュリティ管理者',
    en: 'security officer',
    duties:
      'intrusion alerts, the emergency cut-off (isolate / readmit a node), revoking operators, lifting a 広域交付 suspension (R18)',
  },
  administrator: {
    ja: 'システム管理者',
    en: 'system administrator',
    duties:
      'the operator register, health, retention, integrity checks, configuration; no access to residents’ data',
  },
};

export const isCardType = (s: string): s is CardType =>
  (CARD_TYPES as readonly string[]).includes(s);

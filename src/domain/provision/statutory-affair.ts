import { RegistryError } from '../errors.ts';

/**
 * 法定事務: the affairs for which 本人確認情報 may be provided (R3). The law lists them in the
 * annexed tables 別表第一 to 別表第六 of 住民基本台帳法 (`data/statutory-affairs.csv`, 689 numbered
 * items); a prefecture adds its own by ordinance (条例). Pure: the caller reads the file.
 */

export const ANNEXED_TABLES = [
  '別表第一',
  '別表第二',
  '別表第三',
  '別表第四',
  '別表第五',
  '別表第六',
] as const;
export type AnnexedTable = (typeof ANNEXED_TABLES)[number];

/** Where an affair comes from: an annexed table of the Act, or a prefecture's ordinance. */
export type AffairSource = AnnexedTable | '条例';

/**
 * `table:item`, e.g. `別表第一:七十七`; for an ordinance affair `条例:<prefecture code>:<item>`,
 * e.g. `条例:13:一`. Stable: disclosure records and permissions keep it.
 */
export type AffairId = string & { readonly __brand: 'AffairId' };

/** Who provides for the affairs of a table: J-LIS's national server, or the prefecture server. */
export type AffairProvider = 'national' | 'prefecture';

/** Who may receive for the affairs of a source (RecipientKind in recipient.ts). */
export type AffairRecipientKind = 'national-agency' | 'prefecture-body' | 'municipality';

/**
 * What each source means (data/statutory-affairs.README.md), with the article that authorises
 * the provision. The legal basis of a provision is that article plus the item.
 */
export const AFFAIR_SOURCES: Readonly<
  Record<
    AffairSource,
    {
      readonly provider: AffairProvider;
      readonly recipientKinds: readonly AffairRecipientKind[];
      readonly article: string;
      readonly meaning: string;
    }
  >
> = {
  別表第一: {
    provider: 'national',
    recipientKinds: ['national-agency'],
    article: '第三十条の九',
    meaning: '機構から国の機関又は法人への提供 (J-LIS to national bodies and corporations)',
  },
  別表第二: {
    provider: 'national',
    recipientKinds: ['municipality'],
    article: '第三十条の十第一項第一号',
    meaning:
      '機構から通知都道府県の区域内の市町村の執行機関への提供 (J-LIS to municipal bodies of the notifying prefecture)',
  },
  別表第三: {
    provider: 'national',
    recipientKinds: ['prefecture-body'],
    article: '第三十条の十一第一項第一号',
    meaning:
      '機構から通知都道府県以外の都道府県の執行機関への提供 (J-LIS to bodies of other prefectures)',
  },
  別表第四: {
    provider: 'national',
    recipientKinds: ['municipality'],
    article: '第三十条の十二第一項第一号',
    meaning:
      '機構から通知都道府県以外の都道府県の区域内の市町村の執行機関への提供 (J-LIS to municipal bodies in other prefectures)',
  },
  別表第五: {
    provider: 'prefecture',
    recipientKinds: ['prefecture-body'],
    article: '第三十条の十五第一項第一号',
    meaning: '都道府県知事による利用 (the governor’s own use)',
  },
  別表第六: {
    provider: 'prefecture',
    recipientKinds: ['prefecture-body'],
    article: '第三十条の十五第二項第一号',
    meaning:
      '都道府県知事から当該都道府県の他の執行機関への提供 (the governor to other bodies of the same prefecture)',
  },
  条例: {
    provider: 'prefecture',
    recipientKinds: ['prefecture-body', 'municipality'],
    article: '第三十条の十五第一項第二号・第二項第二号',
    meaning: '条例で定める事務 (affairs the prefecture’s ordinance adds)',
  },
};

export type StatutoryAffair = {
  readonly id: AffairId;
  readonly source: AffairSource;
  /** The item as printed (`一の二`); for an ordinance affair, its own number. */
  readonly item: string;
  /** The ordinance's prefecture (2 digits), for `条例` only. */
  readonly prefectureCode?: string;
  /** The recipient column of the law (who may receive), '' on a deleted item. */
  readonly recipient: string;
  /** The affair text (事務); `削除` on a deleted item. */
  readonly affair: string;
  /** The laws the affair text names (`題名（法令番号）`). */
  readonly lawReferences: readonly string[];
  /** The citation that authorises provision for this affair, e.g. 住民基本台帳法第三十条の九・別表第一の七十七の項. */
  readonly legalBasis: string;
  /** A 削除 item: kept so the numbering is complete, never permitted. */
  readonly deleted: boolean;
};

export const affairId = (source: AffairSource, item: string, prefectureCode?: string): AffairId =>
  (source === '条例' ? `条例:${prefectureCode ?? ''}:${item}` : `${source}:${item}`) as AffairId;

const ITEM = /^[〇一二三四五六七八九十百千]+(の[〇一二三四五六七八九十百千]+)*$/u;

/** 「別表第一の七十七の項」; 別表第五 is a numbered list: 「別表第五第一号の二」. */
export function legalBasisOf(table: AnnexedTable, item: string): string {
  const { article } = AFFAIR_SOURCES[table];
  if (table === '別表第五') {
    const [head, ...rest] = item.split('の');
    return `住民基本台帳法${article}・${table}第${head ?? ''}号${rest.map((r) => `の${r}`).join('')}`;
  }
  return `住民基本台帳法${article}・${table}の${item}の項`;
}

export const STATUTORY_AFFAIRS_CSV_HEADER = 'table,item,recipient,affair,law_reference';

const csvError = (line: number, message: string, reason: string) =>
  new RegistryError('invalid', `statutory-affairs.csv line ${line}: ${message}`, reason);

/**
 * Parses `data/statutory-affairs.csv` (RFC 4180: quoted fields with "" escapes allowed; a BOM and
 * CRLF are tolerated). Every row is checked: five fields, a known table, an item in kanji
 * numerals, no id twice, and a deleted item exactly when the affair is `削除` with no recipient.
 * Throws RegistryError('invalid', …, 'statutory-affairs-csv.*') naming the line.
 */
export function parseStatutoryAffairsCsv(text: string): StatutoryAffair[] {
  const records = parseCsvRecords(text.replace(/^\uFEFF/, ''));
  const header = records[0];
  if (header === undefined || header.fields.join(',') !== STATUTORY_AFFAIRS_CSV_HEADER) {
    throw csvError(
      1,
      `header must be ${STATUTORY_AFFAIRS_CSV_HEADER}`,
      'statutory-affairs-csv.header',
    );
  }
  const out: StatutoryAffair[] = [];
  const seen = new Set<string>();
  for (const { line, fields } of records.slice(1)) {
    if (fields.length !== 5) {
      throw csvError(
        line,
        `expected 5 fields, got ${fields.length}`,
        'statutory-affairs-csv.fields',
      );
    }
    const [table, item, recipient, affair, lawReference] = fields as [
      string,
      string,
      string,
      string,
      string,
    ];
    if (!(ANNEXED_TABLES as readonly string[]).includes(table)) {
      throw csvError(line, `unknown table ${JSON.stringify(table)}`, 'statutory-affairs-csv.table');
    }
    if (!ITEM.test(item)) {
      throw csvError(
        line,
        `item is not a kanji numeral: ${JSON.stringify(item)}`,
        'statutory-affairs-csv.item',
      );
    }
    const id = affairId(table as AnnexedTable, item);
    if (seen.has(id))
      throw csvError(line, `${id} appears twice`, 'statutory-affairs-csv.duplicate');
    seen.add(id);
    const deleted = affair === '削除';
    if (deleted !== (recipient === '') || (!deleted && lawReference === '')) {
      throw csvError(
        line,
        'a 削除 item has no recipient and no law reference; a live item has both',
        'statutory-affairs-csv.deleted',
      );
    }
    out.push({
      id,
      source: table as AnnexedTable,
      item,
      recipient,
      affair,
      lawReferences: lawReference === '' ? [] : lawReference.split('; '),
      legalBasis: legalBasisOf(table as AnnexedTable, item),
      deleted,
    });
  }
  return out;
}

/** RFC 4180 records with the line each starts on; empty lines at the end are ignored. */
function parseCsvRecords(text: string): { line: number; fields: string[] }[] {
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let atFieldStart = true;
  const endRecord = () => {
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields });
    fields = [];
    field = '';
    atFieldStart = true;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      continue;
    }
    if (c === '"' && atFieldStart) {
      quoted = true;
      atFieldStart = false;
    } else if (c === ',') {
      fields.push(field);
      field = '';
      atFieldStart = true;
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      if (c === '"')
        throw csvError(line, 'a quote inside an unquoted field', 'statutory-affairs-csv.quote');
      field += c;
      atFieldStart = false;
    }
  }
  if (quoted)
    throw csvError(recordLine, 'unterminated quoted field', 'statutory-affairs-csv.quote');
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}

/**
 * An affair a prefecture adds by ordinance (条例, 第三十条の十五). Its legal basis is the ordinance
 * as the prefecture cites it; its id is `条例:<prefecture>:<item>`.
 */
export function ordinanceAffair(input: {
  readonly prefectureCode: string;
  readonly item: string;
  readonly recipient: string;
  readonly affair: string;
  readonly legalBasis: string;
}): StatutoryAffair {
  const { prefectureCode, item, recipient, affair, legalBasis } = input;
  const bad = (what: string, reason: string) =>
    new RegistryError('invalid', `条例事務: ${what}`, `ordinance-affair.${reason}`);
  if (!/^(0[1-9]|[1-3][0-9]|4[0-7])$/.test(prefectureCode))
    throw bad('都道府県コードが不正です (prefecture code must be 01–47)', 'prefecture-code');
  if (!/^[^:\s]{1,32}$/u.test(item))
    throw bad('項番が不正です (item: 1–32 characters, no colon or space)', 'item');
  if (recipient.trim() === '')
    throw bad('提供先の記載がありません (recipient is empty)', 'recipient');
  if (affair.trim() === '' || affair === '削除')
    throw bad('事務の記載がありません (affair is empty)', 'affair');
  if (legalBasis.trim() === '')
    throw bad('根拠規定がありません (legal basis is empty)', 'legal-basis');
  return {
    id: affairId('条例', item, prefectureCode),
    source: '条例',
    item,
    prefectureCode,
    recipient,
    affair,
    lawReferences: [],
    legalBasis,
    deleted: false,
  };
}

/** The affairs a node knows: the Act's tables plus the ordinance affairs it registered. */
export class AffairCatalog {
  readonly #byId: ReadonlyMap<string, StatutoryAffair>;

  private constructor(readonly affairs: readonly StatutoryAffair[]) {
    this.#byId = new Map(affairs.map((a) => [a.id, a]));
  }

  /** Throws conflict / `affair-catalog.duplicate` when an id appears twice. */
  static of(affairs: readonly StatutoryAffair[]): AffairCatalog {
    const ids = new Set<string>();
    for (const a of affairs) {
      if (ids.has(a.id)) {
        throw new RegistryError(
          'conflict',
          `事務 ${a.id} が重複しています (affair listed twice)`,
          'affair-catalog.duplicate',
        );
      }
      ids.add(a.id);
    }
    return new AffairCatalog(affairs);
  }

  byId(id: string): StatutoryAffair | undefined {
    return this.#byId.get(id);
  }

  /** The same catalog with `more` added (e.g. a prefecture's ordinance affairs). */
  with(more: readonly StatutoryAffair[]): AffairCatalog {
    return AffairCatalog.of([...this.affairs, ...more]);
  }

  /** Live affairs of one source, in statute order. */
  ofSource(source: AffairSource): StatutoryAffair[] {
    return this.affairs.filter((a) => a.source === source && !a.deleted);
  }
}

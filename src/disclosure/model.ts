import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import { isCalendarDate } from '../domain/dates/CalendarDate.ts';
import { formatJapaneseDate } from '../domain/dates/era.ts';
import { RegistryError } from '../domain/errors.ts';
import type { IdentityInfo } from '../domain/resident/IdentityInfo.ts';
import { SEX_LABEL } from '../domain/resident/IdentityInfo.ts';

/*
 * The resident's disclosure report (本人確認情報の提供状況の開示, R17): which recipient received the
 * resident's 本人確認情報, when, for which affair and on which legal basis — every line with its
 * purpose and legal basis, as Estonia's Data Tracker shows them. This module turns the records
 * (whatever store they come from) into a view model; html.ts prints it, pdf.ts makes a PDF of the
 * HTML. The model is plain JSON, so it is also the report's machine-readable form.
 */

/**
 * 即時提供 (one query from a terminal or agency server, R13), 一括提供 (a file of query rows, R14)
 * or 媒体提供 (rows written to an encrypted medium for another unit, R22): the provision log's
 * channels (PROVISION_CHANNELS in src/domain/provision/search-rules.ts).
 */
export const DISCLOSURE_CHANNELS = ['immediate', 'batch', 'media'] as const;
export type DisclosureChannel = (typeof DISCLOSURE_CHANNELS)[number];

export const CHANNEL_LABEL: Record<
  DisclosureChannel,
  { readonly ja: string; readonly en: string }
> = {
  immediate: { ja: '即時提供', en: 'immediate' },
  batch: { ja: '一括提供', en: 'batch' },
  media: { ja: '媒体提供', en: 'by medium' },
};

/** One provision of the resident's 本人確認情報, as the disclosure log recorded it. */
export type DisclosureLine = {
  /** When it was provided: an ISO 8601 instant with `Z` or an offset (2026-03-14T01:23:45.678Z). */
  readonly at: string;
  readonly recipientId: string;
  /** The recipient's name in Japanese, e.g. 日本年金機構. */
  readonly recipientName: string;
  /** The operator at the recipient who searched, when the query said (R17: recipient / searcher). */
  readonly searcher?: string | undefined;
  /** The affair in the law's annexed tables, e.g. `別表第一:一の二`. */
  readonly affairId: string;
  /** What the affair is (the purpose), e.g. 年金受給者の現況確認に関する事務. */
  readonly affairDescription: string;
  /** The legal basis, e.g. 住民基本台帳法第30条の9・別表第一の一の二の項. */
  readonly legalBasis: string;
  readonly channel: DisclosureChannel;
  /** The node that provided it (its display name), e.g. 全国サーバ or 東京都サーバ. */
  readonly providedBy: string;
  /** The query (or batch row) id the provision answered: lets the resident point at one line. */
  readonly queryId: string;
};

/** The dates in Japan the report covers, both inclusive. No `from`: every record still kept. */
export type DisclosurePeriod = {
  readonly from?: CalendarDate | undefined;
  readonly to: CalendarDate;
};

export type DisclosureReport = {
  readonly resident: IdentityInfo;
  readonly period: DisclosurePeriod;
  /** When the report was produced: an ISO 8601 instant. */
  readonly generatedAt: string;
  /** The node that issues the report (its display name), e.g. 東京都サーバ. */
  readonly issuer: string;
  readonly lines: readonly DisclosureLine[];
};

/** An instant as it is printed: in Japan (JST, UTC+9), Gregorian and 和暦. */
export type JapanTime = {
  readonly at: string;
  readonly date: CalendarDate;
  /** 'HH:MM' in JST. */
  readonly time: string;
  /** '令和8年3月14日'. */
  readonly eraDate: string;
};

export type DisclosureLineView = DisclosureLine & {
  /** 1-based, in the printed order (newest first). */
  readonly number: number;
  readonly when: JapanTime;
  readonly channelLabel: string;
};

export type RecipientSummary = {
  readonly recipientId: string;
  readonly recipientName: string;
  readonly count: number;
  readonly byChannel: ChannelCounts;
  readonly latest: JapanTime;
  /** The affairs this recipient received the information for, most frequent first. */
  readonly affairs: readonly {
    readonly affairId: string;
    readonly affairDescription: string;
    readonly legalBasis: string;
    readonly count: number;
  }[];
};

export type ChannelCounts = Readonly<Record<DisclosureChannel, number>>;

export type DisclosureReportModel = {
  /**
   * The resident's items as printed. The individual number (個人番号) is left out on purpose: the
   * report identifies the resident without it, and a printed copy is handed over and may be lost.
   */
  readonly resident: {
    readonly residentCode: string;
    readonly nameKanji: string;
    readonly nameKana: string;
    readonly sex: string;
    readonly birthDate: CalendarDate;
    readonly birthEraDate: string;
    readonly address: string;
  };
  readonly period: {
    readonly from?: { readonly date: CalendarDate; readonly eraDate: string } | undefined;
    readonly to: { readonly date: CalendarDate; readonly eraDate: string };
  };
  readonly generatedAt: JapanTime;
  readonly issuer: string;
  /** Newest first. */
  readonly lines: readonly DisclosureLineView[];
  /** One row per recipient, the most recently served first. */
  readonly recipients: readonly RecipientSummary[];
  readonly totals: {
    readonly lines: number;
    readonly byChannel: ChannelCounts;
    readonly recipients: number;
  };
};

// Japan has kept UTC+9 without daylight saving since 1951, so a fixed offset is exact for every
// record this system can hold; no time-zone database is needed.
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

const ISO_INSTANT =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(?::\d{2}(?:\.\d{1,9})?)?(Z|([+-])(\d{2}):(\d{2}))$/;

/** Milliseconds since the epoch of a strict ISO 8601 instant; refuses what Date.parse would bend. */
export function parseInstant(s: string, what: string): number {
  const m = ISO_INSTANT.exec(s);
  const ms = m ? Date.parse(s) : Number.NaN;
  if (m && !Number.isNaN(ms)) {
    // Date.parse accepts 2026-02-30 and 24:00 by rolling over; the local wall time read back must
    // be the one written, or the record is malformed.
    const offsetMs =
      m[2] === 'Z' ? 0 : (m[3] === '-' ? -1 : 1) * (Number(m[4]) * 60 + Number(m[5])) * 60_000;
    if (new Date(ms + offsetMs).toISOString().slice(0, 16) === m[1]) return ms;
  }
  throw new RegistryError(
    'invalid',
    `開示の記録の日時が正しくありません / ${what} is not an ISO 8601 instant: ${JSON.stringify(s)}`,
    'disclosure.instant',
  );
}

export function japanTime(at: string, what = 'instant'): JapanTime {
  return japanTimeAt(at, parseInstant(at, what));
}

function japanTimeAt(at: string, ms: number): JapanTime {
  const iso = new Date(ms + JST_OFFSET_MS).toISOString();
  const date = iso.slice(0, 10) as CalendarDate;
  return { at, date, time: iso.slice(11, 16), eraDate: formatJapaneseDate(date) };
}

function checkedDate(d: string, what: string): CalendarDate {
  if (!isCalendarDate(d)) {
    throw new RegistryError(
      'invalid',
      `開示の対象期間が正しくありません / ${what} is not a date (YYYY-MM-DD): ${JSON.stringify(d)}`,
      'disclosure.period',
    );
  }
  return d;
}

/**
 * The report as it is shown: the lines inside the period (dates in Japan), newest first (ties by
 * query id, so the order never depends on the store's), a summary per recipient and the counts.
 * Lines outside the period are left out: the report says which period it covers.
 */
export function disclosureReportModel(report: DisclosureReport): DisclosureReportModel {
  const { period, resident } = report;
  const from = period.from === undefined ? undefined : checkedDate(period.from, 'period.from');
  const to = checkedDate(period.to, 'period.to');
  if (from !== undefined && from > to) {
    throw new RegistryError(
      'invalid',
      `開示の対象期間の始めが終わりより後です / the period starts after it ends: ${from} > ${to}`,
      'disclosure.period',
    );
  }

  const dated = report.lines
    .map((line) => {
      const ms = parseInstant(line.at, 'line.at');
      return { line, ms, when: japanTimeAt(line.at, ms) };
    })
    .filter(({ when }) => (from === undefined || when.date >= from) && when.date <= to)
    .sort(
      (a, b) =>
        b.ms - a.ms ||
        compareText(a.line.queryId, b.line.queryId) ||
        compareText(a.line.recipientId, b.line.recipientId),
    );

  const lines: DisclosureLineView[] = dated.map(({ line, when }, i) => ({
    ...line,
    number: i + 1,
    when,
    channelLabel: channelLabel(line.channel),
  }));

  return {
    resident: {
      residentCode: resident.residentCode,
      nameKanji: resident.name.kanji,
      nameKana: resident.name.kana,
      sex: SEX_LABEL[resident.sex],
      birthDate: resident.birthDate,
      birthEraDate: formatJapaneseDate(resident.birthDate),
      address: resident.address,
    },
    period: {
      from: from === undefined ? undefined : { date: from, eraDate: formatJapaneseDate(from) },
      to: { date: to, eraDate: formatJapaneseDate(to) },
    },
    generatedAt: japanTime(report.generatedAt, 'generatedAt'),
    issuer: report.issuer,
    lines,
    recipients: summarise(lines),
    totals: {
      lines: lines.length,
      byChannel: countChannels(lines),
      recipients: new Set(lines.map((l) => l.recipientId)).size,
    },
  };
}

function channelLabel(c: DisclosureChannel): string {
  // A record read from a store is only as typed as the store: an unknown channel is a damaged
  // record, and printing it under a guessed label would mislead the resident.
  switch (c) {
    case 'immediate':
    case 'batch':
    case 'media':
      return CHANNEL_LABEL[c].ja;
    default:
      throw new RegistryError(
        'invalid',
        `開示の記録の提供方法が不明です / unknown provision channel: ${JSON.stringify(c)}`,
        'disclosure.channel',
      );
  }
}

/** `lines` are newest first, so the first line seen of a recipient is its latest. */
function summarise(lines: readonly DisclosureLineView[]): RecipientSummary[] {
  type Acc = {
    first: DisclosureLineView;
    lines: DisclosureLineView[];
    affairs: Map<string, { line: DisclosureLineView; count: number }>;
  };
  const byRecipient = new Map<string, Acc>();
  for (const line of lines) {
    let acc = byRecipient.get(line.recipientId);
    if (!acc) {
      acc = { first: line, lines: [], affairs: new Map() };
      byRecipient.set(line.recipientId, acc);
    }
    acc.lines.push(line);
    const affair = acc.affairs.get(line.affairId);
    if (affair) affair.count++;
    else acc.affairs.set(line.affairId, { line, count: 1 });
  }
  // Map iteration follows insertion, i.e. the recipients' latest provisions, newest first.
  return [...byRecipient.values()].map((acc) => ({
    recipientId: acc.first.recipientId,
    recipientName: acc.first.recipientName,
    count: acc.lines.length,
    byChannel: countChannels(acc.lines),
    latest: acc.first.when,
    affairs: [...acc.affairs.values()]
      .sort((a, b) => b.count - a.count || compareText(a.line.affairId, b.line.affairId))
      .map(({ line, count }) => ({
        affairId: line.affairId,
        affairDescription: line.affairDescription,
        legalBasis: line.legalBasis,
        count,
      })),
  }));
}

function countChannels(lines: readonly DisclosureLine[]): ChannelCounts {
  const counts = { immediate: 0, batch: 0, media: 0 };
  for (const l of lines) counts[l.channel]++;
  return counts;
}

/** Code-unit order: deterministic on every machine, unlike localeCompare. */
const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

import { RegistryError } from '../errors.ts';
import type { CalendarDate } from './CalendarDate.ts';
import { dateParts } from './CalendarDate.ts';

/**
 * 和暦 (Japanese era calendar) for display and print. Storage is Gregorian (CalendarDate); the
 * UI and printed copies show the era. An explicit table, not `Intl.DateTimeFormat('ja-JP-u-ca-
 * japanese')`: ICU's output differs across Node builds (small-icu, ICU versions before 令和, 元年
 * vs 1年), and the register must print the same text everywhere.
 *
 * Each era starts on the Gregorian date below (the day the new era took effect) and runs until
 * the day before the next one starts.
 *
 * Before 1873-01-01 Japan used the lunisolar calendar (天保暦): 明治5年12月2日 was followed by
 * 明治6年1月1日 = 1873-01-01. A Gregorian date before that has no era date that is simply "the same
 * month and day", so it is refused (RegistryError 'invalid', reason 'date.before-gregorian-era')
 * rather than printed wrongly. No person on the register was born before 1873.
 */
export const ERAS = [
  { name: '令和', romaji: 'Reiwa', start: '2019-05-01' },
  { name: '平成', romaji: 'Heisei', start: '1989-01-08' },
  { name: '昭和', romaji: 'Showa', start: '1926-12-25' },
  { name: '大正', romaji: 'Taisho', start: '1912-07-30' },
  { name: '明治', romaji: 'Meiji', start: '1868-01-25' },
] as const satisfies readonly { name: string; romaji: string; start: string }[];

export type EraName = (typeof ERAS)[number]['name'];

/** The first date this module formats: the Gregorian calendar's adoption (明治6年1月1日). */
export const FIRST_FORMATTABLE_DATE = '1873-01-01';

export type JapaneseEraDate = {
  readonly era: EraName;
  /** Year of the era; 1 is written 元年. */
  readonly year: number;
  readonly month: number;
  readonly day: number;
};

/** The era date of `d`. Throws for dates before 1873-01-01 (see the module comment). */
export function toJapaneseEra(d: CalendarDate): JapaneseEraDate {
  if (d < FIRST_FORMATTABLE_DATE) {
    throw new RegistryError(
      'invalid',
      `和暦に変換できません: ${d} は1873年1月1日（グレゴリオ暦採用）より前です (before the Gregorian calendar was adopted in Japan)`,
      'date.before-gregorian-era',
    );
  }
  const { year, month, day } = dateParts(d);
  // Eras are newest first, so the first one that has started is the one in force.
  const era = ERAS.find((e) => d >= e.start) ?? ERAS[ERAS.length - 1]!;
  const startYear = Number(era.start.slice(0, 4));
  return { era: era.name, year: year - startYear + 1, month, day };
}

const eraYearText = (e: JapaneseEraDate): string =>
  `${e.era}${e.year === 1 ? '元' : String(e.year)}年`;

/** '令和8年', '令和元年', '昭和64年' — the era year in force on `d`. */
export const formatJapaneseEraYear = (d: CalendarDate): string => eraYearText(toJapaneseEra(d));

/** '令和8年11月24日', '平成元年1月8日': no zero padding, the first year written 元年. */
export function formatJapaneseDate(d: CalendarDate): string {
  const e = toJapaneseEra(d);
  return `${eraYearText(e)}${e.month}月${e.day}日`;
}

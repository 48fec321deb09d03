import { fromEpochDay, isCalendarDate, toEpochDay } from '../dates/CalendarDate.ts';
import { holidayName, isHolidayYearSupported } from '../dates/holidays.ts';
import { SYSTEM_OPERATOR } from './access-log.ts';

/**
 * Access-log analysis (アクセスログの解析, R16; docs/AUDIT.md "Analysis (R16)"): documented rules
 * over a node's access log and, at a providing node, its provision refusals and disclosures. Pure:
 * a Tally counts what it is shown per rule, subject and window, and `findingsOf` turns the counts
 * over a rule's threshold into findings. A finding holds identifiers and counts only — never a
 * name, an address, a purpose text or a refusal message: the input shapes below do not carry them.
 */

/** One access-log record, as the rules see it (src/audit adapts AccessRecord). */
export type ActInput = {
  readonly seq: number;
  /** ISO 8601 UTC. */
  readonly at: string;
  readonly operator: string;
  readonly operation: string;
  /** An identifier (a resident code, a recipient id, a peer) or empty. */
  readonly target: string;
  readonly result: 'ok' | 'refused' | 'failed';
};

/** One provision refusal (adapted from RefusalRecord, without its message). */
export type RefusalInput = {
  readonly id: number;
  readonly at: string;
  readonly recipientId: string;
  readonly reason: string;
};

/** One disclosure (adapted from Disclosure, without the recipient's name). */
export type DisclosureInput = {
  readonly id: number;
  readonly at: string;
  readonly recipientId: string;
  readonly searcher?: string | undefined;
  readonly residentCode: string;
};

export type RuleId =
  | 'volume.operator'
  | 'off-hours'
  | 'repeat.same-person'
  | 'refused.burst'
  | 'suspended.recipient'
  | 'agency.searcher-volume';

export type RuleWindow = 'hour' | 'day';

export type AnalysisRule = {
  readonly id: RuleId;
  /** Japanese name. */
  readonly ja: string;
  readonly en: string;
  /** What it counts, and per what. */
  readonly looksAt: string;
  readonly window: RuleWindow;
  /** A finding when the count in one window is MORE than this. */
  readonly threshold: number;
  readonly why: string;
};

/** The refusal reason of a query on behalf of a suspended recipient (domain/provision/authorize.ts). */
export const SUSPENDED_REASON = 'provision.recipient-suspended';

/** Office hours, JST (UTC+9 all year), Monday to Friday: [fromHour, toHour). */
export type OfficeHours = { readonly fromHour: number; readonly toHour: number };

/** The default office hours in Japan: 08:00–20:00, Monday to Friday (a node may set its own). */
export const OFFICE_HOURS: OfficeHours = { fromHour: 8, toHour: 20 };

/** THE rules table: docs/AUDIT.md lists it (a test keeps them equal). */
export const ANALYSIS_RULES: readonly AnalysisRule[] = [
  {
    id: 'volume.operator',
    ja: '操作者の操作量',
    en: 'unusual volume per operator',
    looksAt: 'access log: acts of one operator per hour (not `system`)',
    window: 'hour',
    threshold: 200,
    why: 'no counter or audit duty needs hundreds of acts an hour: a script or a shared card',
  },
  {
    id: 'off-hours',
    ja: '時間外の操作',
    en: 'off-hours use',
    looksAt:
      'access log: acts of one operator per JST day outside 08:00–20:00 JST, on Saturday/Sunday or on a public holiday (国民の祝日・休日)',
    window: 'day',
    threshold: 0,
    why: 'work outside office hours is rare and worth a look',
  },
  {
    id: 'repeat.same-person',
    ja: '同一人の繰り返し照会',
    en: 'repeated look-ups of the same person',
    looksAt:
      'access log: acts of one operator on one resident code (11 digits) per JST day; disclosures: one recipient and one resident code per JST day',
    window: 'day',
    threshold: 10,
    why: 'curiosity about one person (a neighbour, a celebrity) rather than an affair',
  },
  {
    id: 'refused.burst',
    ja: '拒否の連続',
    en: 'burst of refused acts',
    looksAt: 'access log: refused acts of one operator per hour',
    window: 'hour',
    threshold: 10,
    why: 'an operator probing what its card may do',
  },
  {
    id: 'suspended.recipient',
    ja: '停止中の提供先による照会',
    en: 'searches on behalf of a suspended recipient',
    looksAt: `provision refusals with reason ${SUSPENDED_REASON}, per recipient per JST day`,
    window: 'day',
    threshold: 2,
    why: 'someone keeps searching for a recipient whose provision was stopped (R5)',
  },
  {
    id: 'agency.searcher-volume',
    ja: '検索者ごとの提供量',
    en: 'disclosures per agency searcher',
    looksAt: 'disclosures per recipient and searcher per hour',
    window: 'hour',
    threshold: 300,
    why: 'one person at an agency drawing far more than its affairs need',
  },
];

export type Thresholds = Readonly<Record<RuleId, number>>;

export const DEFAULT_THRESHOLDS: Thresholds = Object.fromEntries(
  ANALYSIS_RULES.map((r) => [r.id, r.threshold]),
) as Thresholds;

export const RULE_IDS: readonly RuleId[] = ANALYSIS_RULES.map((r) => r.id);
export const isRuleId = (s: string): s is RuleId => (RULE_IDS as readonly string[]).includes(s);

export type SubjectKind = 'operator' | 'recipient' | 'searcher';

export type Finding = {
  readonly rule: RuleId;
  readonly subjectKind: SubjectKind;
  /** An operator id, a recipient id, or `recipient/searcher`. */
  readonly subject: string;
  /** repeat.same-person: the resident code looked up. */
  readonly target?: string | undefined;
  /** The window: [from, to) in ISO 8601 UTC. */
  readonly from: string;
  readonly to: string;
  readonly count: number;
  readonly threshold: number;
  /**
   * `rule key=value …`: identifiers and counts only, and for `off-hours` on a public holiday
   * `holiday=` and the holiday's name (元日, 振替休日, …).
   */
  readonly detail: string;
};

/** The identity of a finding: the same rule, subject and window is one finding, however often seen. */
export const findingKey = (f: Finding): string =>
  [f.rule, f.subjectKind, f.subject, f.target ?? '', f.from].join('|');

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const JST = 9 * HOUR;
const IDENT = /^[\x21-\x2e\x30-\x7e]{1,64}$/;
const RESIDENT_CODE = /^\d{11}$/;

/**
 * An identifier as it may appear in a finding: printable ASCII without spaces or `/`, at most 64
 * characters; anything else (a searcher written as a name) becomes `#` and a 32-bit FNV-1a hash,
 * so that it is still counted apart but never shown.
 */
export function safeIdentifier(s: string): string {
  if (IDENT.test(s) && !s.startsWith('#')) return s;
  let h = 0x811c9dc5;
  for (const ch of s) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `#${h.toString(16).padStart(8, '0')}`;
}

const ISO_INSTANT = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3})\d*)?Z$/;

/** Milliseconds since 1970 of an ISO 8601 UTC instant (no clock: pure arithmetic); NaN if malformed. */
export function instantMs(at: string): number {
  const m = ISO_INSTANT.exec(at);
  if (m === null || !isCalendarDate(m[1]!)) return NaN;
  const [h, min, sec] = [Number(m[2]), Number(m[3]), Number(m[4])];
  if (h > 23 || min > 59 || sec > 59) return NaN;
  const ms = Number((m[5] ?? '0').padEnd(3, '0'));
  return toEpochDay(m[1]) * DAY + h * HOUR + min * 60_000 + sec * 1000 + ms;
}

/** The inverse of instantMs: `YYYY-MM-DDTHH:MM:SS.sssZ`. */
export function isoInstant(ms: number): string {
  const day = Math.floor(ms / DAY);
  let rest = ms - day * DAY;
  const two = (n: number): string => String(n).padStart(2, '0');
  const h = Math.floor(rest / HOUR);
  rest -= h * HOUR;
  const min = Math.floor(rest / 60_000);
  rest -= min * 60_000;
  const sec = Math.floor(rest / 1000);
  const milli = rest - sec * 1000;
  return `${fromEpochDay(day)}T${two(h)}:${two(min)}:${two(sec)}.${String(milli).padStart(3, '0')}Z`;
}

/** The start of the window holding `at` (hours are aligned in UTC and JST alike; days in JST). */
export function windowStart(at: string, window: RuleWindow): number {
  const ms = instantMs(at);
  return window === 'hour'
    ? Math.floor(ms / HOUR) * HOUR
    : Math.floor((ms + JST) / DAY) * DAY - JST;
}

const windowLength = (w: RuleWindow): number => (w === 'hour' ? HOUR : DAY);

/**
 * The public holiday (国民の祝日, 振替休日, 国民の休日; src/domain/dates/holidays.ts) on the JST
 * date of `at`, or undefined: on any other day, for a malformed instant, and in a year the
 * holiday rules are not known for (outside 2000–2099: there the weekday rule alone applies).
 */
export function holidayAt(at: string): string | undefined {
  const ms = instantMs(at);
  if (!Number.isFinite(ms)) return undefined;
  const date = fromEpochDay(Math.floor((ms + JST) / DAY));
  return isHolidayYearSupported(Number(date.slice(0, 4))) ? holidayName(date) : undefined;
}

/**
 * Outside the office hours (default 08:00–20:00 JST), on a Saturday or Sunday in Japan, or (when
 * `holidays`, the default) on a Japanese public holiday at any hour.
 */
export function isOffHours(
  at: string,
  hours: OfficeHours = OFFICE_HOURS,
  holidays = true,
): boolean {
  const jst = instantMs(at) + JST;
  const epochDay = Math.floor(jst / DAY);
  const hour = Math.floor((jst - epochDay * DAY) / HOUR);
  const weekday = (((epochDay + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
  if (weekday === 0 || weekday === 6 || hour < hours.fromHour || hour >= hours.toHour) return true;
  return holidays && holidayAt(at) !== undefined;
}

type Cell = {
  readonly rule: RuleId;
  readonly subjectKind: SubjectKind;
  readonly subject: string;
  readonly target: string | undefined;
  readonly from: number;
  count: number;
};

const RULE_WINDOW = new Map(ANALYSIS_RULES.map((r) => [r.id, r.window]));

/**
 * Counts per rule, subject and window. Memory grows with the distinct keys (operators × hours,
 * look-ups of distinct persons in a day), never with the records themselves; `takeClosed` hands
 * over and forgets the windows that ended, so a stream in time order keeps about a day of keys.
 */
export class Tally {
  readonly #cells = new Map<string, Cell>();

  /**
   * `officeHours`, `holidays`: of rule `off-hours` (the node's config `analysis.officeHours` and
   * `analysis.holidays`: whether a public holiday is off-hours all day).
   */
  constructor(
    readonly officeHours: OfficeHours = OFFICE_HOURS,
    readonly holidays = true,
  ) {}

  #count(
    rule: RuleId,
    subjectKind: SubjectKind,
    subject: string,
    at: string,
    target?: string,
  ): void {
    const from = windowStart(at, RULE_WINDOW.get(rule)!);
    if (!Number.isFinite(from)) return;
    const key = `${rule}|${subjectKind}|${subject}|${target ?? ''}|${from}`;
    const cell = this.#cells.get(key);
    if (cell) cell.count++;
    else this.#cells.set(key, { rule, subjectKind, subject, target, from, count: 1 });
  }

  addAct(a: ActInput): void {
    if (a.operator === SYSTEM_OPERATOR) return;
    const op = safeIdentifier(a.operator);
    this.#count('volume.operator', 'operator', op, a.at);
    if (isOffHours(a.at, this.officeHours, this.holidays))
      this.#count('off-hours', 'operator', op, a.at);
    if (a.result === 'refused') this.#count('refused.burst', 'operator', op, a.at);
    if (RESIDENT_CODE.test(a.target))
      this.#count('repeat.same-person', 'operator', op, a.at, a.target);
  }

  addRefusal(r: RefusalInput): void {
    if (r.reason === SUSPENDED_REASON)
      this.#count('suspended.recipient', 'recipient', safeIdentifier(r.recipientId), r.at);
  }

  addDisclosure(d: DisclosureInput): void {
    const recipient = safeIdentifier(d.recipientId);
    if (RESIDENT_CODE.test(d.residentCode))
      this.#count('repeat.same-person', 'recipient', recipient, d.at, d.residentCode);
    if (d.searcher !== undefined && d.searcher !== '')
      this.#count(
        'agency.searcher-volume',
        'searcher',
        `${recipient}/${safeIdentifier(d.searcher)}`,
        d.at,
      );
  }

  /** How many windows are held. */
  get size(): number {
    return this.#cells.size;
  }

  /**
   * The findings of the windows that ended at or before `before` (all when undefined), and forgets
   * those windows (over the threshold or not).
   */
  takeClosed(thresholds: Thresholds, before?: number): Finding[] {
    const out: Finding[] = [];
    for (const [key, c] of this.#cells) {
      const to = c.from + windowLength(RULE_WINDOW.get(c.rule)!);
      if (before !== undefined && to > before) continue;
      this.#cells.delete(key);
      const threshold = thresholds[c.rule];
      if (c.count > threshold) out.push(toFinding(c, to, threshold, this.holidays));
    }
    return out.sort(byWindowThenKey);
  }
}

function toFinding(c: Cell, to: number, threshold: number, holidays: boolean): Finding {
  const from = isoInstant(c.from);
  const until = isoInstant(to);
  // An off-hours window is one JST day: name its holiday, if it is one.
  const holiday = c.rule === 'off-hours' && holidays ? holidayAt(from) : undefined;
  const detail = [
    c.rule,
    `${c.subjectKind}=${c.subject}`,
    ...(c.target === undefined ? [] : [`target=${c.target}`]),
    `count=${c.count}`,
    `threshold=${threshold}`,
    `window=${from}/${until}`,
    ...(holiday === undefined ? [] : [`holiday=${holiday}`]),
  ].join(' ');
  return {
    rule: c.rule,
    subjectKind: c.subjectKind,
    subject: c.subject,
    ...(c.target === undefined ? {} : { target: c.target }),
    from,
    to: until,
    count: c.count,
    threshold,
    detail,
  };
}

const byWindowThenKey = (a: Finding, b: Finding): number =>
  a.from < b.from ? -1 : a.from > b.from ? 1 : findingKey(a) < findingKey(b) ? -1 : 1;

export type AnalysisInput = {
  readonly acts?: readonly ActInput[];
  readonly refusals?: readonly RefusalInput[];
  readonly disclosures?: readonly DisclosureInput[];
};

/** Every rule over one window of records at once: the findings, oldest window first. */
export function analyseRecords(
  input: AnalysisInput,
  thresholds: Thresholds = DEFAULT_THRESHOLDS,
): Finding[] {
  const tally = new Tally();
  for (const a of input.acts ?? []) tally.addAct(a);
  for (const r of input.refusals ?? []) tally.addRefusal(r);
  for (const d of input.disclosures ?? []) tally.addDisclosure(d);
  return tally.takeClosed(thresholds);
}

/** Thresholds from the defaults and `rule=N` overrides; RangeError for an unknown rule or a bad N. */
export function thresholdsFrom(overrides: Readonly<Record<string, number>>): Thresholds {
  const out: Record<string, number> = { ...DEFAULT_THRESHOLDS };
  for (const [rule, n] of Object.entries(overrides)) {
    if (!isRuleId(rule)) throw new RangeError(`unknown analysis rule ${JSON.stringify(rule)}`);
    if (!Number.isSafeInteger(n) || n < 0)
      throw new RangeError(`threshold of ${rule} must be a non-negative integer`);
    out[rule] = n;
  }
  return out as Thresholds;
}

/** The rules table as Markdown (docs/AUDIT.md pastes it; a test keeps them equal). */
export function rulesMarkdown(): string {
  const rows = ANALYSIS_RULES.map(
    (r) =>
      `| \`${r.id}\` | ${r.ja} / ${r.en} | ${r.looksAt} | more than ${r.threshold} per ${r.window} | ${r.why} |`,
  );
  return [
    '| rule | name | looks at | finding when | why |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

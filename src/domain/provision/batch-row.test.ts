import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildRecord, individualNumberOf, residentCodeOf } from '../change/change-builders.ts';
import { LocalGovernmentTable } from '../local-government/local-government-table.ts';
import { providedIdentityOf } from './answer.ts';
import { batchRowOutcome, planBatchRow, type BatchContext } from './batch-row.ts';
import { MAX_PROVIDED_MATCHES, type SearchPlan } from './search-rules.ts';

const table = LocalGovernmentTable.fromCsv(
  readFileSync(new URL('../../../data/local-government-codes.csv', import.meta.url), 'utf8'),
);
const batch: BatchContext = { affairId: '別表第一:七十七', channel: 'batch', table };
const media: BatchContext = { ...batch, channel: 'media' };
const formOrReason = (p: ReturnType<typeof planBatchRow>) => ('ok' in p ? p.reason : p.form);

describe('R14: batch rows (一括提供)', () => {
  it.each<[string, Record<string, string>, string]>([
    [
      'a resident code',
      { ref: 'A-1', resident_code: residentCodeOf('2472705960') },
      'resident-code',
    ],
    [
      'an individual number',
      { individual_number: individualNumberOf('12345678901') },
      'individual-number',
    ],
    [
      'name + address',
      { name: '住基 花子', address: '東京都千代田区千代田1番1号' },
      'name+address',
    ],
    ['name + date of birth', { name: '住基 花子', birth_date: '1990-04-01' }, 'name+birth-date'],
    [
      'first character + date of birth',
      { name: '住', name_match: 'prefix', birth_date: '1990-04-01', sex: '女' },
      'name-prefix+birth-date',
    ],
    [
      'empty cells are absent conditions',
      { name: '住基 花子', address: '', birth_date: '1990-04-01' },
      'name+birth-date',
    ],
  ])('R14: %s → %s', (_, row, expected) => {
    expect(formOrReason(planBatchRow(row, batch))).toBe(expected);
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'a column the format does not have',
      { name: '住基 花子', birthday: '1990-04-01' },
      'batch.unknown-column',
    ],
    ['a row with no condition', { ref: 'A-9', name: '', address: '' }, 'batch.empty-row'],
    ['a name alone (below the minimum, R13)', { name: '住基 花子' }, 'search.below-minimum'],
    ['a malformed resident code', { resident_code: '123' }, 'search.resident-code'],
    ['a malformed date', { name: '住基 花子', birth_date: '1990/04/01' }, 'search.birth-date'],
    [
      'a sex neither 男/女 nor male/female',
      { name: '住基 花子', birth_date: '1990-04-01', sex: 'F' },
      'search.sex',
    ],
    [
      'include_removed not true/false',
      { resident_code: residentCodeOf('1'), include_removed: 'yes' },
      'search.malformed',
    ],
  ])('R14: refuses a row with %s (%s)', (_, row, reason) => {
    const p = planBatchRow(row, batch);
    expect(p).toMatchObject({ ok: false, reason });
    expect((p as { message: string }).message).toMatch(/\(.+\)/); // Japanese, then the English gloss
  });

  it('R14: a row stands for one person: one is found, none is not-found, two or more is refused and nothing provided', () => {
    const plan = planBatchRow(
      { name: '住', name_match: 'prefix', birth_date: '1990-04-01' },
      batch,
    ) as SearchPlan;
    const people = (n: number) =>
      Array.from({ length: n }, (_, i) =>
        buildRecord({ residentCode: residentCodeOf(String(i + 1)) }),
      );
    expect(batchRowOutcome(plan, [])).toEqual({ status: 'not-found' });
    expect(batchRowOutcome(plan, people(1))).toMatchObject({ status: 'found' });
    // The server appends one person's 本人確認情報 to the row: two candidates are not one person.
    expect(batchRowOutcome(plan, people(2))).toMatchObject({
      status: 'refused',
      refusal: { reason: 'batch.ambiguous', code: 'conflict' },
    });
    expect(batchRowOutcome(plan, people(MAX_PROVIDED_MATCHES + 1))).toMatchObject({
      status: 'refused',
      refusal: { reason: 'search.too-many-matches', code: 'too-many-matches' },
    });
  });
});

describe('R22: media rows', () => {
  const four = {
    name: '住基 花子',
    address: '東京都千代田区千代田1番1号',
    birth_date: '1990-04-01',
    sex: 'female',
  };

  it('R22: matched by individual number or by the exact four items; a resident code or a prefix is refused', () => {
    expect(formOrReason(planBatchRow(four, media))).toBe('four-items');
    expect(formOrReason(planBatchRow({ individual_number: individualNumberOf('1') }, media))).toBe(
      'individual-number',
    );
    expect(formOrReason(planBatchRow({ resident_code: residentCodeOf('1') }, media))).toBe(
      'search.below-minimum',
    );
    expect(formOrReason(planBatchRow({ ...four, name: '住', name_match: 'prefix' }, media))).toBe(
      'search.below-minimum',
    );
  });

  it('R22: two exact matches do not identify one person: batch.ambiguous, nothing provided', () => {
    const plan = planBatchRow(four, media) as SearchPlan;
    const twin = buildRecord({ residentCode: residentCodeOf('77') });
    expect(batchRowOutcome(plan, [buildRecord()])).toMatchObject({ status: 'found' });
    expect(batchRowOutcome(plan, [buildRecord(), twin])).toMatchObject({
      status: 'refused',
      refusal: { reason: 'batch.ambiguous' },
    });
  });
});

describe('R7: the answer', () => {
  it('holds the four items and the change information, the chosen identifier, and never the individual number', () => {
    const record = buildRecord();
    const answer = providedIdentityOf(record, { kind: 'pseudonym', value: 'ABC' });
    expect(answer).toEqual({
      identifier: { kind: 'pseudonym', value: 'ABC' },
      name: record.name,
      sex: record.sex,
      birthDate: record.birthDate,
      address: record.address,
      localGovernmentCode: record.localGovernmentCode,
      status: 'resident',
      lastChange: record.lastChange,
    });
    expect(JSON.stringify(answer)).not.toContain(record.individualNumber!);
    expect(JSON.stringify(answer)).not.toContain(record.residentCode);
  });
});

import { describe, expect, it } from 'vitest';
import { buildIdentity, date, individualNumberOf, residentCodeOf } from './change-builders.ts';
import type { ChangeReason } from './ChangeReason.ts';
import { CHANGE_REASON_LIST } from './ChangeReason.ts';
import { allowedAfterRemoval, changedItems } from './transitions.ts';

describe('transitions', () => {
  it('R19: what a removed record accepts, by the reason of its last change', () => {
    const allowed = (last: ChangeReason) =>
      CHANGE_REASON_LIST.filter((r) => allowedAfterRemoval(last, r));
    expect(allowed('move-out')).toEqual([
      'move-in',
      'entry-by-authority',
      'correction-by-authority',
    ]);
    expect(allowed('deletion-by-authority')).toEqual([
      'move-in',
      'entry-by-authority',
      'correction-by-authority',
    ]);
    expect(allowed('death')).toEqual(['entry-by-authority', 'correction-by-authority']);
  });

  it('R19: changedItems names every item that differs, except the ones allowed to', () => {
    const a = buildIdentity();
    expect(changedItems(a, { ...a }, [])).toEqual([]);
    const b = {
      ...a,
      residentCode: residentCodeOf('1'),
      individualNumber: individualNumberOf('2'),
      name: { ...a.name, kana: 'ジュウキ' },
      sex: 'male' as const,
      birthDate: date('1990-04-02'),
      address: '別',
      localGovernmentCode: '011011',
    };
    expect(changedItems(a, b, [])).toEqual([
      'residentCode',
      'individualNumber',
      'name',
      'sex',
      'birthDate',
      'address',
      'localGovernmentCode',
    ]);
    expect(changedItems(a, b, ['address', 'residentCode'])).toHaveLength(5);
    // an absent individual number is the same whether undefined or missing
    const { individualNumber: _, ...noNumber } = a;
    expect(changedItems({ ...noNumber, individualNumber: undefined }, noNumber, [])).toEqual([]);
  });
});

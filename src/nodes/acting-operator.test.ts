import { describe, expect, it } from 'vitest';
import { RegistryError } from '../domain/errors.ts';
import { actingOperator } from './acting-operator.ts';

describe('who acted, for a record that names a person (R17, R22, R23)', () => {
  it('with an authenticated operator: that operator, whether the body is silent or names them', () => {
    expect(actingOperator({}, 'searcher', { operator: 'prov-1' })).toBe('prov-1');
    expect(actingOperator({ searcher: '' }, 'searcher', { operator: 'prov-1' })).toBe('prov-1');
    expect(actingOperator({ searcher: 'prov-1' }, 'searcher', { operator: 'prov-1' })).toBe(
      'prov-1',
    );
  });

  it('refuses a body that names somebody else: no operator writes another’s name into a record', () => {
    for (const other of ['prov-2', 'PROV-1', 'prov-1 ', 7, ['prov-1']]) {
      let error: unknown;
      try {
        actingOperator({ operator: other }, 'operator', { operator: 'prov-1' });
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(other)).toBeInstanceOf(RegistryError);
      expect(error).toMatchObject({ code: 'forbidden', reason: 'terminal.not-the-operator' });
    }
  });

  it('on the console (no operator): what the body says, or nothing', () => {
    expect(actingOperator({ searcher: '住民課 一郎' }, 'searcher', undefined)).toBe('住民課 一郎');
    expect(actingOperator({ searcher: '住民課 一郎' }, 'searcher', {})).toBe('住民課 一郎');
    expect(actingOperator({}, 'searcher', undefined)).toBeUndefined();
    expect(actingOperator({ searcher: 42 }, 'searcher', undefined)).toBeUndefined();
  });
});

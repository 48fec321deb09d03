import { describe, expect, it } from 'vitest';
import {
  addressProblem,
  dateProblem,
  individualNumberProblem,
  localGovernmentCodeFieldProblem,
  nameKanaFieldProblem,
  nameKanjiFieldProblem,
  residentCodeProblem,
  sexProblem,
} from './identity-fields.ts';

const reason = (p: { reason: string } | undefined) => p?.reason ?? 'ok';

describe('identity field checks (shared by the edge parser and R19)', () => {
  it('R7: resident code: well-formed and check digit told apart', () => {
    expect(reason(residentCodeProblem('24727059608'))).toBe('ok');
    expect(reason(residentCodeProblem('24727059607'))).toBe('resident-code.check-digit');
    expect(reason(residentCodeProblem('2472705960'))).toBe('resident-code.malformed');
    expect(reason(residentCodeProblem(24727059608))).toBe('resident-code.malformed');
  });

  it('individual number: absent (undefined, null) is fine', () => {
    expect(reason(individualNumberProblem(undefined))).toBe('ok');
    expect(reason(individualNumberProblem(null))).toBe('ok');
    expect(reason(individualNumberProblem('123456789018'))).toBe('ok');
    expect(reason(individualNumberProblem('123456789010'))).toBe('individual-number.check-digit');
    expect(reason(individualNumberProblem(''))).toBe('individual-number.malformed');
  });

  it('dates, sex, address and local-government code', () => {
    expect(reason(dateProblem('2024-02-29'))).toBe('ok');
    expect(reason(dateProblem('2023-02-29'))).toBe('date.malformed');
    expect(reason(dateProblem(20240229))).toBe('date.malformed');
    expect(reason(sexProblem('female'))).toBe('ok');
    expect(reason(sexProblem('F'))).toBe('sex.invalid');
    expect(reason(addressProblem('東京都千代田区千代田1'))).toBe('ok');
    expect(reason(addressProblem('\u3000'))).toBe('address.empty');
    expect(reason(localGovernmentCodeFieldProblem('131016'))).toBe('ok');
    expect(reason(localGovernmentCodeFieldProblem('131017'))).toBe(
      'local-government-code.check-digit',
    );
  });

  it('name parts: a missing name object, an empty name, a non-kana reading', () => {
    expect(reason(nameKanjiFieldProblem({ kanji: '山田', kana: 'ヤマダ' }))).toBe('ok');
    expect(reason(nameKanjiFieldProblem(undefined))).toBe('name.empty');
    expect(reason(nameKanjiFieldProblem({ kanji: '', kana: 'ヤマダ' }))).toBe('name.empty');
    expect(reason(nameKanaFieldProblem({ kanji: '山田', kana: 'やまだ' }))).toBe('ok');
    expect(reason(nameKanaFieldProblem({ kanji: '山田', kana: 'YAMADA' }))).toBe(
      'name.kana-invalid',
    );
  });
});

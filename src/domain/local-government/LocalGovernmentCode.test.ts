import { describe, expect, it } from 'vitest';
import type { PrefectureCode } from './LocalGovernmentCode.ts';
import {
  isLocalGovernmentCode,
  localGovernmentCodeProblem,
  parseLocalGovernmentCode,
  prefectureCodeOf,
  prefectureLocalGovernmentCode,
} from './LocalGovernmentCode.ts';

describe('LocalGovernmentCode', () => {
  it('parses 6-digit codes with their check digit and completes 5-digit JIS codes', () => {
    expect(parseLocalGovernmentCode('131016')).toBe('131016');
    expect(parseLocalGovernmentCode('13101')).toBe('131016');
    expect(parseLocalGovernmentCode('01101')).toBe('011011');
    expect(prefectureCodeOf(parseLocalGovernmentCode('011011'))).toBe('01');
  });

  it('refuses a wrong check digit, a wrong length, non-digits and a prefecture outside 01–47', () => {
    const reason = (s: string) => {
      try {
        parseLocalGovernmentCode(s);
        return 'accepted';
      } catch (e) {
        return (e as { reason?: string }).reason;
      }
    };
    expect(reason('131017')).toBe('local-government-code.check-digit');
    expect(reason('1310')).toBe('local-government-code.malformed');
    expect(reason('１３１０１６')).toBe('local-government-code.malformed');
    expect(reason('48000')).toBe('local-government-code.unknown-prefecture');
    expect(reason('00000')).toBe('local-government-code.unknown-prefecture');
    expect(localGovernmentCodeProblem(131016)).toBe('local-government-code.malformed');
    expect(isLocalGovernmentCode('131016')).toBe(true);
  });

  it('the prefecture row code is prefecture + 000 + check digit', () => {
    expect(prefectureLocalGovernmentCode('13' as PrefectureCode)).toBe('130001');
    expect(prefectureLocalGovernmentCode('01' as PrefectureCode)).toBe('010006');
  });
});

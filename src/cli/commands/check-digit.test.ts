import { describe, expect, it } from 'vitest';
import { main } from '../main.ts';
import { captureIO } from '../test-io.ts';

const run = async (...argv: string[]) => {
  const io = captureIO();
  const code = await main(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
};

describe('juki check-digit', () => {
  it('R7: accepts a valid resident code with exit 0', async () => {
    const r = await run('check-digit', 'resident-code', '24727059608');
    expect(r.code).toBe(0);
    expect(r.out).toContain('valid: 24727059608');
  });

  it('R7: refuses a resident code with a wrong check digit with exit 1 and says which digit was expected', async () => {
    const r = await run('check-digit', 'resident-code', '24727059601');
    expect(r.code).toBe(1);
    expect(r.out).toContain('wrong check digit (expected 8)');
  });

  it('R7: refuses a resident code of the wrong length with exit 1', async () => {
    const r = await run('check-digit', 'resident-code', '2472705960');
    expect(r.code).toBe(1);
    expect(r.out).toContain('must be 11 digits');
  });

  it('completes an individual number and a local-government code', async () => {
    expect(
      (await run('check-digit', 'individual-number', '--complete', '12345678901')).out.trim(),
    ).toBe('123456789018');
    expect(
      (await run('check-digit', 'local-government-code', '--complete', '13101')).out.trim(),
    ).toBe('131016');
    expect(
      (await run('check-digit', 'local-government-code', '--complete', '01101')).out.trim(),
    ).toBe('011011');
  });

  it('prints JSON for programs', async () => {
    const r = await run('check-digit', 'local-government-code', '131015', '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toEqual({
      scheme: 'local-government-code',
      number: '131015',
      valid: false,
      reason: 'wrong check digit (expected 6)',
    });
  });

  it('refuses bad usage with exit 2 and the command help: unknown kind, missing number, unknown flag, bad --complete input', async () => {
    for (const argv of [
      ['check-digit', 'postal-code', '1000001'],
      ['check-digit', 'resident-code'],
      ['check-digit', 'resident-code', '24727059608', '--frobnicate'],
      ['check-digit', 'resident-code', '--complete', '123'],
    ]) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.err).toContain('juki check-digit');
    }
  });

  it('answers an unknown command with exit 2 and the usage', async () => {
    const r = await run('frobnicate');
    expect(r.code).toBe(2);
    expect(r.err).toContain('unknown command');
  });
});

import { describe, expect, it } from 'vitest';
import { RegistryError } from '../domain/errors.ts';
import { DEFAULT_THRESHOLDS, OFFICE_HOURS, RULE_IDS } from '../domain/audit/analysis.ts';
import { parseNodeConfig } from './node-config.ts';

/* The config's `webTerminal` (origin, rpId and tls consistent) and `analysis` sections. */

const cs = {
  node: { role: 'cs', code: '131016' },
  store: 'sqlite:../data/cs-131016.sqlite',
  tls: { bundle: '../pki/nodes/cs-131016' },
  upstream: { node: { role: 'prefecture', code: '13' }, host: '127.0.0.1', port: 47013 },
  register: 'sqlite:../data/register-131016.sqlite',
};
const prefecture = {
  node: { role: 'prefecture', code: '13' },
  store: 'sqlite:../data/prefecture-13.sqlite',
  tls: { bundle: '../pki/nodes/prefecture-13' },
  listen: { host: '127.0.0.1', port: 47013 },
  upstream: { node: { role: 'national', code: 'jlis' }, host: '127.0.0.1', port: 47000 },
  pseudonymSecret: '../secrets/prefecture-13',
};
const LAN = 'cs-131016.lan.example.lg.jp';
const web = (over: Record<string, unknown>) => ({
  ...cs,
  webTerminal: { host: '0.0.0.0', port: 8443, rpId: LAN, origin: `https://${LAN}:8443`, ...over },
});

const problems = (json: unknown): string => {
  try {
    parseNodeConfig(json, '/srv/juki/nodes');
  } catch (e) {
    expect(e).toBeInstanceOf(RegistryError);
    expect((e as RegistryError).reason).toBe('config.invalid');
    return (e as Error).message;
  }
  throw new Error('expected the config to be refused');
};

describe('node config: the web terminal over TLS', () => {
  it('takes tls { cert, key }, resolved against the config’s directory', () => {
    const c = parseNodeConfig(
      web({ tls: { cert: '../web/web.crt', key: '/etc/juki/web.key' } }),
      '/srv/juki/nodes',
    );
    expect(c.webTerminal).toEqual({
      host: '0.0.0.0',
      port: 8443,
      rpId: LAN,
      origin: `https://${LAN}:8443`,
      tls: { cert: '/srv/juki/web/web.crt', key: '/etc/juki/web.key' },
    });
  });

  it('keeps plain http for localhost (the tests, a terminal on the node’s own machine)', () => {
    const c = parseNodeConfig(
      web({ host: '127.0.0.1', rpId: 'localhost', origin: 'http://localhost:28100' }),
      '/x',
    );
    expect(c.webTerminal?.tls).toBeUndefined();
  });

  it('refuses an https origin without tls: this listener would speak http', () => {
    expect(problems(web({}))).toMatch(
      /webTerminal\.origin: .*an https origin needs webTerminal\.tls \{ cert, key \}/,
    );
  });

  it('refuses an http origin with tls', () => {
    expect(
      problems(web({ origin: `http://${LAN}:8443`, tls: { cert: 'c.pem', key: 'k.pem' } })),
    ).toMatch(/webTerminal\.origin: .*with webTerminal\.tls the origin must be https:\/\//);
  });

  it('refuses plain http for any rpId but localhost, saying to configure tls', () => {
    expect(problems(web({ origin: `http://${LAN}:8080` }))).toMatch(
      /WebAuthn over plain http works only for rpId localhost: configure webTerminal\.tls/,
    );
    expect(problems(web({ rpId: '127.0.0.1', origin: 'http://127.0.0.1:8080' }))).toMatch(
      /only for rpId localhost/,
    );
  });

  it('refuses an rpId that is not the origin’s host or a parent of it, and an origin with a path', () => {
    const tls = { cert: 'c.pem', key: 'k.pem' };
    expect(problems(web({ rpId: 'other.example.lg.jp', tls }))).toMatch(
      /rpId must be the origin's host name/,
    );
    expect(parseNodeConfig(web({ rpId: 'lan.example.lg.jp', tls }), '/x').webTerminal?.rpId).toBe(
      'lan.example.lg.jp',
    );
    expect(problems(web({ origin: `https://${LAN}:8443/login`, tls }))).toMatch(
      /origin must be scheme:\/\/host\[:port\] only/,
    );
  });

  it('refuses unknown keys in tls', () => {
    expect(problems(web({ tls: { cert: 'c', key: 'k', passphrase: 'x' } }))).toMatch(
      /webTerminal\.tls/,
    );
  });
});

describe('node config: analysis (R16)', () => {
  it('defaults to the documented thresholds and office hours', () => {
    const c = parseNodeConfig(prefecture, '/x');
    expect(c.analysis).toEqual({
      thresholds: DEFAULT_THRESHOLDS,
      officeHours: OFFICE_HOURS,
      holidays: true,
    });
  });

  it('analysis.holidays: false treats public holidays as working days; not a boolean is refused', () => {
    const c = parseNodeConfig({ ...prefecture, analysis: { holidays: false } }, '/x');
    expect(c.analysis?.holidays).toBe(false);
    expect(problems({ ...prefecture, analysis: { holidays: 'no' } })).toMatch(/analysis\.holidays/);
  });

  it('overrides the thresholds named, keeps the others', () => {
    const c = parseNodeConfig(
      {
        ...prefecture,
        analysis: {
          thresholds: { 'volume.operator': 500, 'off-hours': 3 },
          officeHours: { fromHour: 7, toHour: 22 },
        },
      },
      '/x',
    );
    expect(c.analysis?.thresholds).toEqual({
      ...DEFAULT_THRESHOLDS,
      'volume.operator': 500,
      'off-hours': 3,
    });
    expect(c.analysis?.officeHours).toEqual({ fromHour: 7, toHour: 22 });
  });

  it('refuses an unknown rule, listing the valid ones; a negative or fractional threshold; bad hours', () => {
    const message = problems({
      ...prefecture,
      analysis: {
        thresholds: { 'volume.operatr': 5, 'refused.burst': -1, 'off-hours': 1.5 },
        officeHours: { fromHour: 20, toHour: 8 },
      },
    });
    expect(message).toContain(
      `analysis.thresholds.volume.operatr: unknown analysis rule; the rules are ${RULE_IDS.join(', ')}`,
    );
    expect(message).toMatch(/analysis\.thresholds\.refused\.burst/);
    expect(message).toMatch(/analysis\.thresholds\.off-hours/);
    expect(message).toMatch(/analysis\.officeHours: fromHour must be before toHour/);
  });

  it('refuses `analysis` at a node that does not analyse', () => {
    expect(problems({ ...cs, analysis: {} })).toMatch(
      /analysis: only prefecture and national servers analyse/,
    );
  });
});

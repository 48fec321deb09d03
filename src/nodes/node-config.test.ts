import { describe, expect, it } from 'vitest';
import { RegistryError } from '../domain/errors.ts';
import { parseNodeConfig } from './node-config.ts';

const cs = {
  node: { role: 'cs', code: '131016' },
  store: 'sqlite:../data/cs-131016.sqlite',
  tls: { bundle: '../pki/nodes/cs-131016' },
  terminal: { host: '127.0.0.1', port: 48200 },
  upstream: { node: { role: 'prefecture', code: '13' }, host: '127.0.0.1', port: 47013 },
  register: 'sqlite:../data/register-131016.sqlite',
};

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

describe('node config', () => {
  it('resolves paths against the config’s directory and fills in defaults', () => {
    const c = parseNodeConfig(cs, '/srv/juki/nodes');
    expect(c.store).toBe('sqlite:/srv/juki/data/cs-131016.sqlite');
    expect(c.register).toBe('sqlite:/srv/juki/data/register-131016.sqlite');
    expect(c.bundleDir).toBe('/srv/juki/pki/nodes/cs-131016');
    expect(c.delivery.batchSize).toBeGreaterThan(0);
    expect(c.schedule.integrityMinutes).toBe(1440);
  });

  it('keeps a PostgreSQL URL as it is', () => {
    const c = parseNodeConfig({ ...cs, store: 'postgres://u@db/juki' }, '/x');
    expect(c.store).toBe('postgres://u@db/juki');
  });

  it('refuses a CS whose upstream is another prefecture’s server (it may only talk to its own)', () => {
    expect(
      problems({ ...cs, upstream: { ...cs.upstream, node: { role: 'prefecture', code: '14' } } }),
    ).toMatch(/upstream: a CS's upstream is its own prefecture server prefecture:13/);
  });

  it('lists every problem at once, with its path: unknown keys, a CS without register, a bad store URL, a bad port', () => {
    const message = problems({
      ...cs,
      register: undefined,
      store: 'mysql://nope',
      terminal: { host: '127.0.0.1', port: 70_000 },
      colour: 'blue',
    });
    expect(message).toMatch(/register: a CS is fed by its municipality’s register/);
    expect(message).toMatch(/store: .*unsupported store URL/);
    expect(message).toMatch(/terminal\.port/);
    expect(message).toMatch(/colour/);
  });

  it('refuses servers without a network-side listener and a national server with the wrong code', () => {
    const message = problems({
      pseudonymSecret: 'secret.hex',
      node: { role: 'national', code: 'tokyo' },
      store: 'sqlite:n.sqlite',
      tls: { bundle: 'b' },
    });
    expect(message).toMatch(/node: the national server's code is jlis/);
    expect(message).toMatch(/listen: a national server needs a network-side listener/);
  });
});

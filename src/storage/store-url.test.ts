import { describe, expect, it } from 'vitest';
import { RegistryError } from '../domain/errors.ts';
import { parseStoreUrl, redactUrl } from './store-url.ts';

describe('parseStoreUrl', () => {
  it('reads sqlite:PATH, sqlite::memory: and bare .sqlite/.db paths', () => {
    expect(parseStoreUrl('sqlite:/var/lib/juki/cs.sqlite')).toEqual({
      kind: 'sqlite',
      path: '/var/lib/juki/cs.sqlite',
    });
    expect(parseStoreUrl('sqlite:relative/cs.db')).toEqual({
      kind: 'sqlite',
      path: 'relative/cs.db',
    });
    expect(parseStoreUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
    expect(parseStoreUrl('./data/national.sqlite')).toEqual({
      kind: 'sqlite',
      path: './data/national.sqlite',
    });
    expect(parseStoreUrl('/tmp/x.db')).toEqual({ kind: 'sqlite', path: '/tmp/x.db' });
  });

  it('reads postgres:// and postgresql:// as a connection string', () => {
    const url = 'postgresql://juki:secret@db.example:5432/national';
    expect(parseStoreUrl(url)).toEqual({ kind: 'postgres', connectionString: url });
    expect(parseStoreUrl('postgres://db/x').kind).toBe('postgres');
  });

  it('refuses an unknown scheme or a bare path without a database suffix', () => {
    for (const url of [
      'mysql://root@db/x',
      'https://example.org/x.db',
      'data/national',
      'sqlite:',
    ]) {
      const e = (() => {
        try {
          parseStoreUrl(url);
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(e).toBeInstanceOf(RegistryError);
      expect((e as RegistryError).code).toBe('invalid');
    }
  });

  it('never echoes a password in the refusal', () => {
    try {
      parseStoreUrl('mysql://root:hunter2@db/x?password=hunter3');
      expect.unreachable();
    } catch (e) {
      expect(String((e as Error).message)).not.toMatch(/hunter/);
      expect((e as RegistryError).reason).toBe('store.unknown-scheme');
    }
  });
});

describe('redactUrl', () => {
  it('hides user:password@ and password= parameters, keeps the rest', () => {
    expect(redactUrl('postgres://juki:s3cr%40t@db:5432/n')).toBe('postgres://juki:***@db:5432/n');
    expect(redactUrl('postgres://db/n?user=juki&password=x&ssl=true')).toBe(
      'postgres://db/n?user=juki&password=***&ssl=true',
    );
    expect(redactUrl('postgres://juki@db/n')).toBe('postgres://juki@db/n');
    expect(redactUrl('sqlite:/tmp/a.sqlite')).toBe('sqlite:/tmp/a.sqlite');
  });
});

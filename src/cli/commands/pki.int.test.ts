import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { completeWithCheckDigit } from '../../domain/check-digit.ts';
import { readCrl } from '../../pki/build-crl.ts';
import { describeError, EXIT, UsageError } from '../cli-error.ts';
import { captureIO } from '../test-io.ts';
import { runPki } from './pki.ts';

let root: string;
let dir: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'juki-cli-pki-'));
  dir = join(root, 'pki');
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Runs `juki pki …` as main does: errors become an exit code and a message on stderr. */
async function juki(...args: string[]) {
  const io = captureIO();
  let code: number;
  try {
    code = await runPki([...args], io);
  } catch (e) {
    const parseError =
      e instanceof TypeError && String((e as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
    const { exitCode, message } = describeError(parseError ? new UsageError(e.message) : e);
    io.err(message);
    code = exitCode;
  }
  return { code, out: io.stdout(), err: io.stderr() };
}

const json = <T>(out: string): T => JSON.parse(out) as T;
const modeOf = async (path: string): Promise<number> => (await stat(path)).mode & 0o777;

type Issued = {
  serial: string;
  node: string;
  files: { key: string; certificate: string; dir: string };
};

describe('juki pki', () => {
  it('R9: init, issue, list: a CA and node bundles with private files', async () => {
    const init = await juki('init', '--dir', dir, '--name', 'test CA', '--json');
    expect(init.code).toBe(EXIT.ok);
    const ca = json<{ subject: string; key: string; crlNumber: number }>(init.out);
    expect(ca).toMatchObject({ subject: 'CN=test CA, O=jukinet', crlNumber: 1 });
    expect(await modeOf(dir)).toBe(0o700);
    expect(await modeOf(ca.key)).toBe(0o600);

    const issued = await juki('issue', '--dir', dir, '--role', 'cs', '--code', '131016', '--json');
    expect(issued.code).toBe(EXIT.ok);
    const cert = json<Issued>(issued.out);
    expect(cert.node).toBe('cs:131016');
    expect(await modeOf(cert.files.dir)).toBe(0o700);
    expect(await modeOf(cert.files.key)).toBe(0o600);
    // The key is on disk, never on stdout.
    const key = await readFile(cert.files.key, 'utf8');
    expect(issued.out).not.toContain('PRIVATE KEY');
    for (const line of key.split('\n').filter((l) => l && !l.startsWith('-----')))
      expect(issued.out).not.toContain(line);

    const renewal = json<Issued>(
      (await juki('issue', '--dir', dir, '--role', 'cs', '--code', '131016', '--json')).out,
    );
    await juki('issue', '--dir', dir, '--role', 'national', '--code', 'jlis');
    const listed = json<{ serial: string; node: string; status: string }[]>(
      (await juki('list', '--dir', dir, '--json')).out,
    );
    expect(listed.map((c) => [c.serial, c.node, c.status])).toEqual([
      [cert.serial, 'cs:131016', 'valid'],
      [renewal.serial, 'cs:131016', 'valid'],
      [expect.any(String), 'national:jlis', 'valid'],
    ]);
    const text = await juki('list', '--dir', dir, '--role', 'cs', '--code', '131016');
    expect(text.out.split('\n').filter(Boolean)).toHaveLength(3); // header + 2
    expect(text.out).not.toContain('national:jlis');
  });

  it('R11: revoke by serial and by node, then crl refreshes with a higher number', async () => {
    await juki('init', '--dir', dir);
    const a = json<Issued>(
      (await juki('issue', '--dir', dir, '--role', 'cs', '--code', '131016', '--json')).out,
    );
    const b = json<Issued>(
      (await juki('issue', '--dir', dir, '--role', 'agency', '--code', 'mhlw-pension', '--json'))
        .out,
    );

    const bySerial = await juki(
      'revoke',
      '--dir',
      dir,
      '--serial',
      a.serial,
      '--reason',
      'keyCompromise',
      '--json',
    );
    expect(bySerial.code).toBe(EXIT.ok);
    expect(
      json<{ crlNumber: number; revoked: { serial: string; reason: string }[] }>(bySerial.out),
    ).toMatchObject({
      crlNumber: 2,
      revoked: [{ serial: a.serial, reason: 'keyCompromise' }],
    });
    const byNode = await juki(
      'revoke',
      '--dir',
      dir,
      '--role',
      'agency',
      '--code',
      'mhlw-pension',
      '--reason',
      'privilegeWithdrawn',
    );
    expect(byNode.code).toBe(EXIT.ok);
    expect(byNode.out).toContain(`revoked ${b.serial} (agency:mhlw-pension, privilegeWithdrawn)`);

    const refreshed = await juki('crl', '--dir', dir, '--next-update-hours', '48', '--json');
    expect(json<{ crlNumber: number; revoked: number }>(refreshed.out)).toMatchObject({
      crlNumber: 4,
      revoked: 2,
    });
    const nodeCrl = readCrl(await readFile(join(a.files.dir, 'crl.pem'), 'utf8'));
    expect(nodeCrl.crlNumber).toBe(4);
    expect(nodeCrl.revoked.map((r) => r.serial)).toEqual([a.serial, b.serial]);
    const listed = (await juki('list', '--dir', dir)).out;
    expect(listed).toContain('revoked (keyCompromise)');
  });

  it('R9: an unknown role and a code with a bad check digit are refused with exit 1', async () => {
    await juki('init', '--dir', dir);
    const role = await juki('issue', '--dir', dir, '--role', 'terminal', '--code', 'x1');
    expect(role).toMatchObject({ code: EXIT.failed });
    expect(role.err).toContain('[node-identity.unknown-role]');
    const digit = await juki('issue', '--dir', dir, '--role', 'cs', '--code', '131017');
    expect(digit).toMatchObject({ code: EXIT.failed });
    expect(digit.err).toContain('[node-identity.check-digit]');
    // A well-formed code of no municipality, and a designated city itself (its wards run CS).
    const nowhere = completeWithCheckDigit('local-government-code', '47999');
    expect((await juki('issue', '--dir', dir, '--role', 'cs', '--code', nowhere)).err).toContain(
      '[node-identity.unknown-municipality]',
    );
    expect((await juki('issue', '--dir', dir, '--role', 'cs', '--code', '011002')).err).toContain(
      '[node-identity.not-a-registry-unit]',
    );
    expect(json<unknown[]>((await juki('list', '--dir', dir, '--json')).out)).toEqual([]);
  });

  it('R9: a validity over the limit is refused with exit 1 and nothing issued', async () => {
    await juki('init', '--dir', dir);
    const tooLong = await juki(
      'issue',
      '--dir',
      dir,
      '--role',
      'prefecture',
      '--code',
      '13',
      '--validity-days',
      '826',
    );
    expect(tooLong.code).toBe(EXIT.failed);
    expect(tooLong.err).toContain('[pki.validity.out-of-range]');
    const caTooLong = await juki('init', '--dir', join(root, 'other'), '--validity-years', '21');
    expect(caTooLong.err).toContain('[pki.validity.out-of-range]');
    expect(json<unknown[]>((await juki('list', '--dir', dir, '--json')).out)).toEqual([]);
  });

  it('R11: revoking an unknown serial is refused with exit 1', async () => {
    await juki('init', '--dir', dir);
    const unknown = await juki(
      'revoke',
      '--dir',
      dir,
      '--serial',
      '7fffffffffffffffffffffffffffffff',
    );
    expect(unknown.code).toBe(EXIT.failed);
    expect(unknown.err).toContain('[pki.revocation.unknown-serial]');
    const reason = await juki(
      'revoke',
      '--dir',
      dir,
      '--serial',
      '7f',
      '--reason',
      'certificateHold',
    );
    expect(reason.err).toContain('[pki.revocation.unknown-reason]');
  });

  it('R9: init twice without --force is refused and the existing CA is kept intact', async () => {
    const first = json<{ serial: string; key: string; certificate: string }>(
      (await juki('init', '--dir', dir, '--json')).out,
    );
    const before = [await readFile(first.certificate), await readFile(first.key)];
    const again = await juki('init', '--dir', dir);
    expect(again.code).toBe(EXIT.failed);
    expect(again.err).toContain('[pki.ca-exists]');
    expect([await readFile(first.certificate), await readFile(first.key)]).toEqual(before);
    const forced = json<{ serial: string }>(
      (await juki('init', '--dir', dir, '--force', '--json')).out,
    );
    expect(forced.serial).not.toBe(first.serial);
  });

  it('R9: a CA key others can read is refused, and the error shows no key bytes', async () => {
    const ca = json<{ key: string }>((await juki('init', '--dir', dir, '--json')).out);
    const key = await readFile(ca.key, 'utf8');
    await chmod(ca.key, 0o644);
    const refused = await juki('issue', '--dir', dir, '--role', 'prefecture', '--code', '13');
    expect(refused.code).toBe(EXIT.failed);
    expect(refused.err).toContain('[pki.insecure-permissions]');
    for (const line of key.split('\n').filter((l) => l && !l.startsWith('-----')))
      expect(refused.err + refused.out).not.toContain(line);
  });

  it('R9: bad usage exits 2: unknown subcommand, missing or conflicting flags, a flag of another subcommand', async () => {
    expect((await juki('sign')).code).toBe(EXIT.usage);
    expect((await juki('issue', '--dir', dir, '--role', 'cs')).code).toBe(EXIT.usage);
    expect((await juki('revoke', '--dir', dir)).code).toBe(EXIT.usage);
    expect(
      (await juki('revoke', '--dir', dir, '--serial', '7f', '--role', 'cs', '--code', '131016'))
        .code,
    ).toBe(EXIT.usage);
    expect((await juki('crl', '--dir', dir, '--force')).code).toBe(EXIT.usage);
    expect(
      (
        await juki(
          'issue',
          '--dir',
          dir,
          '--role',
          'cs',
          '--code',
          '131016',
          '--validity-days',
          'many',
        )
      ).code,
    ).toBe(EXIT.usage);
    // A directory without a CA is an operational failure, not a usage error.
    expect(await juki('list', '--dir', dir)).toMatchObject({ code: EXIT.failed });
  });
});

import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProvidedIdentity } from '../../domain/provision/answer.ts';
import type { RefusalRecord } from '../../domain/provision/disclosure.ts';
import type { MediaOutput } from '../../domain/provision/media-output.ts';
import type { IdentityRecord } from '../../domain/resident/IdentityInfo.ts';
import { jsonLogger } from '../../nodes/json-log.ts';
import { initNetwork } from '../../nodes/network-init.ts';
import { loadNodeConfig, type NodeConfig } from '../../nodes/node-config.ts';
import { startNode, type RunningNode } from '../../nodes/node-runtime.ts';
import { callTerminal } from '../../nodes/terminal-server.ts';
import { runningTerminalTarget } from '../../nodes/terminal-token.ts';
import { seedRepresentativeRegister } from '../../provision/representative-register.ts';
import { loadStatutoryAffairs } from '../../reference-data/statutory-affairs.ts';
import { individualNumber, loadedRecord, residentCode } from '../../storage/contract-fixtures.ts';
import { openIdentityStore, openProvisionStore } from '../../storage/open-store.ts';
import type { ProvisionStore } from '../../storage/ports.ts';
import { main } from '../main.ts';
import { reserveBasePort } from '../../nodes/port-range.ts';

/**
 * 媒体による提供 (R22) end to end at a real national server (the node runtime in this process,
 * its terminal side over loopback HTTP), driven by `juki provision media`, opened offline by
 * `juki provision media-open`, and checked in the node's records.
 */
const PENSION = '別表第一:七十七';
const PASSWORD = 'media-test-password-よんじゅうに';

const row = (p: IdentityRecord) => ({
  address: p.address,
  name: p.name.kanji,
  birth_date: p.birthDate,
  sex: p.sex === 'male' ? '男' : '女',
});

type Line = {
  line: number;
  ref: unknown;
  status: string;
  reason?: string;
  identity?: ProvidedIdentity;
};

describe('R22: media provision at the national server', () => {
  let dir: string;
  let national: RunningNode;
  let agency: RunningNode;
  let config: string;
  let store: ProvisionStore;
  const logged: string[] = [];
  const one = loadedRecord(1);
  const two = loadedRecord(2);
  // Found by the number although the other unit's file still has an address they moved from.
  const moved = loadedRecord(3);
  // Two people with the same address, name, date of birth and sex: a row cannot tell them apart.
  const twin = loadedRecord(4);
  const otherTwin = loadedRecord(19, {
    address: twin.address,
    name: twin.name,
    birthDate: twin.birthDate,
    sex: twin.sex,
  });

  async function run(...args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, {
      out: (t) => void out.push(t),
      err: (t) => void err.push(t),
      interactive: false,
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }
  const file = (name: string) => join(dir, name);
  const pki = (node: string, f: string) => join(dir, 'pki', 'nodes', node, f);
  const opened = async (path: string) =>
    (await readFile(path, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Line);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-media-'));
    const manifest = await initNetwork({
      prefectures: ['13'],
      municipalities: ['131016'],
      agencies: ['mhlw-pension'],
      dir,
      host: '127.0.0.1',
      basePort: reserveBasePort(),
    });
    config = manifest.nodes.find((n) => n.node === 'national:jlis')!.config;
    const nationalConfig: NodeConfig = await loadNodeConfig(config);
    const identities = await openIdentityStore(nationalConfig.store);
    const loaded = await identities.loadBatch(
      [one, two, twin, otherTwin, moved].map((record, i) => ({ line: i + 1, record })),
    );
    expect(loaded.refused).toEqual([]);
    await identities.close();
    store = await openProvisionStore(nationalConfig.store);
    await seedRepresentativeRegister(store, loadStatutoryAffairs(), '2026-01-01' as never);
    const log = jsonLogger({ write: (line) => void logged.push(line), minLevel: 'debug' });
    national = await startNode(nationalConfig, log);
    const agencyConfig = manifest.nodes.find((n) => n.node === 'agency:mhlw-pension')!.config;
    agency = await startNode(await loadNodeConfig(agencyConfig), log);

    await writeFile(file('password'), `${PASSWORD}\n`, { mode: 0o600 });
    const rows = [
      { ref: 'by-number', individual_number: individualNumber(1) },
      { ref: 'by-four-items', ...row(two) },
      { ref: 'name-and-birth-date', name: one.name.kanji, birth_date: one.birthDate },
      { ref: 'nobody', individual_number: individualNumber(99) },
      'not json',
      { ref: 'twins', ...row(twin) },
      { ref: 'bad-number', individual_number: '123456789012' },
      { ref: 'by-resident-code', resident_code: one.residentCode },
      {
        ref: 'by-number-stale-address',
        individual_number: moved.individualNumber,
        ...row(moved),
        address: '東京都千代田区千代田9番9号',
      },
    ];
    await writeFile(
      file('rows.jsonl'),
      rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n'),
    );
  }, 120_000);

  afterAll(async () => {
    await agency?.close();
    await national?.close();
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const media = (out: string, ...key: string[]) =>
    run(
      'provision',
      'media',
      '--config',
      config,
      '--recipient',
      'mhlw-pension',
      '--affair',
      PENSION,
      '--in',
      file('rows.jsonl'),
      '--out',
      file(out),
      '--operator',
      'jlis-operator-7',
      '--json',
      ...key,
    );

  it('R22, R17: rows by individual number and by the four items are found; others refused with their reasons; the output is recorded and each person disclosed on channel media', async () => {
    const result = await media('pension.jkm', '--password-file', file('password'));
    expect(result.code, result.err).toBe(0);
    const summary = JSON.parse(result.out) as MediaOutput;
    expect(summary).toMatchObject({
      operator: 'jlis-operator-7',
      node: 'national:jlis',
      recipientId: 'mhlw-pension',
      affairId: PENSION,
      fileName: 'pension.jkm',
      rowsIn: 9,
      rowsFound: 3,
      rowsNotFound: 1,
      rowsRefused: 5,
      keyKind: 'password',
    });

    const bytes = await readFile(file('pension.jkm'));
    expect(bytes.length).toBe(summary.byteSize);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(summary.fileSha256);
    expect(bytes.includes(Buffer.from(two.name.kanji))).toBe(false);

    const log = await run('provision', 'media-log', '--config', config, '--json');
    const records = JSON.parse(log.out) as MediaOutput[];
    expect(records.find((r) => r.id === summary.id)).toEqual(
      Object.fromEntries(Object.entries(summary).filter(([k]) => k !== 'outPath')),
    );

    const open = await run(
      'provision',
      'media-open',
      '--in',
      file('pension.jkm'),
      '--out',
      file('pension.jsonl'),
      '--password-file',
      file('password'),
    );
    expect(open.code, open.err).toBe(0);
    const lines = await opened(file('pension.jsonl'));
    expect(lines.map((l) => [l.line, l.ref, l.status, l.reason])).toEqual([
      [1, 'by-number', 'found', undefined],
      [2, 'by-four-items', 'found', undefined],
      [3, 'name-and-birth-date', 'refused', 'search.below-minimum'],
      [4, 'nobody', 'not-found', undefined],
      [5, 5, 'refused', 'batch.malformed-line'],
      [6, 'twins', 'refused', 'batch.ambiguous'],
      [7, 'bad-number', 'refused', 'search.individual-number'],
      [8, 'by-resident-code', 'refused', 'search.below-minimum'],
      // R22: the number identifies the person; the file's out-of-date address is not a condition.
      [9, 'by-number-stale-address', 'found', undefined],
    ]);
    expect(lines[0]!.identity).toMatchObject({
      name: { kanji: one.name.kanji },
      identifier: { kind: 'pseudonym' },
    });
    expect(lines[1]!.identity).toMatchObject({ name: { kanji: two.name.kanji } });
    expect(lines[8]!.identity).toMatchObject({
      name: { kanji: moved.name.kanji },
      address: moved.address,
    });
    // The individual number is never in an answer, the resident code only when permitted (R7).
    const text = await readFile(file('pension.jsonl'), 'utf8');
    expect(text).not.toContain(one.individualNumber!);
    expect(text).not.toContain(one.residentCode);

    const disclosed = await store.disclosuresOf(one.residentCode);
    expect(disclosed.find((d) => d.queryId === `${summary.id}:1`)).toMatchObject({
      channel: 'media',
      recipientId: 'mhlw-pension',
      affairId: PENSION,
    });
    expect((await store.disclosuresOf(two.residentCode))[0]).toMatchObject({
      channel: 'media',
      queryId: `${summary.id}:2`,
    });
    expect(await store.disclosuresOf(moved.residentCode)).toMatchObject([
      { channel: 'media', queryId: `${summary.id}:9` },
    ]);
    // Nobody of the refused rows was provided.
    expect(await store.disclosuresOf(twin.residentCode)).toEqual([]);
    const refusals = (await store.listRefusals({ limit: 50 })).filter((r) =>
      r.queryId.startsWith(`${summary.id}:`),
    );
    expect(refusals.map((r) => [r.queryId.slice(summary.id.length + 1), r.reason]).sort()).toEqual([
      ['3', 'search.below-minimum'],
      ['5', 'batch.malformed-line'],
      ['6', 'batch.ambiguous'],
      ['7', 'search.individual-number'],
      ['8', 'search.below-minimum'],
    ]);
    expect(refusals.every((r) => r.channel === 'media')).toBe(true);
    // The same records from the running node (`--config`: POST /provision/refusals, filtered by
    // recipient), as the store holds them.
    const atNode = await run(
      ...['provision', 'refusals', '--config', config, '--recipient', 'mhlw-pension', '--json'],
    );
    expect(atNode.code, atNode.err).toBe(0);
    expect(
      (JSON.parse(atNode.out) as RefusalRecord[]).filter((r) =>
        r.queryId.startsWith(`${summary.id}:`),
      ),
    ).toEqual(refusals);
    const none = await run(
      ...['provision', 'refusals', '--config', config, '--recipient', 'mofa-passport', '--json'],
    );
    expect(JSON.parse(none.out)).toEqual([]);
    // The password is never logged.
    expect(logged.join('\n')).toContain('provision.media.written');
    expect(logged.join('\n')).not.toContain(PASSWORD);
  }, 60_000);

  it('R22: sealed to the agency’s certificate, the file opens with its private key and no other', async () => {
    const result = await media(
      'pension-pk.jkm',
      '--recipient-cert',
      pki('agency-mhlw-pension', 'node.crt'),
    );
    expect(result.code, result.err).toBe(0);
    const summary = JSON.parse(result.out) as MediaOutput;
    expect(summary.keyKind).toBe('public-key');
    expect(summary.recipientCertSha256).toMatch(/^[0-9a-f]{64}$/);

    const wrong = await run(
      'provision',
      'media-open',
      '--in',
      file('pension-pk.jkm'),
      '--out',
      file('wrong.jsonl'),
      '--key',
      pki('national-jlis', 'node.key'),
    );
    expect(wrong.code).toBe(1);
    expect(wrong.err).toContain('[media.wrong-key]');
    expect((await readdir(dir)).filter((f) => f.includes('wrong'))).toEqual([]);

    const open = await run(
      'provision',
      'media-open',
      '--in',
      file('pension-pk.jkm'),
      '--out',
      file('pension-pk.jsonl'),
      '--key',
      pki('agency-mhlw-pension', 'node.key'),
      '--json',
    );
    expect(open.code, open.err).toBe(0);
    expect(JSON.parse(open.out)).toMatchObject({
      rows: 9,
      keyKind: 'public-key',
      recipientCertSha256: summary.recipientCertSha256,
    });
    expect((await opened(file('pension-pk.jsonl'))).map((l) => l.status)).toEqual([
      'found',
      'found',
      'refused',
      'not-found',
      'refused',
      'refused',
      'refused',
      'refused',
      'found',
    ]);
  }, 60_000);

  it('R22: refuses another node’s certificate, an existing output file, a recipient without an agreement and a readable password file; writes and records nothing', async () => {
    const before = (await store.listMediaOutputs({ limit: 100 })).length;
    const otherNode = await media(
      'other.jkm',
      '--recipient-cert',
      pki('prefecture-13', 'node.crt'),
    );
    expect(otherNode.code).toBe(1);
    expect(otherNode.err).toContain('[media.certificate-recipient]');

    await writeFile(file('exists.jkm'), 'keep me');
    const exists = await media('exists.jkm', '--password-file', file('password'));
    expect(exists.err).toContain('[media.out-exists]');
    expect(await readFile(file('exists.jkm'), 'utf8')).toBe('keep me');

    const tax = await run(
      'provision',
      'media',
      '--config',
      config,
      '--recipient',
      'nta-tax',
      '--affair',
      '別表第一:四十四の二',
      '--in',
      file('rows.jsonl'),
      '--out',
      file('tax.jkm'),
      '--operator',
      'jlis-operator-7',
      '--password-file',
      file('password'),
    );
    expect(tax.err).toContain('[provision.no-agreement]');
    expect((await store.listRefusals({ limit: 5 }))[0]).toMatchObject({
      recipientId: 'nta-tax',
      reason: 'provision.no-agreement',
      channel: 'media',
    });

    await writeFile(file('open-password'), PASSWORD, { mode: 0o644 });
    await chmod(file('open-password'), 0o644);
    const readable = await media('readable.jkm', '--password-file', file('open-password'));
    expect(readable.code).toBe(1);
    expect(readable.err).toContain('[media.password-file-permissions]');
    expect(readable.err).not.toContain(PASSWORD);

    expect((await readdir(dir)).filter((f) => /other|tax|readable|\.part$/.test(f))).toEqual([]);
    expect(await store.listMediaOutputs({ limit: 100 })).toHaveLength(before);
  }, 60_000);

  it('R33: the disposal of a medium is recorded once and listed with its output', async () => {
    const [latest] = JSON.parse(
      (await run('provision', 'media-log', '--config', config, '--limit', '1', '--json')).out,
    ) as MediaOutput[];
    expect(latest!.disposal).toBeUndefined();
    const dispose = (method: string) =>
      run(
        ...['provision', 'media-dispose', '--config', config, '--media', latest!.id],
        ...['--method', method, '--note', '受領書 第3号', '--operator', 'jlis-operator-7'],
      );
    const bad = await dispose('lost');
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('media-disposal.method');
    const done = await dispose('returned-erased');
    expect(done.code, done.err).toBe(0);
    expect(done.out).toContain(
      `媒体の廃棄を記録しました (disposal recorded): ${latest!.id} 返却後消去`,
    );
    const again = await dispose('destroyed');
    expect(again.code).toBe(1);
    expect(again.err).toContain('media.already-disposed');
    const [listed] = JSON.parse(
      (await run('provision', 'media-log', '--config', config, '--limit', '1', '--json')).out,
    ) as MediaOutput[];
    expect(listed!.disposal).toMatchObject({
      mediaId: latest!.id,
      node: 'national:jlis',
      operator: 'jlis-operator-7',
      method: 'returned-erased',
      note: '受領書 第3号',
    });
  });

  it('R22: media provision runs only at a providing node: an agency server refuses it', async () => {
    const refused = await callTerminal(
      await runningTerminalTarget(agency),
      'POST',
      '/provision/media',
      {
        recipientId: 'mhlw-pension',
        affairId: PENSION,
        inPath: file('rows.jsonl'),
        outPath: file('agency.jkm'),
        operator: 'x',
        password: PASSWORD,
      },
    ).then(
      () => undefined,
      (e: unknown) => e as { code: string; reason: string },
    );
    expect(refused).toMatchObject({ code: 'forbidden', reason: 'media.not-a-provider' });
  });

  it('the disclosures of a person provided on media carry its resident code, never its data', async () => {
    const d = (await store.disclosuresOf(residentCode(1))).filter((x) => x.channel === 'media');
    expect(d).toHaveLength(2); // the password file and the certificate file
    expect(JSON.stringify(d)).not.toContain(one.name.kanji);
  });
});

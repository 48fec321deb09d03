import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { date } from '../../domain/change/change-builders.ts';
import type { RecipientId } from '../../domain/provision/recipient.ts';
import { startLocalNetwork, type LocalNetwork } from '../../nodes/local-network.ts';
import { initNetwork } from '../../nodes/network-init.ts';
import { callTerminal } from '../../nodes/terminal-server.ts';
import { runningTerminalTarget } from '../../nodes/terminal-token.ts';
import { loadedRecord } from '../../storage/contract-fixtures.ts';
import {
  openAccessLogStore,
  openIdentityStore,
  openProvisionStore,
} from '../../storage/open-store.ts';
import { PENSION, registerPensionService } from '../../nodes/provision-fixtures.ts';
import { juki } from '../../nodes/web-terminal-node-fixtures.ts';
import { reserveBasePort } from '../../nodes/port-range.ts';

/*
 * The register of a running national server, changed through its terminal side (`juki provision
 * … --config`, R3, R5, R23): a recipient added, an affair permitted and a 協定書 recorded; the
 * pension service suspended, its next query refused `suspended` and recorded, then reinstated and
 * answered again. Each change is in force at once and is in the node's access log. What is
 * refused, and why: an unknown recipient or kind, no reason, no one deciding.
 */
const resident = loadedRecord(1);

describe('the register of the running national server (R3, R5)', () => {
  let dir: string;
  let net: LocalNetwork;
  let nationalConfig: string;
  const ask = async () =>
    callTerminal(
      await runningTerminalTarget(net.node('agency:mhlw-pension')),
      'POST',
      '/provision/query',
      {
        query: { affairId: PENSION, residentCode: resident.residentCode },
      },
    ).then(
      () => 'answered',
      (e: { code: string; reason: string }) => `${e.code} ${e.reason}`,
    );
  const decide = (action: string, ...more: string[]) =>
    juki('provision', action, '--config', nationalConfig, '--recipient', 'mhlw-pension', ...more);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-suspension-'));
    const manifest = await initNetwork({
      prefectures: ['13'],
      municipalities: [],
      agencies: ['mhlw-pension'],
      dir,
      host: '127.0.0.1',
      basePort: reserveBasePort(),
      overrides: { schedule: { integrityMinutes: 0, retentionMinutes: 0 } },
    });
    net = await startLocalNetwork(dir, manifest);
    nationalConfig = join(dir, 'nodes', 'national-jlis.json');
    const store = net.node('national:jlis').config.store;
    const identities = await openIdentityStore(store);
    await identities.loadBatch([{ line: 1, record: resident }]);
    await identities.close();
    const register = await openProvisionStore(store);
    await registerPensionService(register, date('2020-01-01'));
    await register.close();
    await callTerminal(
      await runningTerminalTarget(net.node('national:jlis')),
      'POST',
      '/provision/reload',
    );
  }, 120_000);

  afterAll(async () => {
    await net?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('suspends at once, refuses and records the suspended recipient’s query, reinstates', async () => {
    expect(await ask()).toBe('answered');
    const suspended = await decide(
      'suspend',
      '--reason',
      '報告要求に回答がないため',
      '--by',
      'jlis-op-1',
      '--json',
    );
    expect(suspended.code, suspended.err).toBe(0);
    expect(JSON.parse(suspended.out)).toMatchObject({ action: 'suspend', by: 'jlis-op-1' });
    expect(await ask()).toBe('suspended provision.recipient-suspended');
    const reinstated = await decide(
      'reinstate',
      '--reason',
      '回答があったため',
      '--by',
      'jlis-op-1',
    );
    expect(reinstated.code, reinstated.err).toBe(0);
    expect(await ask()).toBe('answered');

    const store = net.node('national:jlis').config.store;
    const register = await openProvisionStore(store);
    const refusals = await register.listRefusals({ limit: 5 });
    const events = await register.suspensionsOf('mhlw-pension' as RecipientId);
    await register.close();
    expect(refusals.map((r) => r.reason)).toContain('provision.recipient-suspended');
    expect(events.map((e) => [e.action, e.by])).toEqual([
      ['reinstate', 'jlis-op-1'],
      ['suspend', 'jlis-op-1'],
    ]);
    const access = await openAccessLogStore(store);
    const acts = (await access.list({ limit: 20 })).filter(
      (a) => a.operation === 'provision.register',
    );
    await access.close();
    expect(acts.map((a) => [a.target, a.result])).toEqual([
      ['mhlw-pension', 'ok'],
      ['mhlw-pension', 'ok'],
    ]);
  });

  it('adds a recipient, permits its affair and records its 協定書, each in the access log', async () => {
    const at = (...args: string[]) => juki('provision', ...args, '--config', nationalConfig);
    for (const r of [
      await at(
        ...['recipient', 'add', '--id', 'mofa-passport', '--name', '外務省', '--kind'],
        ...['national-agency', '--served-by', 'national:jlis', '--node', 'agency:mofa-passport'],
      ),
      await at('permit', '--recipient', 'mofa-passport', '--affair', '別表第一:四十一'),
      await at(
        ...['agreement', '--recipient', 'mofa-passport', '--id', 'agreement-mofa'],
        ...['--signed', '2026-04-01', '--from', '2026-04-01', '--measures', '照会端末の限定'],
      ),
    ])
      expect(r.code, r.err).toBe(0);
    const national = await runningTerminalTarget(net.node('national:jlis'));
    const register = (await callTerminal(national, 'GET', '/provision/register')) as {
      id: string;
      affairs: string[];
      agreements: { id: string; validFrom: string }[];
      suspended: unknown;
    }[];
    expect(register.find((r) => r.id === 'mofa-passport')).toMatchObject({
      affairs: ['別表第一:四十一'],
      agreements: [{ id: 'agreement-mofa', validFrom: '2026-04-01' }],
      suspended: null,
    });
    const access = await openAccessLogStore(net.node('national:jlis').config.store);
    const acts = (await access.list({ limit: 10 })).filter(
      (a) => a.operation === 'provision.register' && a.result === 'ok',
    );
    await access.close();
    // Newest first: reading the register (no target), then the three changes.
    expect(acts.slice(0, 4).map((a) => a.target)).toEqual([
      '',
      'mofa-passport',
      'mofa-passport',
      'mofa-passport',
    ]);
    // A kind the register does not know: refused, nothing stored.
    const bad = await at(
      ...['recipient', 'add', '--id', 'somebody', '--name', '誰か', '--kind', 'company'],
      ...['--served-by', 'national:jlis'],
    );
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('recipient.kind');
    const after = (await callTerminal(national, 'GET', '/provision/register')) as { id: string }[];
    expect(after.map((r) => r.id)).not.toContain('somebody');
    // At the route itself: a change it does not know, a change without its fields; each refusal
    // is in the access log with its reason.
    const refusal = (body: Record<string, unknown>) =>
      callTerminal(national, 'POST', '/provision/register', body).then(
        () => 'answered',
        (e: { reason: string }) => e.reason,
      );
    expect(await refusal({ change: 'delete-everything' })).toBe('register.change');
    expect(await refusal({ change: 'agreement', recipientId: 'mofa-passport' })).toBe(
      'register.missing-field',
    );
    const log = await openAccessLogStore(net.node('national:jlis').config.store);
    const [last] = await log.list({ limit: 1 });
    await log.close();
    expect(last).toMatchObject({
      operation: 'provision.register',
      result: 'refused',
      reason: 'register.missing-field',
    });
  });

  it('registers an affair of the prefecture’s own ordinance at its server, and only there (R3)', async () => {
    const prefectureConfig = join(dir, 'nodes', 'prefecture-13.json');
    const ordinance = (config: string, ...more: string[]) =>
      juki(
        ...['provision', 'ordinance', 'add', '--config', config, '--item', '一'],
        ...['--recipient-text', '教育委員会', '--affair-text', '奨学金の貸与に関する事務'],
        ...['--legal-basis', '東京都住民基本台帳法施行条例第二条', ...more],
      );
    const added = await ordinance(prefectureConfig);
    expect(added.code, added.err).toBe(0);
    expect(added.out).toContain('条例:13:一');
    const listed = (await callTerminal(
      await runningTerminalTarget(net.node('prefecture:13')),
      'GET',
      '/provision/ordinance',
    )) as { id: string; legalBasis: string }[];
    expect(listed).toEqual([
      expect.objectContaining({
        id: '条例:13:一',
        legalBasis: '東京都住民基本台帳法施行条例第二条',
      }),
    ]);
    // Another prefecture's ordinance, and the national server, which has none: refused, recorded.
    const other = await ordinance(prefectureConfig, '--prefecture', '14');
    expect(other.code).toBe(1);
    expect(other.err).toContain('ordinance-affair.other-prefecture');
    const national = await ordinance(nationalConfig);
    expect(national.code).toBe(1);
    expect(national.err).toContain('ordinance-affair.not-a-prefecture');

    const log = await openAccessLogStore(net.node('prefecture:13').config.store);
    const acts = await log.list({ limit: 3 });
    await log.close();
    // An ordinance affair names no recipient, and the log's targets are ASCII identifiers: none.
    expect(acts.map((a) => [a.operation, a.target, a.result, a.reason]).reverse()).toEqual([
      ['provision.register', '', 'ok', undefined],
      ['provision.register', expect.any(String), 'ok', undefined],
      ['provision.register', '', 'refused', 'ordinance-affair.other-prefecture'],
    ]);
  });

  it('refuses an unknown recipient, a missing reason and, on the console, no one deciding', async () => {
    const refused = async (...args: string[]) => {
      const r = await juki('provision', 'suspend', '--config', nationalConfig, ...args);
      expect(r.code).not.toBe(0);
      return r.err;
    };
    expect(await refused('--recipient', 'nobody-here', '--reason', '理由', '--by', 'op')).toContain(
      'provision.unknown-recipient',
    );
    expect(await refused('--recipient', 'mhlw-pension', '--reason', ' ', '--by', 'op')).toContain(
      'suspension.reason',
    );
    expect(await refused('--recipient', 'mhlw-pension', '--reason', '理由')).toContain(
      'suspension.by',
    );
    // Nothing of that was recorded as a decision: the recipient is still served.
    expect(await ask()).toBe('answered');
  });
});

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

/*
 * R5 at a running national server: its operator suspends the pension service (`juki provision
 * suspend --config`), whose next query is refused `suspended` and recorded; reinstated, it is
 * answered again. Each decision is in force at once, names who decided, and is in the node's
 * access log (R23). What is refused, and why: an unknown recipient, no reason, no one deciding.
 */
const resident = loadedRecord(1);

describe('suspending provision to a recipient at the running national server (R5)', () => {
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
      basePort: 30_000 + Math.floor(Math.random() * 40) * 100,
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

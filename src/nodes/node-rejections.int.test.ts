import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEvent, buildIdentity, date } from '../domain/change/change-builders.ts';
import type { Rejection } from '../domain/change/validate-change.ts';
import { RegistryError } from '../domain/errors.ts';
import type { NodeRef } from '../domain/network/NodeRef.ts';
import type { ResidentCode } from '../domain/resident/ResidentCode.ts';
import { connectSessions, type SessionPair } from '../protocol/protocol-fixtures.ts';
import { openRegisterStore } from '../register/open-register.ts';
import type { RegisterStore } from '../register/RegisterStore.ts';
import type { OutboxEntry } from '../storage/ports.ts';
import { jsonLogger } from './json-log.ts';
import { parseNodeConfig } from './node-config.ts';
import { startRejections, type NodeRejections, type RejectionView } from './node-rejections.ts';
import { UpstreamSession } from './upstream-session.ts';

/**
 * Refusals further up (R19): the prefecture server's record of the national server's refusals,
 * its `rejection-poll` handler (scope by the caller's certificate, cursor, paging), and a CS's
 * poller recording them in its register (idempotent, resumable).
 */
const log = jsonLogger({ write: () => undefined, minLevel: 'error' });
const NATIONAL = 'national:jlis';
const REFUSED: Rejection = {
  rule: 'removed.not-allowed',
  message: '死亡により消除された住民に転入はできません (not allowed on a removed record)',
};

let seq = 0;
const entry = (municipality: string, code = '24727059608'): OutboxEntry => {
  seq += 1;
  const event = buildEvent(
    'move-in',
    buildIdentity({
      residentCode: code as ResidentCode,
      localGovernmentCode: municipality,
      address: '東京都千代田区千代田1番',
    }),
    { transactionId: `tx-${municipality}-${seq}`, changeDate: date('2024-06-01') },
  );
  return { id: seq, event, attempts: 1 };
};

describe('refusals further up: prefecture store, rejection-poll, CS poller (R19)', () => {
  let dir: string;
  let prefecture: NodeRejections;
  let register: RegisterStore;
  const pairs: SessionPair[] = [];
  const refused: string[] = [];
  const cs = (code: string, store: string) =>
    parseNodeConfig(
      {
        node: { role: 'cs', code },
        store: `sqlite:${join(dir, store)}`,
        tls: { bundle: 'x' },
        upstream: { node: { role: 'prefecture', code: code.slice(0, 2) }, host: 'h', port: 1 },
        register: `sqlite:${join(dir, `register-${code}.sqlite`)}`,
        schedule: { rejectionPollSeconds: 0 },
      },
      dir,
    );
  /** A session from `peer` to the prefecture server, with its handler attached. */
  const sessionFrom = (peer: NodeRef) => {
    const pair = connectSessions({
      transport: { names: [`${peer.role}:${peer.code}`, 'prefecture:13'] },
    });
    pairs.push(pair);
    prefecture.attach(pair.b, peer);
    return pair.a;
  };
  const csPoller = async (storeFile: string, pageSize?: number) => {
    const session = sessionFrom({ role: 'cs', code: '131016' });
    return (await startRejections({
      config: cs('131016', storeFile),
      storeOptions: {},
      upstream: new UpstreamSession(() => Promise.resolve(session)),
      feed: register,
      log,
      ...(pageSize ? { pageSize } : {}),
    }))!;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-rejections-'));
    prefecture = (await startRejections({
      config: parseNodeConfig(
        {
          node: { role: 'prefecture', code: '13' },
          store: `sqlite:${join(dir, 'prefecture-13.sqlite')}`,
          tls: { bundle: 'x' },
          listen: { host: '127.0.0.1', port: 1 },
          upstream: { node: { role: 'national', code: 'jlis' }, host: 'h', port: 1 },
          pseudonymSecret: 'never-read',
        },
        dir,
      ),
      storeOptions: {},
      upstream: undefined,
      feed: undefined,
      log,
      onRefused: (peer) => refused.push(`${peer.role}:${peer.code}`),
    }))!;
    register = await openRegisterStore(`sqlite:${join(dir, 'register-131016.sqlite')}`, {
      municipality: '131016',
    });
  });

  afterAll(async () => {
    for (const p of pairs) p.close();
    await prefecture?.close();
    await register?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps each refusal once, with the municipality whose CS sent the change', async () => {
    const chiyoda = [entry('131016'), entry('131016'), entry('131016')];
    const chuo = entry('131024');
    for (const e of [...chiyoda, chuo]) await prefecture.recordForwarded(e, NATIONAL, REFUSED);
    await prefecture.recordForwarded(chiyoda[0]!, NATIONAL, REFUSED); // a resent round
    const kept = await prefecture.list(10);
    expect(kept).toHaveLength(4);
    expect(kept[0]).toMatchObject({
      transactionId: chuo.event.transactionId,
      municipality: '131024',
      residentCode: '24727059608',
      reason: 'move-in',
      changeDate: '2024-06-01',
      rejectedBy: NATIONAL,
      rejection: REFUSED,
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) as string,
    });
  });

  it('a CS gets its own municipality’s refusals only, after its cursor', async () => {
    const chiyoda = sessionFrom({ role: 'cs', code: '131016' });
    const all = await chiyoda.request({ kind: 'rejection-poll', afterId: 0, limit: 100 });
    expect(all.records.map((r) => r.municipality)).toEqual(['131016', '131016', '131016']);
    expect(all.more).toBe(false);
    expect(all.nextAfterId).toBe(all.records[2]!.id);
    const after = await chiyoda.request({
      kind: 'rejection-poll',
      afterId: all.records[0]!.id,
      limit: 1,
    });
    expect(after).toMatchObject({ records: [all.records[1]], more: true });
    const none = await chiyoda.request({
      kind: 'rejection-poll',
      afterId: all.nextAfterId,
      limit: 100,
    });
    expect(none).toMatchObject({ records: [], nextAfterId: all.nextAfterId, more: false });

    const chuo = sessionFrom({ role: 'cs', code: '131024' });
    const theirs = await chuo.request({ kind: 'rejection-poll', afterId: 0, limit: 100 });
    expect(theirs.records.map((r) => r.municipality)).toEqual(['131024']);
    const minato = sessionFrom({ role: 'cs', code: '131032' });
    expect(
      (await minato.request({ kind: 'rejection-poll', afterId: 0, limit: 100 })).records,
    ).toEqual([]);
  });

  it('a CS of another prefecture, or a node that is not a CS, is refused (forbidden) and reported', async () => {
    for (const peer of [
      { role: 'cs', code: '141011' },
      { role: 'prefecture', code: '14' },
    ] as const) {
      const e = await sessionFrom(peer)
        .request({ kind: 'rejection-poll', afterId: 0, limit: 100 })
        .then(
          () => undefined,
          (x: unknown) => x,
        );
      expect(e).toBeInstanceOf(RegistryError);
      expect(e).toMatchObject({ code: 'forbidden', reason: 'rejection.poll-requester' });
    }
    expect(refused).toEqual(['cs:141011', 'prefecture:14']);
  });

  it('the CS records them in its register (level national), keeps its cursor, and a re-poll adds nothing', async () => {
    const poller = await csPoller('cs-131016.sqlite', 2);
    try {
      expect(await poller.poll()).toMatchObject({ source: 'prefecture:13', fetched: 3 });
      const seen = (await poller.list(10)) as RejectionView[];
      expect(seen).toHaveLength(3);
      for (const r of seen)
        expect(r).toMatchObject({
          rejectedBy: NATIONAL,
          level: 'national',
          rejection: REFUSED,
          event: undefined, // these changes were made in the test, not in this register
        });
      expect(await poller.poll()).toMatchObject({ fetched: 0 });

      const later = entry('131016');
      await prefecture.recordForwarded(later, NATIONAL, REFUSED);
      expect(await poller.poll()).toMatchObject({ fetched: 1 });
      expect(await register.listRejections(10)).toHaveLength(4);
      expect((await register.listRejections(1))[0]!.transactionId).toBe(later.event.transactionId);
    } finally {
      await poller.close();
    }
    // A CS that lost its cursor (a crash between the register and the cursor) fetches all again:
    // the register keeps one row per transaction id.
    const fresh = await csPoller('cs-131016-restored.sqlite');
    try {
      expect(await fresh.poll()).toMatchObject({ fetched: 4 });
      expect(await register.listRejections(10)).toHaveLength(4);
    } finally {
      await fresh.close();
    }
  });
});

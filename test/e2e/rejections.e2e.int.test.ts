import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { date } from '../../src/domain/change/change-builders.ts';
import type { ResidentCode } from '../../src/domain/resident/ResidentCode.ts';
import { readNodeBundle } from '../../src/pki/pki-directory.ts';
import { startLocalNetwork, type LocalNetwork } from '../../src/nodes/local-network.ts';
import { initNetwork } from '../../src/nodes/network-init.ts';
import type { RejectionView } from '../../src/nodes/node-rejections.ts';
import { callTerminal } from '../../src/nodes/terminal-server.ts';
import { runningTerminalTarget } from '../../src/nodes/terminal-token.ts';
import type { ForwardedRejection } from '../../src/protocol/messages/RejectionPoll.ts';
import { openRegisterStore } from '../../src/register/open-register.ts';
import type { RegisterStore } from '../../src/register/RegisterStore.ts';
import { openIdentityStore } from '../../src/storage/open-store.ts';
import type { IdentityStore } from '../../src/storage/ports.ts';
import { connectNetwork } from '../../src/transport/connect.ts';
import { main } from '../../src/cli/main.ts';
import { captureIO } from '../../src/cli/test-io.ts';
import { reserveBasePort } from '../../src/nodes/port-range.ts';

/**
 * A refusal by the national server of a change its prefecture server accepted (R19; docs/FLOW.md
 * §4), on a network of real nodes in this process over mutual TLS on loopback: Chiyoda (13)
 * records a death; Yokohama (14) then records 転入 under the dead person's resident code.
 * Kanagawa's server has never seen that code and accepts; the national server refuses
 * (removed.not-allowed). The refusal must reach Yokohama's register, marked as the national
 * server's, and nothing else may be lost on the way.
 */
const CHIYODA = '131016';
const YOKOHAMA = '141011';
const NATIONAL = 'national:jlis';
const TODAY = { today: date('2024-12-01') };

describe('a refusal by the national server travels back to the CS (R19)', () => {
  let dir: string;
  let net: LocalNetwork;
  let national: IdentityStore;
  const registers = new Map<string, RegisterStore>();

  const register = async (code: string): Promise<RegisterStore> => {
    let r = registers.get(code);
    if (!r) {
      r = await openRegisterStore(net.node(`cs:${code}`).config.register!, { municipality: code });
      registers.set(code, r);
    }
    return r;
  };
  const get = async <T>(node: string, path: string) =>
    (await callTerminal(await runningTerminalTarget(net.node(node)), 'GET', path)) as T;
  const until = async (what: string, check: () => Promise<boolean>): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const moveIn = (code: string, on: string, kanji: string, residentCode?: ResidentCode) =>
    register(code).then((r) =>
      r.perform(
        {
          reason: 'move-in',
          form: {
            ...(residentCode ? { residentCode } : {}),
            name: { kanji, kana: 'ジュウキ ハナコ' },
            sex: 'female',
            birthDate: date('1990-05-05'),
            address: code === CHIYODA ? '東京都千代田区千代田1番' : '神奈川県横浜市鶴見区鶴見1丁目',
            household: { kind: 'new' },
            registeredDomicile: { address: '東京都千代田区千代田1番', headOfFamily: kanji },
            changeDate: date(on),
            notifiedOn: date(on),
            previousAddress: '北海道札幌市中央区北1条西2丁目',
          },
        },
        TODAY,
      ),
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'jukinet-rejections-e2e-'));
    const manifest = await initNetwork({
      prefectures: ['13', '14'],
      municipalities: [CHIYODA, YOKOHAMA],
      dir,
      host: '127.0.0.1',
      basePort: reserveBasePort(),
      overrides: {
        delivery: { pollMs: 50, retryInitialMs: 50, retryMaxMs: 500 },
        schedule: {
          integrityMinutes: 0,
          retentionMinutes: 0,
          reportPollSeconds: 0,
          rejectionPollSeconds: 0.2,
        },
        log: { level: 'info' },
      },
    });
    net = await startLocalNetwork(dir, manifest);
    const n = net.node(NATIONAL).config;
    national = await openIdentityStore(n.store, n.storeSchema ? { schema: n.storeSchema } : {});
  }, 60_000);

  afterAll(async () => {
    for (const r of registers.values()) await r.close();
    await national?.close();
    await net?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('R19: the national server’s refusal reaches the Yokohama register with its rule, marked national; the rest arrives', async () => {
    // Chiyoda: 転入 and 死亡 of one person; both reach the national server.
    const moved = await moveIn(CHIYODA, '2024-04-01', '住基 花子');
    const code = moved.record.residentCode;
    await (
      await register(CHIYODA)
    ).perform(
      {
        reason: 'death',
        form: {
          residentCode: code,
          changeDate: date('2024-05-01'),
          notifiedOn: date('2024-05-02'),
        },
      },
      TODAY,
    );
    await until('the death at the national server', async () => {
      return (await national.findIdentity(code))?.status === 'removed';
    });

    // Yokohama: 転入 under that code (Kanagawa does not know it), and a good 転入 after it.
    const refused = await moveIn(YOKOHAMA, '2024-06-01', '横浜 花子', code);
    const good = await moveIn(YOKOHAMA, '2024-06-02', '横浜 次郎');
    const tx = refused.event!.transactionId;

    await until('the refusal in the Yokohama register', async () =>
      (await (await register(YOKOHAMA)).listRejections(10)).some((r) => r.transactionId === tx),
    );
    const atCs = await get<RejectionView[]>(`cs:${YOKOHAMA}`, '/rejections');
    expect(atCs).toHaveLength(1);
    expect(atCs[0]).toMatchObject({
      transactionId: tx,
      rejectedBy: NATIONAL,
      level: 'national',
      rejection: { rule: 'removed.not-allowed' },
      event: { reason: 'move-in', residentCode: code },
    });
    expect(atCs[0]!.rejection.message).toContain('消除');

    // What the municipality's staff read: `juki register rejections` names the level.
    const io = captureIO();
    const cli = [
      'register',
      'rejections',
      '--register',
      net.node(`cs:${YOKOHAMA}`).config.register!,
    ];
    expect(await main(cli, io)).toBe(0);
    expect(io.stdout()).toContain(`by ${NATIONAL} (全国サーバ / the national server)`);
    expect(io.stdout()).toContain(`removed.not-allowed`);

    // The prefecture server keeps it with the municipality it came from.
    const atPrefecture = await get<ForwardedRejection[]>('prefecture:14', '/rejections');
    expect(atPrefecture).toMatchObject([
      { transactionId: tx, municipality: YOKOHAMA, residentCode: code, rejectedBy: NATIONAL },
    ]);

    // Nothing else was lost: the good change is at the national server, Kanagawa still holds the
    // refused one (it accepted it), and Chiyoda saw no refusal at all.
    await until('the good change at the national server', async () =>
      Boolean(await national.findIdentity(good.record.residentCode)),
    );
    expect((await national.findIdentity(code))?.status).toBe('removed');
    expect(await get<unknown[]>(`cs:${CHIYODA}`, '/rejections')).toEqual([]);
    expect(await get<unknown[]>('prefecture:13', '/rejections')).toEqual([]);

    // Polling goes on (every 0.2 s): the refusal stays recorded once.
    await new Promise((r) => setTimeout(r, 600));
    expect(await (await register(YOKOHAMA)).listRejections(10)).toHaveLength(1);
  });

  it('R8/R19: a CS cannot fetch refusals from another prefecture’s server (the allow-list refuses)', async () => {
    const cs = net.node(`cs:${CHIYODA}`).config;
    const kanagawa = net.node('prefecture:14').config;
    const attempt = connectNetwork({
      self: cs.node,
      credentials: await readNodeBundle(cs.bundleDir),
      expectedPeer: kanagawa.node,
      host: '127.0.0.1',
      port: kanagawa.listen!.port,
    }).then(async (session) => {
      try {
        return await session.request({ kind: 'rejection-poll', afterId: 0, limit: 100 });
      } finally {
        session.close();
      }
    });
    await expect(attempt).rejects.toThrow();
  });
});

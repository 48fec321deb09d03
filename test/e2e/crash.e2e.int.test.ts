import { afterAll, describe, expect, it } from 'vitest';
import type { ResidentCode } from '../../src/domain/resident/ResidentCode.ts';
import { identityInfoOf } from '../../src/domain/resident/IdentityInfo.ts';
import { createTestDatabaseOrSkip } from '../../src/storage/postgres/test-database.ts';
import { ProcessNetwork } from './network-harness.ts';
import { Scenario } from './network-flow.ts';

/**
 * The crash test of docs/FLOW.md §3: a stream of counter operations at two municipalities while
 * the CSs, the prefecture server and the national server are killed with SIGKILL at random
 * moments and restarted. Afterwards nothing is lost (every change is at the national server),
 * nothing is applied twice (each transaction id once in history), and every server holds the
 * same 本人確認情報 as the CS of the person's municipality.
 */
const CRASH_NETWORK = { prefectures: ['13'], municipalities: ['131016', '131024'] };
const OPERATIONS = 160;
const VICTIMS = ['cs:131016', 'cs:131024', 'prefecture:13', 'national:jlis'];

/** A small deterministic generator, so that a failing run can be replayed from its seed. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const pg = await createTestDatabaseOrSkip('jukinet_crash');
const STORES = [
  { name: 'SQLite', storeUrl: undefined as string | undefined },
  ...(pg ? [{ name: 'PostgreSQL', storeUrl: pg.url }] : []),
];

afterAll(async () => {
  await pg?.drop();
});

describe.each(STORES)('crash test on $name', ({ storeUrl }) => {
  it('R19: SIGKILLs at random moments lose nothing and apply nothing twice', async () => {
    const seed = Number(process.env['JUKINET_CRASH_SEED'] ?? Date.now() % 1_000_000);
    const random = seeded(seed);
    const net = await ProcessNetwork.create({
      ...CRASH_NETWORK,
      ...(storeUrl ? { storeUrl } : {}),
    });
    const s = new Scenario(net);
    let stopped = false;
    try {
      await net.startAll();
      let workloadDone = false;
      let kills = 0;
      const chaos = (async () => {
        while ((!workloadDone || kills < 4) && !stopped) {
          await new Promise((r) => setTimeout(r, 150 + random() * 500));
          const victim = VICTIMS[Math.floor(random() * VICTIMS.length)]!;
          await net.kill(victim, 'SIGKILL');
          kills += 1;
          await new Promise((r) => setTimeout(r, random() * 300));
          await net.start(victim);
        }
      })();

      // The workload: people move in, have children, move within and between the two wards.
      const expected = new Map<ResidentCode, { transactionIds: string[]; at: string }>();
      const note = (code: ResidentCode, tx: string, at: string): void => {
        const e = expected.get(code) ?? { transactionIds: [], at };
        e.transactionIds.push(tx);
        e.at = at;
        expected.set(code, e);
      };
      // Who may move: someone alone in their household (a household moves head first, and
      // a head who leaves members behind needs a successor: the register's rules).
      const people: { code: ResidentCode; at: string; name: string; alone: boolean }[] = [];
      // Every operation on a day of its own, so that each person's changes are in date order.
      const dayOf = (i: number): string =>
        new Date(Date.UTC(2024, 0, 1) + i * 86_400_000).toISOString().slice(0, 10);
      for (let i = 0; i < OPERATIONS; i++) {
        const on = dayOf(i);
        const roll = random();
        const existing = people[Math.floor(random() * people.length)];
        const mover = existing?.alone ? existing : undefined;
        if (existing === undefined || roll < 0.4 || (roll >= 0.6 && mover === undefined)) {
          const at = random() < 0.5 ? '131016' : '131024';
          const name = `障害 試験${i}`;
          const r = await s.moveIn(at, {
            name,
            kana: `ショウガイ シケン`,
            address:
              at === '131016' ? `東京都千代田区千代田${i}番1号` : `東京都中央区銀座${i}丁目1番1号`,
            on,
          });
          note(r.code, r.event.transactionId, at);
          people.push({ code: r.code, at, name, alone: true });
        } else if (roll < 0.6) {
          const child = await s.birth(existing.at, existing.code, `障害 子${i}`, on);
          const [entry] = await (await s.register(existing.at)).history(child);
          note(child, entry!.transactionId, existing.at);
          existing.alone = false;
          people.push({ code: child, at: existing.at, name: `障害 子${i}`, alone: false });
        } else if (roll < 0.85 && mover) {
          const address =
            mover.at === '131016'
              ? `東京都千代田区丸の内${i}丁目1番1号`
              : `東京都中央区日本橋${i}丁目1番1号`;
          await s.moveWithin(mover.at, mover.code, address, on);
          const history = await (await s.register(mover.at)).history(mover.code);
          note(mover.code, history.at(-1)!.transactionId, mover.at);
        } else if (mover) {
          // A move between the two wards: 転出 at one register, 転入 at the other.
          const to = mover.at === '131016' ? '131024' : '131016';
          const fromRegister = await s.register(mover.at);
          const before = (await fromRegister.history(mover.code)).length;
          await s.moveOut(mover.at, mover.code, '東京都内', on);
          const out = (await fromRegister.history(mover.code)).slice(before).find((h) => h.subject);
          note(mover.code, out!.transactionId, mover.at);
          const moved = await s.moveIn(to, {
            name: mover.name,
            kana: 'ショウガイ シケン',
            address:
              to === '131016' ? `東京都千代田区神田${i}番1号` : `東京都中央区築地${i}丁目1番1号`,
            residentCode: mover.code,
            on,
          });
          note(mover.code, moved.event.transactionId, to);
          mover.at = to;
        }
      }
      workloadDone = true;
      await chaos;
      await s.settled(120_000);

      // No change was refused anywhere (each was valid where it was made).
      for (const code of CRASH_NETWORK.municipalities) {
        expect(await (await s.register(code)).listRejections(10), `seed ${seed}`).toEqual([]);
      }
      const national = await s.store('national:jlis');
      const prefecture = await s.store('prefecture:13');
      let changes = 0;
      for (const [code, e] of expected) {
        const history = await national.history(code);
        const seen = history.map((h) => h.event.transactionId);
        // Nothing lost, nothing twice.
        expect(new Set(seen), `resident ${code} (seed ${seed})`).toEqual(new Set(e.transactionIds));
        expect(seen).toHaveLength(e.transactionIds.length);
        changes += seen.length;
        // Every server agrees with the CS where the person lives.
        const atCs = await s.find(`cs:${e.at}`, code);
        expect(atCs?.status).toBe('resident');
        for (const other of [prefecture, national]) {
          const r = await other.findIdentity(code);
          expect(r && identityInfoOf(r), `resident ${code} (seed ${seed})`).toEqual(
            identityInfoOf(atCs!),
          );
          expect(r?.status).toBe('resident');
        }
      }
      // And the integrity check (R20) finds no difference at any level.
      for (const node of ['cs:131016', 'cs:131024', 'prefecture:13']) {
        const report = await s.integrity(node);
        expect(
          report.matching,
          `${node}: ${JSON.stringify(report.differenceCounts)} (seed ${seed})`,
        ).toBe(true);
      }
      expect(changes).toBeGreaterThanOrEqual(OPERATIONS);
      expect(kills).toBeGreaterThanOrEqual(4);
    } catch (e) {
      throw new Error(
        `crash test failed with JUKINET_CRASH_SEED=${seed}: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    } finally {
      stopped = true;
      await s.close();
      await net.destroy();
    }
  }, 300_000);
});

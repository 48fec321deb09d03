import { afterAll, beforeAll, expect, it } from 'vitest';
import { date } from '../../src/domain/change/change-builders.ts';
import type { ChangeEvent } from '../../src/domain/change/ChangeEvent.ts';
import type { IdentityRecord } from '../../src/domain/resident/IdentityInfo.ts';
import type { ResidentCode } from '../../src/domain/resident/ResidentCode.ts';
import { PkiDirectory } from '../../src/pki/pki-directory.ts';
import { changeNotice } from '../../src/protocol/messages/ChangeNotice.ts';
import { openRegisterStore } from '../../src/register/open-register.ts';
import type { RegisterStore } from '../../src/register/RegisterStore.ts';
import { openIdentityStore } from '../../src/storage/open-store.ts';
import type { IdentityStore } from '../../src/storage/ports.ts';
import { connectNetwork } from '../../src/transport/connect.ts';
import Database from 'better-sqlite3';
import pg from 'pg';
import type { IntegrityReport } from '../../src/integrity/index.ts';
import { callTerminal } from '../../src/nodes/terminal-server.ts';
import { parseStoreUrl } from '../../src/storage/store-url.ts';
import { join } from 'node:path';
import type { ProcessNetwork } from './network-harness.ts';

/**
 * The end-to-end scenario of the update flow (docs/FLOW.md), run on a network of real processes
 * by `network.e2e.int.test.ts` (SQLite) and `network-postgres.e2e.int.test.ts` (PostgreSQL).
 */
export const SCENARIO_NETWORK = {
  prefectures: ['13', '14'],
  municipalities: ['131016', '131024', '141011'],
};

const TODAY = date('2024-12-01');
const TOKYO_DOMICILE = { address: '東京都千代田区千代田1番', headOfFamily: '住基 太郎' };

export class Scenario {
  readonly #net: ProcessNetwork;
  readonly #registers = new Map<string, RegisterStore>();
  readonly #stores = new Map<string, IdentityStore>();

  constructor(net: ProcessNetwork) {
    this.#net = net;
  }

  async register(code: string): Promise<RegisterStore> {
    let r = this.#registers.get(code);
    if (!r) {
      const c = this.#net.config(`cs:${code}`);
      r = await openRegisterStore(c.register!, {
        municipality: code,
        ...(c.registerSchema ? { schema: c.registerSchema } : {}),
      });
      this.#registers.set(code, r);
    }
    return r;
  }

  /** A node's identity store, opened from the test process (read side; the node writes). */
  async store(node: string): Promise<IdentityStore> {
    let s = this.#stores.get(node);
    if (!s) {
      const c = this.#net.config(node);
      s = await openIdentityStore(c.store, c.storeSchema ? { schema: c.storeSchema } : {});
      this.#stores.set(node, s);
    }
    return s;
  }

  async find(node: string, code: ResidentCode): Promise<IdentityRecord | undefined> {
    return (await this.store(node)).findIdentity(code);
  }

  /** 転入 of a new person (a new household) at `municipality`. */
  async moveIn(
    municipality: string,
    options: {
      name: string;
      kana: string;
      address: string;
      residentCode?: ResidentCode;
      on?: string;
    },
  ): Promise<{ code: ResidentCode; event: ChangeEvent }> {
    const register = await this.register(municipality);
    const on = date(options.on ?? '2024-04-01');
    const result = await register.perform(
      {
        reason: 'move-in',
        form: {
          ...(options.residentCode ? { residentCode: options.residentCode } : {}),
          name: { kanji: options.name, kana: options.kana },
          sex: 'female',
          birthDate: date('1990-05-05'),
          address: options.address,
          household: { kind: 'new' },
          registeredDomicile: TOKYO_DOMICILE,
          changeDate: on,
          notifiedOn: on,
          previousAddress: '北海道札幌市中央区北1条西2丁目',
        },
      },
      { today: TODAY },
    );
    return { code: result.record.residentCode, event: result.event! };
  }

  async moveOut(
    municipality: string,
    code: ResidentCode,
    destination: string,
    on: string,
  ): Promise<void> {
    const register = await this.register(municipality);
    await register.perform(
      {
        reason: 'move-out',
        form: { residentCode: code, changeDate: date(on), notifiedOn: date(on), destination },
      },
      { today: TODAY },
    );
  }

  async birth(
    municipality: string,
    parent: ResidentCode,
    name: string,
    on = '2024-10-10',
  ): Promise<ResidentCode> {
    const register = await this.register(municipality);
    const result = await register.perform(
      {
        reason: 'birth',
        form: {
          parentCode: parent,
          name: { kanji: name, kana: 'ジュウキ ミライ' },
          sex: 'male',
          birthDate: date(on),
          notifiedOn: date(on),
        },
      },
      { today: TODAY },
    );
    return result.record.residentCode;
  }

  async moveWithin(
    municipality: string,
    code: ResidentCode,
    address: string,
    on: string,
  ): Promise<void> {
    const register = await this.register(municipality);
    await register.perform(
      {
        reason: 'move-within',
        form: { residentCode: code, address, changeDate: date(on), notifiedOn: date(on) },
      },
      { today: TODAY },
    );
  }

  /** Sends a notice straight to a prefecture server as its CS would (duplicate deliveries). */
  async sendAsCs(cs: string, event: ChangeEvent): Promise<string> {
    const pki = await PkiDirectory.open(join(this.#net.dir, 'pki'));
    const self = { role: 'cs' as const, code: cs };
    const prefecture = this.#net.config(`prefecture:${cs.slice(0, 2)}`);
    const session = await connectNetwork({
      self,
      credentials: await pki.nodeCredentials(self),
      expectedPeer: prefecture.node,
      host: prefecture.listen!.host,
      port: prefecture.listen!.port,
    });
    try {
      const ack = await session.request(changeNotice(event));
      return ack.outcome;
    } finally {
      await session.goaway();
    }
  }

  /** Waits until every outbox and every register feed of the network is empty. */
  async settled(timeoutMs = 60_000): Promise<void> {
    await this.#net.until(
      'every feed and outbox drained',
      async () => {
        for (const n of this.#net.manifest.nodes) {
          if (n.node.startsWith('switch:')) continue;
          if ((await (await this.store(n.node)).countOutbox()) > 0) return false;
          if (n.node.startsWith('cs:')) {
            const r = await this.register(n.node.slice(3));
            if ((await r.pendingFeed(1)).length > 0) return false;
          }
        }
        return true;
      },
      timeoutMs,
    );
  }

  /** Runs the integrity check of a CS or prefecture server against its upstream node. */
  async integrity(node: string, repair = false): Promise<IntegrityReport> {
    return (await callTerminal(await this.#net.terminal(node), 'POST', '/integrity/check', {
      repair,
    })) as IntegrityReport;
  }

  /**
   * Damages one stored record behind the node's back (a disk error, a bad restore, an operator's
   * manual edit): raw SQL, not a change. Only the integrity check can find it.
   */
  async damage(node: string, code: ResidentCode, address: string): Promise<void> {
    const c = this.#net.config(node);
    const location = parseStoreUrl(c.store);
    const sql = 'UPDATE identity SET address = $1 WHERE resident_code = $2';
    if (location.kind === 'sqlite') {
      const db = new Database(location.path);
      try {
        db.prepare(sql.replace('$1', '?').replace('$2', '?')).run(address, code);
      } finally {
        db.close();
      }
    } else {
      const client = new pg.Client({ connectionString: location.connectionString });
      await client.connect();
      try {
        await client.query(`SET search_path TO ${c.storeSchema ?? 'public'}`);
        await client.query(sql, [address, code]);
      } finally {
        await client.end();
      }
    }
  }

  async close(): Promise<void> {
    for (const r of this.#registers.values()) await r.close();
    for (const s of this.#stores.values()) await s.close();
  }
}

/** The record at the national server equals the CS's and the prefecture's (本人確認情報 items). */
export async function expectSameEverywhere(
  s: Scenario,
  code: ResidentCode,
  cs: string,
): Promise<IdentityRecord> {
  const atCs = await s.find(`cs:${cs}`, code);
  const atPref = await s.find(`prefecture:${cs.slice(0, 2)}`, code);
  const atNational = await s.find('national:jlis', code);
  expect(atCs).toBeDefined();
  const items = ({ version: _v, ...r }: IdentityRecord) => r;
  expect(items(atPref!)).toEqual(items(atCs!));
  expect(items(atNational!)).toEqual(items(atCs!));
  return atNational!;
}

/**
 * The flow's tests, on a started network of SCENARIO_NETWORK (the caller makes it: SQLite or
 * PostgreSQL stores). They share one network and run in order.
 */
export function describeNetworkFlow(network: () => ProcessNetwork): void {
  let s: Scenario;
  beforeAll(() => {
    s = new Scenario(network());
  });
  afterAll(async () => {
    await s?.close();
  });

  it('R19: a 転入 and a 出生 at the counter reach the CS, the prefecture and the national server, with no human step', async () => {
    const mother = await s.moveIn('131016', {
      name: '住基 花子',
      kana: 'ジュウキ ハナコ',
      address: '東京都千代田区千代田1番1号',
    });
    const child = await s.birth('131016', mother.code, '住基 未来');
    await network().until('both at the national server', async () =>
      Boolean(
        (await s.find('national:jlis', mother.code)) && (await s.find('national:jlis', child)),
      ),
    );
    await s.settled();
    const atNational = await expectSameEverywhere(s, child, '131016');
    expect(atNational).toMatchObject({ status: 'resident', localGovernmentCode: '131016' });
    // The prefecture server of another prefecture holds nothing of them (R1: its residents only).
    expect(await s.find('prefecture:14', mother.code)).toBeUndefined();
  });

  it('R19: a change the prefecture refuses comes back to the municipality’s register with its rule', async () => {
    const resident = await s.moveIn('131016', {
      name: '差戻 一郎',
      kana: 'サシモドシ イチロウ',
      address: '東京都千代田区千代田2番1号',
      on: '2024-04-01',
    });
    await s.settled();
    // 中央区's register (here: a real register's export, through the file-import adapter)
    // records a 出生 under the code of a resident of 千代田区. 中央区's CS knows nobody of that
    // code and accepts it; 東京都's server holds the resident and refuses it.
    const register = await s.register('131024');
    const birth: ChangeEvent = {
      transactionId: 'e2e-birth-with-a-used-code',
      reason: 'birth',
      changeDate: date('2024-11-01'),
      residentCode: resident.code,
      values: {
        ...resident.event.values,
        address: '東京都中央区日本橋1丁目1番1号',
        localGovernmentCode: '131024',
        birthDate: date('2024-11-01'),
      },
    };
    await register.appendChanges([{ line: 1, event: birth }]);
    await network().until('the rejection is back at 中央区', async () =>
      (await register.listRejections(10)).some((r) => r.rejectedBy === 'prefecture:13'),
    );
    const [rejection] = await register.listRejections(10);
    expect(rejection).toMatchObject({
      transactionId: 'e2e-birth-with-a-used-code',
      rejectedBy: 'prefecture:13',
      rejection: { rule: 'create.already-resident' },
    });
    // Nothing changed upstream: the person is still at 千代田区.
    expect(await s.find('national:jlis', resident.code)).toMatchObject({
      localGovernmentCode: '131016',
    });
    await s.settled();
  });

  it('R19: a move to another prefecture leaves every server consistent even when the 転入 arrives first', async () => {
    const mover = await s.moveIn('131024', {
      name: '転居 次郎',
      kana: 'テンキョ ジロウ',
      address: '東京都中央区銀座1丁目1番1号',
      on: '2024-04-01',
    });
    await s.settled();
    // 中央区's CS is down: its 転出 waits in the register's feed while 鶴見区's 転入 goes through.
    await network().kill('cs:131024', 'SIGTERM');
    await s.moveOut('131024', mover.code, '神奈川県横浜市鶴見区鶴見中央1丁目1番1号', '2024-09-30');
    await s.moveIn('141011', {
      name: '転居 次郎',
      kana: 'テンキョ ジロウ',
      address: '神奈川県横浜市鶴見区鶴見中央1丁目1番1号',
      residentCode: mover.code,
      on: '2024-10-01',
    });
    await network().until(
      'the 転入 is at the national server',
      async () => (await s.find('national:jlis', mover.code))?.localGovernmentCode === '141011',
    );
    await network().start('cs:131024');
    await s.settled();
    expect(await s.find('national:jlis', mover.code)).toMatchObject({
      status: 'resident',
      localGovernmentCode: '141011',
    });
    expect(await s.find('prefecture:13', mover.code)).toMatchObject({ status: 'removed' });
    expect(await s.find('prefecture:14', mover.code)).toMatchObject({ status: 'resident' });
    expect(await s.find('cs:131024', mover.code)).toMatchObject({ status: 'removed' });
    await expectSameEverywhere(s, mover.code, '141011');
    // The late 転出 is in the national server's history, applied once, changing nothing.
    const history = await (await s.store('national:jlis')).history(mover.code);
    expect(history.map((h) => h.event.reason)).toEqual(['move-in', 'move-in', 'move-out']);
  });

  it('R19: a duplicated delivery is applied once (the receiver answers duplicate)', async () => {
    const person = await s.moveIn('131016', {
      name: '重複 三郎',
      kana: 'チョウフク サブロウ',
      address: '東京都千代田区千代田3番1号',
    });
    await s.settled();
    expect(await s.sendAsCs('131016', person.event)).toBe('duplicate');
    expect(await s.sendAsCs('131016', person.event)).toBe('duplicate');
    const history = await (await s.store('prefecture:13')).history(person.code);
    expect(history).toHaveLength(1);
  });

  it('R20: the integrity checks find exactly the record a prefecture refused, and a record damaged on disk, which the repair restores', async () => {
    // 中央区's CS accepted a 出生 that 東京都 refused: the CS has a resident the prefecture lacks.
    const [refused] = await (await s.register('131024')).listRejections(10);
    const chuo = await s.integrity('cs:131024');
    expect(chuo).toMatchObject({
      peer: 'prefecture:13',
      matching: false,
      differenceCounts: { missingAtReceiver: 1, extraAtReceiver: 0, differingValues: 0 },
      differences: { missingAtReceiver: [refused!.event!.residentCode] },
    });
    // A repair cannot make the prefecture take it: the code is a resident of 千代田区 there.
    const repaired = await s.integrity('cs:131024', true);
    expect(repaired.repaired).toMatchObject({ conflicts: 1, inserted: 0 });

    for (const node of ['cs:131016', 'cs:141011', 'prefecture:13', 'prefecture:14']) {
      const report = await s.integrity(node);
      expect(report.matching, `${node}: ${JSON.stringify(report.differenceCounts)}`).toBe(true);
      expect(report.counts.sender).toBe(report.counts.receiver);
    }

    // A record of 神奈川県's server damaged behind its back: found by prefecture:14 ↔ national
    // (the national server's copy differs) and by cs:141011 ↔ prefecture:14.
    const residents: ResidentCode[] = [];
    for await (const r of (await s.store('cs:141011')).scanScope({
      kind: 'municipality',
      code: '141011',
    }))
      residents.push(r.residentCode);
    const victim = residents[0]!;
    await s.damage('prefecture:14', victim, '神奈川県横浜市鶴見区改竄1番');
    const found = await s.integrity('cs:141011');
    expect(found).toMatchObject({
      matching: false,
      differenceCounts: { differingValues: 1, missingAtReceiver: 0, extraAtReceiver: 0 },
      differences: { differingValues: [victim] },
    });
    const fixed = await s.integrity('cs:141011', true);
    expect(fixed.repaired).toMatchObject({ updated: 1, conflicts: 0 });
    expect(await s.integrity('cs:141011')).toMatchObject({ matching: true });
    expect((await s.find('prefecture:14', victim))?.address).not.toContain('改竄');
    // Both ends recorded every check (R20: the result is recorded on both sides).
    const atCs = (await callTerminal(
      await network().terminal('cs:141011'),
      'GET',
      '/integrity',
    )) as unknown[];
    expect(atCs.length).toBeGreaterThanOrEqual(3);
    expect(
      (await (await s.store('prefecture:14')).listIntegrityChecks(10)).length,
    ).toBeGreaterThanOrEqual(3);
  });
}

/**
 * The integrity check (R20) end to end over the in-memory transport, with a CS store and a
 * prefecture store on SQLite: matching files, files with differences (all found, recorded at both
 * ends, repaired, then matching), scope refusals, and the receiver's own checks of the exchange.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { RegistryError } from '../domain/errors.ts';
import type { IdentityRecord } from '../domain/resident/IdentityInfo.ts';
import { connectSessions } from '../protocol/protocol-fixtures.ts';
import type { SessionPair } from '../protocol/protocol-fixtures.ts';
import type { SessionOptions } from '../protocol/session/session-options.ts';
import { integrityConclude } from '../protocol/messages/IntegrityConclude.ts';
import { registerIntegrityHandlers } from './integrity-receiver.ts';
import { runIntegrityCheck } from './integrity-sender.ts';
import {
  CHIYODA_SCOPE,
  CS,
  divergedCopy,
  freshCode,
  openStores,
  pick,
  population,
  PREFECTURE,
  type TestStores,
} from './integrity-test-fixtures.ts';

const chiyoda = population(3000);
const chuo = population(400, '131024', 'chuo'); // only at the prefecture: another municipality

let stores: TestStores | undefined;
let pair: SessionPair | undefined;
afterEach(async () => {
  pair?.close();
  await stores?.close();
  pair = stores = undefined;
});

async function setUp(
  csFile: readonly IdentityRecord[],
  prefectureFile: readonly IdentityRecord[],
  options: { a?: Partial<SessionOptions>; b?: Partial<SessionOptions> } = {},
) {
  stores = await openStores(csFile, prefectureFile);
  pair = connectSessions(options);
  registerIntegrityHandlers(pair.b, { store: stores.prefecture, self: PREFECTURE, peer: CS });
  await Promise.all([pair.a.ready, pair.b.ready]);
  const s = stores;
  const session = pair.a;
  return {
    ...s,
    session,
    check: (checkId: string, repair = false) =>
      runIntegrityCheck({
        session,
        store: s.cs,
        scope: CHIYODA_SCOPE,
        checkId,
        repair,
        self: CS,
        peer: PREFECTURE,
      }),
  };
}

const fullCopyBytes = (records: readonly IdentityRecord[]) =>
  records.reduce((n, r) => n + Buffer.byteLength(JSON.stringify(r)), 0);

describe('integrity check over the in-memory transport (R20)', () => {
  it('R20: matching files: the receiver notifies "matching", both ends record it, few bytes move', async () => {
    const t = await setUp(chiyoda, [...chiyoda, ...chuo]);
    const report = await t.check('chk-match');
    expect(report).toMatchObject({
      matching: true,
      counts: { sender: 3000, receiver: 3000 },
      differenceCounts: { missingAtReceiver: 0, extraAtReceiver: 0, differingValues: 0 },
      differences: { missingAtReceiver: [], extraAtReceiver: [], differingValues: [] },
      depth: 4,
      truncated: false,
      repaired: undefined,
    });
    // The descent stops at the first level: 16 hashes and a few small messages.
    expect(report.bytes.sent + report.bytes.received).toBeLessThan(1200);
    expect(report.bytes.sent + report.bytes.received).toBeLessThan(fullCopyBytes(chiyoda) / 500);
    const [sent] = await t.cs.listIntegrityChecks(5);
    const [received] = await t.prefecture.listIntegrityChecks(5);
    expect(sent).toMatchObject({
      checkId: 'chk-match',
      role: 'sender',
      peer: 'prefecture:13',
      matching: true,
    });
    expect(received).toMatchObject({
      checkId: 'chk-match',
      role: 'receiver',
      peer: 'cs:131016',
      matching: true,
      localCount: 3000,
      peerCount: 3000,
    });
    expect(received!.bytesReceived).toBe(sent!.bytesSent);
    expect(received!.bytesSent).toBe(sent!.bytesReceived);
  });

  it('R20: every difference is found and recorded at both ends; the repair fixes them without history; then they match', async () => {
    const d = {
      changed: pick(chiyoda, 5, 3),
      missing: pick(chiyoda, 1000, 2),
      extra: [freshCode(1), freshCode(2)],
    };
    const t = await setUp(chiyoda, [...divergedCopy(chiyoda, d), ...chuo]);
    const historyBefore = await t.prefecture.history(d.changed[0]!);
    const report = await t.check('chk-diff', true);
    expect(report.matching).toBe(false);
    expect(report.differences).toEqual({
      missingAtReceiver: [...d.missing].sort(),
      extraAtReceiver: [...d.extra].sort(),
      differingValues: [...d.changed].sort(),
    });
    expect(report.differenceCounts).toEqual({
      missingAtReceiver: 2,
      extraAtReceiver: 2,
      differingValues: 3,
    });
    expect(report.repaired).toEqual({
      inserted: 2,
      updated: 3,
      removed: 2,
      conflicts: 0,
      unchanged: 0,
      skipped: 0,
      conflictCodes: [],
      bytes: { sent: expect.any(Number) as number, received: expect.any(Number) as number },
    });
    const [received] = await t.prefecture.listIntegrityChecks(1);
    expect(received).toMatchObject({
      checkId: 'chk-diff',
      role: 'receiver',
      matching: false,
      differences: report.differences,
      repaired: { inserted: 2, updated: 3, removed: 2, conflicts: 0 },
    });
    const [sent] = await t.cs.listIntegrityChecks(1);
    expect(sent).toMatchObject({ role: 'sender', differences: report.differences });
    const log = await t.prefecture.listIntegrityRepairs('chk-diff');
    expect(log.map((l) => [l.residentCode, l.action]).sort()).toEqual(
      [
        ...d.changed.map((c) => [c, 'updated']),
        ...d.missing.map((c) => [c, 'inserted']),
        ...d.extra.map((c) => [c, 'removed']),
      ].sort(),
    );
    // The repair invents no change: the history is as it was; the record now equals the CS's.
    expect(await t.prefecture.history(d.changed[0]!)).toEqual(historyBefore);
    expect((await t.prefecture.getIdentity(d.changed[0]!)).address).toBe(
      (await t.cs.getIdentity(d.changed[0]!)).address,
    );
    expect((await t.check('chk-after')).matching).toBe(true);
    // Another municipality's residents were never touched.
    expect(await t.prefecture.countScope({ kind: 'municipality', code: '131024' })).toBe(400);
  });

  it('R20: with 4 KiB frames on both sides every message is cut to fit, and the result is the same', async () => {
    const d = {
      changed: pick(chiyoda, 3, 40),
      missing: pick(chiyoda, 7, 300),
      extra: [freshCode(3)],
    };
    const small = { maxFrameSize: 4096 };
    const t = await setUp(chiyoda, divergedCopy(chiyoda, d), { a: small, b: small });
    const report = await t.check('chk-small', true);
    expect(report.differenceCounts).toEqual({
      missingAtReceiver: 300,
      extraAtReceiver: 1,
      differingValues: 40,
    });
    expect(report.differences.missingAtReceiver).toEqual([...d.missing].sort());
    expect(report.repaired).toMatchObject({ inserted: 300, updated: 40, removed: 1, conflicts: 0 });
    expect(report.calls).toBeGreaterThan(10);
    expect((await t.check('chk-small-after')).matching).toBe(true);
  });

  it('R20: a CS may check only its own municipality: another scope is refused (typed) before anything is read or recorded', async () => {
    const t = await setUp(chiyoda, [...chiyoda, ...chuo]);
    for (const scope of [
      { kind: 'municipality', code: '131024' },
      { kind: 'prefecture', code: '13' },
    ] as const) {
      const error = await t.session
        .request({ kind: 'integrity-offer', checkId: `chk-${scope.code}`, scope, count: 1 })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RegistryError);
      expect(error).toMatchObject({ code: 'forbidden', reason: 'integrity.scope-forbidden' });
      // Nothing about the other scope leaks: no count, no code of it.
      expect((error as Error).message).not.toMatch(/400|\d{11}/);
      // The sender side refuses it too, without asking.
      await expect(
        runIntegrityCheck({
          session: t.session,
          store: t.cs,
          scope,
          checkId: 'chk-local',
          repair: false,
          self: CS,
          peer: PREFECTURE,
        }),
      ).rejects.toMatchObject({ code: 'forbidden', reason: 'integrity.scope-forbidden' });
    }
    expect(await t.prefecture.listIntegrityChecks(5)).toEqual([]);
  });

  it('R20: the receiver concludes only what was compared, and repairs only what the check found', async () => {
    const d = { changed: pick(chiyoda, 11, 1), missing: [], extra: [] };
    const t = await setUp(chiyoda, divergedCopy(chiyoda, d));
    await t.session.request({
      kind: 'integrity-offer',
      checkId: 'chk-x',
      scope: CHIYODA_SCOPE,
      count: 3000,
    });
    // Concluding without comparing anything would record "matching" for files never compared.
    await expect(t.session.request(integrityConclude('chk-x'))).rejects.toMatchObject({
      code: 'invalid',
      reason: 'integrity.incomplete',
    });
    expect(await t.prefecture.listIntegrityChecks(5)).toEqual([]);
    // A check that found one difference cannot be used to write another record.
    await t.check('chk-y');
    const other = await t.cs.getIdentity(chiyoda[500]!.residentCode);
    const error = await t.session
      .request({
        kind: 'integrity-repair',
        idempotencyKey: 'chk-y:repair:9',
        checkId: 'chk-y',
        upsert: [{ ...other, address: '東京都千代田区偽1番地' }],
        notResident: [],
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'forbidden', reason: 'integrity.repair-outside-check' });
    expect((await t.prefecture.getIdentity(other.residentCode)).address).toBe(other.address);
    // An unknown check id names nothing.
    await expect(
      t.session.request({
        kind: 'integrity-descend',
        checkId: 'chk-none',
        depth: 0,
        indices: [0],
        hashes: new Uint8Array(32),
      }),
    ).rejects.toMatchObject({ code: 'not-found', reason: 'integrity.unknown-check' });
  });
});

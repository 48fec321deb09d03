import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { date } from '../../src/domain/change/change-builders.ts';
import type { ProvidedIdentity } from '../../src/domain/provision/answer.ts';
import type { RecipientId } from '../../src/domain/provision/recipient.ts';
import type { ResidentCode } from '../../src/domain/resident/ResidentCode.ts';
import { callTerminal } from '../../src/nodes/terminal-server.ts';
import { loadStatutoryAffairs } from '../../src/reference-data/statutory-affairs.ts';
import { openAlertStore, openProvisionStore } from '../../src/storage/open-store.ts';
import type { ProvisionStore } from '../../src/storage/ports.ts';
import { ProcessNetwork } from './network-harness.ts';
import { Scenario } from './network-flow.ts';

/**
 * Identity provision end to end (R3–R5, R7, R13, R17, R21): agency servers query the national
 * server through their own processes over mutual TLS; a prefecture server answers its own
 * recipient and asks the national server about a resident of another prefecture.
 */
const PENSION = '別表第一:七十三の六'; // 厚生労働省及び日本年金機構: 国民年金法等…
const PASSPORT = '別表第一:四十一'; // 外務省: 旅券法…
const GOVERNOR_PASSPORT = '別表第五:六'; // 都道府県知事: 旅券法…

type Answer = { queryId: string; identities: ProvidedIdentity[]; source?: string };

describe('identity provision across processes', () => {
  let net: ProcessNetwork;
  let s: Scenario;
  let national: ProvisionStore;
  let hanako: ResidentCode;
  let taro: ResidentCode;

  /** Every answer an agency server got, to check the disclosure log against (R17). */
  const agencyAnswers: Answer[] = [];
  const ask = async (node: string, body: Record<string, unknown>): Promise<Answer> => {
    const answer = (await callTerminal(
      await net.terminal(node),
      'POST',
      '/provision/query',
      body,
    )) as Answer;
    if (node.startsWith('agency:')) agencyAnswers.push(answer);
    return answer;
  };
  const refusal = (node: string, body: Record<string, unknown>) =>
    ask(node, body).then(
      () => {
        throw new Error('expected a refusal');
      },
      (e: unknown) => e as { code: string; reason: string },
    );

  beforeAll(async () => {
    net = await ProcessNetwork.create({
      prefectures: ['13', '14'],
      municipalities: ['131016', '141011'],
      agencies: ['mhlw-pension', 'mofa-passport'],
    });
    await net.startAll();
    s = new Scenario(net);
    hanako = (
      await s.moveIn('131016', {
        name: '住基 花子',
        kana: 'ジュウキ ハナコ',
        address: '東京都千代田区千代田1番1号',
      })
    ).code;
    taro = (
      await s.moveIn('141011', {
        name: '鶴見 太郎',
        kana: 'ツルミ タロウ',
        address: '神奈川県横浜市鶴見区鶴見中央1丁目1番1号',
      })
    ).code;
    // 51 people with one name prefix and one date of birth: a query matching all is refused.
    for (let i = 0; i < 51; i++)
      await s.moveIn('131016', {
        name: `多数 ${i}`,
        kana: 'タスウ',
        address: `東京都千代田区千代田${i + 10}番1号`,
      });
    await s.settled();

    const affairs = loadStatutoryAffairs();
    national = await openProvisionStore(net.config('national:jlis').store);
    for (const [id, name, affair] of [
      ['mhlw-pension', '厚生労働省及び日本年金機構', PENSION],
      ['mofa-passport', '外務省', PASSPORT],
    ] as const) {
      await national.registerRecipient({
        id: id as RecipientId,
        name,
        kind: 'national-agency',
        servedBy: { role: 'national', code: 'jlis' },
        node: { role: 'agency', code: id },
      });
      await national.permitAffair(
        {
          recipientId: id as RecipientId,
          affairId: affairs.byId(affair)!.id,
          identifier: 'pseudonym',
        },
        affairs.byId(affair)!,
      );
    }
    await national.addAgreement({
      id: 'agreement-mhlw-2026',
      recipientId: 'mhlw-pension' as RecipientId,
      signedOn: date('2026-04-01'),
      validFrom: date('2026-04-01'),
      protectionMeasures: '安全確保措置: 照会端末の限定、操作者の認証、記録の保存',
    });
    const tokyo = await openProvisionStore(net.config('prefecture:13').store);
    await tokyo.registerRecipient({
      id: 'tokyo-governor' as RecipientId,
      name: '東京都知事',
      kind: 'prefecture-body',
      servedBy: { role: 'prefecture', code: '13' },
    });
    await tokyo.permitAffair(
      {
        recipientId: 'tokyo-governor' as RecipientId,
        affairId: affairs.byId(GOVERNOR_PASSPORT)!.id,
        identifier: 'pseudonym',
      },
      affairs.byId(GOVERNOR_PASSPORT)!,
    );
    await tokyo.close();
  }, 180_000);

  afterAll(async () => {
    await national?.close();
    await s?.close();
    await net?.destroy();
  });

  it('R13: an agency with an agreement gets 本人確認情報 by resident code and by name + date of birth, under its own pseudonym (R7)', async () => {
    const byCode = await ask('agency:mhlw-pension', {
      query: { affairId: PENSION, residentCode: hanako },
    });
    expect(byCode.identities).toHaveLength(1);
    const [p] = byCode.identities;
    expect(p).toMatchObject({
      name: { kanji: '住基 花子' },
      localGovernmentCode: '131016',
      status: 'resident',
    });
    expect(p!.identifier.kind).toBe('pseudonym');
    expect(JSON.stringify(byCode)).not.toContain(hanako);
    const byPrefix = await ask('agency:mhlw-pension', {
      query: { affairId: PENSION, name: '住', nameMatch: 'prefix', birthDate: '1990-05-05' },
      searcher: 'pension-operator-7',
    });
    expect(byPrefix.identities.map((i) => i.identifier.value)).toEqual([p!.identifier.value]);
  });

  it('R13, R4: conditions below the minimums, more than 50 matches and malformed input are refused, each with its reason', async () => {
    const below = await refusal('agency:mhlw-pension', {
      query: {
        affairId: PENSION,
        name: '住',
        nameMatch: 'prefix',
        address: '東京都千代田区',
        addressMatch: 'prefix',
      },
    });
    expect(below).toMatchObject({ code: 'forbidden', reason: 'search.below-minimum' });
    const many = await refusal('agency:mhlw-pension', {
      query: { affairId: PENSION, name: '多', nameMatch: 'prefix', birthDate: '1990-05-05' },
    });
    expect(many).toMatchObject({ code: 'too-many-matches' });
    const malformed = await refusal('agency:mhlw-pension', {
      query: { affairId: PENSION, residentCode: '12345678901' },
    });
    expect(malformed).toMatchObject({ code: 'invalid' });
  });

  it('R3, R5: an affair not permitted, no agreement, and a suspended recipient are refused and recorded', async () => {
    expect(
      await refusal('agency:mhlw-pension', { query: { affairId: PASSPORT, residentCode: hanako } }),
    ).toMatchObject({ code: 'forbidden', reason: 'provision.affair-not-permitted' });
    expect(
      await refusal('agency:mofa-passport', {
        query: { affairId: PASSPORT, residentCode: hanako },
      }),
    ).toMatchObject({ code: 'forbidden', reason: 'provision.no-agreement' });
    await national.recordSuspension({
      recipientId: 'mhlw-pension' as RecipientId,
      action: 'suspend',
      at: new Date().toISOString(),
      by: 'jlis-operator-1',
      reason: '報告要求への回答がないため',
    });
    await net.until(
      'the suspension is in force',
      async () =>
        (
          await refusal('agency:mhlw-pension', {
            query: { affairId: PENSION, residentCode: hanako },
          })
        ).reason === 'provision.recipient-suspended',
    );
    await national.recordSuspension({
      recipientId: 'mhlw-pension' as RecipientId,
      action: 'reinstate',
      at: new Date(Date.now() + 1).toISOString(),
      by: 'jlis-operator-1',
      reason: '回答を受領',
    });
    await net.until('reinstated', async () =>
      ask('agency:mhlw-pension', { query: { affairId: PENSION, residentCode: hanako } }).then(
        (a) => a.identities.length === 1,
      ),
    );
    const refused = await national.listRefusals({ limit: 50 });
    expect(new Set(refused.map((r) => r.reason))).toEqual(
      new Set([
        'search.below-minimum',
        'search.too-many-matches',
        'search.resident-code',
        'provision.affair-not-permitted',
        'provision.no-agreement',
        'provision.recipient-suspended',
      ]),
    );
    // A refusal names nobody.
    expect(JSON.stringify(refused)).not.toContain(hanako);
  });

  it('R7: two agencies never get the same identifier for one person', async () => {
    await national.addAgreement({
      id: 'agreement-mofa-2026',
      recipientId: 'mofa-passport' as RecipientId,
      signedOn: date('2026-04-01'),
      validFrom: date('2026-04-01'),
      protectionMeasures: '安全確保措置',
    });
    const mofa = await net
      .until('the agreement is in force', async () =>
        ask('agency:mofa-passport', { query: { affairId: PASSPORT, residentCode: hanako } }).then(
          () => true,
        ),
      )
      .then(() =>
        ask('agency:mofa-passport', { query: { affairId: PASSPORT, residentCode: hanako } }),
      );
    const mhlw = await ask('agency:mhlw-pension', {
      query: { affairId: PENSION, residentCode: hanako },
    });
    expect(mofa.identities[0]!.identifier.value).not.toBe(mhlw.identities[0]!.identifier.value);
  });

  it('R21: a prefecture server answers its own recipient about a resident of another prefecture by asking the national server', async () => {
    const answer = await ask('prefecture:13', {
      recipientId: 'tokyo-governor',
      query: { affairId: GOVERNOR_PASSPORT, name: '鶴見 太郎', birthDate: '1990-05-05' },
    });
    expect(answer.source).toBe('national');
    expect(answer.identities).toHaveLength(1);
    expect(answer.identities[0]).toMatchObject({
      localGovernmentCode: '141011',
      identifier: { kind: 'pseudonym' },
    });
    expect(JSON.stringify(answer)).not.toContain(taro);
    // Its own resident is answered at the prefecture server itself.
    const own = await ask('prefecture:13', {
      recipientId: 'tokyo-governor',
      query: { affairId: GOVERNOR_PASSPORT, name: '住基 花子', birthDate: '1990-05-05' },
    });
    expect(own.source).toBe('here');
  });

  it('R14: batch provision: a file of rows in, each row with 本人確認情報 or its own status out; malformed rows refused, nothing else lost', async () => {
    const rows = [
      { ref: 'a', resident_code: hanako },
      { ref: 'b', name: '鶴見 太郎', birth_date: '1990-05-05' },
      {
        ref: 'c',
        name: '住',
        name_match: 'prefix',
        address: '東京都千代田区',
        address_match: 'prefix',
      },
      'not json',
      { ref: 'e', resident_code: '12345678901' },
      { ref: 'f', name: '該当 なし', birth_date: '1901-01-01' },
    ];
    const input = join(net.dir, 'rows.jsonl');
    const output = join(net.dir, 'result.jsonl');
    await writeFile(
      input,
      rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n'),
    );
    const out: string[] = [];
    const io = { out: (t: string) => void out.push(t), err: () => undefined, interactive: false };
    const config = net.manifest.nodes.find((n) => n.node === 'agency:mhlw-pension')!.config;
    const code = await main(
      [
        'provision',
        'batch',
        '--config',
        config,
        '--affair',
        PENSION,
        '--in',
        input,
        '--out',
        output,
        '--chunk',
        '4',
      ],
      io,
    );
    expect(code, out.join('\n')).toBe(0);
    const results = (await readFile(output, 'utf8'))
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            line: number;
            ref?: string;
            status: string;
            reason?: string;
            identity?: ProvidedIdentity;
          },
      );
    expect(results.map((r) => [r.line, r.status, r.reason])).toEqual([
      [1, 'found', undefined],
      [2, 'found', undefined],
      [3, 'refused', 'search.below-minimum'],
      [4, 'refused', 'batch.malformed-line'],
      [5, 'refused', 'search.resident-code'],
      [6, 'not-found', undefined],
    ]);
    expect(results[1]!.identity).toMatchObject({ localGovernmentCode: '141011' });
    expect(out.join('\n')).toMatch(/6 lines — 2 found, 1 not found, 2 refused, 1 malformed/);
    // Each person provided by the batch has a disclosure record of channel `batch` (R17).
    expect((await national.disclosuresOf(taro)).some((d) => d.channel === 'batch')).toBe(true);
  });

  it('R13, R23: a query with a sex other than male/female, a match mode other than exact/prefix or an unknown field is refused with its reason and recorded at the national server; the agency’s session goes on', async () => {
    const alerts = await openAlertStore(net.config('national:jlis').store);
    const fromAgency = async () =>
      (await alerts.listAlerts({ limit: 1000 })).filter((a) => a.peerName === 'agency:mhlw-pension')
        .length;
    const alertsBefore = await fromAgency();
    const lastBefore = (await national.listRefusals({ limit: 1 }))[0]?.id ?? 0;
    const lawful = { affairId: PENSION, residentCode: hanako };
    const cases: [Record<string, unknown>, string][] = [
      // Not a value of the schema: once a protocol violation that closed the agency's session.
      [{ ...lawful, sex: 'unknown' }, 'search.sex'],
      [
        { affairId: PENSION, name: '住基 花子', nameMatch: 'fuzzy', birthDate: '1990-05-05' },
        'search.match-mode',
      ],
      // A typo is not ignored: without `birthdate` the query would ask for someone else.
      [{ affairId: PENSION, name: '住基 花子', birthdate: '1990-05-05' }, 'search.malformed'],
    ];
    for (const [query, reason] of cases) {
      expect(await refusal('agency:mhlw-pension', { query }), reason).toMatchObject({
        code: 'invalid',
        reason,
      });
      // The refusal is the query's, not the session's: the next lawful query is answered.
      expect((await ask('agency:mhlw-pension', { query: lawful })).identities).toHaveLength(1);
    }
    const recorded = (await national.listRefusals({ limit: 50 }))
      .filter((r) => r.id > lastBefore)
      .sort((a, b) => a.id - b.id);
    expect(recorded.map((r) => [r.recipientId, r.affairId, r.channel, r.code, r.reason])).toEqual(
      cases.map(([, reason]) => ['mhlw-pension', PENSION, 'immediate', 'invalid', reason]),
    );
    // No protocol violation was seen from the agency (R11 alerts are for attacks, not typos).
    expect(await fromAgency()).toBe(alertsBefore);
    await alerts.close();
  });

  it('R14, R23: batch rows refused at the agency server (not a JSON object, an unknown column, no condition, a cell not a string) and rows failing the schema are recorded at the national server, each with its reason and line', async () => {
    const lastBefore = (await national.listRefusals({ limit: 1 }))[0]?.id ?? 0;
    const lines = [
      JSON.stringify({ ref: 'a', resident_code: hanako }),
      '[1, 2]',
      JSON.stringify({ ref: 'c', resident_code: hanako, colour: 'blue' }),
      JSON.stringify({ ref: 'd' }),
      JSON.stringify({ ref: 'e', resident_code: 24727059608 }),
      JSON.stringify({ ref: 'f', name: '住基 花子', birth_date: '1990-05-05', sex: 'x' }),
      JSON.stringify({
        ref: 'g',
        name: '住基 花子',
        name_match: 'fuzzy',
        birth_date: '1990-05-05',
      }),
    ];
    const input = join(net.dir, 'malformed-rows.jsonl');
    const output = join(net.dir, 'malformed-result.jsonl');
    await writeFile(input, lines.join('\n'));
    const out: string[] = [];
    const io = { out: (t: string) => void out.push(t), err: () => undefined, interactive: false };
    const config = net.manifest.nodes.find((n) => n.node === 'agency:mhlw-pension')!.config;
    const args = ['--config', config, '--affair', PENSION, '--in', input, '--out', output];
    expect(await main(['provision', 'batch', ...args], io), out.join('\n')).toBe(0);
    const expected: [number, string | undefined][] = [
      [1, undefined],
      [2, 'batch.malformed-line'],
      [3, 'batch.unknown-column'],
      [4, 'batch.empty-row'],
      [5, 'search.malformed'],
      [6, 'search.sex'],
      [7, 'search.match-mode'],
    ];
    const results = (await readFile(output, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; status: string; reason?: string });
    expect(results.map((r) => [r.line, r.reason])).toEqual(expected);
    expect(results[0]!.status).toBe('found');
    // Each result line carries its input row, the answer appended (R14).
    expect(results.map((r) => (r as { input?: unknown }).input)).toEqual(
      lines.map((l) => {
        try {
          const parsed: unknown = JSON.parse(l);
          return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
            ? parsed
            : l;
        } catch {
          return l;
        }
      }),
    );
    // Every refused line has its refusal record at the national server (R23): row k of the chunk
    // whose first line is F has the query id `…:F#k`, so line F + k.
    const recorded = (await national.listRefusals({ limit: 50 }))
      .filter((r) => r.id > lastBefore)
      .map((r) => {
        const [, first, k] = /:(\d+)#(\d+)$/.exec(r.queryId)!;
        return [Number(first) + Number(k), r.reason, r.channel, r.recipientId, r.affairId];
      })
      .sort((a, b) => (a[0] as number) - (b[0] as number));
    expect(recorded).toEqual(
      expected.slice(1).map(([line, reason]) => [line, reason, 'batch', 'mhlw-pension', PENSION]),
    );
  });

  it('R17: every provision is in the resident’s disclosure report, with purpose and legal basis; refused attempts are not', async () => {
    const disclosures = await national.disclosuresOf(hanako);
    expect(disclosures.length).toBeGreaterThanOrEqual(4);
    expect(new Set(disclosures.map((d) => d.recipientId))).toEqual(
      new Set(['mhlw-pension', 'mofa-passport']),
    );
    for (const d of disclosures) {
      expect(d.legalBasis.length).toBeGreaterThan(0);
      expect(d.node).toBe('national:jlis');
    }
    // Each immediate answer an agency got has exactly one record per person provided, under its
    // query id, at the national server (the people of both prefectures of this network).
    const all = [
      ...(await national.disclosuresForPrefecture('13', 0, 10_000)),
      ...(await national.disclosuresForPrefecture('14', 0, 10_000)),
    ];
    const perQuery = new Map<string, number>();
    for (const d of all) perQuery.set(d.queryId, (perQuery.get(d.queryId) ?? 0) + 1);
    expect(agencyAnswers.filter((a) => a.identities.length > 0).length).toBeGreaterThanOrEqual(3);
    for (const a of agencyAnswers)
      expect([a.queryId, perQuery.get(a.queryId) ?? 0]).toEqual([a.queryId, a.identities.length]);
    const suspendedQueries = (await national.listRefusals({ limit: 50 })).map((r) => r.queryId);
    expect(disclosures.some((d) => suspendedQueries.includes(d.queryId))).toBe(false);
    // 鶴見 太郎: once for 東京都's governor (through the national server, R21), once in the batch.
    expect(new Set((await national.disclosuresOf(taro)).map((d) => d.recipientId))).toEqual(
      new Set(['tokyo-governor', 'mhlw-pension']),
    );

    const out: string[] = [];
    const io = {
      out: (t: string) => void out.push(t),
      err: (t: string) => void out.push(t),
      interactive: false,
    };
    const code = await main(
      [
        'disclosure',
        'report',
        '--store',
        net.config('national:jlis').store,
        '--resident-code',
        hanako,
        '--json',
      ],
      io,
    );
    expect(code, out.join('\n')).toBe(0);
    const report = JSON.parse(out.join('\n')) as {
      lines: { legalBasis: string; affairDescription: string }[];
    };
    expect(report.lines).toHaveLength(disclosures.length);
    for (const line of report.lines) {
      expect(line.legalBasis.length).toBeGreaterThan(0);
      expect(line.affairDescription.length).toBeGreaterThan(0);
    }
  });

  it('R21, R17: a name + date of birth matching a resident of the prefecture and one of another prefecture gives both; each is disclosed where it was provided', async () => {
    const here = (
      await s.moveIn('131016', {
        name: '両県 花子',
        kana: 'リョウケン ハナコ',
        address: '東京都千代田区千代田90番1号',
      })
    ).code;
    const there = (
      await s.moveIn('141011', {
        name: '両県 花子',
        kana: 'リョウケン ハナコ',
        address: '神奈川県横浜市鶴見区鶴見中央9丁目1番1号',
      })
    ).code;
    await s.settled();
    const answer = await ask('prefecture:13', {
      recipientId: 'tokyo-governor',
      query: { affairId: GOVERNOR_PASSPORT, name: '両県 花子', birthDate: '1990-05-05' },
    });
    expect(answer.source).toBe('both');
    expect(answer.identities.map((p) => p.localGovernmentCode).sort()).toEqual([
      '131016',
      '141011',
    ]);
    expect(answer.identities.every((p) => p.identifier.kind === 'pseudonym')).toBe(true);
    expect(JSON.stringify(answer)).not.toContain(here);
    expect(JSON.stringify(answer)).not.toContain(there);
    // Tokyo's resident is provided (and disclosed) by the prefecture server, the other by the
    // national server, which left Tokyo's residents out of the forwarded query: one record each.
    const atNational = await national.disclosuresOf([here, there]);
    expect(atNational.map((d) => [d.residentCode, d.node, d.recipientId])).toEqual([
      [there, 'national:jlis', 'tokyo-governor'],
    ]);
    const tokyo = await openProvisionStore(net.config('prefecture:13').store);
    try {
      const atTokyo = await tokyo.disclosuresOf([here, there]);
      expect(atTokyo.map((d) => [d.residentCode, d.node, d.recipientId])).toEqual([
        [here, 'prefecture:13', 'tokyo-governor'],
      ]);
    } finally {
      await tokyo.close();
    }
  });
});

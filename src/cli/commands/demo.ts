import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { splitAddress } from '../../domain/address/split-address.ts';
import type { ChangeEvent } from '../../domain/change/ChangeEvent.ts';
import { changeReasonLabel, type ChangeReason } from '../../domain/change/ChangeReason.ts';
import type { CalendarDate } from '../../domain/dates/CalendarDate.ts';
import {
  identityInfoOf,
  type IdentityInfo,
  type IdentityRecord,
} from '../../domain/resident/IdentityInfo.ts';
import { bulkLoadPopulationFile } from '../../population/bulk-load.ts';
import { writePopulationFile } from '../../population/write-population-file.ts';
import { loadLocalGovernmentTable } from '../../reference-data/local-governments.ts';
import { openIdentityStore } from '../../storage/open-store.ts';
import type { IdentityStore } from '../../storage/ports.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import type { CommandIO } from '../io.ts';
import { createProgress } from '../progress.ts';
import { runDemoNetwork } from './demo-network.ts';
import { DEFAULT_AS_OF } from './population.ts';

export const DEMO_HELP = `juki demo [--dir DIR] [--residents N] [--seed S]

  The main job on the embedded default, with no configuration: generates a synthetic population
  for a handful of municipalities, loads each into its own CS store (SQLite, one file per node),
  walks one resident through accepted and refused changes (R19), then starts the closed network:
  a CA issues node certificates, 東京都's prefecture server listens behind its firewall, 千代田区's
  CS sends the accepted change over mutual TLS 1.3 in jukinet's own protocol, and an HTTP request
  on the same port is dropped and recorded as an intrusion alert (R9–R11). Prints how to look at it.

  --dir DIR        where the demo writes (default .juki/demo; recreated on every run)
  --residents N    residents in all (default 10000)
  --seed S         population seed (default demo)`;

/** A handful of municipalities of every kind: designated-city wards, a special ward, a town, a city. */
export const DEMO_MUNICIPALITIES = [
  '011011',
  '013951',
  '131016',
  '141038',
  '271276',
  '472018',
] as const;

/** Today's date in Japan (the registry's civil date), taken at the edge: the domain has no clock. */
export function todayInJapan(now = new Date()): CalendarDate {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(now) as CalendarDate;
}

export async function runDemo(args: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      dir: { type: 'string', default: '.juki/demo' },
      residents: { type: 'string', default: '10000' },
      seed: { type: 'string', default: 'demo' },
    },
  });
  const residents = Number(values.residents);
  if (!Number.isSafeInteger(residents) || residents < DEMO_MUNICIPALITIES.length) {
    throw new UsageError(`--residents must be an integer ≥ ${DEMO_MUNICIPALITIES.length}`);
  }
  const dir = resolve(values.dir);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const table = loadLocalGovernmentTable();
  const today = todayInJapan();
  const write = (s: string): void => void process.stderr.write(s);

  io.out(`jukinet demo — 住民基本台帳ネットワーク (Juki-net), embedded SQLite, in ${dir}\n`);

  // 1. A synthetic population for the demo municipalities.
  const populationFile = join(dir, 'population.jsonl');
  const genProgress = createProgress('1/4 住民を生成 generating residents', residents, {
    interactive: io.interactive,
    write,
  });
  await writePopulationFile(
    populationFile,
    {
      residents,
      seed: values.seed,
      municipalities: table.rows,
      asOf: DEFAULT_AS_OF as CalendarDate,
      onlyCodes: DEMO_MUNICIPALITIES,
    },
    (done) => genProgress.update(done),
  );
  genProgress.finish(residents);

  // 2. Each municipality's CS gets its own store, loaded through the storage port.
  const stores = new Map<string, { url: string; store: IdentityStore; first?: IdentityRecord }>();
  for (const code of DEMO_MUNICIPALITIES) {
    const url = `sqlite:${join(dir, `cs-${code}.sqlite`)}`;
    stores.set(code, { url, store: await openIdentityStore(url) });
  }
  const closers: (() => Promise<void>)[] = [];
  try {
    const loadProgress = createProgress('2/4 CSへ読込 loading into the CS stores', residents, {
      interactive: io.interactive,
      write,
    });
    const report = await bulkLoadPopulationFile(
      (record) => {
        const cs = stores.get(record.localGovernmentCode);
        if (cs === undefined)
          throw new Error(
            `population row outside the demo municipalities: ${record.localGovernmentCode}`,
          );
        cs.first ??= record;
        return cs.store;
      },
      populationFile,
      { onProgress: (done) => loadProgress.update(done) },
    );
    loadProgress.finish(report.rowsRead);
    if (report.refusedCount > 0)
      throw new Error(
        `demo population refused ${report.refusedCount} rows: ${JSON.stringify(report.refusals[0])}`,
      );

    // The prefecture server of 東京都 holds the identity information of its residents (R1).
    const prefectureUrl = `sqlite:${join(dir, 'prefecture-13.sqlite')}`;
    const prefecture = await openIdentityStore(prefectureUrl);
    closers.push(() => prefecture.close());
    await bulkLoadPopulationFile(
      (record) => (record.localGovernmentCode.startsWith('13') ? prefecture : undefined),
      populationFile,
    );

    io.out('\nコミュニケーションサーバ (CS) per municipality:');
    for (const [code, cs] of stores) {
      const row = table.byCode(code);
      const count = await cs.store.countIdentities();
      io.out(
        `  ${code} ${row?.prefecture ?? ''}${row?.municipality ?? ''}`.padEnd(28) +
          `${String(count).padStart(7)} residents  ${cs.url}`,
      );
    }

    // 3. One resident through accepted and refused changes (R19).
    const cs = stores.get('131016')!;
    const person = cs.first!;
    io.out(
      `\n3/4 異動 (changes) for ${person.name.kanji} (${person.residentCode}) at 千代田区, ${today}:`,
    );
    const parts = splitAddress(table, person.address);
    const moved: IdentityInfo = {
      ...identityInfoOf(person),
      address: `${parts.prefecture}${parts.municipality}丸の内一丁目1番1号`,
    };
    const attempts: { reason: ChangeReason; values: IdentityInfo; note: string }[] = [
      { reason: 'move-within', values: moved, note: '転居: the address changes within 千代田区' },
      {
        reason: 'move-within',
        values: {
          ...moved,
          address: `${moved.address}-2`,
          name: { kanji: '偽名　太郎', kana: 'ギメイ　タロウ' },
        },
        note: '転居 that also changes the name',
      },
      { reason: 'move-in', values: moved, note: '転入 for a resident already present' },
    ];
    for (const a of attempts) {
      const event: ChangeEvent = {
        transactionId: randomUUID(),
        reason: a.reason,
        changeDate: today,
        residentCode: person.residentCode,
        values: a.values,
      };
      const outcome = await cs.store.applyChange(event, { today, outbox: true });
      const verdict =
        outcome.status === 'rejected'
          ? `refused [${outcome.rejection.rule}] ${outcome.rejection.message}`
          : outcome.status;
      io.out(`  ${changeReasonLabel(a.reason).padEnd(4, '　')} ${a.note}\n      → ${verdict}`);
    }
    const pending = await cs.store.pendingOutbox(10);
    io.out(`  outbox: ${pending.length} accepted change(s) queued for the prefecture server`);

    io.out(
      '\n4/4 閉域網 (the closed network): certificates, mutual TLS, our protocol, the firewall',
    );
    await runDemoNetwork({ dir, cs: cs.store, prefecture, prefectureUrl, today, io });
    const atPrefecture = await prefecture.getIdentity(person.residentCode);
    io.out(
      `  prefecture:13 now holds: ${atPrefecture.address} (${changeReasonLabel(atPrefecture.lastChange.reason)})`,
    );

    io.out(`\nLook at it:
  node bin/juki.js identity show    --store ${cs.url} ${person.residentCode}
  node bin/juki.js identity history --store ${cs.url} ${person.residentCode}
  node bin/juki.js identity show    --store ${prefectureUrl} ${person.residentCode}
  node bin/juki.js alerts --store ${prefectureUrl}
  node bin/juki.js pki list --dir ${join(dir, 'pki')}
  node bin/juki.js check-digit resident-code ${person.residentCode}
  node bin/juki.js load --store sqlite:${join(dir, 'all.sqlite')} --in ${populationFile}
The population file is ${populationFile} (JSON Lines, docs/POPULATION.md).`);
    return EXIT.ok;
  } finally {
    for (const cs of stores.values()) await cs.store.close();
    for (const close of closers) await close();
  }
}

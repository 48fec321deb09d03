import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { changeReasonLabel } from '../../domain/change/ChangeReason.ts';
import { RegistryError } from '../../domain/errors.ts';
import { nodeName } from '../../domain/network/NodeRef.ts';
import type { ResidentCode } from '../../domain/resident/ResidentCode.ts';
import { todayInJapan } from '../../nodes/japan-date.ts';
import { startLocalNetwork, type LocalNetwork } from '../../nodes/local-network.ts';
import { initNetwork } from '../../nodes/network-init.ts';
import { loadLocalGovernmentTable } from '../../reference-data/local-governments.ts';
import { openRegisterStore } from '../../register/open-register.ts';
import type { RegisterStore } from '../../register/RegisterStore.ts';
import { openAlertStore, openIdentityStore } from '../../storage/open-store.ts';
import { parseStoreUrl } from '../../storage/store-url.ts';
import type { IdentityStore } from '../../storage/ports.ts';
import { EXIT, UsageError } from '../cli-error.ts';
import type { CommandIO } from '../io.ts';
import { createProgress } from '../progress.ts';
import { DEMO_COUNTRY, registerPopulation } from './demo-country.ts';
import {
  addDemoWebTerminals,
  runDemoOperators,
  runDemoSelfCheck,
  runDemoSuspiciousPattern,
} from './demo-operators.ts';
import { DEMO_AGENCIES, DEMO_PENSION_AFFAIR, runDemoProvision } from './demo-provision.ts';
import { changeStream } from './demo-changes.ts';
import { householdOfSeveral, runDemoSwitch, runDemoWideArea } from './demo-switch.ts';
import { reserveBasePort } from '../../nodes/port-range.ts';

export const DEMO_HELP = `juki demo [--dir DIR] [--residents N] [--seed S]

  The main job on the embedded default, with no configuration: a small country as a network on
  this machine — the national server, three prefecture servers, six municipalities (each its
  register and its CS), the switch — every node with its own SQLite store and certificate,
  talking mutual TLS 1.3 in jukinet's own protocol. The registers take in a synthetic population
  at the counter and then a stream of changes (births, deaths, moves within and across
  municipalities and prefectures); every change flows register → CS → prefecture → national on
  its own (R19), refused changes come back to the register, the integrity checks compare every
  level (R20), and a stranger's HTTP request on a network port is recorded as an intrusion alert
  (R11). One CS reaches another through the switch (R2: a connectivity check over an inner
  mutual-TLS session; the switch keeps who, when and how many bytes), and a household of
  大阪市北区 gets a copy of its 住民票 at 新宿区 the same way (広域交付, R24), as a mover's 転入
  at 大阪市北区 is taken from 鎌倉市's CS (転入転出の特例, R25). Prints how to look at it, and how
  to run the same network as separate processes.

  --dir DIR        where the demo writes (default .juki/demo; recreated on every run)
  --residents N    residents in all (default 1200)
  --seed S         population seed (default demo)`;

const NATIONAL = 'national:jlis';

export async function runDemo(args: readonly string[], io: CommandIO): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      dir: { type: 'string', default: '.juki/demo' },
      residents: { type: 'string', default: '1200' },
      seed: { type: 'string', default: 'demo' },
    },
  });
  const residents = Number(values.residents);
  if (!Number.isSafeInteger(residents) || residents < 20 || residents > 1_000_000)
    throw new UsageError('--residents must be an integer in [20, 1000000]');
  const dir = resolve(values.dir);
  rmSync(dir, { recursive: true, force: true });
  const table = loadLocalGovernmentTable();
  const today = todayInJapan();
  const write = (s: string): void => void process.stderr.write(s);
  const name = (code: string): string => {
    const row = table.byCode(code);
    return row ? `${row.prefecture}${row.municipality}` : code;
  };

  io.out(
    `jukinet demo — 住民基本台帳ネットワーク (Juki-net): a small country on this machine, in ${dir}\n`,
  );

  // 1. The network: certificates and one config per node.
  const basePort = reserveBasePort();
  const manifest = await initNetwork({
    prefectures: [...DEMO_COUNTRY.prefectures],
    municipalities: [...DEMO_COUNTRY.municipalities],
    agencies: [...DEMO_AGENCIES],
    dir,
    host: '127.0.0.1',
    // A port range of its own (the demo's nodes listen on 127.0.0.1 only), below the kernel's
    // ephemeral range (32768–60999) where outgoing connections would take our ports.
    basePort,
    overrides: { delivery: { pollMs: 50 }, schedule: { integrityMinutes: 0, retentionMinutes: 0 } },
  });
  io.out(
    `1/8 ネットワーク構築 network: ${manifest.nodes.length} nodes, each with a certificate of the network CA (${join(dir, 'pki')})`,
  );

  const webOrigins = await addDemoWebTerminals(dir, basePort);

  // 2. Start every node (here in one process; `juki node start` runs each as its own).
  const network = await startLocalNetwork(dir, manifest);
  const registers = new Map<string, RegisterStore>();
  const stores = new Map<string, IdentityStore>();
  try {
    io.out(
      `2/8 起動 started: national:jlis, ${DEMO_COUNTRY.prefectures.map((p) => `prefecture:${p}`).join(', ')}, switch:main, ${DEMO_COUNTRY.municipalities.length} CS with their registers (logs in ${join(dir, 'logs')})`,
    );
    await runDemoSwitch({ network, from: 'cs:131016', to: 'cs:271276', name, io });
    for (const code of DEMO_COUNTRY.municipalities) {
      const c = network.node(`cs:${code}`).config;
      registers.set(code, await openRegisterStore(c.register!, { municipality: code }));
    }
    const store = async (node: string): Promise<IdentityStore> => {
      let s = stores.get(node);
      if (!s) {
        s = await openIdentityStore(network.node(node).config.store);
        stores.set(node, s);
      }
      return s;
    };

    // 3. The population, taken in at the counters.
    const progress = createProgress('3/8 転入届 registering residents at the counters', residents, {
      interactive: io.interactive,
      write,
    });
    const started = performance.now();
    const population = await registerPopulation({
      registers,
      table,
      residents,
      seed: values.seed,
      today,
      onProgress: (done) => progress.update(done),
    });
    progress.finish(population.residents);
    await settled(network, registers, stores, store);
    io.out(
      `3/8 転入届 ${population.residents} residents in ${population.households} households registered and propagated in ${((performance.now() - started) / 1000).toFixed(1)} s:`,
    );
    for (const code of DEMO_COUNTRY.municipalities)
      io.out(
        `      ${name(code).padEnd(12, '　')} CS ${String(await (await store(`cs:${code}`)).countIdentities()).padStart(5)}`,
      );
    for (const p of DEMO_COUNTRY.prefectures)
      io.out(
        `      ${`prefecture:${p}`.padEnd(16)} ${String(await (await store(`prefecture:${p}`)).countIdentities()).padStart(5)} (本人確認情報 of its residents only, R1)`,
      );
    io.out(
      `      ${NATIONAL.padEnd(16)} ${String(await (await store(NATIONAL)).countIdentities()).padStart(5)}`,
    );

    // 4. A stream of changes.
    io.out('\n4/8 異動 changes at the counters, each flowing up on its own:');
    const shown = await changeStream({
      registers,
      codes: population.codes,
      today,
      io,
      name,
      network,
    });
    await settled(network, registers, stores, store);
    for (const s of shown) {
      const atNational = await (await store(NATIONAL)).findIdentity(s.code);
      io.out(
        `      national:jlis now: ${s.code} ${atNational ? `${atNational.status === 'resident' ? '住民' : '消除'} at ${name(atNational.localGovernmentCode)} (${changeReasonLabel(atNational.lastChange.reason)})` : '—'}`,
      );
    }
    const osaka = population.codes.get('271276') ?? [];
    const household = await householdOfSeveral(registers.get('271276')!, osaka);
    if (household)
      await runDemoWideArea({
        network,
        issuing: 'cs:131041',
        residence: 'cs:271276',
        register: registers.get('271276')!,
        ...household,
        io,
      });
    const refused = await registers.get('131016')!.listRejections(5);
    for (const r of refused)
      io.out(
        `      差戻し (refused, back at 千代田区's register): ${r.transactionId} by ${r.rejectedBy} [${r.rejection.rule}]`,
      );

    // 5. Integrity checks at every level, a damaged record found and repaired, retention, health.
    io.out(
      '\n5/8 本人確認情報整合 integrity checks (R20): each CS with its prefecture, each prefecture with the national server',
    );
    const nodesToCheck = [
      ...DEMO_COUNTRY.municipalities.map((c) => `cs:${c}`),
      ...DEMO_COUNTRY.prefectures.map((p) => `prefecture:${p}`),
    ];
    for (const n of nodesToCheck) {
      const r = await network.node(n).runIntegrityCheck({ repair: false });
      io.out(
        `      ${n.padEnd(16)} ↔ ${r.peer.padEnd(14)} ${r.matching ? '一致 matching' : `不一致: ${r.differenceCounts.missingAtReceiver} missing, ${r.differenceCounts.extraAtReceiver} extra, ${r.differenceCounts.differingValues} differing`} (${r.counts.sender} residents, ${r.bytes.sent + r.bytes.received} bytes)`,
      );
    }
    io.out(
      `      (cs:131016's one missing record is the 出生 東京都 refused: its CS took it, the prefecture did not — the register shows it as 差戻し for the staff to correct)`,
    );
    const victim = population.codes.get('272035')?.find((c) => c !== shown[1]?.code);
    if (victim) {
      damageRecord(network.node('prefecture:27').config.store, victim);
      const found = await network.node('cs:272035').runIntegrityCheck({ repair: false });
      io.out(
        `      a record of prefecture:27 damaged on disk (raw SQL, not a change): cs:272035's check finds ${found.differences.differingValues.join(' ')} differing`,
      );
      const fixed = await network.node('cs:272035').runIntegrityCheck({ repair: true });
      const again = await network.node('cs:272035').runIntegrityCheck({ repair: false });
      io.out(
        `      修復 repair: ${fixed.repaired?.updated ?? 0} record re-sent and updated at prefecture:27, recorded in its repair log; checked again: ${again.matching ? '一致 matching' : 'still differing'}`,
      );
    }
    const erased = await network.node(NATIONAL).runRetention();
    io.out(
      `      保存期間 retention at national:jlis: ${erased.erasedHistoryEntries} history entries and ${erased.erasedRecords} records past 5 years erased (recorded as counts only)`,
    );
    for (const n of ['cs:131016', 'prefecture:13', NATIONAL]) {
      const h = await network.node(n).health();
      io.out(
        `      ${n.padEnd(16)} ${h.status}: ${h.identities} identities, outbox ${h.outbox}${h.upstream ? `, delivered ${h.upstream.delivered} to ${h.upstream.upstream}` : ''}`,
      );
    }

    // 6. Provision to agencies and a prefecture's own recipient; a disclosure report.
    io.out('\n6/8 本人確認情報の提供 provision (R3–R5, R13, R15) and disclosure (R17):');
    const chiyodaCode = population.codes.get('131016')![1]!;
    const tsurumiCode = population.codes.get('141011')![0]!;
    const nationalStore = await store(NATIONAL);
    await runDemoProvision({
      network,
      dir,
      today,
      tokyoResident: (await nationalStore.findIdentity(chiyodaCode))!,
      otherPrefectureResident: (await nationalStore.findIdentity(tsurumiCode))!,
      io,
    });

    // 7. Operators, their web terminal and the access log.
    io.out(
      '\n7/8 操作者と操作記録 operators, the access log and its analysis (R15, R16, R23, R31):',
    );
    await runDemoOperators({ network, origins: webOrigins, io });
    await runDemoSuspiciousPattern({
      network,
      affairId: DEMO_PENSION_AFFAIR,
      residentCode: chiyodaCode,
      io,
    });
    await runDemoSelfCheck({ network, today, io });

    // 8. A stranger on a network-side port.
    const pref = network.node('prefecture:13');
    const { host, port } = pref.network!;
    await new Promise<void>((done) => {
      const socket = tcpConnect(port, host, () =>
        socket.write('GET / HTTP/1.1\r\nHost: jukinet\r\n\r\n'),
      );
      socket.on('error', () => done());
      socket.on('close', () => done());
    });
    await new Promise((r) => setTimeout(r, 200));
    const alerts = await openAlertStore(pref.config.store);
    const [alert] = await alerts.listAlerts({ limit: 1 });
    await alerts.close();
    io.out(
      `\n8/8 侵入検知 an HTTP request on prefecture:13's network port ${host}:${port}: ${alert ? `dropped and recorded: ${alert.kind} — ${alert.detail}` : 'dropped'}`,
    );

    const cs = network.node('cs:131016').config;
    io.out(`\nLook at it:
  node bin/juki.js register rejections --register ${cs.register}
  node bin/juki.js register show --register ${cs.register} ${shown[0]?.code ?? ''}
  node bin/juki.js identity history --store ${network.node(NATIONAL).config.store} ${shown[0]?.code ?? ''}
  node bin/juki.js alerts --store ${pref.config.store}
  node bin/juki.js audit list --store ${pref.config.store}
  node bin/juki.js audit verify --store ${pref.config.store} --bundle ${pref.config.bundleDir}
  node bin/juki.js operator list --store ${pref.config.store}
  node bin/juki.js operator enroll --store ${pref.config.store} --id admin-13 --by admin-13   (a new token)
Run the same network as separate processes (one terminal each, or on separate machines):
  node bin/juki.js node start --config ${join(dir, 'nodes', 'national-jlis.json')}
  node bin/juki.js node start --config ${join(dir, 'nodes', 'prefecture-13.json')}   … and so on for ${join(dir, 'nodes')}/*.json
  node bin/juki.js node health --config ${join(dir, 'nodes', 'prefecture-13.json')}
Each node's terminal side, once it runs (docs/OPERATIONS.md "The terminal side"):
${terminalsOf(network, dir).join('\n')}
docs/FLOW.md explains the flow and its guarantees.`);
    return EXIT.ok;
  } finally {
    for (const r of registers.values()) await r.close();
    for (const s of stores.values()) await s.close();
    await network.close();
  }
}

/** Waits until every register feed and every outbox is empty (everything has arrived). */
async function settled(
  network: LocalNetwork,
  registers: ReadonlyMap<string, RegisterStore>,
  stores: Map<string, IdentityStore>,
  store: (node: string) => Promise<IdentityStore>,
): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    let busy = false;
    for (const r of registers.values()) if ((await r.pendingFeed(1)).length > 0) busy = true;
    for (const name of network.nodes.keys()) {
      if (name.startsWith('switch:')) continue;
      if ((await (await store(name)).countOutbox()) > 0) busy = true;
    }
    if (!busy) return;
    if (Date.now() > deadline)
      throw new RegistryError(
        'unavailable',
        `changes did not arrive within 2 minutes; see the node logs in ${[...stores.keys()].join(', ')}`,
        'demo.timeout',
      );
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The demo's stand-in for a disk error or a bad restore: one address changed by raw SQL. */
function damageRecord(storeUrl: string, code: ResidentCode): void {
  const location = parseStoreUrl(storeUrl);
  if (location.kind !== 'sqlite') return;
  const db = new Database(location.path);
  try {
    db.prepare("UPDATE identity SET address = address || '（破損）' WHERE resident_code = ?").run(
      code,
    );
  } finally {
    db.close();
  }
}

/**
 * How to reach each node's terminal side (R15): the web terminal where the node has one (log in
 * with a registered operator's card), otherwise its console on the node's own machine (the
 * machine token the running node writes to its bundle directory, readable by its OS user only).
 */
function terminalsOf(network: LocalNetwork, dir: string): string[] {
  return [...network.nodes.values()].map(({ config }) => {
    const name = nodeName(config.node);
    const file = join(dir, 'nodes', `${name.replace(':', '-')}.json`);
    const how = config.webTerminal
      ? `Web 端末 ${config.webTerminal.origin}: operators log in with their card (操作者識別カード, WebAuthn); terminal commands with JUKI_OPERATOR_SESSION`
      : config.terminal
        ? `console: node bin/juki.js node health --config ${file} (as the OS user that runs the node)`
        : 'no terminal side';
    return `  ${name.padEnd(20)} ${how}`;
  });
}

import { RegistryError } from '../../domain/errors.ts';
import type { ResidentCode } from '../../domain/resident/ResidentCode.ts';
import type { LocalNetwork } from '../../nodes/local-network.ts';
import type { WideAreaCopy } from '../../nodes/node-wide-area.ts';
import { callTerminal } from '../../nodes/terminal-server.ts';
import type { RegisterStore } from '../../register/RegisterStore.ts';
import { nodeTerminal } from '../terminal-target.ts';
import type { RouteRecord } from '../../switch/RouteRecord.ts';
import type { CommandIO } from '../io.ts';

/**
 * The demo's switch (専用交換装置, R2): one CS reaches another through switch:main — outer mutual
 * TLS to the switch, inner mutual TLS end to end — and runs the connectivity check (`route-echo`,
 * no resident data); then what the switch kept of it: who, when, how many bytes, never content.
 */
export async function runDemoSwitch(o: {
  readonly network: LocalNetwork;
  readonly from: string;
  readonly to: string;
  readonly name: (code: string) => string;
  readonly io: CommandIO;
}): Promise<void> {
  const { network, from, to, io } = o;
  const check = await network.node(from).routeCheck(to);
  io.out(
    `      専用交換装置 switch (R2): ${from} (${o.name(from.slice(3))}) → ${check.via} → ${to} (${o.name(check.municipality)}): 疎通確認 route-echo answered by ${check.answeredBy} over an inner mutual-TLS session end to end (${check.totalMs} ms with both handshakes, echo ${check.roundTripMs} ms)`,
  );
  const sw = network.node(check.via);
  let record: RouteRecord | undefined;
  for (let i = 0; i < 50 && !record; i++) {
    record = sw.routeRecords(10).find((r) => r.caller === from && r.target === to);
    if (!record) await new Promise((r) => setTimeout(r, 50));
  }
  io.out(
    record
      ? `      ${check.via} kept only: ${record.at} ${record.caller} → ${record.target} ${record.outcome}, ${record.bytesUp} bytes up / ${record.bytesDown} bytes down (TLS records it cannot read), ${record.durationMs} ms — never content`
      : `      ${check.via} has not recorded the route yet`,
  );
}

/**
 * The demo's 広域交付 (R24): a resident of `residence` asks at `issuing` (a CS without a web
 * terminal: its console names the clerk) for a copy of their household's 住民票; the issuing CS
 * asks the residence CS through the switch. Then the same request naming someone of another
 * household, refused at the residence CS.
 */
export async function runDemoWideArea(o: {
  readonly network: LocalNetwork;
  readonly issuing: string;
  readonly residence: string;
  readonly register: RegisterStore;
  readonly residentCode: ResidentCode;
  readonly stranger: ResidentCode;
  readonly io: CommandIO;
}): Promise<void> {
  const { io } = o;
  const person = await o.register.getRecord(o.residentCode);
  const stranger = await o.register.getRecord(o.stranger);
  if (!person || !stranger) return;
  const terminal = await nodeTerminal(o.network.node(o.issuing).config, {});
  const ask = (persons: readonly string[]) =>
    callTerminal(terminal, 'POST', '/wide-area/copy', {
      operator: `clerk-${o.issuing.slice(3)}`,
      identification: 'juki-card',
      requester: {
        name: person.name.kanji,
        address: person.address,
        residentCode: person.residentCode,
      },
      persons,
      wholeHousehold: persons.length === 0,
      withRelationship: true,
    }) as Promise<WideAreaCopy>;
  const copy = await ask([]);
  io.out(
    `      広域交付 (R24): ${person.residentCode} of ${copy.residence.prefecture}${copy.residence.name} asks at ${copy.issuing.prefecture}${copy.issuing.name}: ${o.issuing} → switch:main → ${copy.residence.node}, a copy of ${copy.persons.length} person(s) (${copy.persons.map((p) => p.relationship).join('・')}), certified by ${copy.issuing.prefecture}${copy.issuing.name}長 (juki wide-area copy --pdf prints it)`,
  );
  const refused = await ask([stranger.name.kanji]).then(
    () => 'answered (unexpected)',
    (e: unknown) =>
      e instanceof RegistryError ? `refused ${e.code} [${e.reason ?? ''}]` : String(e),
  );
  io.out(`      広域交付 naming someone of another household: ${refused}`);
}

/** A current resident of `codes` living with others, and someone of another household. */
export async function householdOfSeveral(
  register: RegisterStore,
  codes: readonly ResidentCode[],
): Promise<{ residentCode: ResidentCode; stranger: ResidentCode } | undefined> {
  for (const code of codes) {
    const r = await register.getRecord(code);
    if (r?.status !== 'resident' || r.relationship !== '世帯主') continue;
    if ((await register.household(r.householdId)).length < 2) continue;
    for (const other of codes) {
      const s = await register.getRecord(other);
      if (s?.status === 'resident' && s.householdId !== r.householdId)
        return { residentCode: code, stranger: other };
    }
  }
  return undefined;
}

import type { LocalNetwork } from '../../nodes/local-network.ts';
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

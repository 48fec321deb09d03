/**
 * The national server of the provision benchmark (`national:jlis`): the network listener (mutual
 * TLS 1.3, firewall, allow-list, session guard) whose sessions answer `provision-query` with the
 * node's own handler (startProvision's `attach`: requesterOf → ProvisionService.answer →
 * `provision-answer`, a log line per answer). Per query: authorization against the register,
 * the search plan, the store's search, one disclosure record per person provided, the agency's
 * pseudonym. Driven by bench/protocol-servers.ts.
 */
import { listenNetwork } from '../../src/transport/index.ts';
import { BENCH_LIMITS, countingAlerts } from '../protocol-network.ts';
import { PROVISION_NODES, startNationalProvision } from '../provision-network.ts';
import { serveUntilStopped } from '../protocol-servers.ts';

type Args = { pki: string; target: string; secret: string; logFile: string };

await serveUntilStopped(async (a: Args) => {
  const national = await startNationalProvision(a);
  const { node, credentials } = national.pki.national;
  const alerts = countingAlerts(PROVISION_NODES.national);
  let sessions = 0;
  const listener = await listenNetwork({
    self: node,
    credentials,
    host: '127.0.0.1',
    port: 0,
    alerts,
    limits: BENCH_LIMITS,
    onSession: (session, peer) => {
      sessions++;
      national.provision.attach(session, peer.node);
    },
  });
  return {
    ready: listener.address,
    close: async () => {
      await listener.close();
      await national.close();
      return { sessions, alerts: alerts.count() };
    },
  };
});

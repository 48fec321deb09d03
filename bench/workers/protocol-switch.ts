/**
 * The switch of the switch comparison (`switch:east-1`): a CS's outer session comes in, its
 * route-request names the target CS, the switch opens its own outer session to the target's
 * listener and from then on relays the inner session's TLS records both ways.
 */
import { startSwitch } from '../../src/switch/index.ts';
import { BENCH_LIMITS, BENCH_NODES, countingAlerts, readBenchPki } from '../protocol-network.ts';
import { serveUntilStopped } from '../protocol-servers.ts';

type Args = { pki: string; targetPort: number };

await serveUntilStopped(async (a: Args) => {
  const pki = readBenchPki(a.pki);
  const alerts = countingAlerts(BENCH_NODES.switch);
  let routes = 0;
  const node = await startSwitch({
    self: pki.switch.node,
    credentials: pki.switch.credentials,
    host: '127.0.0.1',
    port: 0,
    alerts,
    limits: BENCH_LIMITS,
    directory: (t) =>
      t.code === pki.target.node.code ? { host: '127.0.0.1', port: a.targetPort } : undefined,
    records: () => void routes++,
  });
  return {
    ready: node.address,
    close: async () => {
      await node.close();
      return { routes, alerts: alerts.count() };
    },
  };
});

/**
 * The prefecture server of the protocol benchmark (`prefecture:13`): the network listener
 * (mutual TLS 1.3, firewall, allow-list, session guard) with a change-notice handler that answers
 * `change-ack` `applied` and stores nothing, and (the smallest request kind) a route-request
 * handler that answers `route-accepted` at once, with no route. Pings are answered by the
 * session itself. Driven by
 * bench/protocol-servers.ts.
 */
import { listenNetwork } from '../../src/transport/index.ts';
import {
  ackOf,
  BENCH_LIMITS,
  BENCH_NODES,
  benchAuthorize,
  countingAlerts,
  readBenchPki,
} from '../protocol-network.ts';
import { serveUntilStopped } from '../protocol-servers.ts';

type Args = { pki: string };

await serveUntilStopped(async (a: Args) => {
  const { prefecture } = readBenchPki(a.pki);
  const alerts = countingAlerts(BENCH_NODES.prefecture);
  let sequence = 0;
  let sessions = 0;
  const listener = await listenNetwork({
    self: prefecture.node,
    credentials: prefecture.credentials,
    host: '127.0.0.1',
    port: 0,
    alerts,
    limits: BENCH_LIMITS,
    authorize: benchAuthorize,
    onSession: (session) => {
      sessions++;
      session.handle('change-notice', (notice) => ackOf(notice, ++sequence));
      session.handle('route-request', (m) => ({ kind: 'route-accepted', target: m.target }));
    },
  });
  return {
    ready: listener.address,
    close: async () => {
      await listener.close();
      return { sessions, notices: sequence, alerts: alerts.count() };
    },
  };
});

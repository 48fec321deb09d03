/**
 * The prefecture server of the integrity benchmark (`prefecture:14`): the network listener (mutual
 * TLS 1.3, firewall, allow-list) with the integrity-check handlers on its own SQLite file — the
 * copy with the differences. Driven by bench/cases/integrity.ts through stdin (protocol-servers.ts).
 */
import { registerIntegrityHandlers } from '../../src/integrity/index.ts';
import { openIdentityStore } from '../../src/storage/open-store.ts';
import { listenNetwork } from '../../src/transport/index.ts';
import { readIntegrityPki } from '../cases/integrity.ts';
import { BENCH_LIMITS, countingAlerts } from '../protocol-network.ts';
import { serveUntilStopped } from '../protocol-servers.ts';

type Args = { pki: string; store: string };

await serveUntilStopped(async (a: Args) => {
  const { prefecture } = readIntegrityPki(a.pki);
  const store = await openIdentityStore(`sqlite:${a.store}`);
  const alerts = countingAlerts('prefecture:14');
  const listener = await listenNetwork({
    self: prefecture.node,
    credentials: prefecture.credentials,
    host: '127.0.0.1',
    port: 0,
    alerts,
    limits: BENCH_LIMITS,
    onSession: (session, peer) =>
      registerIntegrityHandlers(session, { store, self: prefecture.node, peer: peer.node }),
  });
  return {
    ready: listener.address,
    close: async () => {
      await listener.close();
      const [latest] = await store.listIntegrityChecks(1);
      await store.close();
      return { alerts: alerts.count(), lastRecorded: latest };
    },
  };
});

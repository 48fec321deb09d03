/**
 * The target CS of the switch comparison (`cs:011011`), reachable two ways with the same inner
 * stack — TlsAcceptor (mutual TLS 1.3, network CA, CRL), TlsTransport, a session behind the
 * session guard, and a change-notice handler that answers `applied` and stores nothing:
 *
 * - through the switch: its network listener takes the switch's outer sessions and accepts
 *   routes (acceptRoutes), each route's streams carrying the inner TLS session;
 * - directly: a TCP port where the same acceptor and session run on the socket itself (the
 *   listener's allow-list has no CS → CS connection, so this port stands for the direct path a
 *   later issue would open; it does what route-endpoint.ts does, minus the tunnel).
 */
import net from 'node:net';
import { nodeName } from '../../src/domain/network/NodeRef.ts';
import { sameNode } from '../../src/pki/index.ts';
import { createSession } from '../../src/protocol/index.ts';
import { acceptRoutes } from '../../src/switch/index.ts';
import {
  guardSession,
  type AlertSink,
  type NetworkListener,
  listenNetwork,
  PendingConnection,
  TlsAcceptor,
  TlsTransport,
} from '../../src/transport/index.ts';
import {
  ackOf,
  BENCH_LIMITS,
  benchAuthorize,
  countingAlerts,
  readBenchPki,
} from '../protocol-network.ts';
import { serveUntilStopped } from '../protocol-servers.ts';

type Args = { pki: string };

await serveUntilStopped(async (a: Args) => {
  const { target } = readBenchPki(a.pki);
  const self = target.node;
  const selfName = nodeName(self);
  const alerts = countingAlerts(selfName);
  let sequence = 0;
  const counts = { routes: 0, direct: 0 };

  // The listener's alert recorder serves the direct port too (the same alerts, one node).
  const sink: AlertSink = { record: (alert) => listener.recordAlert(alert) };
  const listener: NetworkListener = await listenNetwork({
    self,
    credentials: target.credentials,
    host: '127.0.0.1',
    port: 0,
    alerts,
    limits: BENCH_LIMITS,
    onSession: (session, peer) => {
      if (peer.node.role !== 'switch') return;
      acceptRoutes(session, peer, {
        self,
        credentials: () => target.credentials,
        alerts: sink,
        authorize: benchAuthorize,
        limits: { requestRate: BENCH_LIMITS.requestRate! },
        onInnerSession: (inner) => {
          counts.routes++;
          inner.handle('change-notice', (notice) => ackOf(notice, ++sequence));
        },
      });
    },
  });

  const acceptor = new TlsAcceptor({
    credentials: target.credentials,
    alerts: sink,
    handshakeTimeoutMs: 11_000,
    admit: (peer) =>
      peer.role === 'cs' && !sameNode(peer, self)
        ? undefined
        : `only another CS, not ${nodeName(peer)}`,
    onSecure: (socket, peer, pending) => {
      counts.direct++;
      const transport = new TlsTransport(socket, peer);
      const session = createSession({ transport, localNode: selfName });
      guardSession(session, {
        self,
        peer,
        alerts: sink,
        requestRate: BENCH_LIMITS.requestRate!,
        authorize: benchAuthorize,
      });
      session.handle('change-notice', (notice) => ackOf(notice, ++sequence));
      session.ready.then(
        () => pending.settle(),
        () => pending.settle(),
      );
    },
  });
  const direct = net.createServer((socket) => {
    socket.on('error', () => undefined);
    acceptor.accept(
      new PendingConnection(
        socket,
        `${socket.remoteAddress}:${socket.remotePort}`,
        10_000,
        () => undefined,
      ),
    );
  });
  await new Promise<void>((resolve) => direct.listen(0, '127.0.0.1', resolve));
  const directPort = (direct.address() as net.AddressInfo).port;

  return {
    ready: { host: '127.0.0.1', routesPort: listener.address.port, directPort },
    close: async () => {
      direct.close();
      await listener.close();
      return { ...counts, notices: sequence, alerts: alerts.count() };
    },
  };
});

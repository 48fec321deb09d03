import { RegistryError } from '../domain/errors.ts';
import { authorizeRouted } from '../domain/network/allow-list.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import { routeRequest, type Session } from '../protocol/index.ts';
import { connectOver, type ConnectNetworkOptions } from '../transport/connect.ts';
import { TunnelDuplex } from './tunnel-duplex.ts';

export type OpenRouteOptions = Omit<ConnectNetworkOptions, 'host' | 'port' | 'expectedPeer'> & {
  /** This CS's outer session to the switch (from `connectNetwork`). */
  readonly outer: Session;
  /** The CS to reach. */
  readonly target: NodeRef;
  /** How long the switch and the target have to accept the route (ms, default 10 000). */
  readonly routeTimeoutMs?: number;
};

/**
 * Opens an end-to-end session with another CS through the switch (R2): asks the switch for a
 * route (`route-request` with a stream), and once it is accepted runs an inner mutual-TLS
 * session over the route's streams, as TLS client, with this CS's own certificate. The inner
 * handshake accepts only a server whose certificate (network CA, CRL) names `target` itself: a
 * switch answering with its own certificate, or any other node, is refused
 * (`network.unexpected-peer`, alert `unexpected-peer`). Resolves with the inner session, hello
 * exchanged; the switch relays its TLS records without being able to read them.
 *
 * Requests the target sends back on the inner session pass the allow-list of inner sessions
 * (`authorizeRouted`) unless `authorize` says otherwise.
 *
 * Closing the inner session ends the route; the outer session stays for more routes.
 */
export async function openRoute(options: OpenRouteOptions): Promise<Session> {
  const { outer, target, routeTimeoutMs = 10_000, ...connect } = options;
  const targetName = nodeName(target);
  if (target.role !== 'cs')
    throw new RegistryError(
      'invalid',
      `a route leads to a CS, not ${targetName}`,
      'switch.target-not-cs',
    );
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), routeTimeoutMs);
  const call = outer.call(routeRequest(targetName), { upload: true, signal: abort.signal });
  let reply;
  try {
    reply = await call.reply;
  } catch (e) {
    if (e instanceof RegistryError) throw e; // the switch's refusal: forbidden, not-found, …
    throw new RegistryError(
      'unavailable',
      `no route to ${targetName}: ${(e as Error).message}`,
      'switch.no-route',
      { cause: e },
    );
  } finally {
    clearTimeout(timer);
  }
  if (!reply.download || !call.upload) {
    call.cancel('route-accepted without a stream');
    throw new RegistryError(
      'unavailable',
      `the switch accepted without a stream`,
      'switch.no-stream',
    );
  }
  const tunnel = new TunnelDuplex(reply.download, call.upload);
  try {
    return await connectOver(
      { ...connect, authorize: connect.authorize ?? authorizeRouted, expectedPeer: target },
      { stream: tunnel, description: `${targetName} via ${outer.transport.peer.name}` },
    );
  } catch (e) {
    tunnel.destroy();
    throw e;
  }
}

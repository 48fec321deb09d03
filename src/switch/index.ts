/**
 * The switch (専用交換装置, R2; docs/NETWORK.md "The switch"): CS-to-CS routes whose content the
 * switch cannot read and does not keep. `startSwitch` runs a switch; `openRoute` (caller CS) and
 * `acceptRoutes` (target CS) are the two ends of the inner mutual-TLS session.
 */
export {
  startSwitch,
  type StartSwitchOptions,
  type SwitchDirectory,
  type SwitchNode,
} from './switch-node.ts';
export { openRoute, type OpenRouteOptions } from './route-client.ts';
export { acceptRoutes, type RouteEndpointOptions } from './route-endpoint.ts';
export { relayRoute, RelayError, type RelayResult, type RouteStreams } from './relay.ts';
export { TunnelDuplex } from './tunnel-duplex.ts';
export { TargetSessions } from './target-sessions.ts';
export type { RelayDirection, RelayTap, RouteRecord, RouteRecordSink } from './RouteRecord.ts';

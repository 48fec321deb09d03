import { defineMessage } from './define-message.ts';
import type { NodeName } from './NodeName.ts';
import { NODE_NAME_RULE } from './NodeName.ts';

/**
 * CS → switch: "connect me to `target`" (R2, R24, R25). Sent with the STREAM flag: once the switch
 * answers `route-accepted` (also streamed), the two streams of the call carry the bytes of the
 * inner, end-to-end mutual-TLS session between the two CS. The switch relays them and keeps
 * nothing. Refusals come back as an `error` (`not-found`, `forbidden`, `unavailable`).
 */
export type RouteRequest = { readonly kind: 'route-request'; readonly target: NodeName };

export const routeRequest = (target: NodeName): RouteRequest => ({ kind: 'route-request', target });

export const RouteRequest = defineMessage<RouteRequest, 'route-accepted'>({
  kind: 'route-request',
  roles: ['request'],
  reply: 'route-accepted',
  effect: 'read',
  parse: (r): RouteRequest => ({
    kind: 'route-request',
    target: r.string('target', NODE_NAME_RULE),
  }),
});

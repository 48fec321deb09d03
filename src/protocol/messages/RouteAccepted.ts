import { defineMessage } from './define-message.ts';
import type { NodeName } from './NodeName.ts';
import { NODE_NAME_RULE } from './NodeName.ts';

/** The switch connected the caller to `target`; the call's streams now carry the tunnel. */
export type RouteAccepted = { readonly kind: 'route-accepted'; readonly target: NodeName };

export const RouteAccepted = defineMessage<RouteAccepted>({
  kind: 'route-accepted',
  roles: ['reply'],
  reply: undefined,
  effect: 'read',
  parse: (r): RouteAccepted => ({
    kind: 'route-accepted',
    target: r.string('target', NODE_NAME_RULE),
  }),
});

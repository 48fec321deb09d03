import { defineMessage } from './define-message.ts';
import type { NodeName } from './NodeName.ts';
import { NODE_NAME_RULE } from './NodeName.ts';

/**
 * CS → CS, inside a route through the switch (R2; docs/NETWORK.md "The switch"): a
 * CONNECTIVITY CHECK, nothing more. The caller sends a fresh `nonce`; the target CS answers it
 * back with its own node name and the time, proving that the inner end-to-end mutual-TLS session
 * reached that CS and that it answers. It carries no resident data and is not 広域交付 (R24) or
 * 転入転出の特例 (R25), whose exchanges are later work. Allowed only on inner sessions
 * (`ROUTED_ALLOW_LIST`, src/domain/network/allow-list.ts), never on an outer one.
 */
export type RouteEcho = { readonly kind: 'route-echo'; readonly nonce: string };

/** The target CS's answer to `route-echo`: the caller's nonce, its own name, when it answered. */
export type RouteEchoReply = {
  readonly kind: 'route-echo-reply';
  readonly nonce: string;
  /** The answering CS (`cs:011011`): the caller checks it against the inner peer. */
  readonly node: NodeName;
  /** ISO 8601 UTC instant the target answered. */
  readonly at: string;
};

const NONCE_RULE = {
  max: 64,
  pattern: /^[0-9a-f]{16,64}$/,
  patternText: '16–64 lowercase hex digits',
};
const ISO_UTC_MS = {
  max: 24,
  pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
  patternText: 'an ISO 8601 UTC instant with milliseconds',
};

export const routeEcho = (nonce: string): RouteEcho => ({ kind: 'route-echo', nonce });

export const RouteEcho = defineMessage<RouteEcho, 'route-echo-reply'>({
  kind: 'route-echo',
  roles: ['request'],
  reply: 'route-echo-reply',
  effect: 'read',
  parse: (r): RouteEcho => ({ kind: 'route-echo', nonce: r.string('nonce', NONCE_RULE) }),
});

export const RouteEchoReply = defineMessage<RouteEchoReply>({
  kind: 'route-echo-reply',
  roles: ['reply'],
  reply: undefined,
  effect: 'read',
  parse: (r): RouteEchoReply => ({
    kind: 'route-echo-reply',
    nonce: r.string('nonce', NONCE_RULE),
    node: r.string('node', NODE_NAME_RULE),
    at: r.string('at', ISO_UTC_MS),
  }),
});

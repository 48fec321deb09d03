/**
 * A node's name on the network, `<role>:<code>` — e.g. `cs:131016` (a municipality's CS by its
 * 団体コード), `prefecture:13`, `national:jlis`, `switch:1`. It is what the node's certificate
 * names; a session checks that the name a peer gives in `hello` is the one its transport
 * authenticated.
 */
export type NodeName = string;

export const NODE_NAME_RULE = {
  max: 81,
  pattern: /^[a-z][a-z-]{0,15}:[0-9A-Za-z][0-9A-Za-z._-]{0,63}$/,
  patternText: '<role>:<code> (e.g. cs:131016)',
};

export const isNodeName = (s: string): s is NodeName => NODE_NAME_RULE.pattern.test(s);

/**
 * Who a node is on the closed network (R8, R9): its role and its code. The certificate of a node
 * carries exactly this (docs/PKI.md); the firewall decides on it (allow-list.ts).
 */
export const NODE_ROLES = ['cs', 'prefecture', 'national', 'agency', 'switch'] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

export type NodeRef = {
  readonly role: NodeRole;
  /** cs: 6-digit local-government code; prefecture: 2-digit code; national: 'jlis'; agency / switch: an id. */
  readonly code: string;
};

export const nodeName = (n: NodeRef): string => `${n.role}:${n.code}`;

/** The prefecture a CS belongs to: the first two digits of its local-government code. */
export const prefectureOfCs = (cs: NodeRef): string | undefined =>
  cs.role === 'cs' ? cs.code.slice(0, 2) : undefined;

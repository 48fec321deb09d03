import { NODE_ROLES, type NodeRef, type NodeRole } from '../domain/network/NodeRef.ts';
import { RegistryError } from '../domain/errors.ts';
import {
  isPrefectureCode,
  localGovernmentCodeProblem,
} from '../domain/local-government/LocalGovernmentCode.ts';

/**
 * Who a node of the closed network is (R8, R9): its role and its code. A node's certificate
 * names exactly this (docs/PKI.md), and every connection is authorised on it.
 *
 * Pure: no I/O. Whether a CS code names a municipality that exists is checked against the
 * local-government table in `node-identity-table.ts`.
 *
 * | role         | node                                        | code                                         |
 * | ------------ | ------------------------------------------- | -------------------------------------------- |
 * | `cs`         | コミュニケーションサーバ of a municipality   | its 6-digit 団体コード (check digit valid)     |
 * | `prefecture` | 都道府県サーバ                               | 2-digit 都道府県コード 01–47                   |
 * | `national`   | 全国サーバ, run by J-LIS (地方公共団体情報システム機構) | always `jlis`: there is one              |
 * | `agency`     | 国の機関等サーバ                             | a slug, e.g. `mhlw-pension`                  |
 * | `switch`     | 専用交換装置                                 | a slug, e.g. `east-1`                        |
 */
// The roles and the shape of a node's identity are the domain's (src/domain/network/NodeRef.ts);
// this module adds what a certificate needs: validation of codes, names, URIs, DNS names.
export { NODE_ROLES, type NodeRole };

export type NodeIdentity = NodeRef;

/** The code of the single national server (J-LIS, 地方公共団体情報システム機構). */
export const NATIONAL_SERVER_CODE = 'jlis';

/**
 * Agency and switch ids: 2–56 characters of `a-z 0-9 -`, starting and ending with a letter or
 * digit. 56, not 63, so that the DNS label `<role>-<code>` of the certificate (`agency-…`,
 * `switch-…`) stays within DNS's 63-character label limit.
 */
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,54}[a-z0-9])$/;

export const isNodeRole = (s: unknown): s is NodeRole =>
  typeof s === 'string' && (NODE_ROLES as readonly string[]).includes(s);

/** Why (role, code) is not a node identity, as a stable reason, or undefined when it is one. */
export function nodeIdentityProblem(role: unknown, code: unknown): string | undefined {
  if (!isNodeRole(role)) return 'node-identity.unknown-role';
  if (typeof code !== 'string') return 'node-identity.malformed-code';
  switch (role) {
    case 'cs': {
      const problem = localGovernmentCodeProblem(code);
      if (problem === 'local-government-code.malformed') return 'node-identity.malformed-code';
      if (problem === 'local-government-code.unknown-prefecture')
        return 'node-identity.unknown-prefecture';
      if (problem !== undefined) return 'node-identity.check-digit';
      // pp000c is the prefecture's own 団体コード: a prefecture runs no CS.
      if (code.slice(2, 5) === '000') return 'node-identity.not-a-municipality';
      return undefined;
    }
    case 'prefecture':
      if (!/^\d{2}$/.test(code)) return 'node-identity.malformed-code';
      return isPrefectureCode(code) ? undefined : 'node-identity.unknown-prefecture';
    case 'national':
      return code === NATIONAL_SERVER_CODE ? undefined : 'node-identity.malformed-code';
    case 'agency':
    case 'switch':
      return SLUG.test(code) ? undefined : 'node-identity.malformed-code';
  }
}

const CODE_FORMS: Record<NodeRole, string> = {
  cs: 'a 6-digit 団体コード of a municipality (5-digit JIS X 0402 code + check digit), e.g. 131016',
  prefecture: 'a 2-digit 都道府県コード 01–47, e.g. 13',
  national: `"${NATIONAL_SERVER_CODE}" (the one national server, run by J-LIS)`,
  agency: 'an id of 2–56 characters a-z, 0-9 and -, e.g. mhlw-pension',
  switch: 'an id of 2–56 characters a-z, 0-9 and -, e.g. east-1',
};

const PROBLEM_TEXT: Record<string, string> = {
  'node-identity.malformed-code': 'is malformed',
  'node-identity.unknown-prefecture': 'names no prefecture (01–47)',
  'node-identity.check-digit': 'has a wrong check digit',
  'node-identity.not-a-municipality': 'is the code of a prefecture, not of a municipality',
};

/**
 * Validates a (role, code) pair. Throws RegistryError('invalid', …, 'node-identity.{unknown-role,
 * malformed-code, unknown-prefecture, check-digit, not-a-municipality}').
 */
export function parseNodeIdentity(role: string, code: string): NodeIdentity {
  const problem = nodeIdentityProblem(role, code);
  if (problem === 'node-identity.unknown-role') {
    throw new RegistryError(
      'invalid',
      `unknown node role ${JSON.stringify(role)}: expected one of ${NODE_ROLES.join(', ')}`,
      problem,
    );
  }
  if (problem !== undefined) {
    const r = role as NodeRole;
    throw new RegistryError(
      'invalid',
      `${r} code ${JSON.stringify(code)} ${PROBLEM_TEXT[problem] ?? 'is invalid'}: expected ${CODE_FORMS[r]}`,
      problem,
    );
  }
  return { role: role as NodeRole, code };
}

/** `cs:131016`: the name of a node in certificates (CN), logs and configuration. */
export const formatNodeName = (id: NodeIdentity): string => `${id.role}:${id.code}`;

/** Parses `role:code`. Throws RegistryError('invalid', …, 'node-identity.*'). */
export function parseNodeName(name: string): NodeIdentity {
  const colon = name.indexOf(':');
  if (colon < 0) {
    throw new RegistryError(
      'invalid',
      `node name ${JSON.stringify(name)} is not of the form role:code (e.g. cs:131016)`,
      'node-identity.malformed-name',
    );
  }
  return parseNodeIdentity(name.slice(0, colon), name.slice(colon + 1));
}

export const NODE_URI_PREFIX = 'urn:jukinet:node:';

/** `urn:jukinet:node:cs:131016`: the certificate's authoritative name (SAN URI). */
export const nodeUri = (id: NodeIdentity): string => `${NODE_URI_PREFIX}${formatNodeName(id)}`;

/** Parses a node URI. Throws RegistryError('invalid', …, 'node-identity.*'). */
export function parseNodeUri(uri: string): NodeIdentity {
  if (!uri.startsWith(NODE_URI_PREFIX)) {
    throw new RegistryError(
      'invalid',
      `${JSON.stringify(uri)} is not a node URI (${NODE_URI_PREFIX}role:code)`,
      'node-identity.malformed-name',
    );
  }
  return parseNodeName(uri.slice(NODE_URI_PREFIX.length));
}

/** The domain under which node DNS names live: `.invalid` (RFC 2606) never resolves publicly. */
export const NODE_DNS_DOMAIN = 'jukinet.invalid';

/** `cs-131016`: one DNS label, also the node's folder name in a PKI directory. */
export const nodeSlug = (id: NodeIdentity): string => `${id.role}-${id.code}`;

/** `cs-131016.jukinet.invalid`: the certificate's DNS name (TLS servername checks). */
export const nodeDnsName = (id: NodeIdentity): string => `${nodeSlug(id)}.${NODE_DNS_DOMAIN}`;

export const sameNode = (a: NodeIdentity, b: NodeIdentity): boolean =>
  a.role === b.role && a.code === b.code;

/**
 * The prefecture a node belongs to: a CS its municipality's prefecture, a prefecture server
 * itself; undefined for the national server, agencies and switches.
 */
export function prefectureCodeOfNode(id: NodeIdentity): string | undefined {
  if (id.role === 'cs') return id.code.slice(0, 2);
  if (id.role === 'prefecture') return id.code;
  return undefined;
}

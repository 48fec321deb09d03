import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { RegistryError } from '../domain/errors.ts';
import type { LocalGovernmentTable } from '../domain/local-government/local-government-table.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import { NATIONAL_SERVER_CODE } from '../pki/NodeIdentity.ts';
import { PkiDirectory } from '../pki/pki-directory.ts';
import { createPseudonymSecretFile } from '../provision/pseudonym.ts';
import type { NodeConfigFile } from './node-config.ts';

export type NetworkPlan = {
  readonly prefectures: readonly string[];
  readonly municipalities: readonly string[];
  /** Agency servers (national agencies receiving provision, R13): their recipient ids. */
  readonly agencies?: readonly string[];
};

export type NetworkInitOptions = NetworkPlan & {
  readonly dir: string;
  readonly host: string;
  readonly basePort: number;
  /** Default: one SQLite file per node under DIR/data. A postgres:// URL: one schema per node. */
  readonly storeUrl?: string | undefined;
  /** Extra config for every node (e.g. faster delivery polling in tests). */
  readonly overrides?: Partial<Pick<NodeConfigFile, 'delivery' | 'schedule' | 'log' | 'wideArea'>>;
  readonly onProgress?: (done: number, total: number) => void;
};

export type NetworkManifestNode = {
  readonly node: string;
  readonly config: string;
  readonly terminal: string;
};

/** DIR/network.json: every node of the network, its config and its terminal-side URL. */
export type NetworkManifest = { readonly nodes: readonly NetworkManifestNode[] };

export const SWITCH_NODE: NodeRef = { role: 'switch', code: 'main' };
const NATIONAL: NodeRef = { role: 'national', code: NATIONAL_SERVER_CODE };

/**
 * Which prefectures and municipalities a network has: `--municipalities` names CSs (their
 * prefectures are added); `--prefectures` alone takes every municipality that keeps a register
 * there (wards of designated cities, not the city itself); neither: all of Japan.
 */
export function planNetwork(
  table: LocalGovernmentTable,
  requested: { prefectures?: readonly string[]; municipalities?: readonly string[] },
): NetworkPlan {
  const registers = (code: string): boolean => {
    const row = table.byCode(code);
    return row !== undefined && !['prefecture', 'designated-city'].includes(table.kind(row));
  };
  const municipalities = new Set<string>();
  for (const code of requested.municipalities ?? []) {
    const row = table.byCode(code);
    if (!row || !registers(code))
      throw new RegistryError(
        'invalid',
        `住民基本台帳を持つ市区町村ではありません / ${code} is not a municipality that keeps a resident register (use a ward's code for a designated city)`,
        'network.unknown-municipality',
      );
    municipalities.add(row.code);
  }
  const prefectures = new Set<string>(requested.prefectures ?? []);
  for (const p of prefectures)
    if (!table.prefectures().some((r) => r.prefectureCode === p))
      throw new RegistryError(
        'invalid',
        `都道府県コードが不正です / unknown prefecture code ${p}`,
        'network.unknown-prefecture',
      );
  if (municipalities.size === 0) {
    const from =
      prefectures.size > 0 ? [...prefectures] : table.prefectures().map((r) => r.prefectureCode);
    for (const p of from)
      for (const row of table.municipalitiesOf(p))
        if (registers(row.code)) municipalities.add(row.code);
  }
  for (const m of municipalities) prefectures.add(m.slice(0, 2));
  return { prefectures: [...prefectures].sort(), municipalities: [...municipalities].sort() };
}

/**
 * `juki network init`: the CA, a certificate bundle per node, and one config file per node
 * (national server, prefecture servers, CSs with their registers, the switch), so that each can
 * run as its own process: `juki node start --config DIR/nodes/<node>.json`. Each CS names the
 * switch and listens for it; the switch's directory lists every CS's address (R2).
 */
export async function initNetwork(options: NetworkInitOptions): Promise<NetworkManifest> {
  const { dir, host, basePort } = options;
  const nodesDir = join(dir, 'nodes');
  await mkdir(nodesDir, { recursive: true });
  await mkdir(join(dir, 'data'), { recursive: true });
  const { pki } = await PkiDirectory.init(join(dir, 'pki'));
  await mkdir(join(dir, 'secrets'), { recursive: true, mode: 0o700 });

  const prefectureNodes = options.prefectures.map((code): NodeRef => ({
    role: 'prefecture',
    code,
  }));
  const csNodes = options.municipalities.map((code): NodeRef => ({ role: 'cs', code }));
  const agencyNodes = (options.agencies ?? []).map((code): NodeRef => ({ role: 'agency', code }));
  const all = [NATIONAL, ...prefectureNodes, SWITCH_NODE, ...agencyNodes, ...csNodes];
  if (basePort + 200 + 2 * csNodes.length > 65_535)
    throw new RegistryError(
      'invalid',
      `--base-port ${basePort} leaves too few ports`,
      'network.ports',
    );

  const networkPort = (n: NodeRef): number =>
    n.role === 'national'
      ? basePort
      : n.role === 'switch'
        ? basePort + 50
        : n.role === 'agency'
          ? basePort + 51 + agencyNodes.indexOf(n)
          : basePort + Number(n.code);
  const terminalPort = (n: NodeRef, i: number): number =>
    n.role === 'cs' ? basePort + 200 + i : networkPort(n) + 100;
  /** A CS listens only for the switch (routes from other CS, R2), after the CS terminals. */
  const csRoutePort = (i: number): number => basePort + 200 + csNodes.length + i;
  const switchDirectory = Object.fromEntries(
    csNodes.map((n, i) => [nodeName(n), { host, port: csRoutePort(i) }]),
  );
  const slug = (n: NodeRef): string => `${n.role}-${n.code}`;
  const store = (name: string): string =>
    options.storeUrl ?? `sqlite:${join('..', 'data', `${name}.sqlite`)}`;
  const schema = (name: string): { storeSchema?: string } =>
    options.storeUrl ? { storeSchema: `juki_${name.replace(/-/g, '_')}` } : {};

  const manifest: NetworkManifestNode[] = [];
  // Certificates first, all under one lock and one index write (progress counts them).
  const bundles = await pki.issueMany(all, {
    onIssued: (n) => options.onProgress?.(n, all.length),
  });
  for (const [i, node] of all.entries()) {
    const issued = bundles[i]!;
    const name = slug(node);
    const csIndex = node.role === 'cs' ? csNodes.indexOf(node) : i;
    const config: NodeConfigFile = {
      node,
      store: store(name),
      ...schema(name),
      tls: { bundle: relative(nodesDir, issued.files.dir) },
      ...(node.role === 'agency'
        ? {}
        : {
            listen: { host, port: node.role === 'cs' ? csRoutePort(csIndex) : networkPort(node) },
          }),
      ...(node.role === 'agency' ? { upstream: { node: NATIONAL, host, port: basePort } } : {}),
      terminal: { host, port: terminalPort(node, csIndex) },
      ...(node.role === 'cs'
        ? {
            upstream: {
              node: { role: 'prefecture', code: node.code.slice(0, 2) },
              host,
              port: basePort + Number(node.code.slice(0, 2)),
            },
            switch: { node: SWITCH_NODE, host, port: networkPort(SWITCH_NODE) },
            register:
              options.storeUrl ?? `sqlite:${join('..', 'data', `register-${node.code}.sqlite`)}`,
            ...(options.storeUrl ? { registerSchema: `juki_register_${node.code}` } : {}),
          }
        : {}),
      ...(node.role === 'prefecture' ? { upstream: { node: NATIONAL, host, port: basePort } } : {}),
      ...(node.role === 'switch' ? { directory: switchDirectory } : {}),
      ...(node.role === 'national' || node.role === 'prefecture'
        ? {
            pseudonymSecret: join('..', 'secrets', `${name}.pseudonym-secret`),
            mediaDir: join('..', 'media', name),
          }
        : {}),
      ...options.overrides,
    };
    if (node.role === 'national' || node.role === 'prefecture') {
      await createPseudonymSecretFile(join(dir, 'secrets', `${name}.pseudonym-secret`));
      await mkdir(join(dir, 'media', name), { recursive: true, mode: 0o700 });
    }
    const path = join(nodesDir, `${name}.json`);
    await writeFile(path, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    manifest.push({
      node: nodeName(node),
      config: path,
      terminal: `http://${host}:${terminalPort(node, csIndex)}/`,
    });
  }
  const result: NetworkManifest = { nodes: manifest };
  await writeFile(join(dir, 'network.json'), `${JSON.stringify(result, null, 2)}\n`);
  return result;
}

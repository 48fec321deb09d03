import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { jsonLogger } from './json-log.ts';
import type { NetworkManifest } from './network-init.ts';
import { loadNodeConfig } from './node-config.ts';
import { startNode, type RunningNode } from './node-runtime.ts';

export type LocalNetwork = {
  readonly nodes: ReadonlyMap<string, RunningNode>;
  node(name: string): RunningNode;
  close(): Promise<void>;
};

const START_ORDER = ['national', 'prefecture', 'switch', 'agency', 'cs'];

/**
 * Every node of a network written by `juki network init`, started in THIS process (the demo):
 * the same runtime as `juki node start`, each node with its own store, certificates and logs
 * (DIR/logs/<node>.log), talking mutual TLS over loopback. For separate processes, start each
 * config with `juki node start` instead.
 */
export async function startLocalNetwork(
  dir: string,
  manifest: NetworkManifest,
  onStarted?: (node: string, done: number, total: number) => void,
): Promise<LocalNetwork> {
  await mkdir(join(dir, 'logs'), { recursive: true });
  const nodes = new Map<string, RunningNode>();
  const logs: WriteStream[] = [];
  const close = async (): Promise<void> => {
    for (const role of [...START_ORDER].reverse())
      for (const [name, node] of nodes) if (name.startsWith(`${role}:`)) await node.close();
    nodes.clear();
    await Promise.all(
      logs.splice(0).map((s) => new Promise<void>((resolve) => s.end(() => resolve()))),
    );
  };
  try {
    for (const role of START_ORDER) {
      for (const entry of manifest.nodes.filter((n) => n.node.startsWith(`${role}:`))) {
        const config = await loadNodeConfig(entry.config);
        const stream = createWriteStream(join(dir, 'logs', `${entry.node.replace(':', '-')}.log`));
        logs.push(stream);
        const log = jsonLogger({
          write: (line) => void stream.write(line),
          base: { node: entry.node },
          minLevel: config.logLevel,
        });
        nodes.set(entry.node, await startNode(config, log));
        onStarted?.(entry.node, nodes.size, manifest.nodes.length);
      }
    }
  } catch (e) {
    await close();
    throw e;
  }
  return {
    nodes,
    node(name) {
      const n = nodes.get(name);
      if (!n) throw new Error(`no node ${name} in this network`);
      return n;
    },
    close,
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  initNetwork,
  type NetworkInitOptions,
  type NetworkManifest,
} from '../../src/nodes/network-init.ts';
import { loadNodeConfig, type NodeConfig } from '../../src/nodes/node-config.ts';
import { callTerminal } from '../../src/nodes/terminal-server.ts';
import { terminalTargetOf, type TerminalTarget } from '../../src/nodes/terminal-token.ts';
import type { NodeHealth } from '../../src/nodes/node-runtime.ts';
import { reserveBasePort } from '../../src/nodes/port-range.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const ENTRY = join(REPO, 'src/cli/entry.ts');

/**
 * A whole network of real processes for the end-to-end tests: `juki network init` into a temp
 * directory, then one `juki node start` process per node (run from source with tsx), talking
 * mutual TLS over loopback. Nodes can be killed (SIGKILL) and restarted at will.
 */
export class ProcessNetwork {
  readonly dir: string;
  readonly manifest: NetworkManifest;
  readonly #configs = new Map<string, NodeConfig>();
  readonly #procs = new Map<string, ChildProcess>();
  readonly #logs = new Map<string, string[]>();

  private constructor(dir: string, manifest: NetworkManifest) {
    this.dir = dir;
    this.manifest = manifest;
  }

  static async create(options: {
    prefectures: string[];
    municipalities: string[];
    agencies?: string[];
    storeUrl?: string;
    /** Default: quick polling and retries, no schedules (tests). */
    overrides?: NetworkInitOptions['overrides'];
  }): Promise<ProcessNetwork> {
    const dir = await mkdtemp(join(tmpdir(), 'jukinet-e2e-'));
    // A port range of its own per run (test files run in parallel), below the ephemeral range
    // (32768–60999) where other processes' outgoing connections would take our ports.
    const basePort = reserveBasePort();
    const { overrides: _o, ...plan } = options;
    const manifest = await initNetwork({
      ...plan,
      dir,
      host: '127.0.0.1',
      basePort,
      storeUrl: options.storeUrl,
      overrides: options.overrides ?? {
        delivery: { pollMs: 50, retryInitialMs: 50, retryMaxMs: 500, batchSize: 64 },
        schedule: { integrityMinutes: 0, retentionMinutes: 0 },
        log: { level: 'info' },
      },
    });
    const net = new ProcessNetwork(dir, manifest);
    for (const n of manifest.nodes) net.#configs.set(n.node, await loadNodeConfig(n.config));
    return net;
  }

  config(node: string): NodeConfig {
    const c = this.#configs.get(node);
    if (!c) throw new Error(`no node ${node} in this network`);
    return c;
  }

  /** The node's terminal side and the machine token its running process wrote. */
  terminal(node: string): Promise<TerminalTarget> {
    return terminalTargetOf(this.config(node));
  }

  /** Starts the node's process and waits until its terminal side answers. */
  async start(node: string): Promise<void> {
    if (this.#procs.has(node)) throw new Error(`${node} is already running`);
    const entry = this.manifest.nodes.find((n) => n.node === node)!;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', ENTRY, 'node', 'start', '--config', entry.config],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const lines = this.#logs.get(node) ?? [];
    this.#logs.set(node, lines);
    const keep = (d: Buffer): void => {
      lines.push(...d.toString().split('\n').filter(Boolean));
      if (lines.length > 2000) lines.splice(0, lines.length - 2000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    this.#procs.set(node, child);
    child.on('exit', () => {
      if (this.#procs.get(node) === child) this.#procs.delete(node);
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (!this.#procs.has(node))
        throw new Error(`${node} exited at start:\n${lines.slice(-20).join('\n')}`);
      try {
        await this.health(node);
        return;
      } catch {
        if (Date.now() > deadline)
          throw new Error(`${node} did not come up in 30 s:\n${lines.slice(-20).join('\n')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async startAll(): Promise<void> {
    // Upstream first, so that the first deliveries need no retry (they would succeed anyway).
    const order = ['national', 'prefecture', 'switch', 'agency', 'cs'];
    for (const role of order)
      await Promise.all(
        this.manifest.nodes
          .filter((n) => n.node.startsWith(`${role}:`))
          .map((n) => this.start(n.node)),
      );
  }

  /** SIGKILL (a crash: no shutdown code runs) or SIGTERM (graceful). Resolves once it is gone. */
  async kill(node: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.#procs.get(node);
    if (!child) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await gone;
  }

  running(node: string): boolean {
    return this.#procs.has(node);
  }

  /** The OS process id of the node's running process (its memory is read from /proc by benchmarks). */
  pid(node: string): number | undefined {
    return this.#procs.get(node)?.pid;
  }

  async health(node: string): Promise<NodeHealth> {
    return (await callTerminal(await this.terminal(node), 'GET', '/health')) as NodeHealth;
  }

  logs(node: string): readonly string[] {
    return this.#logs.get(node) ?? [];
  }

  /** Polls `check` until it holds (or fails with `what` and the nodes' recent logs). */
  async until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check().catch(() => false))) {
      if (Date.now() > deadline) {
        const tails = [...this.#logs].map(([n, l]) => `--- ${n}\n${l.slice(-8).join('\n')}`);
        throw new Error(`timed out waiting for: ${what}\n${tails.join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#procs.keys()].map((n) => this.kill(n, 'SIGTERM')));
  }

  async destroy(): Promise<void> {
    await Promise.all([...this.#procs.keys()].map((n) => this.kill(n, 'SIGKILL')));
    await rm(this.dir, { recursive: true, force: true });
  }
}

import { RegistryError } from '../domain/errors.ts';
import type { Session } from '../protocol/index.ts';
import type { AuthenticatedPeer } from './authenticated-peer.ts';
import type { TlsTransport } from './tls-transport.ts';

/** One established session of a node, with the peer its certificate named. */
export type OpenSession = {
  readonly peer: AuthenticatedPeer;
  readonly session: Session;
  readonly transport: TlsTransport;
};

/**
 * The sessions a node holds open, by peer: what revocation and the emergency cut-off act on
 * (R11). Cutting is immediate (the socket is destroyed, nothing more is read or written); the
 * session then fails its calls in flight with `closed`.
 */
export class OpenSessions {
  readonly #open = new Set<OpenSession>();
  /** Nodes cut off by an operator: their new connections are refused until readmitted. */
  readonly #isolated = new Set<string>();

  add(entry: OpenSession): void {
    this.#open.add(entry);
    void entry.session.closed.then(() => this.#open.delete(entry));
  }

  list(): OpenSession[] {
    return [...this.#open];
  }

  get size(): number {
    return this.#open.size;
  }

  isIsolated(peerName: string): boolean {
    return this.#isolated.has(peerName);
  }

  /** Cuts every session whose certificate serial is in `serials`; returns them. */
  cutRevoked(serials: ReadonlySet<string>): OpenSession[] {
    const cut = this.list().filter((e) => serials.has(e.peer.serial));
    for (const e of cut)
      e.transport.destroy(
        new RegistryError(
          'forbidden',
          `the certificate of ${e.peer.name} (serial ${e.peer.serial}) was revoked`,
          'network.certificate-revoked',
        ),
      );
    return cut;
  }

  /** Isolates `peerName` and cuts its sessions; returns them. */
  isolate(peerName: string): OpenSession[] {
    this.#isolated.add(peerName);
    const cut = this.list().filter((e) => e.peer.name === peerName);
    for (const e of cut)
      e.transport.destroy(
        new RegistryError(
          'forbidden',
          `${peerName} was cut off by an operator`,
          'network.isolated',
        ),
      );
    return cut;
  }

  readmit(peerName: string): boolean {
    return this.#isolated.delete(peerName);
  }

  /**
   * Graceful end of everything (goaway: calls in flight finish, the peer is told), then a cut of
   * what is still open after `graceMs`. Resolves when every connection is closed (a closing
   * connection flushes, or is cut by its transport's close timeout).
   */
  async closeAll(graceMs: number): Promise<void> {
    const open = this.list();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(open.map((e) => e.session.goaway('the node is shutting down'))),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
    ]);
    clearTimeout(timer);
    for (const e of open)
      if (e.session.state !== 'closed')
        e.transport.destroy(new Error(`calls still running after ${graceMs} ms of shutdown`));
    await Promise.all(
      open.map((e) =>
        e.transport.closed
          ? Promise.resolve()
          : new Promise<void>((resolve) => e.transport.once('close', () => resolve())),
      ),
    );
  }
}

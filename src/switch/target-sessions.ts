import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import type { Session } from '../protocol/index.ts';

/**
 * The switch's own outer sessions to target CS, one per target, opened on first use and kept
 * (a full mutual handshake costs ~1.5 ms; routes are calls multiplexed on one session). A
 * session that closes or goes away is forgotten; the next route dials again. Concurrent routes
 * to a target not yet connected share one dial.
 */
export class TargetSessions {
  readonly #sessions = new Map<string, Promise<Session>>();
  #closed = false;

  constructor(private readonly dial: (target: NodeRef) => Promise<Session>) {}

  get(target: NodeRef): Promise<Session> {
    if (this.#closed) return Promise.reject(new Error('the switch is shutting down'));
    const name = nodeName(target);
    const known = this.#sessions.get(name);
    if (known) return known.then((s) => (s.state === 'ready' ? s : this.#redial(target)));
    return this.#redial(target);
  }

  #redial(target: NodeRef): Promise<Session> {
    const name = nodeName(target);
    const dialling = this.dial(target).then((session) => {
      const forget = () => {
        if (this.#sessions.get(name) === dialling) this.#sessions.delete(name);
      };
      session.once('goaway', forget);
      void session.closed.then(forget);
      return session;
    });
    this.#sessions.set(name, dialling);
    dialling.catch(() => {
      if (this.#sessions.get(name) === dialling) this.#sessions.delete(name);
    });
    return dialling;
  }

  /**
   * Cuts at once every target session (dialled or still dialling) whose target's certificate
   * `isRevoked` says is revoked (R11): routes in flight on it break off, and the next route dials
   * again — with the new CRL, which refuses the target. Resolves with how many were cut.
   */
  async cutRevoked(isRevoked: (session: Session) => Error | undefined): Promise<number> {
    let cut = 0;
    await Promise.all(
      [...this.#sessions].map(([name, p]) =>
        p.then(
          (session) => {
            const reason = isRevoked(session);
            if (!reason) return;
            if (this.#sessions.get(name) === p) this.#sessions.delete(name);
            session.close(reason);
            cut++;
          },
          () => undefined,
        ),
      ),
    );
    return cut;
  }

  /** Goaway to every target (routes in flight finish within the session's grace time). */
  async closeAll(): Promise<void> {
    this.#closed = true;
    const all = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(
      all.map((p) =>
        p.then(
          (s) => s.goaway('the switch is shutting down'),
          () => undefined,
        ),
      ),
    );
  }
}

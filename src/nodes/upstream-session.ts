import type { Session } from '../protocol/session/session.ts';

/**
 * One long-lived session to another node, opened on first use and again after it closed: for
 * request/response traffic that is not the outbox's (provision queries of an agency or a
 * prefecture server). Concurrent callers share the connection attempt.
 */
export class UpstreamSession {
  readonly #connect: () => Promise<Session>;
  #session: Promise<Session> | undefined;

  constructor(connect: () => Promise<Session>) {
    this.#connect = connect;
  }

  get(): Promise<Session> {
    if (this.#session === undefined) {
      const attempt = this.#connect();
      this.#session = attempt;
      attempt.then(
        (s) =>
          void s.closed.then(() => {
            if (this.#session === attempt) this.#session = undefined;
          }),
        () => {
          if (this.#session === attempt) this.#session = undefined;
        },
      );
    }
    return this.#session;
  }

  /** Drops the connection (new credentials); the next `get` reconnects. */
  reset(): void {
    const s = this.#session;
    this.#session = undefined;
    void s?.then((x) => x.close()).catch(() => undefined);
  }

  async close(): Promise<void> {
    const s = this.#session;
    this.#session = undefined;
    await s?.then((x) => x.goaway()).catch(() => undefined);
  }
}

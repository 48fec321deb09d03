/**
 * Group commit for writes that arrive concurrently: callers `add` their items and wait; one
 * writer at a time takes everything queued so far and writes it in ONE call (one transaction),
 * then the next group. A caller resolves only once its items are written, so "recorded before
 * answered" holds; a failed write fails every caller of that group.
 */
export class GroupWriter<T> {
  readonly #write: (items: T[]) => Promise<unknown>;
  readonly #maxGroup: number;
  readonly #pending: { items: readonly T[]; resolve: () => void; reject: (e: unknown) => void }[] =
    [];
  #running: Promise<void> | undefined;

  readonly #gatherMs: number | undefined;

  /**
   * `gatherMs`: how long the first write after an idle spell waits for company (0: one turn of
   * the event loop, so the requests read in the same batch from the sockets share a commit);
   * undefined: it writes at once. A store whose driver is synchronous (SQLite) only ever groups
   * what was added before the write began, so without a wait a lightly loaded node commits once
   * per caller (docs/PROVISION.md "Disclosure writes").
   */
  constructor(
    write: (items: T[]) => Promise<unknown>,
    options: { readonly maxGroup?: number; readonly gatherMs?: number } = {},
  ) {
    this.#write = write;
    this.#maxGroup = options.maxGroup ?? 1024;
    this.#gatherMs = options.gatherMs;
  }

  add(items: readonly T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ items, resolve, reject });
      this.#running ??= this.#run();
    });
  }

  /** Resolves when everything added so far is written. */
  async drain(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #run(): Promise<void> {
    try {
      const gather = this.#gatherMs;
      if (gather !== undefined)
        await new Promise<void>((r) => (gather === 0 ? setImmediate(r) : setTimeout(r, gather)));
      while (this.#pending.length > 0) {
        const group = this.#pending.splice(0, this.#maxGroup);
        try {
          await this.#write(group.flatMap((g) => g.items));
          for (const g of group) g.resolve();
        } catch (e) {
          for (const g of group) g.reject(e);
        }
      }
    } finally {
      // Cleared in the same turn as the last check of the queue: an `add` after it starts a new run.
      this.#running = undefined;
    }
  }
}

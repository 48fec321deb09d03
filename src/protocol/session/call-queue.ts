import type { OutgoingCall } from './outgoing-call.ts';

/**
 * Calls waiting to be sent (before `hello` is done, or while the transport is above its
 * high-water mark), first in, first out. O(1) per call: an array with a moving head, compacted
 * now and then (Array#shift is O(n) on long arrays). A call that settles while waiting (timeout,
 * cancel) stays in place and is skipped.
 */
export class CallQueue {
  #items: OutgoingCall[] = [];
  #head = 0;

  get size(): number {
    let n = 0;
    for (let i = this.#head; i < this.#items.length; i++) if (!this.#items[i]!.settled) n++;
    return n;
  }

  get isEmpty(): boolean {
    return this.#head === this.#items.length;
  }

  push(call: OutgoingCall): void {
    this.#items.push(call);
  }

  /** The next call that has not settled, or undefined. */
  shift(): OutgoingCall | undefined {
    while (this.#head < this.#items.length) {
      const call = this.#items[this.#head++]!;
      if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
        this.#items = this.#items.slice(this.#head);
        this.#head = 0;
      }
      if (!call.settled) return call;
    }
    this.#items = [];
    this.#head = 0;
    return undefined;
  }

  /** Empties the queue, returning the calls that have not settled. */
  drain(): OutgoingCall[] {
    const calls = this.#items.slice(this.#head).filter((c) => !c.settled);
    this.#items = [];
    this.#head = 0;
    return calls;
  }
}

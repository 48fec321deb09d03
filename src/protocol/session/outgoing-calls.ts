import { MAX_REQUEST_ID } from '../frame/frame.ts';
import { CallQueue } from './call-queue.ts';
import type { FrameWriter } from './frame-writer.ts';
import type { OutgoingCall } from './outgoing-call.ts';

/**
 * The calls this side made: those in flight by request id, and those waiting to be sent (before
 * hello is done, or while the transport is above its high-water mark — back-pressure on requests).
 * Request ids count up from 1, wrap after 2³²−1, and skip ids still in flight.
 */
export class OutgoingCalls {
  readonly #calls = new Map<number, OutgoingCall>();
  readonly #queue = new CallQueue();
  #nextId = 1;

  constructor(private readonly writer: FrameWriter) {}

  /** Calls sent and not yet settled. */
  get size(): number {
    return this.#calls.size;
  }

  /** Calls waiting to be sent. */
  get queued(): number {
    return this.#queue.size;
  }

  get(id: number): OutgoingCall | undefined {
    return this.#calls.get(id);
  }

  allocateId(): number {
    for (;;) {
      const id = this.#nextId;
      this.#nextId = id === MAX_REQUEST_ID ? 1 : id + 1;
      if (!this.#calls.has(id)) return id;
    }
  }

  /** Sends the call now if `ready` and nothing waits before it, else queues it. */
  submit(call: OutgoingCall, ready: boolean): void {
    if (ready && this.#queue.isEmpty && this.writer.writable) this.#send(call);
    else this.#queue.push(call);
  }

  /** Sends queued calls while the transport takes them. */
  flush(): void {
    while (this.writer.writable) {
      const call = this.#queue.shift();
      if (!call) return;
      this.#send(call);
    }
  }

  failQueued(error: Error): void {
    for (const call of this.#queue.drain()) call.fail(error);
  }

  failAll(error: Error): void {
    this.failQueued(error);
    for (const call of [...this.#calls.values()]) call.fail(error);
  }

  settled(call: OutgoingCall): void {
    if (this.#calls.get(call.id) === call) this.#calls.delete(call.id);
  }

  #send(call: OutgoingCall) {
    if (call.settled) return;
    const id = this.allocateId();
    this.#calls.set(id, call);
    call.send(id);
  }
}

import type { CalendarDate } from '../domain/dates/CalendarDate.ts';
import { RegistryError } from '../domain/errors.ts';
import { nodeName, type NodeRef } from '../domain/network/NodeRef.ts';
import type { ChangeAck } from '../protocol/messages/ChangeAck.ts';
import type { ChangeNotice } from '../protocol/messages/ChangeNotice.ts';
import type { Session } from '../protocol/session/session.ts';
import type { ApplyOutcome, IdentityStore } from '../storage/ports.ts';

/**
 * The receiving side of change notices (R19) at a prefecture or the national server.
 *
 * Guarantees (docs/FLOW.md §3):
 * - **Idempotent:** the store applies a transaction id once (`duplicate` afterwards).
 * - **In order:** one apply at a time for the whole node, in the order notices arrived, across
 *   every session. A sender pipelines a window of notices on one connection; they are applied in
 *   that order. The notices that arrived while a group was being applied form the next group,
 *   applied in one transaction (group commit: one commit per group, not per notice).
 * - **Stop at the first failure:** if an apply fails for a reason other than an R19 rejection
 *   (the store is unreachable, say), every later notice of that session fails too and the
 *   session is closed. Otherwise notice k+1 of a resident could be applied while k was not, and
 *   k, retried, would arrive after it. The sender reconnects and resends from k.
 * - **Scope:** a CS may only report changes of its own municipality, a prefecture only of its own
 *   prefecture (the 団体コード of the values): anything else is refused `forbidden` and reported.
 * - **Never dropped:** a rejection travels back in the ack with its R19 rule.
 */
export type ChangeReceiverOptions = {
  readonly store: IdentityStore;
  readonly today: () => CalendarDate;
  /** Queue accepted changes in the outbox for the next node (a prefecture server). */
  readonly forward: boolean;
  /** Called after a change was applied and queued (wakes the node's sender). */
  readonly onApplied?: (outcome: ApplyOutcome, notice: ChangeNotice) => void;
  /** A notice refused for its scope: the node records an alert and logs it. */
  readonly onOutOfScope?: (peer: NodeRef, reason: string) => void;
};

/** Notices applied in one transaction at most (group commit). */
const MAX_GROUP = 512;

type SessionState = { failure: Error | undefined; readonly session: Session };
type Pending = {
  readonly notice: ChangeNotice;
  readonly state: SessionState;
  readonly resolve: (ack: ChangeAck) => void;
  readonly reject: (e: unknown) => void;
};

export class ChangeReceiver {
  readonly #options: ChangeReceiverOptions;
  readonly #pending: Pending[] = [];
  #running: Promise<void> | undefined;

  constructor(options: ChangeReceiverOptions) {
    this.#options = options;
  }

  /** Registers the `change-notice` handler on a session of `peer` (synchronously, in onSession). */
  attach(session: Session, peer: NodeRef): void {
    const state: SessionState = { failure: undefined, session };
    session.handle('change-notice', (notice) => {
      const outOfScope = scopeProblem(peer, notice);
      if (outOfScope !== undefined) {
        this.#options.onOutOfScope?.(peer, outOfScope);
        throw new RegistryError('forbidden', outOfScope, 'change.outside-scope');
      }
      if (state.failure !== undefined) throw state.failure;
      return new Promise<ChangeAck>((resolve, reject) => {
        this.#pending.push({ notice, state, resolve, reject });
        this.#running ??= this.#run();
      });
    });
  }

  /**
   * Applies what is queued, in arrival order: the notices that arrived while the previous group
   * was being applied go into the store together, in ONE transaction (group commit). Each keeps
   * its own outcome; a failed group fails every notice in it and stops their sessions.
   */
  async #run(): Promise<void> {
    try {
      await this.#applyQueued();
    } finally {
      // Cleared in the same turn as the last look at the queue: a notice queued after it starts
      // a new run (clearing it a microtask later could strand that notice).
      this.#running = undefined;
    }
  }

  async #applyQueued(): Promise<void> {
    const { store, forward, today, onApplied } = this.#options;
    while (this.#pending.length > 0) {
      const group = this.#pending.splice(0, MAX_GROUP);
      const live = group.filter((p) => {
        if (p.state.failure === undefined) return true;
        p.reject(p.state.failure);
        return false;
      });
      if (live.length === 0) continue;
      try {
        const outcomes = await store.applyChanges(
          live.map((p) => p.notice.event),
          { today: today(), ...(forward ? { outbox: true } : {}) },
        );
        for (const [i, p] of live.entries()) {
          const outcome = outcomes[i]!;
          if (outcome.status === 'applied') onApplied?.(outcome, p.notice);
          p.resolve(ackOf(p.notice, outcome));
        }
      } catch (e) {
        for (const p of live) {
          if (p.state.failure === undefined) {
            const failure = e instanceof Error ? e : new Error(String(e));
            p.state.failure = failure;
            const session = p.state.session;
            queueMicrotask(() => session.close(failure));
          }
          p.reject(e);
        }
      }
    }
  }

  /** Resolves when every notice received so far has been applied (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.#running) await this.#running;
  }
}

/** Why `peer` may not report this change, or undefined when it may. */
export function scopeProblem(peer: NodeRef, notice: ChangeNotice): string | undefined {
  const code = notice.event.values.localGovernmentCode;
  const ok =
    peer.role === 'cs'
      ? code === peer.code
      : peer.role === 'prefecture'
        ? code.startsWith(peer.code)
        : false;
  return ok
    ? undefined
    : `${nodeName(peer)} may not report a change of 団体コード ${code} (outside its ${peer.role === 'cs' ? 'municipality' : 'prefecture'}) / 管轄外の異動通知です`;
}

export function ackOf(notice: ChangeNotice, outcome: ApplyOutcome): ChangeAck {
  const idempotencyKey = notice.idempotencyKey;
  switch (outcome.status) {
    case 'applied':
    case 'duplicate':
      return {
        kind: 'change-ack',
        idempotencyKey,
        outcome: outcome.status,
        sequence: outcome.sequence,
      };
    case 'rejected':
      return {
        kind: 'change-ack',
        idempotencyKey,
        outcome: 'rejected',
        rejection: outcome.rejection,
      };
  }
}
